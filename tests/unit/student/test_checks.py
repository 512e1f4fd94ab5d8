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
