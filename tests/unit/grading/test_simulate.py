"""The simulated class: who gets what, the files they write, and a real run through nbgrader."""

from __future__ import annotations

import json
import shutil
from collections import Counter
from pathlib import Path

import nbformat
import pytest

from conftest import COURSE, module_of, run
from coursekit.cli import main
from coursekit.cohort.summary import read_class, read_student
from coursekit.grading.simulate import (
    COMPLETE,
    INCOMPLETE,
    INVALID_JSON,
    KINDS,
    MISSING,
    NON_INTEGER,
    WRONG_MODULE,
    SimulatedStudent,
    SimulationError,
    notebook_answers,
    plan_class,
    simulated_answers,
    strip_solution_markers,
    student_ids,
    write_answer_file,
    wrong_version,
)
from coursekit.student.responses import FILENAME

SOURCE = COURSE / "source" / "alliance" / "alliance.ipynb"
STATUS = {COMPLETE: "complete", INCOMPLETE: "incomplete", MISSING: "missing",
          INVALID_JSON: "malformed", WRONG_MODULE: "malformed", NON_INTEGER: "malformed"}

# --- the plan ----------------------------------------------------------------------


def test_ids_are_numbered_and_sort_in_order():
    assert student_ids(3) == ["sim-0001", "sim-0002", "sim-0003"]
    assert student_ids(12_000)[-1] == "sim-12000" and student_ids(12_000)[0] == "sim-00001"


def test_a_class_of_twelve_has_every_kind_and_a_majority_of_complete_files():
    plan = plan_class("alliance", 12)
    counts = Counter(s.answers for s in plan)
    assert set(counts) == set(KINDS)
    assert counts[COMPLETE] == 7 and all(counts[k] == 1 for k in KINDS if k != COMPLETE)
    assert Counter(s.exercise for s in plan) == {"correct": 10, "wrong": 2}


def test_a_large_class_follows_the_shares():
    counts = Counter(s.answers for s in plan_class("alliance", 1000))
    assert counts == {COMPLETE: 760, INCOMPLETE: 100, MISSING: 50, INVALID_JSON: 30,
                      WRONG_MODULE: 30, NON_INTEGER: 30}


def test_the_same_seed_gives_the_same_class_and_another_seed_another(alliance):
    assert plan_class("alliance", 40, seed=1) == plan_class("alliance", 40, seed=1)
    assert plan_class("alliance", 40, seed=1) != plan_class("alliance", 40, seed=2)
    assert simulated_answers(alliance, "sim-0003", 1) == simulated_answers(alliance, "sim-0003", 1)
    assert simulated_answers(alliance, "sim-0003", 1) != simulated_answers(alliance, "sim-0004", 1)


def test_an_empty_class_is_refused():
    with pytest.raises(SimulationError, match="at least one student"):
        plan_class("alliance", 0)


def test_simulated_answers_are_on_the_scale_and_rate_the_bond_highest(alliance):
    means = Counter()
    for sid in student_ids(300):
        answers = simulated_answers(alliance, sid)
        assert set(answers) == {item.id for item in alliance.items}
        assert all(1 <= v <= 5 for v in answers.values())
        for item in alliance.items:
            means[item.subscale] += answers[item.id] / (300 * 4)
    assert means["bond"] > means["goals"] > means["tasks"] > 2.5
    assert len({tuple(simulated_answers(alliance, sid).values()) for sid in student_ids(50)}) > 40


