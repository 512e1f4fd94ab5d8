"""The portfolio: gathering a student's answers across modules, the plan, the figure, the export.

Sibling module folders are built in tmp_path through the store's API, for
every form the course's manifests declare when the tests run, so new modules
are covered without editing this file. The tests run in the portfolio's own
source folder, as the notebook does, so the modules' definitions are found
beside it.
"""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import matplotlib.colors as mcolors
import nbformat
import pytest

from conftest import COURSE, MODULES, complete_answers, module_of
from coursekit.errors import AnswerError, StoreError, UncheckedIdentifiersError
from coursekit.student.checks import IncompleteError, check_plan
from coursekit.student.export import EXPORT_NAME, export_html, read_reflections
from coursekit.student.portfolio import (
    DAMAGED,
    DONE,
    INCOMPLETE,
    NO_ANSWERS,
    NO_FOLDER,
    PLAN_KEY,
    PORTFOLIO,
    course_modules,
    gather,
    parse_review_date,
    read_plan,
    save_plan,
    save_plan_part_way,
    validate_plan,
)
from coursekit.student.responses import FILENAME, ResponseStore

PLAN = {"goal": "Notice a withdrawal in the session it happens, and name it gently.",
        "practice": "Twice a week for 20 minutes, replay a recorded moment and try three ways to name it.",
        "feedback": "My supervisor, from two recorded sessions a month.",
        "review_date": "2027-03-15"}


