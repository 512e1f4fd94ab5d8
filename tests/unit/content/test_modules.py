"""The craft, stuck and relationship modules: their instruments, question set, evidence and notebooks.

Kernel-free: scoring and validation are pure, forms are driven through
``.value`` and ``.click()``, notebooks are read as JSON.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import nbformat
import pytest

from conftest import COURSE, complete_answers, evidence_of, instrument_of, module_of, questions_of
from coursekit.content.cells import render_instrument, render_questions, required_specs
from coursekit.content.evidence import Citation, load_evidence, number_text, r_from_d
from coursekit.content.instruments import item_scores, load_instrument, score, validate_own_answer
from coursekit.content.questions import load_questions, validate_numbers
from coursekit.errors import AnswerError, EvidenceError, InstrumentError, StoreError
from coursekit.student.checks import IncompleteError, check_completion, check_questions
from coursekit.student.responses import FILENAME, ResponseStore, read_responses
from coursekit.student.widgets import InstrumentForm, QuestionForm, assess

MODULES = ["craft", "stuck", "relationship"]
SOURCE = COURSE / "source"


# --- craft: a bipolar instrument and a practice inventory ----------------------------


@pytest.fixture
def craft():
    return instrument_of("craft")


def test_craft_pairs_are_bipolar_on_a_seven_point_scale(craft):
    assert craft.scale.points == tuple(range(1, 8)) and craft.scale.labels == ()
    assert 5 <= len(craft.items) <= 6
    assert all(item.anchors and all(a.strip() for a in item.anchors) for item in craft.items)
    assert [item.id for item in craft.items if item.reverse] == ["fitting", "mastery"]


def test_craft_reversed_pairs_are_turned_so_that_craft_is_always_high(craft):
    # The student puts themself at the craft end of every pair: 7 where craft is
    # second, 1 where it comes first.
    all_craft = {item.id: 1 if item.reverse else 7 for item in craft.items}
    assert set(item_scores(craft, all_craft).values()) == {7}
    assert score(craft, all_craft).total == 7 * len(craft.items)
    all_technique = {item.id: 7 if item.reverse else 1 for item in craft.items}
    assert score(craft, all_technique).total == len(craft.items)


def test_item_scores_leave_unanswered_items_out_and_validate(craft):
    assert item_scores(craft, {"learning": 2, "fitting": 2}) == {"learning": 2, "fitting": 6}
    with pytest.raises(AnswerError, match="outside the scale 1 to 7"):
        item_scores(craft, {"learning": 8})


def test_the_practice_inventory_groups_deliberate_practice_apart(tmp_path):
    practice = questions_of("craft_practice")
    assert [g.id for g in practice.groups] == ["deliberate", "learning", "routine"]
    assert [q.id for q in practice.in_group("deliberate")] == ["recordings", "feedback", "rehearsal"]
    assert [q.id for q in practice.in_group("routine")] == ["client_work"]
    assert practice.group_label("learning") == "Other learning"
    assert all(q.min == 0 and q.unit == "hours a month" and q.short != q.text for q in practice.questions)
    with pytest.raises(KeyError, match="deliberate, learning, routine"):
        practice.in_group("rest")
    with pytest.raises(AnswerError, match="outside the range 0 to 160 hours a month"):
        validate_numbers(practice, {"recordings": 200})


def test_the_craft_completion_check_needs_both_forms(tmp_path, craft):
    store = ResponseStore(tmp_path, "craft")
    store.save_answers(craft, complete_answers(craft))
    assert check_completion(module_of("craft"), folder=tmp_path).complete
    with pytest.raises(IncompleteError, match="No saved answers"):
        check_questions(module_of("craft"), "craft_practice", folder=tmp_path)
    practice = questions_of("craft_practice")
    store.save_numbers(practice, {q.id: 0 for q in practice.questions})
    assert sum(check_questions(module_of("craft"), "craft_practice", folder=tmp_path).values()) == 0


# --- stuck: intensities and a feeling in the student's own word ----------------------


@pytest.fixture
def stuck():
    return instrument_of("stuck")


def test_the_check_in_rates_the_five_feelings_the_reading_names_from_0_to_10(stuck):
    assert stuck.scale.points == tuple(range(0, 11))
    assert [item.id for item in stuck.items] == [
        "inadequacy", "anger", "dislike", "self_doubt", "hopelessness"]
    result = score(stuck, {"inadequacy": 7, "anger": 0, "dislike": 2, "self_doubt": 10,
                           "hopelessness": 5})
    assert result.complete and result.total == 24
    assert stuck.own_item is not None and stuck.own_item.id == "stuck_own_feeling"


@pytest.mark.parametrize(("name", "rating", "expected"), [
    ("bored", 6, {"name": "bored", "rating": 6}),
    ("  quietly   protective ", 0, {"name": "quietly protective", "rating": 0}),
    ("", None, None),
    (None, None, None),
    ("   ", None, None),
])
def test_an_own_feeling_is_both_parts_or_neither(stuck, name, rating, expected):
    assert validate_own_answer(stuck, name, rating) == expected


@pytest.mark.parametrize(("name", "rating", "words"), [
    ("bored", None, "gave no rating"),
    ("", 5, "no name"),
    ("bored", 11, "not a whole number from 0 to 10"),
    ("bored", True, "not a whole number"),
    ("x" * 41, 3, "keep it to 40"),
    (7, 3, "is not text"),
])
def test_a_half_or_bad_own_feeling_is_refused_with_a_reason(stuck, name, rating, words):
    with pytest.raises(AnswerError, match=words):
        validate_own_answer(stuck, name, rating)


def test_an_instrument_without_an_own_item_refuses_one(alliance):
    with pytest.raises(AnswerError, match="no item in your own words"):
        validate_own_answer(alliance, "bored", 3)


def test_the_own_feeling_is_saved_with_the_items_in_one_write(tmp_path, stuck):
    store = ResponseStore(tmp_path, "stuck")
    saved = store.save_answers(stuck, complete_answers(stuck, 5),
                               values={"stuck_own_feeling": {"name": "bored", "rating": 6}})
    assert saved.revision == 1  # one write, not two
    on_disk = read_responses(tmp_path / FILENAME, "stuck")
    assert on_disk is not None
    assert on_disk.own_answer(stuck) == {"name": "bored", "rating": 6}
    assert on_disk.answers("stuck") == complete_answers(stuck, 5)
    # the feeling lives among the values, never among the scored answers
    assert "stuck_own_feeling" not in on_disk.instruments["stuck"].answers


def test_a_damaged_or_absent_own_feeling_reads_as_none(tmp_path, stuck, alliance):
    store = ResponseStore(tmp_path, "stuck")
    store.save_value("stuck_own_feeling", {"name": 5, "rating": "high"})
    assert store.load().own_answer(stuck) is None
    store.save_value("stuck_own_feeling", None)
    assert store.load().own_answer(stuck) is None
    assert store.load().own_answer(alliance) is None


def test_a_value_that_is_not_json_saves_nothing(tmp_path, stuck):
    store = ResponseStore(tmp_path, "stuck")
    with pytest.raises(StoreError, match="cannot be saved as JSON"):
        store.save_answers(stuck, {"anger": 3}, values={"x": {1, 2}})
    assert not (tmp_path / FILENAME).exists()


def test_the_stuck_completion_check_does_not_need_the_own_feeling(tmp_path, stuck):
    store = ResponseStore(tmp_path, "stuck")
    store.save_answers(stuck, {"anger": 3})
    with pytest.raises(IncompleteError, match="4 of 5 self-assessment items are not answered"):
        check_completion(module_of("stuck"), folder=tmp_path)
    store.save_answers(stuck, complete_answers(stuck, 0))
    assert check_completion(module_of("stuck"), folder=tmp_path).complete


def test_the_check_in_form_saves_the_own_feeling_with_the_ratings(tmp_path, stuck):
    store = ResponseStore(tmp_path, "stuck")
    form = InstrumentForm(stuck, store)
    assert form.own_name is not None and form.own_rating is not None
    own_box = form.children[len(stuck.items) + 1]
    assert own_box is form.own_name and own_box.optional and own_box.text == stuck.own_item.text
    for item in stuck.items:
        form.controls[item.id].value = 4
    form.own_name.value = "ashamed"
    assert form.dirty and "Unsaved changes" in form.status.value
    form.own_rating.value = 7
    form.save_button.click()
    assert not form.dirty and "5 of 5 items answered" in form.status.value
    assert store.load().own_answer(stuck) == {"name": "ashamed", "rating": 7}
    again = InstrumentForm(stuck, ResponseStore(tmp_path, "stuck"))
    assert again.own_name is not None and again.own_rating is not None
    assert (again.own_name.value, again.own_rating.value) == ("ashamed", 7)
    assert not again.dirty


def test_a_half_done_own_feeling_is_not_saved_and_the_student_is_told(tmp_path, stuck):
    store = ResponseStore(tmp_path, "stuck")
    form = InstrumentForm(stuck, store)
    form.controls["anger"].value = 3
    assert form.own_name is not None
    form.own_name.value = "bored"
    assert not form.save()
    assert "gave no rating" in form.message.value and "Not saved" in form.status.value
    assert not (tmp_path / FILENAME).exists()  # nothing half-saved


def test_clearing_the_own_feeling_removes_it(tmp_path, stuck):
    store = ResponseStore(tmp_path, "stuck")
    store.save_answers(stuck, {"anger": 3}, values={"stuck_own_feeling": {"name": "bored", "rating": 2}})
    form = InstrumentForm(stuck, store)
    assert form.own_name is not None and form.own_rating is not None
    form.own_name.value = ""
    form.own_rating.value = None
    assert form.dirty and form.save()
    assert store.load().own_answer(stuck) is None


def test_saving_only_the_own_feeling_says_the_items_are_still_open(tmp_path, stuck):
    form = InstrumentForm(stuck, ResponseStore(tmp_path, "stuck"))
    assert form.own_name is not None and form.own_rating is not None
    form.own_name.value = "bored"
    form.own_rating.value = 4
    assert form.save()
    assert "your own word only; 0 of 5 items answered" in form.status.value
    assert "own word only" in InstrumentForm(stuck, ResponseStore(tmp_path, "stuck")).status.value


def test_forms_without_an_own_item_have_none(tmp_path, alliance):
    form = InstrumentForm(alliance, ResponseStore(tmp_path, "alliance"))
    assert form.own_name is None and form.own_answer() is None


def test_the_own_feeling_never_reaches_a_class_report(tmp_path, stuck):
    cohort = pytest.importorskip("coursekit.cohort.summary")
    report = pytest.importorskip("coursekit.cohort.report")
    course = tmp_path / "course"
    for n in range(6):
        folder = course / "submitted" / f"student{n}" / "stuck"
        folder.mkdir(parents=True)
        ResponseStore(folder, "stuck").save_answers(
            stuck, complete_answers(stuck, n),
            values={"stuck_own_feeling": {"name": f"zebra{n}", "rating": 3}})
    summary = cohort.summarise(stuck, cohort.read_class(course, "stuck", stuck), module="stuck")
    shown = repr(summary) + report.render_html(summary) + repr(report.csv_rows(summary))
    assert "zebra" not in shown


# --- relationship: one rating per element, keyed like the evidence ------------------


def test_relationship_elements_match_the_evidence_one_item_each():
    elements = instrument_of("relationship")
    evidence = evidence_of("relationship")
    assert [s.id for s in elements.subscales] == [f.id for f in evidence.findings]
    assert all(len(elements.items_of(s.id)) == 1 for s in elements.subscales)
    assert [s.label for s in elements.subscales][:4] == ["Alliance", "Empathy", "Positive regard",
                                                         "Congruence"]
    result = score(elements, complete_answers(elements, 3))
    assert result.total == 21 and all(s.total == 3 for s in result.subscales)


# --- the evidence files -----------------------------------------------------------


def test_every_module_has_its_evidence_file():
    for name in [*MODULES, "alliance"]:
        found = evidence_of(name)
        assert found.id == name and found.findings and found.references


def effects(name: str) -> dict[str, dict[str, float]]:
    return {f.id: {e.metric: e.value for e in f.effects} for f in evidence_of(name).findings}


def intervals(name: str) -> dict[str, tuple[float, float] | None]:
    return {f.id: f.as_r_ci() for f in evidence_of(name).findings}


def test_the_evidence_holds_exactly_the_published_figures():
    # Each figure is from the source's abstract (or the course's domain notes, which name the source).
    craft = evidence_of("craft")
    assert effects("craft")["therapist_effects"] == {"percent_variance": 5.1}
    assert craft.finding("therapist_effects").sample == ((69, "therapists"), (4580, "clients"))
    # the deliberate-practice and experience findings rest on a subsample of 17 therapists (Chow et al. 2015)
    for name in ("deliberate_practice", "experience_cross_sectional"):
        assert craft.finding(name).sample == ((17, "therapists"), (1632, "clients"))
        assert "17" in craft.finding(name).statement
    assert craft.finding("experience_over_time").sample == ((170, "therapists"), (6591, "patients"))
    assert not craft.finding("deliberate_practice").effects  # no number the source does not give
    assert not craft.finding("experience_over_time").effects
    stuck = evidence_of("stuck")
    assert effects("stuck") == {"managing_countertransference": {"r": 0.39, "d": 0.84},
                                "countertransference_reactions": {"r": -0.16, "d": -0.33}}
    assert intervals("stuck") == {"managing_countertransference": (0.17, 0.6),
                                  "countertransference_reactions": (-0.3, -0.03)}
    assert stuck.finding("managing_countertransference").k == 9
    assert stuck.finding("countertransference_reactions").k == 14
    assert effects("relationship") == {
        "alliance": {"r": 0.278, "d": 0.579}, "empathy": {"r": 0.28, "d": 0.58},
        "positive_regard": {"g": 0.28}, "congruence": {"r": 0.23, "d": 0.46}, "feedback": {},
        "rupture_repair": {"r": 0.29, "d": 0.62}, "managing_countertransference": {"r": 0.39, "d": 0.84}}
    assert intervals("relationship") == {
        "alliance": (0.256, 0.299), "empathy": (0.23, 0.33), "positive_regard": None, "congruence": None,
        "feedback": None, "rupture_repair": None, "managing_countertransference": (0.17, 0.6)}
    rel = evidence_of("relationship")
    assert [rel.finding(i).k for i in ("alliance", "empathy", "positive_regard", "congruence",
                                       "feedback", "rupture_repair", "managing_countertransference")] \
        == [295, 82, 64, 21, 24, 11, 9]
    assert rel.finding("empathy").k_unit == "samples"
    assert effects("alliance") == {
        "alliance": {"r": 0.278, "d": 0.579}, "goal_consensus": {"r": 0.24, "d": 0.49},
        "collaboration": {"r": 0.29, "d": 0.61}, "rupture_repair": {"r": 0.29, "d": 0.62}}
    assert intervals("alliance") == {"alliance": (0.256, 0.299), "goal_consensus": (0.19, 0.28),
                                     "collaboration": (0.24, 0.34), "rupture_repair": None}
    alliance = evidence_of("alliance")
    assert [(f.k, f.sample) for f in alliance.findings[1:]] == [
        (54, ((7278, "patients"),)), (53, ((5286, "patients"),)), (11, ((1314, "patients"),))]
    assert {f.citation.in_text for f in alliance.findings[1:3]} == {"Tryon et al. 2018"}
    for finding in [*craft.findings, *stuck.findings, *rel.findings, *alliance.findings]:
        assert not finding.secondary  # none of these figures is second-hand
        assert finding.citation.venue and finding.citation.pages and finding.citation.year in (2015, 2016,
                                                                                               2018)


def test_each_element_carries_the_grade_the_task_force_gave_it():
    """Norcross & Lambert (2018, table of evidentiary strength): the alliance, empathy, positive
    regard and feedback demonstrably effective; congruence, rupture repair and managing
    countertransference probably effective."""
    rel = evidence_of("relationship")
    assert {f.id: f.grade for f in rel.findings} == {
        "alliance": "demonstrably effective", "empathy": "demonstrably effective",
        "positive_regard": "demonstrably effective", "feedback": "demonstrably effective",
        "congruence": "probably effective", "rupture_repair": "probably effective",
        "managing_countertransference": "probably effective"}
    assert "16 meta-analyses of 17 relationship elements" in rel.about and "seven" in rel.about


def test_a_grade_the_task_force_did_not_use_is_refused(tmp_path):
    data = json.loads((SOURCE / "relationship" / "evidence.json").read_text())
    data["findings"][0]["evidence_grade"] = "strong"
    path = tmp_path / "evidence.json"
    path.write_text(json.dumps(data))
    with pytest.raises(EvidenceError, match="findings.0.evidence_grade.*demonstrably effective"):
        load_evidence(path)


def test_the_relationship_module_says_which_seven_elements_and_why():
    module = module_of("relationship")
    source = instrument_of("relationship").source
    for text in (module.purpose, source):
        assert "that an APA task force reviewed" not in text and "element the APA task force" not in text
        assert "17" in text and "seven" in text
    assert "16 meta-analyses" in module.purpose


def test_effects_are_put_on_the_scale_of_r_only_where_a_number_exists():
    rel = evidence_of("relationship")
    assert rel.finding("empathy").as_r() == (0.28, "r")  # the published r, not a conversion
    value, metric = rel.finding("positive_regard").as_r() or (0.0, "")
    assert metric == "g" and abs(value - 0.28 / (0.28**2 + 4) ** 0.5) < 1e-12
    assert rel.finding("feedback").as_r() is None


@pytest.mark.parametrize(("d", "r"), [(0.0, 0.0), (2.0, 2 ** -0.5), (-0.58, -0.27853)])
def test_r_from_d(d, r):
    assert abs(r_from_d(d) - r) < 1e-5


def test_texts_made_from_the_evidence():
    rel = evidence_of("relationship")
    assert rel.finding("alliance").evidence_text == "r = .278 [.256, .299], d = .579; 295 studies"
    assert rel.finding("empathy").evidence_text == "r = .28 [.23, .33], d = .58; 82 samples, 6,138 clients"
    assert rel.finding("feedback").evidence_text == "24 studies"
    assert evidence_of("craft").finding("therapist_effects").evidence_text == (
        "5.1% of outcome variance between therapists; 69 therapists, 4,580 clients")
    assert (number_text(-0.16), number_text(0.39), number_text(1.5)) == ("-.16", ".39", "1.5")
    assert rel.finding("managing_countertransference").evidence_text == (
        "r = .39 [.17, .60], d = .84; 9 studies, 392 participants")  # .60 as published, not .6
    assert evidence_of("stuck").finding("countertransference_reactions").evidence_text.startswith(
        "r = -.16 [-.30, -.03]")
    cite = Citation("A et al. 2018", "A, B.", 2018, "A title", "Journal", "5", "2", "1-9")
    assert str(cite) == "A, B. (2018). A title. *Journal*, *5*(2), 1-9."
    assert str(Citation("X 2000", "X, Y.", 2000, "Why?", "Book")) == "X, Y. (2000). Why? *Book*."
    with pytest.raises(KeyError, match="its findings are alliance, empathy"):
        rel.finding("warmth")


def test_a_secondary_figure_says_so(tmp_path):
    raw = json.loads((SOURCE / "stuck" / "evidence.json").read_text())
    raw["findings"][0]["secondary"] = True
    path = tmp_path / "ev.json"
    path.write_text(json.dumps(raw))
    finding = load_evidence(path).findings[0]
    assert finding.evidence_text.endswith("(secondary)") and finding.source_text.endswith("(secondary)")


def _broken(change: Any) -> dict[str, Any]:
    raw = json.loads((SOURCE / "relationship" / "evidence.json").read_text())
    change(raw)
    return raw


def _set(path: list[Any], value: Any) -> Any:
    def change(raw: dict[str, Any]) -> None:
        target = raw
        for key in path[:-1]:
            target = target[key]
        if value is KeyError:
            del target[path[-1]]
        else:
            target[path[-1]] = value
    return change


@pytest.mark.parametrize(("change", "field", "words"), [
    (_set(["schema_version"], 2), "schema_version", "reads version 1"),
    (_set(["id"], "Relationship"), "id", "lower case"),
    (_set(["findings"], []), "findings", "has no entries; give at least 1"),
    (_set(["findings", 0, "effects", 0, "metric"], "beta"), "findings.0.effects.0.metric",
     "one of r, d, g, percent_variance"),
    (_set(["findings", 1, "effects", 0, "value"], 1.4), "findings.1.effects.0.value",
     "a number from -1 to 1. A correlation lies from -1 to 1"),
    (_set(["findings", 1, "effects", 0, "value"], "big"), "findings.1.effects.0.value",
     "should be a number"),
    (_set(["findings", 0, "effects", 0, "ci"], [0.3, 0.4]), "findings.0.effects.0.ci",
     "does not contain"),
    (_set(["findings", 2, "effects"], [{"metric": "percent_variance", "value": 5}]),
     "findings.2.effects.0.of", "is missing. Say what the share of variance is of"),
    (_set(["findings", 2, "effects"], [{"metric": "g", "value": 0.2}, {"metric": "g", "value": 0.3}]),
     "findings.2.effects.1.metric", "given twice"),
    (_set(["findings", 1, "id"], "alliance"), "findings", "ids repeat: alliance"),
    (_set(["findings", 1, "citation"], KeyError), "findings.1.citation", "names its source"),
    (_set(["findings", 1, "citation", "year"], "2018"), "findings.1.citation.year",
     "from 1900 to 2100, not text ('2018'). Give a year such as 2018"),
    (_set(["findings", 1, "citation", "authors"], ""), "findings.1.citation.authors", "is empty"),
    (_set(["findings", 1, "studies", "unit"], "trials"), "findings.1.studies.unit",
     "choose one of studies, samples, data sources"),
    (_set(["findings", 1, "studies", "k"], 0), "findings.1.studies.k", "whole number from 1"),
    (_set(["findings", 1, "sample", 0, "count"], 6.5), "findings.1.sample.0.count", "whole number"),
    (_set(["findings", 1, "secondary"], "no"), "findings.1.secondary", "true or false"),
    (_set(["findings", 1, "statement"], KeyError), "findings.1.statement",
     'Add "statement": a non-empty text'),
])
def test_a_broken_evidence_file_names_file_and_field(tmp_path, change, field, words):
    path = tmp_path / "relationship.json"
    path.write_text(json.dumps(_broken(change)))
    with pytest.raises(EvidenceError) as caught:
        load_evidence(path)
    assert caught.value.field == field, str(caught.value)
    assert str(path) in str(caught.value) and words in str(caught.value)


def test_unreadable_evidence_files_are_named(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{ nope")
    with pytest.raises(EvidenceError, match="bad.json: is not valid JSON"):
        load_evidence(bad)
    with pytest.raises(EvidenceError, match="no such evidence file"):
        load_evidence(tmp_path / "missing.json")


# --- pattern extensions: validation of the new instrument and question fields ----------


def _instrument_file(tmp_path: Path, change: Any) -> Path:
    raw = json.loads((SOURCE / "stuck" / "stuck.json").read_text())
    change(raw)
    path = tmp_path / "stuck.json"
    path.write_text(json.dumps(raw))
    return path


@pytest.mark.parametrize(("change", "field", "words"), [
    (_set(["own_item"], "feeling"), "own_item", "should be an object with id and text"),
    (_set(["own_item", "id"], "anger"), "own_item.id", "also an item id"),
    (_set(["own_item", "text"], ""), "own_item.text", "non-empty"),
    (_set(["own_item", "max_length"], 0), "own_item.max_length", "from 1 to 200"),
    (_set(["items", 0, "anchors"], ["only one"]), "items.0.anchors", "two texts"),
])
def test_a_broken_own_item_or_anchor_names_file_and_field(tmp_path, change, field, words):
    path = _instrument_file(tmp_path, change)
    with pytest.raises(InstrumentError) as caught:
        load_instrument(path)
    assert caught.value.field == field and str(path) in str(caught.value) and words in str(caught.value)


def _qset_file(tmp_path: Path, change: Any) -> Path:
    raw = json.loads((SOURCE / "craft" / "craft_practice.json").read_text())
    change(raw)
    path = tmp_path / "craft_practice.json"
    path.write_text(json.dumps(raw))
    return path


@pytest.mark.parametrize(("change", "field", "words"), [
    (_set(["questions", 0, "group"], "fun"), "questions.0.group", "not one of the set's groups"),
    (_set(["groups"], "deliberate"), "groups",
     "should be a list, not text ('deliberate'). Give a list of {id, label}"),
    (_set(["groups", 1, "label"], ""), "groups.1.label", "non-empty"),
    (_set(["groups", 2, "id"], "learning"), "groups", "ids repeat"),
    (_set(["groups"], [{"id": "deliberate", "label": "D"}, {"id": "learning", "label": "L"},
                       {"id": "routine", "label": "R"}, {"id": "rest", "label": "Rest"}]),
     "groups", "rest has no questions"),
    (_set(["questions", 0, "label"], 5), "questions.0.label", "short text"),
])
def test_a_broken_question_group_names_file_and_field(tmp_path, change, field, words):
    path = _qset_file(tmp_path, change)
    with pytest.raises(InstrumentError) as caught:
        load_questions(path)
    assert caught.value.field == field and str(path) in str(caught.value) and words in str(caught.value)


def test_a_group_on_a_set_without_groups_is_refused(tmp_path):
    def change(raw: dict[str, Any]) -> None:
        del raw["groups"]
    with pytest.raises(InstrumentError, match="the set has no \"groups\""):
        load_questions(_qset_file(tmp_path, change))


def test_sets_without_groups_still_load():
    prediction = questions_of("breakthroughs_prediction")
    assert prediction.groups == () and all(q.group == "" and q.short == q.text
                                           for q in prediction.questions)


def test_forms_are_readable_without_a_kernel_anchors_and_own_item_included(craft, stuck):
    text = render_instrument(craft)
    assert "*Scale:* a whole number from 1 to 7." in text
    first = craft.items[0]
    assert f"1. {first.text}\n    - 1: {first.anchors[0]}\n    - 7: {first.anchors[1]}" in text
    text = render_instrument(stuck)
    assert "6. *(optional)* Another feeling you had in that moment" in text
    listing = render_questions(questions_of("craft_practice"))
    assert "6. Routine client work: the sessions themselves *(0 to 250 hours a month)*" in listing


def test_the_bipolar_form_shows_both_anchors(tmp_path, craft):
    form = InstrumentForm(craft, ResponseStore(tmp_path, "craft"))
    first = form.children[1]
    assert first.text == "Learning a new way of working"
    # the two statements at either end of the row (and, for a screen reader, the group's description)
    low, high = first.poles
    assert low.startswith("I learn it mainly from its manual")
    assert high.startswith("I learn it mainly by watching")
    assert first.names[0] == "1: the first statement, completely" and first.names[3] == "4: both equally"


def test_the_practice_form_saves_hours(answers_base):
    from coursekit.student.widgets import ask

    form = ask("craft_practice", module=module_of("craft"))
    assert isinstance(form, QuestionForm)
    form.controls["recordings"].value = "4"
    form.controls["client_work"].value = "80"
    form.save_button.click()
    assert ResponseStore.here("craft").load().numbers("craft_practice") == {"recordings": 4,
                                                                             "client_work": 80}


@pytest.mark.parametrize("module", MODULES)
def test_assess_builds_each_new_module_form(answers_base, module):
    form = assess(module, module=module_of(module))
    assert form.store.folder == answers_base / module
    assert list(form.controls) == [i.id for i in instrument_of(module).items]


# --- the notebooks ------------------------------------------------------------------


def notebook(module: str) -> Any:
    return nbformat.read(COURSE / "source" / module / f"{module}.ipynb", as_version=4)


def graded(nb: Any) -> dict[str, Any]:
    return {c.metadata["nbgrader"]["grade_id"]: c for c in nb.cells
            if c.metadata.get("nbgrader", {}).get("grade")}


REFLECTIONS = ["reflection_description", "reflection_feelings", "reflection_evaluation",
               "reflection_analysis", "reflection_conclusion", "reflection_action_plan"]


@pytest.mark.parametrize(("module", "auto", "manual"), [
    ("craft", {"test_completion": 2, "test_deliberate_share": 2, "test_hours_to_reach": 2}, {}),
    ("stuck", {"test_completion": 2}, {"playbook": 2}),
    ("relationship", {"test_completion": 2, "test_variance_explained": 2, "test_d_to_r": 2}, {}),
])
def test_each_module_follows_the_pattern(module, auto, manual):
    nb = notebook(module)
    cells = graded(nb)
    points = {gid: c.metadata["nbgrader"]["points"] for gid, c in cells.items()}
    assert points == {**auto, **manual, **{r: 2 for r in REFLECTIONS}}
    assert [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "test_completion"
            ] == [cells["test_completion"]]
    for gid in REFLECTIONS + list(manual):
        assert cells[gid].cell_type == "markdown" and cells[gid].metadata["nbgrader"]["solution"]
    for gid in auto:
        assert cells[gid].cell_type == "code"
        if gid != "test_completion":
            assert "### BEGIN HIDDEN TESTS" in cells[gid].source
    # the shared parts are generated from the manifest (coursekit check compares their text)
    generated = {c.metadata.get("coursekit", {}).get("generated") for c in nb.cells}
    assert set(required_specs(module_of(module))) <= generated
    # the opening table's points add up to the graded cells'
    total = sum(points.values())
    intro = nb.cells[0].source
    listed = sum(int(n) for n in re.findall(r"\| (\d+), (?:checked|graded)", intro))
    assert listed == total, (listed, total)


def test_the_stuck_reflection_reminds_to_de_identify_at_the_top_and_at_the_description():
    nb = notebook("stuck")
    by_id = {c.metadata.get("nbgrader", {}).get("grade_id"): c for c in nb.cells}
    for gid in ["rubric", "reflection_description_prompt"]:
        assert "**Before you write anything: de-identify the client.**" in by_id[gid].source
    assert by_id["rubric"].source.index("de-identify the client") < by_id["rubric"].source.index("Gibbs")
    assert "ethic" in by_id["playbook_prompt"].source


def test_craft_reads_its_deliberate_activities_from_the_question_set():
    from coursekit.student.displays import deliberate_activities

    source = "\n".join(c.source for c in notebook("craft").cells if c.cell_type == "code")
    assert "DELIBERATE = deliberate_activities()" in source
    assert deliberate_activities(module_of("craft")) == ["recordings", "feedback", "rehearsal"]
    assert "check_module()" in graded(notebook("craft"))["test_completion"].source
    assert [(f.id, f.required) for f in module_of("craft").forms] == [("craft", True),
                                                                    ("craft_practice", True)]


def test_the_exercise_solutions_pass_their_hidden_tests(monkeypatch):
    """The instructor's solutions and every test, hidden ones included, run without a kernel."""
    for module, setup in [("craft", ["exercise_data"]), ("relationship", [])]:
        monkeypatch.chdir(COURSE / "source" / module)  # where the notebook runs
        nb = notebook(module)
        cells = {c.metadata.get("nbgrader", {}).get("grade_id"): c for c in nb.cells}
        namespace: dict[str, Any] = {}
        for gid in setup:
            exec(cells[gid].source, namespace)
        solutions = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("solution")
                     and c.cell_type == "code"]
        tests = [c for gid, c in graded(nb).items() if gid.startswith("test_") and gid != "test_completion"]
        for cell in solutions + tests:
            exec(cell.source, namespace)


def test_the_exercise_tests_fail_on_the_released_stubs():
    nb = notebook("relationship")
    stub = graded(nb)
    namespace: dict[str, Any] = {}
    exec("import math\ndef variance_explained(r):\n    return r\ndef d_to_r(d):\n    return d / 2\n",
         namespace)
    for gid in ["test_variance_explained", "test_d_to_r"]:
        with pytest.raises(AssertionError):
            exec(stub[gid].source, namespace)


@pytest.mark.parametrize("module", ["coursekit.content.evidence", "coursekit.content.questions"])
def test_the_data_modules_stay_stdlib_only(module):
    import subprocess
    import sys

    code = f"import json, sys, {module}; print(json.dumps(sorted(sys.modules)))"
    loaded = json.loads(subprocess.check_output([sys.executable, "-c", code], text=True))
    assert [m for m in ("matplotlib", "ipywidgets", "IPython", "numpy", "nbformat") if m in loaded] == []