# --- the answer files ----------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_each_kind_of_answer_file_is_what_it_says(tmp_path, alliance, kind):
    student = SimulatedStudent("sim-0001", kind, "correct")
    write_answer_file(tmp_path, module_of("alliance"), student, other_module="stuck")
    path = tmp_path / FILENAME
    read = read_student("sim-0001", tmp_path, "alliance", alliance)
    assert read.status == STATUS[kind], read.reason
    if kind == MISSING:
        assert not path.exists()
        return
    text = path.read_text()
    if kind == INVALID_JSON:
        with pytest.raises(json.JSONDecodeError):
            json.loads(text)
        return
    raw = json.loads(text)
    answers = raw["instruments"]["alliance"]["answers"]
    if kind == WRONG_MODULE:
        assert raw["module"] != "alliance" and len(answers) == 12
    elif kind == NON_INTEGER:
        assert [v for v in answers.values() if not isinstance(v, int)] != []
    elif kind == INCOMPLETE:
        assert 9 <= len(answers) <= 11
    else:
        assert answers == simulated_answers(alliance, "sim-0001")


def test_what_each_module_saves_is_what_its_manifest_declares():
    saves = {m: [(f.kind, f.id) for f in module_of(m).forms]
             for m in ("alliance", "breakthroughs", "craft", "stuck", "relationship", "feedback",
                       "portfolio")}
    assert saves == {
        "alliance": [("instrument", "alliance")],
        "breakthroughs": [("questions", "breakthroughs_prediction")],
        "craft": [("instrument", "craft"), ("questions", "craft_practice")],
        "stuck": [("instrument", "stuck")],
        "relationship": [("instrument", "relationship")],
        "feedback": [("instrument", "feedback")],
        "portfolio": [("plan", "practice_plan")],
    }


def _check(module: str, folder: Path) -> str:
    """What the module's own completion check says of a saved answer file."""
    from coursekit.errors import CoursekitError
    from coursekit.student.checks import check_module

    try:
        check_module(module_of(module), folder)
    except CoursekitError as exc:
        return type(exc).__name__
    return "passes"


@pytest.mark.parametrize("module", ["breakthroughs", "craft", "portfolio"])
@pytest.mark.parametrize("kind", KINDS)
def test_modules_without_an_instrument_of_their_name_get_answer_files_of_each_kind(
        tmp_path, module, kind):
    write_answer_file(tmp_path, module_of(module), SimulatedStudent("sim-0002", kind, "correct"),
                      other_module="alliance")
    verdict = _check(module, tmp_path)
    expected = {COMPLETE: "passes", INCOMPLETE: "IncompleteError", MISSING: "IncompleteError"}
    if kind in expected:
        assert verdict == expected[kind]
    else:
        assert verdict != "passes"  # malformed: the check refuses it, whatever the reason
    if kind == NON_INTEGER:
        raw = json.loads((tmp_path / FILENAME).read_text())
        if module == "portfolio":
            assert raw["values"]["practice_plan"]["review_date"] == "after the summer"
        else:
            values = (raw["instruments"][module]["answers"] if module == "craft"
                      else raw["values"]["breakthroughs_prediction"])
            assert [v for v in values.values() if not isinstance(v, int)] != []


# --- the notebook work -------------------------------------------------------------------


def test_the_correct_answer_is_the_instructors_solution_without_markers():
    nb = nbformat.read(SOURCE, as_version=4)
    answers = notebook_answers(SOURCE, SOURCE)
    code = answers.correct["find_rupture_and_repair"]
    assert "BEGIN SOLUTION" not in code and "def find_repair" in code
    scope: dict = {}
    exec(code, scope)  # noqa: S102 - the course's own solution
    assert scope["find_rupture"]([31, 33, 34, 34, 35, 27, 26, None, 30]) == 6
    assert strip_solution_markers("a = 1\n    ### BEGIN SOLUTION\nb = 2") == "a = 1\nb = 2"
    reflections = [c.metadata["nbgrader"]["grade_id"] for c in nb.cells
                   if c.cell_type == "markdown" and c.metadata.get("nbgrader", {}).get("solution")]
    assert set(answers.reflections) == set(reflections) and len(reflections) == 6
    for text in answers.reflections.values():
        assert text.startswith("Simulated answer (") and "Not a real reflection." in text