@pytest.fixture(autouse=True)
def in_the_portfolio_folder(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(COURSE / "source" / PORTFOLIO)


def modules_with_data() -> list[str]:
    return [m for m in MODULES if m != PORTFOLIO and module_of(m).forms]


def do_module(base: Path, module: str, *, complete: bool = True) -> None:
    """Answer and save every form of one module, as a student would (some items only if not complete)."""
    folder = base / module
    folder.mkdir(parents=True, exist_ok=True)
    store = ResponseStore(folder, module)
    declared = module_of(module)
    for instrument in declared.instruments.values():
        answers = complete_answers(instrument, instrument.scale.max)
        store.save_answers(instrument, answers if complete else dict(list(answers.items())[:1]))
    for qset in declared.question_sets.values():
        store.save_numbers(qset, {q.id: q.min for q in qset.questions} if complete else {})


@pytest.fixture
def base(tmp_path: Path) -> Path:
    folder = tmp_path / "assignments"
    (folder / PORTFOLIO).mkdir(parents=True)
    return folder


@pytest.fixture
def everything(base: Path) -> Path:
    """A student who did every module and wrote the plan."""
    for module in modules_with_data():
        do_module(base, module)
    save_plan(ResponseStore(base / PORTFOLIO, PORTFOLIO), PLAN)
    return base


def texts(fig) -> list[str]:
    return [t.get_text() for ax in fig.axes for t in ax.texts]


# --- gathering --------------------------------------------------------------------


def test_the_modules_come_from_the_course_declaration():
    modules = [module_id for module_id, _title in course_modules()]
    assert {"alliance", "breakthroughs"} <= set(modules)
    assert modules == modules_with_data() and PORTFOLIO not in modules
    assert dict(course_modules())["alliance"] == module_of("alliance").title


def test_a_student_who_did_every_module_gets_a_complete_profile(everything):
    mine = gather(everything)
    assert mine.names == tuple(modules_with_data())
    assert mine.complete and not mine.missing
    assert all(m.state == DONE and m.saved_at for m in mine.modules)
    alliance = mine.module("alliance")
    assert [(r.label, r.value, r.minimum, r.maximum) for r in alliance.measures] == [
        ("Bond", 20, 4, 20), ("Goals", 20, 4, 20), ("Tasks", 20, 4, 20)]
    assert alliance.summary == "all 12 items answered"
    prediction = mine.module("breakthroughs").measures
    assert [(r.kind, r.value) for r in prediction] == [("answer", 0), ("answer", 0), ("answer", 1)]
    for module in mine.modules:  # every subscale and question of every module is a row, with a value
        assert module.measures and all(r.value is not None for r in module.measures)
    assert mine.plan.complete and mine.plan.review_date == "2027-03-15"
    report = mine.report()
    assert f"Done: {len(mine.modules)} of {len(mine.modules)} modules" in report
    assert "NOT DONE" not in report


def test_did_not_happen_leaves_a_module_done_with_its_subscale_as_a_mean(base):
    from coursekit.content.instruments import NOT_APPLICABLE
    from coursekit.student.plots import portfolio_profile

    alliance = module_of("alliance").instrument("alliance")
    relationship = module_of("relationship").instrument("relationship")
    (base / "alliance").mkdir()
    ResponseStore(base / "alliance", "alliance").save_answers(
        alliance, complete_answers(alliance, 4) | {"bond_1": 1, "bond_3": NOT_APPLICABLE})
    (base / "relationship").mkdir()
    ResponseStore(base / "relationship", "relationship").save_answers(
        relationship, complete_answers(relationship, 3) | {"rupture_repair": NOT_APPLICABLE})
    mine = gather(base)
    done = mine.module("alliance")
    assert done.state == DONE and done.summary == "all 12 items answered"
    bond = done.measures[0]
    # on the answer scale, not a three-item sum read against a four-item range
    assert (bond.label, bond.value, bond.minimum, bond.maximum) == ("Bond", 3.0, 1, 5)
    assert bond.note == "mean of the 3 items that applied"
    assert (done.measures[1].value, done.measures[1].maximum) == (16, 20)
    ruptures = next(m for m in mine.module("relationship").measures if m.label == "Repairing ruptures")
    assert mine.module("relationship").state == DONE
    assert ruptures.value is None and ruptures.not_applicable and ruptures.note == "did not happen"
    drawn = texts(portfolio_profile(mine))
    assert "did not happen" in drawn and "not answered yet" not in drawn
    assert "3 (range 1 to 5, mean of the 3 items that applied)" in drawn


def test_a_student_who_did_some_is_told_what_is_missing(base):
    do_module(base, "alliance", complete=False)   # one item of twelve
    (base / "breakthroughs").mkdir()              # fetched, never saved
    mine = gather(base)
    alliance, breakthroughs = mine.module("alliance"), mine.module("breakthroughs")
    assert alliance.state == INCOMPLETE and alliance.summary == "1 of 12 items answered"
    assert "1 of 12 items answered" in alliance.advice and "alliance.ipynb" in alliance.advice
    assert "Save answers" in alliance.advice
    assert [r.value for r in alliance.measures] == [None, None, None]
    assert breakthroughs.state == NO_ANSWERS
    assert "No saved answers" in breakthroughs.advice and "breakthroughs.ipynb" in breakthroughs.advice
    for other in set(mine.names) - {"alliance", "breakthroughs"}:
        status = mine.module(other)
        assert status.state == NO_FOLDER
        assert f"no folder '{other}'" in status.advice and "Fetch the module" in status.advice
    assert not mine.complete and not mine.done
    assert {m.module for m in mine.missing} == set(mine.names)
    report = mine.report()
    for name in mine.names:
        assert f"NOT DONE YET  {name}:" in report
    markdown = mine._repr_markdown_()
    assert "answers incomplete" in markdown and "no answers yet" in markdown and "no folder" in markdown
    # the student's folders by name: no path of their machine in the table
    assert str(base) not in markdown and str(base.parent) not in markdown, markdown
    assert f"in `{base.name}`" in markdown and "in the 'breakthroughs' folder" in markdown


def test_questions_answered_but_not_the_instrument_is_incomplete(base):
    do_module(base, "alliance", complete=False)
    do_module(base, "breakthroughs")
    mine = gather(base, modules=["breakthroughs", "alliance"])
    assert mine.names == ("breakthroughs", "alliance")  # a given list keeps its order
    assert mine.module("breakthroughs").done and not mine.module("alliance").done


DAMAGE = {
    "not JSON": b"{ half a file",
    "not UTF-8": b"\xff\xfe\x00garbage",
    "another module's file": json.dumps({"format": "coursekit-responses", "schema_version": 1,
                                         "module": "breakthroughs", "revision": 1}).encode(),
    "a future format": json.dumps({"format": "coursekit-responses", "schema_version": 99,
                                   "module": "alliance", "revision": 1}).encode(),
    "unknown items": json.dumps({"format": "coursekit-responses", "schema_version": 1,
                                 "module": "alliance", "revision": 1,
                                 "instruments": {"alliance": {"answers": {"old_item": 3}}}}).encode(),
}


@pytest.mark.parametrize("damage", sorted(DAMAGE))
def test_a_damaged_sibling_file_is_reported_and_left_untouched(base, damage):
    folder = base / "alliance"
    folder.mkdir()
    path = folder / FILENAME
    path.write_bytes(DAMAGE[damage])
    os.chmod(path, 0o600)
    before = {p.name: (p.read_bytes(), p.stat().st_mtime_ns, p.stat().st_mode) for p in folder.iterdir()}
    mine = gather(base)
    status = mine.module("alliance")
    assert status.state == DAMAGED and not status.done
    assert "exactly as it is" in status.advice or "left as they are" in status.advice
    assert "alliance.ipynb" in status.advice
    after = {p.name: (p.read_bytes(), p.stat().st_mtime_ns, p.stat().st_mode) for p in folder.iterdir()}
    assert after == before  # not moved aside, not rewritten, no lock file left behind


def test_a_damaged_file_names_the_file_and_the_problem(base):
    (base / "alliance").mkdir()
    (base / "alliance" / FILENAME).write_text("{", encoding="utf-8")
    status = gather(base).module("alliance")
    assert f"alliance/{FILENAME} is not valid JSON" in status.advice, status.advice


def test_a_folder_where_the_file_should_be_is_reported_not_raised(base):
    (base / "alliance" / FILENAME).mkdir(parents=True)
    assert gather(base).module("alliance").state == DAMAGED


def test_hidden_answerless_and_copied_folders_are_not_modules(base):
    (base / ".ipynb_checkpoints").mkdir()
    (base / "downloads").mkdir()
    do_module(base, "alliance")
    (base / "alliance-backup").mkdir()
    (base / "alliance-backup" / FILENAME).write_bytes((base / "alliance" / FILENAME).read_bytes())
    (base / "notes.txt").write_text("not a folder")
    names = set(gather(base).names)
    assert not {".ipynb_checkpoints", "downloads", "alliance-backup", "notes.txt"} & names


def test_only_the_modules_the_course_declares_are_gathered(base):
    """A folder of answers the course does not list (a module of another course, a copy) is
    not part of the portfolio, damaged or not."""
    for name, data in (("extra", "{"), ("diary", None)):
        (base / name).mkdir()
        if data is None:
            ResponseStore(base / name, name).save_value("notes", {"kept": True})
        else:
            (base / name / FILENAME).write_text(data, encoding="utf-8")
    assert gather(base).names == tuple(modules_with_data())


def test_siblings_follow_the_rule_of_the_response_store(answers_base, monkeypatch):
    do_module(answers_base, "alliance")
    mine = gather()  # COURSEKIT_RESPONSES_DIR is set: siblings are its subfolders
    assert mine.base == answers_base and mine.here == answers_base / PORTFOLIO
    assert mine.module("alliance").done
    monkeypatch.delenv("COURSEKIT_RESPONSES_DIR")
    (answers_base / PORTFOLIO).mkdir(exist_ok=True)
    for module in ("alliance", PORTFOLIO):  # fetched as nbgrader releases them: definitions too
        for item in (COURSE / "source" / module).iterdir():
            if item.suffix != ".ipynb":
                shutil.copy(item, answers_base / module / item.name)
    monkeypatch.chdir(answers_base / PORTFOLIO)  # as JupyterLab runs the notebook
    mine = gather()
    assert mine.base == answers_base and mine.here == answers_base / PORTFOLIO
    assert mine.module("alliance").done


def test_an_own_word_answer_is_shown_with_its_rating(base):
    owned = [i for m in modules_with_data() for i in module_of(m).instruments.values()
             if i.own_item is not None]
    if not owned:
        pytest.skip("no instrument of the course asks for an answer in the student's own words")
    instrument = owned[0]
    (base / instrument.id).mkdir()
    ResponseStore(base / instrument.id, instrument.id).save_answers(
        instrument, complete_answers(instrument, instrument.scale.min),
        values={instrument.own_item.id: {"name": "protective", "rating": instrument.scale.max}})
    rows = gather(base).module(instrument.id).measures
    mine = [r for r in rows if "protective" in r.label]
    assert len(mine) == 1 and mine[0].value == instrument.scale.max and mine[0].kind == "answer"


# --- the plan -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("2027-02-30", "not a real date: February 2027 has 28 days"),
        ("2028-02-30", "February 2028 has 29 days"),
        ("2027-13-01", "there is no month 13"),
        ("15/03/2027", "not written as YYYY-MM-DD"),
        ("next month", "not written as YYYY-MM-DD"),
        ("0027-03-15", "slip of the keyboard"),
    ],
)
def test_a_review_date_that_is_no_real_date_is_refused_with_a_clear_message(text, words):
    with pytest.raises(AnswerError, match="Review date") as info:
        parse_review_date(text)
    assert words in str(info.value) and text in str(info.value)


