"""Real kernels and real nbgrader commands over the real course.

nbval executes every instructor notebook; nbgrader generates, validates,
releases, collects, autogrades, returns feedback and exports grades for a
small class passing through a temporary exchange.
"""

from __future__ import annotations

import csv
import json
import shutil
import sys
from pathlib import Path

import nbformat
import pytest

from conftest import (
    COURSE,
    MODULES,
    complete_answers,
    instrument_of,
    run,
    save_complete_answers,
    strictly_run_copy,
    tool_env,
)
from coursekit.student.responses import FILENAME, ResponseStore


@pytest.mark.kernel
def test_nbval_runs_every_instructor_notebook(tmp_path):
    """With every form saved, the instructor's version raises nothing: not in a test cell
    either (run untagged, so that raises-exception cannot excuse a failing solution)."""
    base = tmp_path / "assignments"
    save_complete_answers(base)
    env = tool_env(COURSEKIT_RESPONSES_DIR=str(base))
    source = strictly_run_copy(COURSE / "source", tmp_path / "source")
    result = run([sys.executable, "-m", "pytest", "--nbval-lax", "-p", "no:cacheprovider", "-q",
                  str(source)], cwd=tmp_path, env=env, ok=False, timeout=600)
    assert result.returncode == 0, result.stdout[-6000:]
    assert f"{len(MODULES)} passed" in result.stdout or "passed" in result.stdout
    assert not list((COURSE / "source").rglob("coursekit-responses*")), "nbval wrote into source/"


@pytest.mark.nbgrader
def test_generate_then_validate_source_and_released_versions(course_copy, tmp_path):
    base = tmp_path / "assignments"
    save_complete_answers(base)
    for module in MODULES:
        run(["nbgrader", "generate_assignment", module], cwd=course_copy)
        released = course_copy / "release" / module / f"{module}.ipynb"
        assert released.is_file()
        text = released.read_text()
        assert "### BEGIN SOLUTION" not in text and "BEGIN HIDDEN TESTS" not in text
        assert "raise NotImplementedError()" in text or "YOUR ANSWER HERE" in text
        assert not list((course_copy / "release" / module).glob("coursekit-responses*"))
        source_nb = course_copy / "source" / module / f"{module}.ipynb"
        env = tool_env(COURSEKIT_RESPONSES_DIR=str(base))
        ok = run(["nbgrader", "validate", str(source_nb)], cwd=course_copy, env=env)
        assert "Success! Your notebook passes all the tests." in ok.stdout, ok.stdout
        inverted = run(["nbgrader", "validate", "--invert", str(released)], cwd=course_copy)
        assert "Success! The notebook does not pass any tests." in inverted.stdout, inverted.stdout


# --- the class round trip ----------------------------------------------------

STUDENTS = ["ada", "ben", "cleo"]


def cell(nb, grade_id):
    return next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)


def solution_source() -> str:
    """The instructor's solution, as a student who solved it would have typed it."""
    nb = nbformat.read(COURSE / "source" / "alliance" / "alliance.ipynb", as_version=4)
    lines = cell(nb, "find_rupture_and_repair").source.splitlines()
    return "\n".join(line for line in lines if "### BEGIN SOLUTION" not in line
                     and "### END SOLUTION" not in line)


REFLECTIONS = ["reflection_description", "reflection_feelings", "reflection_evaluation",
               "reflection_analysis", "reflection_conclusion", "reflection_action_plan"]


def student_works(folder: Path, name: str) -> dict[str, int]:
    """One student's answers: through the store's API and by editing cells, as in JupyterLab."""
    instrument = instrument_of("alliance")
    store = ResponseStore(folder, "alliance")
    path = folder / "alliance.ipynb"
    nb = nbformat.read(path, as_version=4)
    if name == "ada":  # does everything
        answers = complete_answers(instrument, 4)
        store.save_answers(instrument, answers)
        cell(nb, "find_rupture_and_repair").source = solution_source()
        for grade_id in REFLECTIONS:
            cell(nb, grade_id).source = f"My {grade_id.split('_', 1)[1]}: a de-identified account."
    elif name == "ben":  # half the self-assessment, a wrong find_repair, three reflections
        answers = {item.id: 2 for item in instrument.items[:6]}
        store.save_answers(instrument, answers)
        rupture_only = solution_source().split("def find_repair")[0]
        cell(nb, "find_rupture_and_repair").source = rupture_only + (
            "def find_repair(ratings, rupture):\n    return None  # not finished\n")
        for grade_id in REFLECTIONS[:3]:
            cell(nb, grade_id).source = "Some thoughts."
    else:  # cleo: solves the exercise, saves nothing, and rewrites the completion check
        answers = {}
        cell(nb, "find_rupture_and_repair").source = solution_source()
        cell(nb, "test_completion").source = "print('all done')"
    nbformat.write(nb, path)
    return answers