def test_the_wrong_answer_keeps_the_signatures_and_fails_the_visible_checks():
    answers = notebook_answers(SOURCE, SOURCE)
    code = answers.wrong["find_rupture_and_repair"]
    scope: dict = {}
    exec(code, scope)  # noqa: S102
    assert scope["find_rupture"]([30, 20]) is None  # the visible test expects 2
    assert scope["find_repair"].__doc__ and scope["find_repair"]([30, 20, 31], 2) is None
    assert wrong_version("x = (", fallback="stub") == "stub"
    assert wrong_version("print(1)", fallback="stub") == "stub"
    assert "answer = None" in wrong_version("answer = 42", fallback="stub")


# --- a real class through nbgrader, in a course folder of its own ---------------------------


def _inbound(course: Path) -> list[Path]:
    return sorted((course / "exchange" / "coursekit" / "inbound").glob("sim-*+alliance+*"))


def _untouched(course: Path) -> None:
    """The real course as copied: no release, submissions, exchange or gradebook of any kind."""
    assert sorted(p.name for p in course.iterdir()) == [
        "coursekit.toml", "nbgrader_config.py", "python-primer.md", "source"]


@pytest.mark.nbgrader
# nbgrader's in-process autograde trips this SQLAlchemy warning of its own (the CLI only prints it)
@pytest.mark.filterwarnings(r"ignore:Object of type <\w+> not in session")
def test_a_simulated_class_goes_into_a_course_of_its_own_and_a_rerun_is_refused(
        course_copy, alliance, capsys, monkeypatch):
    course, sim = course_copy, course_copy.parent / "course-sim"
    monkeypatch.chdir(course.parent)
    # even with the environment pointing at the real course's gradebook and exchange
    monkeypatch.setenv("COURSEKIT_DB_URL", f"sqlite:///{course / 'gradebook.db'}")
    monkeypatch.setenv("COURSEKIT_EXCHANGE", str(course / "exchange"))
    assert main(["class", "simulate", "alliance", "--students", "12", "--course", str(course)]) == 0
    out = capsys.readouterr().out
    assert f"copied the course's settings, nbgrader config and source/ in {sim}" in out
    assert "generated release/alliance" in out and "released alliance" in out
    assert "7 complete, 1 incomplete, 3 malformed (1 invalid JSON, 1 another module's, " \
           "1 with a value no form would save), 1 missing" in out
    assert "exercise: 10 solved, 2 answered wrongly" in out
    assert out.rstrip().endswith(
        "The simulated class is in course-sim; remove it with "
        "`coursekit class remove-simulated --course course-sim`.\n"
        "Next: coursekit autograde alliance --course course-sim; "
        "coursekit report alliance --course course-sim.")
    _untouched(course)
    assert (sim / "gradebook.db").is_file() and (sim / ".coursekit-simulation").is_file()

    plan = {s.id: s for s in plan_class("alliance", 12)}
    assert len(_inbound(sim)) == 12  # one real submission each in the simulation's exchange
    submitted = sorted(p.name for p in (sim / "submitted").iterdir())
    assert submitted == sorted(plan)
    for sid, student in plan.items():
        folder = sim / "submitted" / sid / "alliance"
        assert (folder / "timestamp.txt").is_file()  # stamped by nbgrader submit
        nb = nbformat.read(folder / "alliance.ipynb", as_version=4)
        cells = {c.metadata.get("nbgrader", {}).get("grade_id"): c.source for c in nb.cells}
        assert cells["reflection_feelings"].startswith("Simulated answer (feelings)")
        solved = "return session" in cells["find_rupture_and_repair"]
        assert solved == (student.exercise == "correct"), sid
    # the collected answer files are the planned mix, read the way the report reads them
    statuses = Counter((s.status, plan[s.student].answers)
                       for s in read_class(sim, "alliance", alliance))
    assert statuses == Counter((STATUS[s.answers], s.answers) for s in plan.values())
    broken = [s for s in plan.values() if s.answers == INVALID_JSON]
    with pytest.raises(json.JSONDecodeError):
        json.loads((sim / "submitted" / broken[0].id / "alliance" / FILENAME).read_text())

    # a second run would mix two classes: refused, and nothing changes
    assert main(["class", "simulate", "alliance", "--students", "12", "--course", str(course)]) == 2
    err = capsys.readouterr().err
    assert "already submitted 'alliance'" in err and "12 in" in err
    assert f"coursekit class remove-simulated --course {sim}" in err
    assert len(_inbound(sim)) == 12
    _untouched(course)

    # the simulated notebooks grade as planned: nbgrader's own autograder, in this process
    from nbgrader.apps.api import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory

    from coursekit.grading.simulate import course_config
    from coursekit.grading.tools import tools_on_path

    config = course_config(sim)
    assert config.CourseDirectory.db_url == f"sqlite:///{sim / 'gradebook.db'}"
    api = NbGraderAPI(coursedir=CourseDirectory(config=config), config=config)
    wrong = next(s for s in plan.values() if s.exercise == "wrong" and s.answers == COMPLETE)
    right = next(s for s in plan.values() if s.exercise == "correct" and s.answers == COMPLETE)
    with tools_on_path():
        for student in (wrong, right):
            result = api.autograde("alliance", student.id)
            assert result["success"], result.get("error")
    from nbgrader.api import Gradebook

    with Gradebook(config.CourseDirectory.db_url, "coursekit") as gb:
        def points(student, grade_id):
            return gb.find_grade(grade_id, "alliance", "alliance", student.id).score
        assert points(right, "test_find_rupture") == 2 and points(right, "test_find_repair") == 2
        assert points(wrong, "test_find_rupture") == 0 and points(wrong, "test_find_repair") == 0
        assert points(right, "test_completion") == 2 and points(wrong, "test_completion") == 2
    _untouched(course)


