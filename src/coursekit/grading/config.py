"""A course's nbgrader configuration, loaded the way the ``nbgrader`` command loads it.

``nbgrader`` run from a course folder merges, lowest priority first, the
``nbgrader_config.py`` of every Jupyter config folder (``jupyter --paths``
lists them, highest priority first: those on ``JUPYTER_CONFIG_PATH``, the
user's ``~/.jupyter`` and the environment's, the system's), and last the
course's own. coursekit's tools that run
nbgrader in-process (autograde, class simulate, the gradebook helpers) read
the configuration here, so that they grade into the same gradebook and
release to the same exchange as the ``nbgrader`` command would.

One difference on purpose: nbgrader only warns about a config file it cannot
run and carries on without it (so it might grade into a default gradebook);
coursekit stops and names the file.

Imports traitlets and jupyter_core only when a configuration is loaded.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from coursekit.errors import CourseConfigError

CONFIG_FILE = "nbgrader_config.py"


def config_folders(course: str | Path) -> list[Path]:
    """The folders whose nbgrader_config.py apply to the course, lowest priority first."""
    from jupyter_core.paths import jupyter_config_path

    # Highest priority first: JUPYTER_CONFIG_PATH, then the user's and the environment's
    # folders (in the order JUPYTER_PREFER_ENV_PATH says), then the system's.
    folders = jupyter_config_path()
    return [*(Path(folder) for folder in reversed(folders)), Path(course).resolve()]


def load_course_config(course: str | Path) -> Any:
    """The traitlets Config nbgrader would use for this course.

    ``CourseDirectory.root`` defaults to the course folder (a config file may
    set it). Raises CourseConfigError, naming the file and the line, when one
    of the files cannot be run.
    """
    from traitlets.config.loader import Config, PyFileConfigLoader

    config = Config()
    config.CourseDirectory.root = str(Path(course).resolve())
    for folder in config_folders(course):
        path = folder / CONFIG_FILE
        if not path.is_file():
            continue
        try:
            config.merge(PyFileConfigLoader(CONFIG_FILE, path=str(folder)).load_config())
        except Exception as exc:  # the file is Python: any error can come out of it
            raise CourseConfigError(path, f"could not be loaded: {_where(exc, path)}",
                                    advice="Fix it (nbgrader reads the same file), then run "
                                           "the command again.") from exc
    return config


def _where(exc: BaseException, path: Path) -> str:
    """The error, with the line of the config file it came from when that is known."""
    line = exc.lineno if isinstance(exc, SyntaxError) else None
    traceback = exc.__traceback__
    while traceback is not None:
        if traceback.tb_frame.f_code.co_filename == str(path):
            line = traceback.tb_lineno
        traceback = traceback.tb_next
    text = " ".join(str(exc).split()) or type(exc).__name__
    return f"{type(exc).__name__} at line {line}: {text}." if line else f"{type(exc).__name__}: {text}."
