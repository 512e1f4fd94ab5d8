"""A student's Run All, from a fresh student version: it reaches the end of every module.

nbgrader makes the student version of every module (generate_assignment), each is
copied into a student's folder, and nbclient runs every cell as JupyterLab's Run
All does: in order, stopping at the first error unless the cell is tagged
``raises-exception``. Nothing is answered and no exercise is done, as on a
student's first Run All. Every cell must run; the only errors allowed are the
unfinished exercises and checks, each one sentence; the plots, the privacy check
and the completion check must show.

Then real ``nbgrader autograde`` grades two students of every module: one who did
nothing (the released notebook as it is) gets 0 on every test, and one who did
it right (the instructor's solutions, every form saved) gets every point, with
no error anywhere in their notebook.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import nbformat
import pytest
from nbclient import NotebookClient

from conftest import COURSE, MODULES, copy_course, run, save_complete_answers, tool_env
from coursekit.grading.gradebook import snapshot

pytestmark = [pytest.mark.kernel, pytest.mark.nbgrader, pytest.mark.slow]

RAISES = "raises-exception"
# The errors an unfinished module may show: a stub not replaced yet, a value an exercise has
# not set yet, a form not saved yet.
UNFINISHED = {"NotImplementedError", "NotDoneYet", "IncompleteError"}
# The cells that draw a figure even when nothing is answered and no exercise is done.
PLOTS = {
    "alliance": ["profile_alliance", "evidence_plot", "series_data", "series_marked"],
    "breakthroughs": ["noise_plot", "dose_effect", "compare", "evidence_plot"],
    "craft": ["placement", "evidence_plot"],
    "feedback": ["profile_feedback", "track", "evidence_plot"],
    "relationship": ["evidence_plot"],
    "stuck": ["checkin_plot", "lens_plot"],
    "portfolio": ["profile"],
}
# The cells that draw what the student's code found: until then, a sentence says so.
WAITING_FOR_EXERCISES = {
    "breakthroughs": ["trajectories", "shares", "categories_plot"],
    "feedback": ["compare", "track"],
    "relationship": ["effect_table"],
}
NOTHING = "nothing"  # the student who did nothing
RIGHT = "right"  # the student who did it all right
TIMESTAMP = "2026-11-20 10:00:00.000000 UTC"


def grade_id(cell: Any) -> str | None:
    return cell.metadata.get("nbgrader", {}).get("grade_id")


def plain(text: str) -> str:
    return re.sub(r"\x1b\[[0-9;]*m", "", text)


def shows_image(cell: Any) -> bool:
    for output in cell.get("outputs", []):
        data = output.get("data", {})
        if "image/png" in data or "<img" in data.get("text/html", ""):
            return True
    return False


@pytest.fixture(scope="module")
def course(tmp_path_factory) -> Path:
    """The course with every module generated (into a gradebook, for autograde)."""
    course = copy_course(tmp_path_factory.mktemp("runall") / "course")
    env = tool_env()
    env.pop("COURSEKIT_DB_URL", None)
    for module in MODULES:
        run(["nbgrader", "generate_assignment", module], cwd=course, env=env)
    return course


@pytest.fixture(scope="module")
def home(course, tmp_path_factory) -> Path:
    """A student's folder with every released module, as nbgrader fetch leaves them."""
    home = tmp_path_factory.mktemp("student")
    for module in MODULES:
        shutil.copytree(course / "release" / module, home / module)
    return home


def run_all(folder: Path, module: str) -> Any:
    """The module's notebook after Run All in its folder: as JupyterLab does it, stopping at an
    error, except in a cell tagged raises-exception."""
    nb = nbformat.read(folder / f"{module}.ipynb", as_version=4)
    client = NotebookClient(nb, timeout=300, kernel_name="python3", allow_errors=False,
                            resources={"metadata": {"path": str(folder)}})
    client.execute(env=tool_env())  # a CellExecutionError here is Run All stopping
    return nb