@pytest.mark.nbgrader
def test_a_class_round_trip_through_the_exchange(course_copy, tmp_path):
    course = course_copy
    exchange = course / "exchange"
    run(["nbgrader", "generate_assignment", "alliance"], cwd=course)
    run(["nbgrader", "release_assignment", "alliance"], cwd=course)

    saved = {}
    # each student has a folder and an nbgrader cache of their own, as the README's rehearsal:
    # fetch_feedback hands out whatever the cache holds, whatever --student says
    def flags(name: str) -> list[str]:
        return ["--course=coursekit", f"--Exchange.root={exchange}", f"--student={name}",
                "--Exchange.cache=.nbgrader_cache"]

    for name in STUDENTS:
        home = tmp_path / "students" / name
        home.mkdir(parents=True)
        run(["nbgrader", "fetch_assignment", "alliance", *flags(name)], cwd=home)
        saved[name] = student_works(home / "alliance", name)
        if name != "cleo":  # a marker in a reflection, to tell whose feedback is whose
            nb = nbformat.read(home / "alliance" / "alliance.ipynb", as_version=4)
            cell(nb, "reflection_description").source += f" (marker-{name}-pipeline)"
            nbformat.write(nb, home / "alliance" / "alliance.ipynb")
        run(["nbgrader", "submit", "alliance", *flags(name)], cwd=home)

    collected = run(["nbgrader", "collect", "alliance"], cwd=course)
    assert "cheating attempt" not in collected.stdout + collected.stderr
    for name in STUDENTS:
        assert (course / "submitted" / name / "alliance" / "alliance.ipynb").is_file()
    graded = run(["nbgrader", "autograde", "alliance"], cwd=course)
    assert "Error" not in graded.stderr.replace("ExecutePreprocessor", ""), graded.stderr[-3000:]

    # saved answers travelled with the submission and reached autograded/
    for name in ["ada", "ben"]:
        on_disk = json.loads((course / "autograded" / name / "alliance" / FILENAME).read_text())
        assert on_disk["instruments"]["alliance"]["answers"] == saved[name]
    assert not (course / "autograded" / "cleo" / "alliance" / FILENAME).exists()

    # the rewritten completion check was put back and then failed
    autograded = nbformat.read(course / "autograded" / "cleo" / "alliance" / "alliance.ipynb", 4)
    restored = cell(autograded, "test_completion")
    assert "check_module" in restored.source and "all done" not in restored.source
    assert any(o.get("ename") == "IncompleteError" for o in restored.outputs)

    # the instructor grades reflections by hand (as formgrader does), then feedback and export
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", "coursekit") as gb:
        for name, points in [("ada", 2), ("ben", 1)]:
            for grade_id in REFLECTIONS:
                grade = gb.find_grade(grade_id, "alliance", "alliance", name)
                grade.manual_score = points if (name == "ada" or grade_id in REFLECTIONS[:3]) else 0
        gb.db.commit()
    run(["nbgrader", "generate_feedback", "alliance"], cwd=course)
    for name in STUDENTS:
        assert (course / "feedback" / name / "alliance" / "alliance.html").is_file()

    # who received what: each student fetches their own feedback and no one else's
    run(["nbgrader", "release_feedback", "alliance"], cwd=course)
    for name in STUDENTS:
        home = tmp_path / "students" / name
        run(["nbgrader", "fetch_feedback", "alliance", *flags(name)], cwd=home)
        received = sorted((home / "alliance" / "feedback").rglob("*.html"))
        assert len(received) == 1, (name, received)
        html = received[0].read_text()
        markers = {other for other in STUDENTS if f"marker-{other}-pipeline" in html}
        assert markers == ({name} if name != "cleo" else set()), (name, markers)
    run(["nbgrader", "export", "--to", str(tmp_path / "grades.csv")], cwd=course)
    with open(tmp_path / "grades.csv", newline="") as handle:
        rows = {row["student_id"]: row for row in csv.DictReader(handle)}
    scores = {name: float(rows[name]["score"]) for name in STUDENTS}
    # ada: exercise 4 + completion 2 + reflections 12; ben: find_rupture 2 + reflections 3;
    # cleo: exercise 4, and no completion points once her edit is undone.
    assert scores == {"ada": 18.0, "ben": 5.0, "cleo": 4.0}
    assert {float(rows[n]["max_score"]) for n in STUDENTS} == {18.0}