@pytest.mark.nbgrader
def test_breakthroughs_and_the_portfolio_can_be_simulated_through_the_exchange(course_copy, capsys):
    sim = course_copy.parent / "course-sim"
    for module in ("breakthroughs", "portfolio"):
        assert main(["class", "simulate", module, "--students", "12", "--course", str(course_copy)]) == 0
        out = capsys.readouterr().out
        assert "7 complete, 1 incomplete, 3 malformed" in out
        plan = {s.id: s for s in plan_class(module, 12)}
        verdicts = Counter((plan[sid].answers, _check(module, sim / "submitted" / sid / module))
                           for sid in plan)
        assert verdicts[(COMPLETE, "passes")] == 7, verdicts
        assert verdicts[(INCOMPLETE, "IncompleteError")] == 1 and verdicts[(MISSING, "IncompleteError")] == 1
        assert sum(n for (kind, verdict), n in verdicts.items() if verdict == "passes") == 7
        if module == "portfolio":
            assert "exercise:" not in out  # nothing to solve in the portfolio
        else:
            assert "exercise: 10 solved, 2 answered wrongly" in out
        # no rated items, so no cohort report: not suggested, and refused with the reason
        assert f"Next: coursekit autograde {module} --course " in out and "coursekit report" not in out
        assert main(["report", module, "--course", str(sim)]) == 2
        assert "has no [report] in its module.toml" in capsys.readouterr().err
    assert "refreshed the copy of the course's settings" in out  # the second module, same folder
    _untouched(course_copy)


def test_simulating_a_module_the_course_does_not_have_names_the_folder(course_copy, capsys):
    assert main(["class", "simulate", "nosuch", "--students", "3", "--course", str(course_copy)]) == 2
    err = capsys.readouterr().err
    assert "the course has no module 'nosuch'" in err and "--course" in err
    assert not (course_copy.parent / "course-sim").exists()  # nothing was copied


# --- never among real students unless asked -------------------------------------------------


