"""The saved answers of a form as a static table: what the Formgrader and feedback show.

A widget's output is empty in a notebook that is no longer live; the table is
what an instructor reads. Answers are saved through the store's API, as the
forms save them.
"""

from __future__ import annotations

import json

from conftest import instrument_of, module_of, questions_of
from coursekit.content.instruments import NOT_APPLICABLE
from coursekit.student.answers import NOTHING, saved_answers
from coursekit.student.portfolio import save_plan
from coursekit.student.responses import ResponseStore


def test_an_instrument_shows_every_item_with_its_label_and_did_not_happen(tmp_path):
    instrument = instrument_of("alliance")
    skipped = next(item for item in instrument.items if item.not_applicable)
    answers = {item.id: 4 for item in instrument.items[:5]}
    answers[skipped.id] = NOT_APPLICABLE
    ResponseStore(tmp_path, "alliance").save_answers(instrument, answers)
    table = saved_answers("alliance", module=module_of("alliance"), folder=tmp_path)
    assert table.title == instrument.title
    assert len(table.rows) == len(instrument.items)
    first = instrument.items[0]
    assert table.rows[0] == ("1", first.text, f"4 ({instrument.scale.label(4)})")
    number = instrument.items.index(skipped) + 1
    assert table.rows[number - 1][2] == f"did not happen ({skipped.not_applicable})"
    assert table.rows[-1][2] == "not answered"
    assert table.summary.startswith(f"6 of {len(instrument.items)} items answered, saved ")
    page = table._repr_html_()
    assert "<table>" in page and f"<td>{first.text}</td>" in page.replace("&#x27;", "'")
    assert '<th scope="col">saved answer</th>' in page
    assert f"1. {first.text}: 4 (" in repr(table)  # the plain-text version


def test_paired_statements_say_which_end_is_which_and_the_own_word_is_shown(tmp_path):
    craft = instrument_of("craft")
    ResponseStore(tmp_path, "craft").save_answers(craft, {item.id: 2 for item in craft.items})
    rows = saved_answers("craft", module=module_of("craft"), folder=tmp_path).rows
    item = craft.items[0]
    assert item.anchors is not None
    ends = f"{craft.scale.min}: {item.anchors[0]}; {craft.scale.max}: {item.anchors[1]}"
    assert rows[0][1] == f"{item.text} ({ends})"
    stuck = instrument_of("stuck")
    assert stuck.own_item is not None
    own = {stuck.own_item.id: {"name": "boredom", "rating": 3}}
    ResponseStore(tmp_path, "stuck").save_answers(stuck, {i.id: 1 for i in stuck.items}, values=own)
    rows = saved_answers("stuck", module=module_of("stuck"), folder=tmp_path).rows
    assert rows[-1] == (str(len(stuck.items) + 1), f"{stuck.own_item.text}: boredom", "3")


def test_questions_and_the_plan(tmp_path):
    qset = questions_of("craft_practice")
    ResponseStore(tmp_path, "craft").save_numbers(qset, {q.id: q.min + 1 for q in qset.questions})
    rows = saved_answers("craft_practice", module=module_of("craft"), folder=tmp_path).rows
    q = qset.questions[0]
    assert rows[0] == ("1", q.text, f"{q.min + 1} {q.unit}".strip())
    save_plan(ResponseStore(tmp_path, "portfolio"), {"goal": "Name a withdrawal as it happens."})
    plan = saved_answers("practice_plan", module=module_of("portfolio"), folder=tmp_path)
    assert plan.rows[0] == ("1", "Goal", "Name a withdrawal as it happens.")
    assert plan.rows[1][2] == "not written yet" and plan.summary.startswith("1 of 4 parts written")


def test_nothing_saved_and_a_damaged_file_are_said_not_hidden(tmp_path):
    module = module_of("alliance")
    empty = saved_answers("alliance", module=module, folder=tmp_path)
    # said once, in the summary; rows of "not answered" would read every statement out again
    assert empty.summary == NOTHING and empty.rows == ()
    assert "<table" not in empty._repr_html_() and NOTHING in empty._repr_html_()
    (tmp_path / "coursekit-responses.json").write_text("{ broken", encoding="utf-8")
    damaged = saved_answers("alliance", module=module, folder=tmp_path)
    assert damaged.rows == () and "could not be read" in damaged.problem
    assert (tmp_path / "coursekit-responses.json").read_text() == "{ broken"  # read, never moved


def test_the_form_cells_show_the_table_beside_the_widget():
    """Every generated form cell shows the widget, then the table autograde keeps."""
    from conftest import COURSE

    for path in sorted((COURSE / "source").glob("*/*.ipynb")):
        nb = json.loads(path.read_text(encoding="utf-8"))
        for cell in nb["cells"]:
            spec = cell["metadata"].get("coursekit", {}).get("generated", "")
            if spec.startswith("form:"):
                source = "".join(cell["source"])
                form_id = spec.split(":", 1)[1]
                assert source.rstrip().splitlines()[-1].startswith(f'saved_answers("{form_id}")'), path
                assert f"display({form_id}_form)" in source