def test_a_plan_is_trimmed_and_its_date_normalised():
    clean = validate_plan({**PLAN, "goal": "  a goal \n", "feedback": "   ", "review_date": " 2027-3-5 "})
    assert clean == {"goal": "a goal", "practice": PLAN["practice"], "review_date": "2027-03-05"}
    with pytest.raises(AnswerError, match="'mood' is not a part of the plan"):
        validate_plan({"mood": "fine"})
    with pytest.raises(AnswerError, match="more than a plan needs"):
        validate_plan({"goal": "x" * 5000})


def test_the_plan_form_saves_what_is_valid_and_flags_a_date_that_is_not(tmp_path):
    """The form says a plan may be saved part-way: a wrong date blocks only itself."""
    from coursekit.student.widgets import PlanForm

    store = ResponseStore(tmp_path, PORTFOLIO)
    form = PlanForm(store)
    assert list(form.controls) == ["goal", "practice", "feedback", "review_date"]
    assert "Nothing saved yet" in form.status.value
    for key, value in PLAN.items():
        form.controls[key].value = value
    form.controls["review_date"].value = "2027-02-30"
    assert "not a real date" in form.message.value  # said as soon as a whole date is typed
    assert form.controls["review_date"].error  # and the box is marked invalid
    form.save_button.click()
    assert "3 of 4 parts of the plan answered" in form.status.value  # the three texts are saved
    assert "February 2027 has 28 days" in form.message.value
    assert "The other parts are saved" in form.message.value
    assert read_plan(tmp_path).parts() == {**PLAN, "review_date": ""}
    form.controls["review_date"].value = "2027-03-15"
    assert form.message.value == "" and form.controls["review_date"].error == ""
    form.save_button.click()
    assert "4 of 4 parts of the plan answered" in form.status.value and not form.dirty
    assert read_plan(tmp_path).parts() == PLAN
    assert (tmp_path / FILENAME).stat().st_mode & 0o777 == 0o600
    again = PlanForm(ResponseStore(tmp_path, PORTFOLIO))  # re-running the cell shows the plan
    assert {key: c.value for key, c in again.controls.items()} == PLAN
    assert check_plan(tmp_path).review_date == "2027-03-15"


