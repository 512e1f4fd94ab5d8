"""`coursekit autograde` and `coursekit report` name the same damaged answers files alike.

Both read a submission's coursekit-responses.json through
coursekit.student.answer_files.check_answer_file: autograde (through
grading.submissions.inspect_answers) against every form of the released
module, the report against the instrument it counts. Answer files are written
by the simulator's own damage (coursekit.grading.simulate.write_answer_file)
and by hand.
"""

from __future__ import annotations

import json

import pytest

from conftest import COURSE, complete_answers, module_of
from coursekit.cohort.summary import read_student
from coursekit.grading.simulate import (
    COMPLETE,
    INCOMPLETE,
    INVALID_JSON,
    MISSING,
    NON_INTEGER,
    WRONG_MODULE,
    SimulatedStudent,
    write_answer_file,
)
from coursekit.grading.submissions import inspect_answers
from coursekit.student.responses import FILENAME, ResponseStore

MODULES = ["alliance", "craft", "breakthroughs", "stuck", "relationship", "feedback", "portfolio"]
WHAT = {
    INVALID_JSON: "is not valid JSON",
    WRONG_MODULE: "holds answers for module 'other', not",
    MISSING: f"no {FILENAME} in the submission",
}


def _released(module: str):
    return COURSE / "source" / module  # what generate_assignment releases: the manifest and data


@pytest.mark.parametrize("module", MODULES)
@pytest.mark.parametrize("kind", [INVALID_JSON, WRONG_MODULE, NON_INTEGER, MISSING])
def test_every_kind_of_damage_is_named_with_the_file_and_what_to_do(tmp_path, module, kind):
    other = "other"
    write_answer_file(tmp_path, module_of(module), SimulatedStudent("sim-0001", kind, "correct"),
                      other_module=other)
    found = inspect_answers(tmp_path, _released(module))
    assert found is not None and found.damaged, kind
    where = str(tmp_path) if kind == MISSING else str(tmp_path / FILENAME)
    assert found.reason.startswith(f"{where}: ")
    if kind == NON_INTEGER:  # half a point, or a review date that is no date
        assert ("whole number" in found.problem) or ("YYYY-MM-DD" in found.problem), found.problem
    else:
        assert WHAT[kind] in found.problem, found.problem
    assert f"open {module}.ipynb" in found.advice and f"submit {module} again" in found.advice

    # the report, counting the module's instrument, says exactly the same
    instruments = list(module_of(module).instruments.values())
    if instruments:
        read = read_student("sim-0001", tmp_path, module, instruments[0])
        assert read is not None and read.status in ("malformed", "missing")
        assert read.reason == found.reason


@pytest.mark.parametrize("module", MODULES)
@pytest.mark.parametrize("kind", [COMPLETE, INCOMPLETE])
def test_a_sound_file_is_no_damage_even_if_unfinished(tmp_path, module, kind):
    write_answer_file(tmp_path, module_of(module), SimulatedStudent("sim-0002", kind, "correct"))
    assert inspect_answers(tmp_path, _released(module)) is None


def _saved_then_edited(folder, module: str, edit) -> None:
    instrument = next(iter(module_of(module).instruments.values()))
    ResponseStore(folder, module).save_answers(instrument, complete_answers(instrument, 3))
    raw = json.loads((folder / FILENAME).read_text())
    edit(raw["instruments"][instrument.id]["answers"])
    (folder / FILENAME).write_text(json.dumps(raw))


@pytest.mark.parametrize(("module", "value", "words"), [
    ("craft", 2.5, "should be a whole number, not a number (2.5)"),  # the 1 to 7 scale
    ("craft", 9, "the answer 9 is outside the scale 1 to 7"),
    ("alliance", 0, "the answer 0 is outside the scale 1 to 5"),
])
def test_a_value_no_form_saves_is_named_by_both_tools(tmp_path, module, value, words):
    def edit(answers):
        answers[sorted(answers)[0]] = value

    _saved_then_edited(tmp_path, module, edit)
    found = inspect_answers(tmp_path, _released(module))
    assert found is not None and found.status == "malformed"
    assert words in found.problem, found.problem
    read = read_student("s", tmp_path, module, next(iter(module_of(module).instruments.values())))
    assert read is not None and read.status == "malformed" and read.reason == found.reason


def test_an_unknown_item_is_named(tmp_path):
    _saved_then_edited(tmp_path, "alliance", lambda answers: answers.update(not_an_item=3))
    found = inspect_answers(tmp_path, _released("alliance"))
    assert found is not None and "'not_an_item' is not an item of the alliance instrument" in found.problem


def test_a_module_that_saves_nothing_has_no_answers_file_to_check(tmp_path):
    assert all(module_of(m).forms for m in MODULES)  # every module saves something today...
    (tmp_path / "module.toml").write_text("not a manifest")  # ...and an unreadable one is skipped
    assert inspect_answers(tmp_path, tmp_path) is None
