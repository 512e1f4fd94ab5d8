import subprocess
import sys

import pytest

from conftest import COURSE, ROOT
from coursekit.cli import main


def test_check_passes_on_the_committed_course(capsys):
    assert main(["check", str(COURSE)]) == 0
    assert "are valid" in capsys.readouterr().out


def test_check_fails_with_the_problem_listed(course_copy, capsys):
    path = course_copy / "source" / "alliance" / "alliance.ipynb"
    path.write_text(path.read_text().replace('"points": 2', '"points": -1', 1))
    assert main(["check", str(course_copy), "--seeds", str(ROOT / "seeds")]) == 1
    out = capsys.readouterr()
    assert "alliance.ipynb, cell" in out.out and "less than the minimum of 0" in out.out
    assert "1 problem(s)" in out.err


def test_check_on_a_folder_that_is_no_course_explains(tmp_path, capsys):
    assert main(["check", str(tmp_path)]) == 2
    assert "is not a course directory" in capsys.readouterr().err


def test_the_console_script_is_installed():
    result = subprocess.run([sys.executable, "-m", "coursekit.cli", "check", str(COURSE)],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


@pytest.mark.nbgrader
def test_lab_preview_is_the_student_version_and_never_overwritten(course_copy):
    from coursekit.cli import prepare_preview

    modules = prepare_preview(course_copy)
    assert "alliance" in modules
    notebook = course_copy / "preview" / "alliance" / "alliance.ipynb"
    text = notebook.read_text()
    assert "### BEGIN SOLUTION" not in text and "raise NotImplementedError()" in text
    notebook.write_text(text.replace("YOUR ANSWER HERE", "my own reflection", 1))
    prepare_preview(course_copy)
    assert "my own reflection" in notebook.read_text()
