"""A course's nbgrader configuration: Jupyter's config folders first, the course's own last."""

from __future__ import annotations

from pathlib import Path

import pytest

from coursekit.errors import CourseConfigError
from coursekit.grading.config import load_course_config
from coursekit.grading.simulate import course_config


def write_config(folder: Path, *lines: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "nbgrader_config.py"
    path.write_text("c = get_config()  # noqa: F821\n" + "\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def jupyter_folders(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """The user's Jupyter config folder and one on JUPYTER_CONFIG_PATH, which Jupyter puts first."""
    user, extra = tmp_path / "user-jupyter", tmp_path / "path-jupyter"
    monkeypatch.setenv("JUPYTER_CONFIG_DIR", str(user))
    monkeypatch.setenv("JUPYTER_CONFIG_PATH", str(extra))
    monkeypatch.delenv("JUPYTER_NO_CONFIG", raising=False)
    return user, extra


def test_the_course_overrides_jupyters_folders_in_jupyters_order(tmp_path, jupyter_folders):
    user, extra = jupyter_folders
    write_config(user, 'c.CourseDirectory.db_url = "sqlite:///user.db"',
                 'c.Exchange.root = "/srv/user-exchange"', "c.ExecutePreprocessor.timeout = 30")
    write_config(extra, 'c.CourseDirectory.db_url = "sqlite:///path.db"',
                 'c.Exchange.root = "/srv/path-exchange"')
    course = tmp_path / "course"
    write_config(course, 'c.CourseDirectory.course_id = "demo"', 'c.Exchange.root = "/srv/exchange"')
    config = load_course_config(course)
    assert config.CourseDirectory.course_id == "demo"
    assert config.Exchange.root == "/srv/exchange"  # the course's own wins
    assert config.CourseDirectory.db_url == "sqlite:///path.db"  # JUPYTER_CONFIG_PATH beats ~/.jupyter
    assert config.ExecutePreprocessor.timeout == 30  # set only by the user
    assert config.CourseDirectory.root == str(course.resolve())


def test_class_simulate_reads_the_same_config(tmp_path, jupyter_folders):
    user, _ = jupyter_folders
    write_config(user, 'c.Exchange.root = "/srv/user-exchange"')
    course = tmp_path / "course"
    write_config(course, 'c.CourseDirectory.course_id = "demo"')
    config = course_config(course)
    assert config.Exchange.root == "/srv/user-exchange"  # before, simulate saw only the course's file
    assert config.CourseDirectory.root == str(course.resolve())


def test_a_config_file_that_fails_is_named_with_its_line(tmp_path, jupyter_folders):
    user, _ = jupyter_folders
    broken = write_config(user, "c.Exchange.root = undefined_name")
    course = tmp_path / "course"
    write_config(course, 'c.CourseDirectory.course_id = "demo"')
    with pytest.raises(CourseConfigError) as caught:
        load_course_config(course)
    message = str(caught.value)
    assert str(broken) in message and "NameError at line 2" in message and "undefined_name" in message


def test_a_syntax_error_in_the_course_config_is_named_with_its_line(tmp_path, jupyter_folders):
    course = tmp_path / "course"
    path = write_config(course, 'c.CourseDirectory.course_id = "demo"', "c.Exchange.root = (")
    with pytest.raises(CourseConfigError, match=r"SyntaxError at line 3") as caught:
        load_course_config(course)
    assert str(path) in str(caught.value)
