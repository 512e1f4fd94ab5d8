import pytest

from conftest import complete_answers, module_of
from coursekit.student.checks import IncompleteError, check_completion
from coursekit.student.responses import FILENAME, ResponseStore


def test_complete_saved_answers_pass_and_return_the_score(tmp_path, alliance):
    ResponseStore(tmp_path, "alliance").save_answers(alliance, complete_answers(alliance, 5))
    result = check_completion(module_of("alliance"), folder=tmp_path)
    assert result.total == 60


def test_no_file_fails_with_advice(tmp_path):
    with pytest.raises(IncompleteError, match="No saved answers.*press Save answers"):
        check_completion(module_of("alliance"), folder=tmp_path)


def test_missing_items_are_listed_by_number(tmp_path, alliance):
    answers = complete_answers(alliance)
    del answers["bond_1"], answers["tasks_4"]
    ResponseStore(tmp_path, "alliance").save_answers(alliance, answers)
    with pytest.raises(IncompleteError, match=r"2 of 12 .*items 1, 12"):
        check_completion(module_of("alliance"), folder=tmp_path)


def test_a_corrupt_file_fails_and_is_left_in_place(tmp_path):
    (tmp_path / FILENAME).write_text("{", encoding="utf-8")
    with pytest.raises(IncompleteError, match="could not be read"):
        check_completion(module_of("alliance"), folder=tmp_path)
    assert (tmp_path / FILENAME).read_text() == "{"


def test_the_failure_is_an_assertion_so_nbgrader_gives_no_points(tmp_path):
    with pytest.raises(AssertionError):
        check_completion(module_of("alliance"), folder=tmp_path)


def test_did_not_happen_counts_as_answered_for_completion(tmp_path, alliance, capsys):
    from coursekit.content.instruments import NOT_APPLICABLE
    from coursekit.student.checks import completion_report

    answers = complete_answers(alliance) | {"bond_3": NOT_APPLICABLE, "tasks_3": NOT_APPLICABLE}
    ResponseStore(tmp_path, "alliance").save_answers(alliance, answers)
    result = check_completion(module_of("alliance"), folder=tmp_path)
    assert result.complete and result.not_applicable == ("bond_3", "tasks_3")
    lines = completion_report(module_of("alliance"), folder=tmp_path)
    assert lines == [f"Done: your answers to \u201c{alliance.title}\u201d are saved, all 12 items "
                     "answered, 2 of them as did not happen."]


def test_an_item_left_blank_beside_did_not_happen_answers_still_fails(tmp_path, alliance):
    from coursekit.content.instruments import NOT_APPLICABLE

    answers = complete_answers(alliance) | {"bond_3": NOT_APPLICABLE}
    del answers["goals_3"]
    ResponseStore(tmp_path, "alliance").save_answers(alliance, answers)
    with pytest.raises(IncompleteError, match=r"1 of 12 .*items 8\)"):
        check_completion(module_of("alliance"), folder=tmp_path)


def test_the_completion_check_says_it_in_a_sentence_and_shows_no_value(tmp_path, alliance, capsys):
    """A returned value would show as a raw list, and nbgrader would try to read it as points."""
    from coursekit.student.checks import check_module

    ResponseStore(tmp_path, "alliance").save_answers(alliance, complete_answers(alliance))
    assert check_module(module_of("alliance"), folder=tmp_path) is None
    assert capsys.readouterr().out == (
        f"Done: your answers to \u201c{alliance.title}\u201d are saved, all 12 items answered.\n")


def test_the_breakthroughs_check_names_its_prediction_in_a_sentence(tmp_path, capsys):
    from conftest import questions_of
    from coursekit.student.checks import check_module

    prediction = questions_of("breakthroughs_prediction")
    ResponseStore(tmp_path, "breakthroughs").save_numbers(
        prediction, {q.id: q.min for q in prediction.questions})
    check_module(module_of("breakthroughs"), folder=tmp_path)
    assert capsys.readouterr().out == (
        f"Done: your answers to \u201c{prediction.title}\u201d are saved, all 3 questions answered.\n")


def test_a_failed_check_shows_in_a_notebook_as_its_message_alone(tmp_path):
    with pytest.raises(IncompleteError) as caught:
        check_completion(module_of("alliance"), folder=tmp_path)
    assert caught.value._render_traceback_() == [str(caught.value)]
    assert str(caught.value).startswith("No saved answers to the ")