# --- every module, in-process ---------------------------------------------------


def autograded_points(module: str) -> float:
    """Points of the automatically graded cells of a module, from its source notebook."""
    nb = nbformat.read(COURSE / "source" / module / f"{module}.ipynb", as_version=4)
    return float(sum(c.metadata["nbgrader"]["points"] for c in nb.cells
                     if c.metadata.get("nbgrader", {}).get("grade") and c.cell_type == "code"))


def do_module(home: Path, module: str) -> None:
    """Work a fetched module as a diligent student: solve, reflect, save every form."""
    source = nbformat.read(COURSE / "source" / module / f"{module}.ipynb", as_version=4)
    solutions = {c.metadata["nbgrader"]["grade_id"]: c.source for c in source.cells
                 if c.metadata.get("nbgrader", {}).get("solution")}
    path = home / module / f"{module}.ipynb"
    nb = nbformat.read(path, as_version=4)
    for c in nb.cells:
        meta = c.metadata.get("nbgrader", {})
        if meta.get("solution") and c.cell_type == "code":
            c.source = "\n".join(line for line in solutions[meta["grade_id"]].splitlines()
                                 if "### BEGIN SOLUTION" not in line and "### END SOLUTION" not in line)
        elif meta.get("solution"):
            c.source = "A de-identified reflection on my own practice."
    nbformat.write(nb, path)
    save_complete_answers_for(home, module)


def save_complete_answers_for(base: Path, module: str) -> None:
    scratch = base / ".all"
    save_complete_answers(scratch)
    shutil.copy(scratch / module / FILENAME, base / module / FILENAME)


@pytest.mark.nbgrader
@pytest.mark.filterwarnings(r"ignore:Object of type <\w+> not in session")
def test_every_module_round_trip_in_process(course_copy, tmp_path, monkeypatch):
    """Release every module; one student does them all, another only the alliance module."""
    monkeypatch.setenv("PATH", tool_env()["PATH"])  # nbgrader runs `alembic` from PATH
    from nbgrader.api import Gradebook
    from nbgrader.apps.api import NbGraderAPI
    from nbgrader.auth import Authenticator
    from nbgrader.coursedir import CourseDirectory
    from nbgrader.exchange.default import ExchangeFetchAssignment, ExchangeSubmit

    from coursekit.grading.simulate import course_config

    config = course_config(course_copy)
    config.Exchange.cache = str(tmp_path / "cache")
    api = NbGraderAPI(coursedir=CourseDirectory(config=config), config=config)
    for module in MODULES:
        assert api.generate_assignment(module)["success"], module
        assert api.release_assignment(module)["success"], module

    work = {"full": MODULES, "partial": ["alliance"]}
    for student, done in work.items():
        home = tmp_path / student
        home.mkdir()
        coursedir = CourseDirectory(config=config)
        coursedir.student_id = student
        for module in MODULES:
            coursedir.assignment_id = module
            args = {"coursedir": coursedir, "authenticator": Authenticator(config=config),
                    "config": config, "assignment_dir": str(home)}
            ExchangeFetchAssignment(**args).start()
            if module in done:
                do_module(home, module)
            ExchangeSubmit(**args).start()

    for module in MODULES:
        assert api.collect(module)["success"], module
        for student in work:
            outcome = api.autograde(module, student)
            assert outcome["success"], (module, student, outcome.get("log", "")[-2000:])

    with Gradebook(config.CourseDirectory.db_url, "coursekit") as gb:
        scores = {(m, s): gb.find_submission(m, s).score for m in MODULES for s in work}
    for module in MODULES:
        full = autograded_points(module)
        assert full > 0, f"{module} has no automatically graded points"
        assert scores[(module, "full")] == full, module
        expected_partial = full if module == "alliance" else 0.0
        assert scores[(module, "partial")] == expected_partial, (module, "an untouched module scored")
    # the saved answers travelled to autograded/ for every module
    for module in MODULES:
        assert (course_copy / "autograded" / "full" / module / FILENAME).is_file(), module