def test_a_wrong_date_keeps_the_date_saved_before(tmp_path):
    from coursekit.student.widgets import PlanForm

    store = ResponseStore(tmp_path, PORTFOLIO)
    save_plan(store, PLAN)
    form = PlanForm(store)
    form.controls["goal"].value = "A sharper goal."
    form.controls["review_date"].value = "2027-13-01"
    assert form.save()
    assert read_plan(tmp_path).parts() == {**PLAN, "goal": "A sharper goal."}
    assert "there is no month 13" in form.message.value
    assert "the review date saved before is kept" in form.message.value
    _saved, refused = save_plan_part_way(store, {**PLAN, "goal": "x" * 5000})  # any part refused alone
    assert list(refused) == ["goal"] and read_plan(tmp_path).goal == "A sharper goal."


def test_a_part_written_plan_saves_but_is_not_complete(tmp_path):
    from coursekit.student.widgets import PlanForm

    form = PlanForm(ResponseStore(tmp_path, PORTFOLIO))
    form.controls["goal"].value = PLAN["goal"]
    assert form.save()
    assert "1 of 4 parts of the plan answered" in form.status.value
    assert "still open: 2, 3, 4" in form.status.value
    with pytest.raises(IncompleteError, match=r"3 of 4 parts .*practice.*feedback source.*review date"):
        check_plan(tmp_path)


