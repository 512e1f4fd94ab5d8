import json

import pytest

from conftest import COURSE, instrument_of
from coursekit.content.cells import render_instrument
from coursekit.content.instruments import (
    NOT_APPLICABLE,
    item_scores,
    load_instrument,
    score,
    validate_answers,
)
from coursekit.errors import AnswerError, InstrumentError


def test_alliance_has_four_items_on_each_of_bond_goals_and_tasks(alliance):
    assert [s.id for s in alliance.subscales] == ["bond", "goals", "tasks"]
    for sub in alliance.subscales:
        assert len(alliance.items_of(sub.id)) == 4
        assert alliance.subscale_range(sub.id) == (4, 20)
    assert alliance.total_range == (12, 60)
    assert alliance.scale.points == (1, 2, 3, 4, 5)
    assert len(alliance.scale.labels) == 5


def test_alliance_items_are_our_own_not_the_wai(alliance):
    # A few phrases of the licensed WAI-SR wording that must never appear.
    licensed = ["likes me", "appreciates me", "trust one another", "respect each other",
                "mutually agreed upon goals", "new ways of looking at my problem"]
    texts = " ".join(item.text.lower() for item in alliance.items)
    assert not [p for p in licensed if p in texts]


def test_score_sums_each_subscale_and_the_total(alliance):
    answers = {item.id: {"bond": 5, "goals": 3, "tasks": 1}[item.subscale] for item in alliance.items}
    result = score(alliance, answers)
    assert [(s.id, s.total) for s in result.subscales] == [("bond", 20), ("goals", 12), ("tasks", 4)]
    assert result.total == 36
    assert result.complete and result.missing == ()


def test_unanswered_items_are_reported_and_leave_totals_open(alliance):
    answers = {"bond_1": 4, "bond_2": 4, "bond_3": 4, "bond_4": 4, "goals_1": 2}
    result = score(alliance, answers)
    assert result.subscale("bond").total == 16
    assert result.subscale("goals").total is None
    assert result.subscale("goals").answered == 1
    assert result.total is None
    assert len(result.missing) == 7 and "tasks_4" in result.missing
    assert not result.complete


@pytest.mark.parametrize("bad", [0, 6, -1, 2.5, "4", True, [4]])
def test_out_of_range_or_non_integer_answers_are_rejected(alliance, bad):
    with pytest.raises(AnswerError, match="bond_1"):
        validate_answers(alliance, {"bond_1": bad})


def test_unknown_item_is_rejected_listing_the_real_ones(alliance):
    with pytest.raises(AnswerError, match="'bond_9' is not an item.*bond_1"):
        score(alliance, {"bond_9": 3})


def test_reverse_items_are_scored_from_the_other_end(tmp_path):
    definition = {
        "schema_version": 1, "id": "demo", "title": "Demo", "instructions": "Rate.",
        "scale": {"min": 1, "max": 5},
        "subscales": [{"id": "a", "label": "A"}],
        "items": [{"id": "a1", "subscale": "a", "text": "x"},
                  {"id": "a2", "subscale": "a", "text": "y", "reverse": True}],
    }
    path = tmp_path / "demo.json"
    path.write_text(json.dumps(definition))
    assert score(load_instrument(path), {"a1": 5, "a2": 5}).total == 5 + 1


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        (lambda d: d.pop("scale"), "scale", "is missing. Give min, max and optionally labels"),
        (lambda d: d["scale"].update(min=5), "scale", "min 5 should be below max 5"),
        (lambda d: d["scale"].update(labels=["one"]), "scale.labels", "Give one label per scale point"),
        (lambda d: d["items"][0].update(subscale="nope"), "items.0.subscale",
         "'nope' is not one of bond, goals, tasks. Name one of the declared subscales"),
        (lambda d: d["items"].append(dict(d["items"][0])), "items", "ids repeat: bond_1"),
        (lambda d: d["items"][3].update(text=" "), "items.3.text", "is empty; it should be a non-empty text"),
        (lambda d: d["items"][3].update(reverse="yes"), "items.3.reverse", "should be true or false"),
        (lambda d: d["items"][3].update(txet="typo"), "items.3.txet", "Check its spelling"),
        (lambda d: d.update(schema_version=9), "schema_version",
         "is 9, but it must be 1. This coursekit reads version 1 of this format"),
        (lambda d: d.update(version=2.0), "version", "whole number from 1 up, not a number with a decimal"),
    ],
)
def test_a_broken_definition_names_file_and_field(tmp_path, change, field, words):
    raw = json.loads(json.dumps(_alliance_raw()))
    change(raw)
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(raw))
    with pytest.raises(InstrumentError) as caught:
        load_instrument(path)
    assert caught.value.field == field, str(caught.value)
    assert str(caught.value).startswith(f"{path}, field '{field}': ") and words in str(caught.value)