@pytest.mark.parametrize(("into", "says"), [
    (".", "is the course itself"),
    ("source/sim", "is inside the course"),
    ("../elsewhere", "was not made by `coursekit class simulate`"),
])
def test_a_simulation_into_the_course_or_a_folder_not_its_own_is_refused(
        course_copy, capsys, into, says):
    elsewhere = course_copy.parent / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "gradebook.db").write_text("real grades")
    target = (course_copy / into).resolve()
    argv = ["class", "simulate", "alliance", "--students", "3", "--course", str(course_copy),
            "--into", str(target)]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert says in err and "--mix" in err, err
    _untouched(course_copy)
    assert sorted(p.name for p in elsewhere.iterdir()) == ["gradebook.db"]


def test_into_and_mix_together_and_an_exchange_without_mix_are_refused(course_copy, capsys):
    base = ["class", "simulate", "alliance", "--students", "3", "--course", str(course_copy)]
    with pytest.raises(SystemExit) as stop:
        main([*base, "--mix", "--into", str(course_copy.parent / "x")])
    assert stop.value.code == 2 and "not allowed with argument" in capsys.readouterr().err
    assert main([*base, "--exchange", str(course_copy.parent / "x")]) == 2
    assert "--exchange goes with --mix only" in capsys.readouterr().err
    _untouched(course_copy)


# --- and taken away again ------------------------------------------------------------------------


@pytest.mark.nbgrader
@pytest.mark.filterwarnings(r"ignore:Object of type <\w+> not in session")
def test_remove_simulated_takes_out_the_simulated_students_and_only_them(course_copy, capsys):
    """Mixed on purpose into a course with a real student; then removed, asked first."""
    from nbgrader.apps.api import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory

    from coursekit.grading.gradebook import open_gradebook
    from coursekit.grading.simulate import course_config
    from coursekit.grading.tools import tools_on_path

    course = course_copy
    assert main(["class", "simulate", "alliance", "--students", "3", "--course", str(course), "--mix"]) == 0
    out = capsys.readouterr().out
    assert "remove it with `coursekit class remove-simulated --course" in out
    # a real student whose id merely starts like a simulated one, submitted the same way
    real = "sim-ada"
    shutil.copytree(course / "submitted" / "sim-0001", course / "submitted" / real)
    (course / "submitted" / real / "alliance" / "submission_secret.txt").write_text("a secret of her own")
    config = course_config(course)
    api = NbGraderAPI(coursedir=CourseDirectory(config=config), config=config)
    with tools_on_path():
        for student in ("sim-0001", real):
            assert api.autograde("alliance", student)["success"], student
        assert api.generate_feedback("alliance")["success"]
    # as a command: in this process nbgrader's release_feedback leaves files open
    run(["nbgrader", "release_feedback", "alliance"], cwd=course)
    released = course / "exchange" / "coursekit" / "feedback"
    assert len(list(released.glob("*.html"))) == 2

    # asked first: without a terminal and without --yes, nothing is removed
    assert main(["class", "remove-simulated", "--course", str(course)]) == 1
    captured = capsys.readouterr()
    assert "3 simulated students (sim-0001, sim-0002, sim-0003)" in captured.out
    assert "add --yes" in captured.err and (course / "submitted" / "sim-0001").is_dir()

    assert main(["class", "remove-simulated", "--course", str(course), "--yes"]) == 0
    assert "Removed 3 simulated students" in capsys.readouterr().out
    for step in ("submitted", "autograded", "feedback"):
        assert sorted(p.name for p in (course / step).iterdir()) == [real], step
    inbound = course / "exchange" / "coursekit" / "inbound"
    assert list(inbound.iterdir()) == []  # the real student's was copied in, never submitted
    assert len(list(released.glob("*.html"))) == 1  # the real student's feedback stays
    with open_gradebook(config.CourseDirectory.db_url, "coursekit") as gb:
        assert [s.id for s in gb.students] == [real]
        assert gb.find_submission("alliance", real).score > 0
    # nothing left: said so
    assert main(["class", "remove-simulated", "--course", str(course)]) == 0
    assert "No simulated students" in capsys.readouterr().out