def test_the_plan_form_is_built_in_the_portfolio_folder(answers_base):
    from coursekit.student.widgets import plan_form

    assert plan_form(module=module_of("portfolio")).store.folder == answers_base / PORTFOLIO


def test_no_plan_or_a_damaged_one_fails_the_check_and_is_left_in_place(tmp_path):
    with pytest.raises(IncompleteError, match="No saved practice plan"):
        check_plan(tmp_path)
    (tmp_path / FILENAME).write_text("{", encoding="utf-8")
    with pytest.raises(IncompleteError, match="could not be read"):
        check_plan(tmp_path)
    assert (tmp_path / FILENAME).read_text() == "{"
    assert "could not be read" in gather(tmp_path.parent, here=tmp_path).plan_note


def test_the_plan_is_saved_under_its_key_in_the_students_own_file(tmp_path):
    saved = save_plan(ResponseStore(tmp_path, PORTFOLIO), PLAN)
    assert saved.values[PLAN_KEY] == PLAN and saved.module == PORTFOLIO


# --- the figure -------------------------------------------------------------------


def test_the_profile_has_one_panel_per_module_all_done(everything):
    from coursekit.student.plots import portfolio_profile

    mine = gather(everything)
    fig = portfolio_profile(mine)
    assert len(fig.axes) == len(mine.modules)
    assert [ax.get_title(loc="left") for ax in fig.axes] == [f"{m.title}: done" for m in mine.modules]
    assert "not done yet" not in " ".join(texts(fig))
    assert f"{len(mine.modules)} of {len(mine.modules)} modules done" in fig.get_suptitle()
    alliance = fig.axes[mine.names.index("alliance")]
    assert [t.get_text() for t in alliance.get_yticklabels()] == ["Bond", "Goals", "Tasks"]
    coloured = [p for p in alliance.patches
                if mcolors.to_hex(p.get_facecolor()) != mcolors.to_hex("#999999")]
    assert [round(p.get_width(), 6) for p in coloured] == [1.0, 1.0, 1.0]  # 20 of 4 to 20: full
    assert "20 (range 4 to 20)" in [t.get_text() for t in alliance.texts]
    prediction = fig.axes[mine.names.index("breakthroughs")]
    diamonds = [line for line in prediction.lines if line.get_marker() == "D"]
    assert len(diamonds) == 3 and list(diamonds[0].get_xdata()) == [0.0]


def test_the_profile_of_a_partial_student_says_not_done_yet(base):
    from coursekit.student.plots import portfolio_profile

    do_module(base, "alliance", complete=False)
    do_module(base, "breakthroughs")
    mine = gather(base)
    fig = portfolio_profile(mine)
    titles = [ax.get_title(loc="left") for ax in fig.axes]
    assert len(fig.axes) == len(mine.modules)
    assert titles[mine.names.index("breakthroughs")] == "Breakthroughs and steady change: done"
    assert titles[mine.names.index("alliance")] == ("The working alliance: not done yet "
                                                    "(1 of 12 items answered)")
    alliance = fig.axes[mine.names.index("alliance")]
    assert [t.get_text() for t in alliance.texts].count("not complete yet: 1 of 4 items answered") == 1
    for name in set(mine.names) - {"alliance", "breakthroughs"}:
        ax = fig.axes[mine.names.index(name)]
        assert ax.get_title(loc="left").endswith(": not done yet")
        assert [t.get_text() for t in ax.texts] == ["not done yet", "no folder found"]
    assert f"1 of {len(mine.modules)} modules done" in fig.get_suptitle()