def test_an_instrument_that_is_not_json_says_so(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{"schema_version": 1,')
    with pytest.raises(InstrumentError, match="broken.json: is not valid JSON"):
        load_instrument(path)


def test_a_missing_instrument_file_says_where_its_name_comes_from(tmp_path):
    with pytest.raises(InstrumentError, match="module.toml"):
        load_instrument(tmp_path / "no-such-thing.json")


def _alliance_raw():
    return json.loads((COURSE / "source" / "alliance" / "alliance.json").read_text())


# --- items that may not apply --------------------------------------------------


def test_did_not_happen_is_answered_but_no_value_means_are_over_the_items_that_applied(alliance):
    answers = {item.id: 4 for item in alliance.items} | {"bond_1": 1, "bond_3": NOT_APPLICABLE}
    result = score(alliance, answers)
    bond = result.subscale("bond")
    assert result.complete and result.missing == ()
    assert result.not_applicable == ("bond_3",)
    assert (bond.answered, bond.not_applicable, bond.applicable) == (4, 1, 3)
    assert bond.mean == 3.0  # (1 + 4 + 4) / 3, where a 0 or a blank would give 2.25 or "open"
    assert bond.total is None  # a sum of three items would read as a low four-item total
    assert result.subscale("goals").mean == 4.0 and result.subscale("goals").total == 16
    assert result.mean == (1 + 4 * 10) / 11 and result.total is None


def test_an_unanswered_item_is_not_a_did_not_happen(alliance):
    answers = {item.id: 4 for item in alliance.items if item.id != "bond_3"}
    result = score(alliance, answers)
    assert result.missing == ("bond_3",) and result.not_applicable == ()
    assert result.subscale("bond").mean is None and not result.complete


def test_did_not_happen_is_refused_for_an_item_that_does_not_offer_it(alliance):
    with pytest.raises(AnswerError, match="bond_1 has no 'did not happen' choice"):
        validate_answers(alliance, {"bond_1": NOT_APPLICABLE})


def test_a_subscale_none_of_whose_items_applied_has_no_value_but_is_complete():
    relationship = instrument_of("relationship")
    answers = {item.id: 3 for item in relationship.items} | {"rupture_repair": NOT_APPLICABLE}
    result = score(relationship, answers)
    ruptures = result.subscale("rupture_repair")
    assert result.complete and ruptures.mean is None and ruptures.total is None
    assert result.subscale("alliance").mean == 3.0


def test_item_scores_leave_out_the_items_that_did_not_happen(alliance):
    answers = {"bond_1": 2, "bond_3": NOT_APPLICABLE}
    assert item_scores(alliance, answers) == {"bond_1": 2}


def test_every_item_about_what_may_not_have_happened_offers_did_not_happen():
    # "When there was tension...": an item that opens on a condition may have nothing to rate
    for form_id in ("alliance", "relationship", "craft", "stuck"):
        instrument = instrument_of(form_id)
        for item in instrument.items:
            conditional = item.text.startswith("When ") or ": when " in item.text
            assert bool(item.not_applicable) == conditional, (form_id, item.id)
    assert [i.id for i in instrument_of("alliance").items if i.not_applicable] == ["bond_3", "goals_3",
                                                                                   "tasks_3"]


def test_a_not_applicable_text_that_reads_as_a_scale_point_is_refused(tmp_path):
    raw = _alliance_raw()
    raw["items"][0]["not_applicable"] = "rarely"
    path = tmp_path / "alliance.json"
    path.write_text(json.dumps(raw))
    with pytest.raises(InstrumentError) as info:
        load_instrument(path)
    assert info.value.field == "items.0.not_applicable" and "scale" in info.value.problem


def test_the_items_cell_lists_the_did_not_happen_choice(alliance):
    text = render_instrument(alliance)
    bond_3 = text.split("\n7. ")[1].split("\n8. ")[0]
    assert "Did not happen: there was no tension" in bond_3
    assert "Did not happen" not in text.split("\n1. ")[1].split("\n2. ")[0]
