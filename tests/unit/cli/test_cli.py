"""The ``coursekit`` command, in-process through main() and as the installed console script."""

import subprocess
import sys
from pathlib import Path

import pytest

from conftest import COURSE, MODULES
from coursekit.cli import main

CONSOLE_SCRIPT = Path(sys.executable).parent / "coursekit"


def test_check_passes_on_the_committed_course(capsys):
    assert main(["check", str(COURSE)]) == 0
    assert "are valid" in capsys.readouterr().out


def test_check_fails_with_the_problem_listed(course_copy, capsys):
    path = course_copy / "source" / "alliance" / "alliance.ipynb"
    path.write_text(path.read_text().replace('"points": 2', '"points": -1', 1))
    assert main(["check", "--course", str(course_copy)]) == 1
    out = capsys.readouterr()
    assert "alliance.ipynb, cell" in out.out and "less than the minimum of 0" in out.out
    assert "problem(s)" in out.err


def test_check_on_a_folder_that_is_no_course_explains(tmp_path, capsys):
    assert main(["check", str(tmp_path)]) == 2
    assert "is not a course directory" in capsys.readouterr().err


def test_every_command_finds_the_course_from_inside_it(course_copy, monkeypatch, capsys):
    """One rule: --course, else the course the current folder is in, else ./course; as the
    README's round trip runs `coursekit check` (and `check .`) from course/."""
    # the repository root holds an nbgrader_config.py too: that does not make it the course
    (course_copy.parent / "nbgrader_config.py").write_text("c = get_config()  # noqa\n")
    for where, argv in [(course_copy, ["check"]), (course_copy, ["check", "."]),
                        (course_copy / "source" / "alliance", ["check"]),
                        (course_copy / "source", ["check", "--course", ".."]),
                        (course_copy.parent, ["check"])]:
        monkeypatch.chdir(where)
        assert main(argv) == 0, (where, argv, capsys.readouterr())
        out = capsys.readouterr().out
        assert out == f"All {len(MODULES)} module(s) in {course_copy} are valid.\n", (where, argv)


def test_a_folder_outside_any_course_is_not_taken_for_one(tmp_path, monkeypatch, capsys):
    (tmp_path / "nbgrader_config.py").write_text("c = get_config()  # noqa\n")
    monkeypatch.chdir(tmp_path)
    assert main(["check"]) == 2
    assert f"{tmp_path / 'course'} is not a course directory" in capsys.readouterr().err


def test_an_error_is_one_sentence_and_exit_status_2(course_copy, capsys):
    assert main(["report", "nosuch", "--course", str(course_copy)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("coursekit report: ") and "Traceback" not in err
    assert "the course has no module 'nosuch'" in err


def test_the_installed_console_script_runs(course_copy):
    """The `coursekit` script pip installed, not the module: what an instructor types."""
    assert CONSOLE_SCRIPT.is_file(), f"no console script at {CONSOLE_SCRIPT}; is the package installed?"
    result = subprocess.run([str(CONSOLE_SCRIPT), "check", str(COURSE)], capture_output=True, text=True)
    assert result.returncode == 0 and "are valid" in result.stdout, result.stderr
    made = subprocess.run([str(CONSOLE_SCRIPT), "new", "diary", "--course", str(course_copy)],
                          capture_output=True, text=True)
    assert made.returncode == 0, made.stderr
    assert (course_copy / "source" / "diary" / "diary.ipynb").is_file()
    again = subprocess.run([str(CONSOLE_SCRIPT), "new", "diary", "--course", str(course_copy)],
                           capture_output=True, text=True)
    assert again.returncode == 2 and "exists already" in again.stderr
    as_module = subprocess.run([sys.executable, "-m", "coursekit", "check", str(course_copy)],
                               capture_output=True, text=True)
    assert as_module.returncode == 0, as_module.stderr


@pytest.mark.nbgrader
@pytest.mark.kernel
def test_lab_preview_is_the_student_version_and_never_overwritten(course_copy, tmp_path, monkeypatch):
    import nbformat
    from nbformat.sign import NotebookNotary

    from coursekit.cli.lab import prepare_preview

    monkeypatch.setenv("JUPYTER_DATA_DIR", str(tmp_path / "jupyter-data"))  # whose trust it records
    modules = prepare_preview(course_copy)
    assert "alliance" in modules
    notebook = course_copy / "preview" / "alliance" / "alliance.ipynb"
    text = notebook.read_text()
    assert "### BEGIN SOLUTION" not in text and "raise NotImplementedError()" in text
    assert (course_copy / "preview" / "alliance" / "module.toml").is_file()
    # opens trusted, and as JupyterLab will find it once the kernel answers: not "unsaved"
    nb = nbformat.read(notebook, as_version=4)
    assert NotebookNotary().check_signature(nb)
    assert nb.metadata.language_info["name"] == "python" and nb.metadata.language_info["version"]
    notebook.write_text(text.replace("YOUR ANSWER HERE", "my own reflection", 1))
    prepare_preview(course_copy)
    assert "my own reflection" in notebook.read_text()


def test_lab_serves_a_students_view_opening_the_first_module(tmp_path):
    """The command line `coursekit lab` runs (tests/integration/test_lab.py runs it for real)."""
    import json
    import os

    from coursekit.cli.lab import lab_command, lab_env

    student = lab_command(tmp_path, "alliance")
    assert f"--ServerApp.root_dir={tmp_path / 'preview'}" in student
    assert student[-1] == "preview/alliance/alliance.ipynb"  # relative to the course: opened, no Launcher
    assert f"--ServerApp.root_dir={tmp_path}" in lab_command(tmp_path, "alliance", view="instructor")
    for view, off in [("student", {"@jupyterlab/apputils-extension:announcements",
                                   "@jupyter/nbgrader:create-assignment", "@jupyter/nbgrader:formgrader"}),
                      ("instructor", {"@jupyterlab/apputils-extension:announcements"})]:
        env = lab_env({"JUPYTER_CONFIG_PATH": "/elsewhere"}, view)
        ours, *rest = env["JUPYTER_CONFIG_PATH"].split(os.pathsep)
        assert rest == ["/elsewhere"]
        page_config = json.loads((Path(ours) / "labconfig" / "page_config.json").read_text())
        assert off <= {name for name, disabled in page_config["disabledExtensions"].items() if disabled}
    assert "@jupyter/nbgrader:formgrader" not in json.loads(
        (Path(lab_env({}, "instructor")["JUPYTER_CONFIG_PATH"]) / "labconfig" / "page_config.json")
        .read_text())["disabledExtensions"]