# --- the export ---------------------------------------------------------------------


def sibling_notebook(folder: Path, module: str, answers: dict[str, str]) -> None:
    """A module notebook as a student left it: prompts, answers, one still unanswered."""
    cells = []
    for grade_id, text in answers.items():
        prompt = nbformat.v4.new_markdown_cell(f"### {grade_id.title()} (2 points)\n\nWrite about it.")
        answer = nbformat.v4.new_markdown_cell(text)
        answer.metadata["nbgrader"] = {"grade": True, "solution": True, "grade_id": grade_id,
                                       "points": 2, "locked": False, "schema_version": 3}
        cells += [prompt, answer]
    nbformat.write(nbformat.v4.new_notebook(cells=cells), folder / f"{module}.ipynb")


def test_the_export_is_one_private_self_contained_page(everything):
    from coursekit.student.plots import portfolio_profile

    sibling_notebook(everything / "alliance", "alliance",
                     {"description": "The bond held; the tasks were mine, not ours.",
                      "feelings": "YOUR ANSWER HERE"})
    (everything / "breakthroughs" / "breakthroughs.ipynb").write_text("{ broken", encoding="utf-8")
    mine = gather(everything)
    before = set((everything / PORTFOLIO).iterdir())
    path = export_html(mine, portfolio_profile(mine))
    assert path == everything / PORTFOLIO / EXPORT_NAME
    assert set((everything / PORTFOLIO).iterdir()) - before == {path}  # one file, nothing else
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    page = path.read_text(encoding="utf-8")
    assert "http://" not in page and "https://" not in page
    assert not re.search(r"<(script|link|iframe|object)\b", page)
    assert not re.findall(r'(?:src|href)\s*=\s*"(?!data:)', page)
    images = re.findall(r'<img src="data:image/png;base64,([A-Za-z0-9+/=]+)" alt="[^"]+"', page)
    assert len(images) == 1 and base64.b64decode(images[0]).startswith(b"\x89PNG\r\n\x1a\n")
    for part in PLAN.values():
        if part != PLAN["review_date"]:
            assert part in page
    assert "15 March 2027" in page
    for name in mine.names:
        assert f"<td>{name}</td><td><span class=\"done\">done</span>" in page
    assert "The bond held; the tasks were mine, not ours." in page and "Description" in page
    assert "YOUR ANSWER HERE" not in page
    assert "breakthroughs.ipynb could not be read" in page  # a broken notebook is named, not fatal
    assert (everything / "breakthroughs" / "breakthroughs.ipynb").read_text() == "{ broken"


def test_the_export_of_a_partial_student_lists_what_is_missing(base):
    do_module(base, "alliance")
    mine = gather(base)
    page = export_html(mine, include_reflections=False).read_text(encoding="utf-8")
    assert '<td>alliance</td><td><span class="done">done</span>' in page
    for status in mine.missing:
        assert f'<td>{status.module}</td><td><span class="missing">not done yet</span>' in page
    assert "not written yet" in page  # no plan yet
    assert "left out of this copy" in page and "The profile figure was not included" in page


def test_a_new_export_replaces_the_old_one_and_stays_private(everything):
    target = everything / PORTFOLIO / EXPORT_NAME
    target.write_text("old", encoding="utf-8")
    os.chmod(target, 0o644)
    export_html(gather(everything), b"\x89PNG\r\n\x1a\n" + b"0" * 16)
    assert target.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert not [p for p in target.parent.iterdir() if p.name.endswith(".tmp")]


def test_the_export_button_writes_the_page_only_when_pressed(everything):
    from coursekit.student.widgets import ExportPanel

    target = everything / PORTFOLIO / EXPORT_NAME
    panel = ExportPanel(base=everything)
    assert not target.exists()  # running the cell writes nothing
    assert panel.include_reflections.value is True
    panel.include_reflections.value = False
    panel.button.click()
    assert target.exists() and stat.S_IMODE(target.stat().st_mode) == 0o600
    assert "Saved at" in panel.status.value and str(target) in panel.status.value
    assert "plan complete" in panel.status.detail and "without your reflections" in panel.status.detail
    assert panel.status.tone == "ok" and panel.message.value == ""
    assert "left out of this copy" in target.read_text(encoding="utf-8")


