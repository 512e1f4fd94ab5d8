"""The command-line tools nbgrader runs, found in this Python's environment first.

nbgrader runs ``alembic`` from PATH when it creates or upgrades a gradebook,
and ``coursekit lab`` runs ``jupyter`` and ``nbgrader``. When coursekit runs
from a virtual environment that is not activated (``.venv/bin/coursekit``, a
Jupyter kernel, a worker process), PATH may not name the environment's scripts
folder at all, or may name another installation's ``alembic`` first, which then
runs against the wrong libraries. :func:`tools_path` puts this environment's
scripts folder first; everything in coursekit that starts those tools uses it.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from pathlib import Path


def scripts_folder() -> str:
    """The folder of this Python's executables: a virtual environment's bin/ (Scripts\\ on Windows)."""
    return str(Path(sys.executable).parent)


def tools_path(path: str | None = None) -> str:
    """``path`` (by default this process's PATH) with :func:`scripts_folder` first, and only once.

    Empty entries are dropped: on POSIX they mean the current folder, which
    should never supply ``alembic``.
    """
    if path is None:
        path = os.environ.get("PATH", "")
    first = scripts_folder()
    rest = [entry for entry in path.split(os.pathsep)
            if entry and os.path.normcase(entry.rstrip(os.sep)) != os.path.normcase(first)]
    return os.pathsep.join([first, *rest])


def tools_env() -> dict[str, str]:
    """This process's environment with :func:`tools_path` as PATH, for a tool run as a subprocess."""
    return {**os.environ, "PATH": tools_path()}


@contextlib.contextmanager
def tools_on_path() -> Iterator[None]:
    """Run nbgrader in this process with :func:`tools_path` as PATH; PATH is put back afterwards."""
    old = os.environ.get("PATH")
    os.environ["PATH"] = tools_path(old)
    try:
        yield
    finally:
        if old is None:
            del os.environ["PATH"]
        else:
            os.environ["PATH"] = old