@pytest.mark.parametrize("module", MODULES)
def test_run_all_runs_every_cell_of_a_fresh_student_version(home, module):
    nb = run_all(home / module, module)
    code = [cell for cell in nb.cells if cell.cell_type == "code"]
    assert all(cell.execution_count for cell in code), "a cell did not run"
    cells = {grade_id(cell): cell for cell in code}

    for cell in code:
        errors = [o for o in cell.outputs if o.output_type == "error"]
        if not errors:
            continue
        where = grade_id(cell) or cell.source[:60]
        assert RAISES in cell.metadata.get("tags", []), f"{where}: an error in an untagged cell"
        (error,) = errors
        assert error.ename in UNFINISHED, f"{where}: {error.ename}: {error.evalue}"
        # one sentence, not a traceback through the exercise or through coursekit
        (line,) = [plain(text) for text in error.traceback]
        assert "Traceback" not in line and "File " not in line and line.endswith("."), line
        assert line.startswith(("Not done yet: ", "No saved ")), line

    for plot in PLOTS[module]:
        assert shows_image(cells[plot]), f"{plot} showed no figure"
    for waiting in WAITING_FOR_EXERCISES.get(module, []):
        said = "".join(o.get("text", "") for o in cells[waiting].outputs if o.output_type == "stream")
        assert said.startswith("Not done yet: "), (waiting, said)
    assert cells["privacy_check"].outputs, "the privacy check said nothing"
    completion = cells["test_completion"].outputs
    assert [o.output_type for o in completion] == ["error"]
    assert completion[0].ename == "IncompleteError"
    # every cell that is not an exercise's own code shows something
    quiet = [grade_id(c) or c.source[:60] for c in code
             if not c.outputs and not c.metadata.get("nbgrader", {}).get("solution")]
    assert quiet == [], quiet


# --- autograde keeps its word: nothing done, no points; all done, every point ------------


def solved(source_nb: Any, released_nb: Any) -> Any:
    """The released notebook with every exercise written as the instructor's solution."""
    solutions = {grade_id(c): c.source for c in source_nb.cells
                 if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("solution")}
    for cell in released_nb.cells:
        if grade_id(cell) in solutions:
            cell.source = "\n".join(line for line in solutions[grade_id(cell)].splitlines()
                                    if line.strip() not in ("### BEGIN SOLUTION", "### END SOLUTION"))
    return released_nb


def submit(course: Path, student: str, module: str) -> None:
    folder = course / "submitted" / student / module
    folder.mkdir(parents=True)
    (folder / "timestamp.txt").write_text(TIMESTAMP)
    released = nbformat.read(course / "release" / module / f"{module}.ipynb", as_version=4)
    if student == RIGHT:
        source = nbformat.read(COURSE / "source" / module / f"{module}.ipynb", as_version=4)
        released = solved(source, released)
    nbformat.write(released, folder / f"{module}.ipynb")


@pytest.fixture(scope="module")
def graded(course) -> dict[str, Any]:
    """Both students' submissions of every module, graded by `nbgrader autograde`."""
    for student in (NOTHING, RIGHT):
        for module in MODULES:
            submit(course, student, module)
    save_complete_answers(course / "submitted" / RIGHT, course)
    env = tool_env()
    env.pop("COURSEKIT_DB_URL", None)
    found = {}
    for module in MODULES:
        run(["nbgrader", "autograde", module], cwd=course, env=env, timeout=900)
        found[module] = snapshot(f"sqlite:///{course / 'gradebook.db'}", "coursekit", module)
    return found


def autograded_tests(found: dict[str, Any], module: str, student: str) -> dict[str, tuple[float, float]]:
    """(score, out of) of each autograder test cell (code, graded: the exercises' tests and the
    completion check); reflections are graded by hand."""
    source = nbformat.read(COURSE / "source" / module / f"{module}.ipynb", as_version=4)
    tests = {grade_id(c) for c in source.cells
             if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("grade")}
    grades = found[module][student]["notebooks"][module]["grades"]
    return {name: (grade["auto_score"], grade["max_score"]) for name, grade in grades.items()
            if name in tests}


@pytest.mark.parametrize("module", MODULES)
def test_autograde_gives_nothing_for_nothing_and_every_point_for_work_done_right(course, graded,
                                                                                  module):
    nothing = autograded_tests(graded, module, NOTHING)
    right = autograded_tests(graded, module, RIGHT)
    assert "test_completion" in right and set(nothing) == set(right)
    if module in ("alliance", "breakthroughs", "craft", "feedback", "relationship"):
        assert len(right) > 1, "the module's exercise tests were not graded"
    assert {name: score for name, (score, _) in nothing.items()} == dict.fromkeys(nothing, 0.0)
    assert {name: score for name, (score, _) in right.items()} == {
        name: most for name, (_, most) in right.items()}

    # The one who did it right met no error at all: every cell ran clean.
    nb = nbformat.read(course / "autograded" / RIGHT / module / f"{module}.ipynb", as_version=4)
    errors = [(grade_id(c), o.ename) for c in nb.cells if c.cell_type == "code"
              for o in c.outputs if o.output_type == "error"]
    assert errors == []