def test_the_export_button_says_when_it_cannot_write(base, tmp_path):
    from coursekit.student.widgets import ExportPanel

    panel = ExportPanel(base=base, here=tmp_path / "gone")
    assert panel.export() is None
    assert panel.message.kind == "alert" and "Could not write your portfolio" in panel.message.value
    assert "Not saved" in panel.status.value


def test_an_export_into_a_missing_folder_says_so(base, tmp_path):
    with pytest.raises(StoreError, match="Could not write your portfolio"):
        export_html(gather(base), path=tmp_path / "nowhere" / EXPORT_NAME)


def test_the_export_checks_privacy_first_and_writes_nothing_until_checked(everything):
    """A copy the student keeps outside the course must not carry a client's name unnoticed."""
    sibling_notebook(everything / "alliance", "alliance",
                     {"analysis": "My client Sarah Jones withdrew after the diary.",
                      "description": "A client in his thirties sat down in his coat."})
    save_plan(ResponseStore(everything / PORTFOLIO, PORTFOLIO),
              {**PLAN, "feedback": "Session ratings from my client Kavitha, weekly."})
    mine = gather(everything)
    target = everything / PORTFOLIO / EXPORT_NAME
    with pytest.raises(UncheckedIdentifiersError, match="was not saved") as caught:
        export_html(mine)
    assert not target.exists()
    where = [(flag.where, flag.context) for flag in caught.value.findings]
    title = module_of("alliance").title
    assert (f"{title}: Analysis", "My client [[Sarah Jones]] withdrew after the diary.") in where
    assert ("Practice plan: Feedback source", "...ratings from my client [[Kavitha]], weekly.") in where
    assert not [w for w, _ in where if w.endswith("Description")]  # nothing to flag there
    # left out of the copy, the reflections are not checked; the plan still is
    with pytest.raises(UncheckedIdentifiersError) as plan_only:
        export_html(mine, include_reflections=False)
    assert [flag.where for flag in plan_only.value.findings] == ["Practice plan: Feedback source"]
    page = export_html(mine, checked=True).read_text(encoding="utf-8")  # "I have checked"
    assert "Sarah Jones" in page


def test_the_export_button_shows_the_findings_and_a_second_button(everything):
    from coursekit.student.widgets import ExportPanel

    notebook = {"analysis": "My client Sarah Jones withdrew after the diary."}
    sibling_notebook(everything / "alliance", "alliance", notebook)
    target = everything / PORTFOLIO / EXPORT_NAME
    panel = ExportPanel(base=everything)
    assert panel.anyway.layout.display == "none"  # only after a finding
    panel.button.click()
    assert not target.exists()
    # announced at once (an alert), listed below it
    assert panel.message.kind == "alert" and panel.message.lead == "Not saved yet:"
    assert "found 1 possible client identifier in" in panel.message.value
    assert "Analysis</b>: a person&#x27;s name" in panel.findings.value
    assert "My client [[Sarah Jones]] withdrew" in panel.findings.value
    assert panel.anyway.layout.display is None
    # the student fixes the notebook, saves it and presses again: no question asked
    sibling_notebook(everything / "alliance", "alliance",
                     {"analysis": "My client withdrew after the diary."})
    panel.button.click()
    assert target.exists() and "Saved at" in panel.status.value
    assert panel.message.value == "" and panel.findings.value == ""
    assert panel.anyway.layout.display == "none"
    # or says they have checked
    target.unlink()
    sibling_notebook(everything / "alliance", "alliance", notebook)
    panel.button.click()
    assert not target.exists()
    panel.anyway.click()
    assert "Sarah Jones" in target.read_text(encoding="utf-8") and "Saved at" in panel.status.value


