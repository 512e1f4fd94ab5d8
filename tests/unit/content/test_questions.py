import json

import pytest

from conftest import module_of, questions_of
from coursekit.content.questions import load_questions, validate_numbers
from coursekit.errors import AnswerError, InstrumentError
from coursekit.student.checks import IncompleteError, check_questions
from coursekit.student.responses import FILENAME, ResponseStore
from coursekit.student.widgets import QuestionForm, ask


@pytest.fixture
def prediction():
    return questions_of("breakthroughs_prediction")


def test_the_prediction_set_asks_three_bounded_numbers(prediction):
    assert [q.id for q in prediction.questions] == ["gain_percent", "reversal_percent", "sessions_to_half"]
    assert prediction.question("sessions_to_half").min == 1


@pytest.mark.parametrize(("value", "words"), [(101, "outside the range 0 to 100"), (-1, "outside"),
                                              (2.5, "not a whole number"), ("7", "not a whole number")])
def test_bad_numbers_are_refused_naming_the_question(prediction, value, words):
    with pytest.raises(AnswerError, match=f"Question 1 \\(gain_percent\\).*{words}"):
        validate_numbers(prediction, {"gain_percent": value})


def test_a_broken_set_names_file_and_field(tmp_path):
    path = tmp_path / "set.json"
    path.write_text(json.dumps({"schema_version": 1, "id": "x", "title": "t", "instructions": "i",
                                "questions": [{"id": "a", "text": "q", "min": 5, "max": 5}]}))
    with pytest.raises(InstrumentError) as caught:
        load_questions(path)
    assert caught.value.field == "questions.0"
    assert str(caught.value).startswith(f"{path}, field 'questions.0': min 5 should be below max 5.")
    assert "Give the smallest answer allowed as min" in caught.value.advice


def test_the_form_saves_numbers_and_shows_them_again(answers_base):
    form = ask("breakthroughs_prediction", module=module_of("breakthroughs"))
    assert "Nothing saved yet" in form.status.value
    form.controls["gain_percent"].value = "30"
    form.controls["sessions_to_half"].value = " 8 "
    assert form.dirty and "Unsaved" in form.status.value
    form.save_button.click()
    assert "2 of 3 questions answered (still open: 2)" in form.status.value
    again = ask("breakthroughs_prediction", module=module_of("breakthroughs"))
    assert again.controls["gain_percent"].value == "30"
    assert again.controls["reversal_percent"].value == ""  # unanswered stays empty, not 0
    assert ResponseStore.here("breakthroughs").load().numbers("breakthroughs_prediction") == {
        "gain_percent": 30, "sessions_to_half": 8}


@pytest.mark.parametrize(("typed", "words"), [("lots", "'lots' is not a whole number"),
                                              ("250", "outside the range 0 to 100")])
def test_the_form_refuses_bad_input_and_keeps_what_was_saved(tmp_path, prediction, typed, words):
    store = ResponseStore(tmp_path, "breakthroughs")
    form = QuestionForm(prediction, store)
    form.controls["gain_percent"].value = "20"
    assert form.save()
    form.controls["gain_percent"].value = typed
    assert not form.save()
    assert words in form.message.value.replace("&#x27;", "'")
    assert store.load().numbers("breakthroughs_prediction") == {"gain_percent": 20}


def test_check_questions_passes_only_when_every_number_is_saved(tmp_path, prediction):
    with pytest.raises(IncompleteError, match="No saved answers"):
        check_questions(module_of("breakthroughs"), "breakthroughs_prediction", folder=tmp_path)
    store = ResponseStore(tmp_path, "breakthroughs")
    store.save_numbers(prediction, {"gain_percent": 10})
    with pytest.raises(IncompleteError, match="2 of 3 questions .*questions 2, 3"):
        check_questions(module_of("breakthroughs"), "breakthroughs_prediction", folder=tmp_path)
    store.save_numbers(prediction, {"gain_percent": 10, "reversal_percent": 5, "sessions_to_half": 9})
    saved = check_questions(module_of("breakthroughs"), "breakthroughs_prediction", folder=tmp_path)
    assert saved["reversal_percent"] == 5
    (tmp_path / FILENAME).write_text("nonsense")
    with pytest.raises(IncompleteError, match="could not be read"):
        check_questions(module_of("breakthroughs"), "breakthroughs_prediction", folder=tmp_path)
