"""A corpus of broken submissions through nbgrader's exchange, collect and coursekit autograde.

Every healthy submission must be graded, every broken one reported with its
reason, and nothing may hang.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path

import nbformat
import pytest

from conftest import COURSE, complete_answers, instrument_of, tool_env
from coursekit.student.responses import FILENAME, ResponseStore

MODULE = "alliance"
TIMEOUT = 40  # seconds per notebook; a healthy alliance notebook takes 3 to 12


def _cell(nb, grade_id):
    return next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)


def _solve(nb) -> None:
    source = nbformat.read(COURSE / "source" / MODULE / f"{MODULE}.ipynb", as_version=4)
    code = _cell(source, "find_rupture_and_repair").source
    _cell(nb, "find_rupture_and_repair").source = "\n".join(
        line for line in code.splitlines() if "SOLUTION" not in line)


def _answer(folder: Path) -> None:
    instrument = instrument_of(MODULE)
    ResponseStore(folder, MODULE).save_answers(instrument, complete_answers(instrument))


def healthy(folder: Path, nb) -> None:
    _solve(nb)
    _answer(folder)


def not_json(folder: Path, nb) -> bytes:
    healthy(folder, nb)
    return b'{"cells": [ this is not json'


def not_utf8(folder: Path, nb) -> bytes:
    healthy(folder, nb)
    raw = nbformat.writes(nb).encode("utf-8")
    assert b"recognise them" in raw
    return raw.replace(b"recognise them", b"recogn\xff\xfese them", 1)  # bytes no UTF-8 allows


def deleted_test_cell(folder: Path, nb) -> None:
    healthy(folder, nb)
    nb.cells.remove(_cell(nb, "test_find_repair"))


def duplicated_test_cell(folder: Path, nb) -> None:
    healthy(folder, nb)
    copy = nbformat.from_dict(json.loads(json.dumps(_cell(nb, "test_find_rupture"))))
    copy.id = "a-copy"
    nb.cells.insert(nb.cells.index(_cell(nb, "test_find_rupture")), copy)


def edited_locked_cell(folder: Path, nb) -> None:
    _solve(nb)  # no answers saved, and the check that would catch it rewritten
    _cell(nb, "test_completion").source = "print('all done')"


def endless_loop(folder: Path, nb) -> None:
    healthy(folder, nb)
    _cell(nb, "find_rupture_and_repair").source += "\nwhile True:\n    pass\n"


def gigantic_outputs(folder: Path, nb) -> None:
    healthy(folder, nb)
    _cell(nb, "series_data").outputs = [
        nbformat.v4.new_output("stream", name="stdout", text="x" * 30_000_000)]


def missing_answer_file(folder: Path, nb) -> None:
    _solve(nb)


def corrupt_answer_file(folder: Path, nb) -> None:
    _solve(nb)
    (folder / FILENAME).write_bytes(b"\x00\x01 not json")


def half_point_answer(folder: Path, nb) -> None:
    healthy(folder, nb)
    raw = json.loads((folder / FILENAME).read_text())
    raw["instruments"][MODULE]["answers"]["bond_1"] = 2.5  # no form saves half a point
    (folder / FILENAME).write_text(json.dumps(raw))


def out_of_scale_answer(folder: Path, nb) -> None:
    healthy(folder, nb)
    raw = json.loads((folder / FILENAME).read_text())
    raw["instruments"][MODULE]["answers"]["goals_2"] = 7  # the scale is 1 to 5
    (folder / FILENAME).write_text(json.dumps(raw))


def another_modules_answers(folder: Path, nb) -> None:
    healthy(folder, nb)
    raw = json.loads((folder / FILENAME).read_text())
    raw["module"] = "stuck"  # carried over from the stuck module's folder
    (folder / FILENAME).write_text(json.dumps(raw))


CORPUS: dict[str, Callable[[Path, object], bytes | None]] = {
    "healthy": healthy, "not-json": not_json, "not-utf8": not_utf8,
    "deleted-cell": deleted_test_cell, "duplicated-cell": duplicated_test_cell,
    "edited-locked": edited_locked_cell, "endless-loop": endless_loop,
    "gigantic-outputs": gigantic_outputs, "no-answers": missing_answer_file,
    "corrupt-answers": corrupt_answer_file, "half-point": half_point_answer,
    "out-of-scale": out_of_scale_answer, "other-module": another_modules_answers,
}


@pytest.mark.nbgrader
@pytest.mark.kernel
@pytest.mark.filterwarnings(r"ignore:Object of type <\w+> not in session")
def test_broken_submissions_are_reported_and_the_healthy_graded(course_copy, tmp_path, monkeypatch):
    from nbgrader.apps.api import NbGraderAPI
    from nbgrader.auth import Authenticator
    from nbgrader.coursedir import CourseDirectory
    from nbgrader.exchange.default import ExchangeFetchAssignment, ExchangeSubmit

    from coursekit.grading.autograde import autograde, describe
    from coursekit.grading.simulate import course_config

    monkeypatch.setenv("PATH", tool_env()["PATH"])
    config = course_config(course_copy)
    config.Exchange.cache = str(tmp_path / "cache")
    api = NbGraderAPI(coursedir=CourseDirectory(config=config), config=config)
    assert api.generate_assignment(MODULE)["success"]
    assert api.release_assignment(MODULE)["success"]
    for student, damage in CORPUS.items():
        home = tmp_path / student
        home.mkdir()
        coursedir = CourseDirectory(config=config)
        coursedir.student_id, coursedir.assignment_id = student, MODULE
        args = {"coursedir": coursedir, "authenticator": Authenticator(config=config),
                "config": config, "assignment_dir": str(home)}
        ExchangeFetchAssignment(**args).start()
        path = home / MODULE / f"{MODULE}.ipynb"
        nb = nbformat.read(path, as_version=4)
        raw = damage(path.parent, nb)
        if raw is None:
            nbformat.write(nb, path)
        else:
            path.write_bytes(raw)
        ExchangeSubmit(**args).start()
    assert api.collect(MODULE)["success"]
    assert sorted(p.name for p in (course_copy / "submitted").iterdir()) == sorted(CORPUS)

    started = time.monotonic()
    summary = autograde(MODULE, course=course_copy, jobs=2, timeout=TIMEOUT, progress=False)
    took = time.monotonic() - started
    report = describe(summary, course_copy)
    print(report)
    outcomes = {o.student: o for o in summary.outcomes}
    assert set(outcomes) == set(CORPUS), "every submission gets an outcome"
    assert took < 4 * TIMEOUT, "something hung"

    # Healthy, and broken-but-gradable, submissions are graded.
    graded = {s for s, o in outcomes.items() if o.status == "graded"}
    assert graded == set(CORPUS) - {"not-json", "not-utf8", "duplicated-cell", "endless-loop"}
    # What cannot be graded is reported with the file and a reason an instructor can act on.
    reasons = {s: (o.file, o.reason) for s, o in outcomes.items() if o.status == "failed"}
    assert "not valid JSON" in reasons["not-json"][1]
    assert "not UTF-8 text" in reasons["not-utf8"][1] and "submit again" in reasons["not-utf8"][1]
    assert "test_find_rupture appear more than once" in reasons["duplicated-cell"][1]
    assert f"did not finish within the {TIMEOUT} s" in reasons["endless-loop"][1]
    assert all(file.endswith(f"{MODULE}/{MODULE}.ipynb") for file, _ in reasons.values())
    # What nbgrader grades silently is still named for the instructor: the answers file
    # by the same check, in the same words, as `coursekit report` (coursekit.student.answer_files).
    answers = f"{MODULE}/{FILENAME}: "
    expected_notes = {
        "deleted-cell": "test_find_repair were deleted",
        "edited-locked": "test_completion were edited",
        "gigantic-outputs": "mostly stored outputs",
        "no-answers": f"submitted/no-answers/{MODULE}: no {FILENAME} in the submission",
        "corrupt-answers": answers + "is not valid JSON",
        "half-point": answers + "cannot be read: field 'instruments.alliance.answers.bond_1' should "
                                "be a whole number, not a number (2.5)",
        "out-of-scale": answers + "Item goals_2: the answer 7 is outside the scale 1 to 5",
        "other-module": answers + "holds answers for module 'stuck', not 'alliance'",
    }
    for student, words in expected_notes.items():
        assert any(words in note for note in outcomes[student].notes), (student, outcomes[student].notes)
        assert f"{student}: " in report and words in report
    for student in ("no-answers", "corrupt-answers", "half-point", "out-of-scale", "other-module"):
        (note,) = [n for n in outcomes[student].notes if FILENAME in n]
        assert f"submit {MODULE} again" in note, note  # and what to do
    assert not outcomes["healthy"].notes
    # and the grades are what nbgrader gives: the healthy one full marks for the automatic cells
    from nbgrader.api import Gradebook

    with Gradebook(config.CourseDirectory.db_url, "coursekit") as gb:
        score = {s: gb.find_submission(MODULE, s).score for s in graded}
    assert score["healthy"] == score["gigantic-outputs"] == 6.0
    assert score["deleted-cell"] == 4.0  # the deleted test cell scores 0
    assert score["edited-locked"] == score["no-answers"] == score["corrupt-answers"] == 4.0
    assert score["half-point"] == score["out-of-scale"] == score["other-module"] == 4.0
    print(f"\n{len(CORPUS)} submissions ({len(CORPUS) - 1} broken) graded or reported in {took:.0f} s")