HOSTILE = 'Q&A with <script>alert("hi")</script> & "quotes" \'too\''


def test_a_students_markup_is_shown_as_text_not_run(everything):
    """What a student typed (plan, reflections, a heading) is escaped by the template's
    autoescape: it reads as typed and nothing in it runs."""
    save_plan(ResponseStore(everything / PORTFOLIO, PORTFOLIO), {**PLAN, "goal": HOSTILE})
    sibling_notebook(everything / "alliance", "alliance", {"description": f"{HOSTILE}\n\nline one\nline two"})
    page = export_html(gather(everything), b"\x89PNG\r\n\x1a\n" + b"0" * 16).read_text(encoding="utf-8")
    assert "<script" not in page and "alert(\"hi\")" not in page
    escaped = ("Q&amp;A with &lt;script&gt;alert(&#34;hi&#34;)&lt;/script&gt; &amp; &#34;quotes&#34; "
               "&#39;too&#39;")
    assert f"<dt>Goal</dt><dd>{escaped}</dd>" in page
    assert f"<blockquote><p>{escaped}</p><p>line one<br>line two</p></blockquote>" in page


def test_reflections_are_read_with_their_headings(tmp_path):
    sibling_notebook(tmp_path, "alliance", {"analysis": "It was a withdrawal rupture.", "plan": ""})
    [only] = read_reflections(tmp_path / "alliance.ipynb")
    assert only.heading == "Analysis" and only.text == "It was a withdrawal rupture."


def test_the_portfolio_modules_load_no_plotting_or_widgets():
    code = ("import json, sys, coursekit.student.portfolio, coursekit.student.export, "
            "coursekit.student.checks; "
            "print(json.dumps(sorted(sys.modules)))")
    loaded = json.loads(subprocess.check_output([sys.executable, "-c", code], text=True))
    # Jinja2 too: it is imported when the page is written, not when the notebook starts.
    assert [name for name in ("matplotlib", "ipywidgets", "IPython", "jinja2") if name in loaded] == []


# --- the notebook, run as a student would ----------------------------------------


def run_notebook(work: Path) -> nbformat.NotebookNode:
    from nbclient import NotebookClient

    nb = nbformat.read(COURSE / "source" / PORTFOLIO / f"{PORTFOLIO}.ipynb", as_version=4)
    NotebookClient(nb, timeout=120, allow_errors=True,
                   resources={"metadata": {"path": str(work)}}).execute()
    return nb


def errors(nb: nbformat.NotebookNode) -> dict[str, str]:
    return {c.metadata.get("nbgrader", {}).get("grade_id", c.id): o.ename
            for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"}


@pytest.mark.kernel
def test_the_notebook_runs_for_a_complete_and_a_partial_student(answers_base, tmp_path):
    # The notebook runs in its own folder, beside the other modules' definitions, as released.
    shutil.copytree(COURSE / "source", tmp_path / "source",
                    ignore=shutil.ignore_patterns("*.ipynb", ".ipynb_checkpoints"))
    work = tmp_path / "source" / PORTFOLIO
    do_module(answers_base, "alliance", complete=False)
    partial = run_notebook(work)
    assert errors(partial) == {"test_completion": "IncompleteError"}

    for module in modules_with_data():
        do_module(answers_base, module)
    save_plan(ResponseStore(answers_base / PORTFOLIO, PORTFOLIO), PLAN)
    complete = run_notebook(work)
    assert errors(complete) == {}
    profile = next(c for c in complete.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "profile")
    shown = [o["data"]["text/html"] for o in profile.outputs if "text/html" in o.get("data", {})]
    assert len(shown) == 1 and shown[0].startswith('<img src="data:image/png;base64,')
    assert 'alt="My answers across the course: ' in shown[0]  # described for a screen reader
    assert not (answers_base / PORTFOLIO / EXPORT_NAME).exists()  # only the button writes it
    assert not (work / EXPORT_NAME).exists()
    assert not list((COURSE / "source" / PORTFOLIO).glob("coursekit-responses*"))
    assert not (COURSE / "source" / PORTFOLIO / EXPORT_NAME).exists()
