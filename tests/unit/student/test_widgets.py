"""The form, driven without a kernel or browser through .value and .click().

What the browser draws from these controls (the radio groups, their names, the
keys) is checked in a real JupyterLab by tests/integration/test_browser.py.
"""

import pytest
import traitlets

from conftest import make_readonly, module_of
from coursekit.student.responses import FILENAME, ResponseStore
from coursekit.student.widgets import InstrumentForm, assess
from coursekit.student.widgets_front import ChoiceGroup, LiveRegion, PushButton


def test_one_control_per_item_named_by_its_statement_with_the_scale_labels(tmp_path, alliance):
    form = InstrumentForm(alliance, ResponseStore(tmp_path, "alliance"))
    assert list(form.controls) == [item.id for item in alliance.items]
    first = form.controls["bond_1"]
    assert isinstance(first, ChoiceGroup)  # one radio group per item in the browser
    assert first.options == tuple((alliance.scale.label(v), v) for v in alliance.scale.points)
    assert first.labels == [alliance.scale.label(v) for v in alliance.scale.points]
    assert (first.number, first.text) == ("1.", alliance.items[0].text)  # the group's name
    assert first.value is None and first.index is None
    # the statement is the control's own (shown once, naming the group), not a separate label
    assert form.children[1:13] == tuple(form.controls.values())
    assert isinstance(form.save_button, PushButton)
    assert isinstance(form.status, LiveRegion) and form.status.kind == "status"
    assert form.message.kind == "alert"
    assert "Nothing saved yet" in form.status.value and form.status.tone == "warn"


def test_the_browser_side_and_python_side_of_a_choice_agree(tmp_path, alliance):
    control = InstrumentForm(alliance, ResponseStore(tmp_path, "alliance")).controls["bond_3"]
    control.index = 2  # what the browser sends when the third option is chosen
    assert control.value == alliance.scale.points[2] and control.label == alliance.scale.label(3)
    control.value = 5
    assert control.index == 4
    control.index = len(control.options) - 1  # the "did not happen" option, last in the group
    assert control.label == "Did not happen: there was no tension"
    with pytest.raises(traitlets.TraitError, match="is not one of the choices"):
        control.value = 9
    control.value = None
    assert control.index is None


def test_a_form_shows_as_text_where_widgets_cannot_be_drawn(tmp_path, alliance):
    form = InstrumentForm(alliance, ResponseStore(tmp_path, "alliance"))
    form.controls["bond_1"].value = 4
    bundle = form._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    text = bundle["text/plain"]
    assert text.startswith(alliance.title)
    assert f"1. {alliance.items[0].text}: Very often" in text
    assert f"2. {alliance.items[1].text}: (not answered)" in text
    assert "Unsaved changes" in text


def test_changing_an_answer_shows_unsaved_and_save_puts_it_on_disk(tmp_path, alliance):
    store = ResponseStore(tmp_path, "alliance")
    form = InstrumentForm(alliance, store)
    form.controls["goals_2"].value = 5
    assert form.dirty and "Unsaved changes" in form.status.value
    form.save_button.click()
    assert not form.dirty
    assert "Saved" in form.status.value and "1 of 12 items answered" in form.status.value
    assert form.status.tone == "warn"  # saved, but items are still open
    assert ResponseStore(tmp_path, "alliance").answers("alliance") == {"goals_2": 5}


def test_rerunning_the_form_shows_the_answers_already_saved(answers_base, alliance):
    first = assess("alliance", module=module_of("alliance"))
    for item in alliance.items:
        first.controls[item.id].value = 3
    assert first.save()
    again = assess("alliance", module=module_of("alliance"))
    assert {key: c.value for key, c in again.controls.items()} == {i.id: 3 for i in alliance.items}
    assert "12 of 12 items answered" in again.status.value
    assert "still open" not in again.status.value and again.status.tone == "ok"


def test_a_save_error_is_shown_and_nothing_is_lost(readonly_folder, alliance):
    store = ResponseStore(readonly_folder, "alliance")
    form = InstrumentForm(alliance, store)
    form.controls["bond_1"].value = 4
    assert form.save()
    make_readonly(readonly_folder)
    form.controls["bond_2"].value = 2
    assert not form.save()
    assert form.message.kind == "alert" and "not writable" in form.message.value
    assert form.message.lead == "Warning:"
    assert "Not saved" in form.status.value and form.status.tone == "warn"
    assert form.controls["bond_2"].value == 2  # the answer stays in the form to retry
    assert store.load().answers("alliance") == {"bond_1": 4}


def test_a_corrupt_file_is_reported_in_the_form(tmp_path, alliance):
    (tmp_path / FILENAME).write_text("[1, 2", encoding="utf-8")
    form = InstrumentForm(alliance, ResponseStore(tmp_path, "alliance"))
    assert "could not" not in form.status.value
    assert "not valid JSON" in form.message.value and "corrupt-" in form.message.value


@pytest.mark.parametrize("module", ["alliance"])
def test_assess_builds_the_module_form(answers_base, module):
    form = assess(module, module=module_of(module))
    assert form.store.folder == answers_base / module


def test_an_item_that_may_not_apply_has_a_labelled_did_not_happen_choice(tmp_path, alliance):
    from coursekit.content.instruments import NOT_APPLICABLE

    store = ResponseStore(tmp_path, "alliance")
    form = InstrumentForm(alliance, store)
    choices = form.controls["bond_3"].options
    # one more radio button of the same group, labelled with its own text
    assert choices[-1] == ("Did not happen: there was no tension", NOT_APPLICABLE)
    assert len(choices) == len(alliance.scale.points) + 1
    assert len(form.controls["bond_1"].options) == len(alliance.scale.points)
    for item in alliance.items:
        form.controls[item.id].value = 4
    form.controls["bond_3"].value = NOT_APPLICABLE
    assert form.save()
    assert "12 of 12 items answered, 1 of them as did not happen" in form.status.value
    assert store.answers("alliance")["bond_3"] is NOT_APPLICABLE
    again = InstrumentForm(alliance, ResponseStore(tmp_path, "alliance"))
    assert again.controls["bond_3"].value is NOT_APPLICABLE and not again.dirty
    assert "1 of them as did not happen" in again.status.value


def test_a_box_holding_no_number_is_marked_as_the_one_to_fix(tmp_path):
    from conftest import questions_of
    from coursekit.student.widgets import QuestionForm

    form = QuestionForm(questions_of("breakthroughs_prediction"), ResponseStore(tmp_path, "breakthroughs"))
    box = form.controls["gain_percent"]
    assert (box.text, box.number) == (form.qset.questions[0].text, "1.")  # the box's name: its question
    box.value = "lots"
    assert not form.save()
    assert "not a whole number" in form.message.value and box.error  # said in the alert and at the box
    box.value = "20"
    assert form.save() and box.error == ""
