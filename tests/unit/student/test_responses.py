import json
import multiprocessing
import os
import stat

import pytest

from conftest import complete_answers, fill, make_readonly
from coursekit.content.instruments import NOT_APPLICABLE
from coursekit.errors import AnswerError, ResponseFileError, StoreError
from coursekit.student.responses import FILENAME, ResponseStore, read_responses


def test_saved_answers_come_back_in_a_new_store(tmp_path, alliance):
    ResponseStore(tmp_path, "alliance").save_answers(alliance, {"bond_1": 4, "tasks_2": 2})
    again = ResponseStore(tmp_path, "alliance")
    assert again.answers("alliance") == {"bond_1": 4, "tasks_2": 2}
    assert again.notice is None


def test_file_is_versioned_json_next_to_the_notebook(tmp_path, alliance):
    ResponseStore(tmp_path, "alliance").save_answers(alliance, {"bond_1": 4})
    raw = json.loads((tmp_path / FILENAME).read_text())
    assert raw["format"] == "coursekit-responses" and raw["schema_version"] == 1
    assert raw["module"] == "alliance" and raw["revision"] == 1
    assert raw["instruments"]["alliance"]["answers"] == {"bond_1": 4}
    assert raw["instruments"]["alliance"]["instrument_version"] == alliance.version


def test_file_is_readable_by_its_owner_only(tmp_path, alliance):
    store = ResponseStore(tmp_path, "alliance")
    store.save_answers(alliance, {"bond_1": 4})
    store.save_value("note", {"x": 1})
    assert stat.S_IMODE(os.stat(store.path).st_mode) == 0o600


def test_each_save_bumps_the_revision_and_keeps_other_entries(tmp_path, alliance):
    store = ResponseStore(tmp_path, "alliance")
    store.save_value("prediction", {"gains": 3})
    saved = store.save_answers(alliance, {"bond_1": 2})
    assert saved.revision == 2
    assert saved.values == {"prediction": {"gains": 3}}
    assert store.load().answers("alliance") == {"bond_1": 2}


def test_an_invalid_answer_is_refused_and_the_file_is_unchanged(tmp_path, alliance):
    store = ResponseStore(tmp_path, "alliance")
    store.save_answers(alliance, {"bond_1": 4})
    before = store.path.read_bytes()
    with pytest.raises(AnswerError):
        store.save_answers(alliance, {"bond_1": 9})
    assert store.path.read_bytes() == before


def test_a_crash_during_the_write_leaves_the_previous_version(tmp_path, alliance, monkeypatch):
    store = ResponseStore(tmp_path, "alliance")
    store.save_answers(alliance, {"bond_1": 4})
    before = store.path.read_bytes()

    def crash(*_args):
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(StoreError, match="previously saved answers are unchanged"):
        store.save_answers(alliance, {"bond_1": 1})
    monkeypatch.undo()
    assert store.path.read_bytes() == before
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")], "temporary file left behind"


def test_a_corrupt_file_is_moved_aside_not_overwritten(tmp_path, alliance):
    (tmp_path / FILENAME).write_text("{not json", encoding="utf-8")
    store = ResponseStore(tmp_path, "alliance")
    assert store.load().answers("alliance") == {}
    assert store.notice and "not valid JSON" in store.notice and "corrupt-" in store.notice
    kept = list(tmp_path.glob("coursekit-responses.corrupt-*.json"))
    assert len(kept) == 1 and kept[0].read_text() == "{not json"
    store.save_answers(alliance, {"bond_1": 3})
    assert kept[0].read_text() == "{not json"


def test_reading_for_grading_reports_a_corrupt_file_and_changes_nothing(tmp_path):
    path = tmp_path / FILENAME
    path.write_bytes(b"\xff\xfe garbage")
    with pytest.raises(ResponseFileError, match=f"{FILENAME}: is not UTF-8"):
        read_responses(path, "alliance")
    assert path.read_bytes() == b"\xff\xfe garbage"


def test_a_file_from_another_module_is_not_taken_for_this_one(tmp_path, alliance):
    ResponseStore(tmp_path, "craft").save_value("x", 1)
    with pytest.raises(ResponseFileError, match="holds answers for module 'craft', not 'alliance'"):
        read_responses(tmp_path / FILENAME, "alliance")


@pytest.mark.parametrize(
    ("content", "field", "words"),
    [
        ({"format": "other"}, "format",
         "cannot be read: field 'format' is 'other', but it must be 'coursekit-responses'. "
         "It is not a coursekit response file."),
        ([1, 2], None,
         "cannot be read: should be an object with format, schema_version, module and revision"),
        ({"format": "coursekit-responses", "schema_version": 7, "module": "alliance", "revision": 1},
         "schema_version", "field 'schema_version' is 7, but it must be 1. This coursekit reads "
         "schema_version 1; a later version comes from a newer coursekit, so update coursekit."),
        ({"format": "coursekit-responses", "schema_version": 1, "module": "alliance"}, "revision",
         "field 'revision' is missing."),
        ({"format": "coursekit-responses", "schema_version": 1, "module": "alliance", "revision": 1,
          "instruments": {"alliance": {"answers": {"bond_1": "four"}}}},
         "instruments.alliance.answers.bond_1",
         "field 'instruments.alliance.answers.bond_1' should be a whole number, not text ('four')."),
        ({"format": "coursekit-responses", "schema_version": 1, "module": "alliance", "revision": 1,
          "instruments": {"alliance": {"answers": {"bond_1": 4.0}}}}, "instruments.alliance.answers.bond_1",
         "should be a whole number, not a number with a decimal point (4.0)."),
    ],
)
def test_malformed_files_are_named_with_the_problem(tmp_path, content, field, words):
    path = tmp_path / FILENAME
    path.write_text(json.dumps(content))
    with pytest.raises(ResponseFileError) as caught:
        read_responses(path, "alliance")
    # The problem names its field itself: the store's notice shows it after the file's name.
    assert caught.value.field == field
    assert str(caught.value).startswith(f"{path}: cannot be read: ") and words in str(caught.value)


def test_a_damaged_file_is_explained_to_the_student_by_its_field(tmp_path, alliance):
    (tmp_path / FILENAME).write_text(json.dumps({"format": "coursekit-responses", "schema_version": 1,
                                                 "module": "alliance", "revision": "three"}))
    store = ResponseStore(tmp_path, "alliance")
    assert store.load().answers("alliance") == {}
    assert store.notice and store.notice.startswith(
        f"Your saved answers file {FILENAME} cannot be read: field 'revision' should be a whole number "
        "from 0 up, not text ('three'). It was kept as coursekit-responses.corrupt-")


def test_fields_a_later_coursekit_may_add_do_not_make_a_file_damaged(tmp_path, alliance):
    ResponseStore(tmp_path, "alliance").save_answers(alliance, {"bond_1": 4})
    raw = json.loads((tmp_path / FILENAME).read_text())
    raw["device"] = "laptop"
    raw["instruments"]["alliance"]["duration_seconds"] = 80
    (tmp_path / FILENAME).write_text(json.dumps(raw))
    assert read_responses(tmp_path / FILENAME, "alliance").answers("alliance") == {"bond_1": 4}


def test_here_uses_the_assignments_folder_override(answers_base, alliance):
    store = ResponseStore.here("alliance")
    assert store.folder == answers_base / "alliance"
    store.save_answers(alliance, {"bond_1": 1})
    assert (answers_base / "alliance" / FILENAME).is_file()


def test_a_read_only_folder_says_so_and_keeps_the_saved_answers(readonly_folder, alliance):
    store = ResponseStore(readonly_folder, "alliance")
    store.save_answers(alliance, {"bond_1": 4})
    make_readonly(readonly_folder)
    with pytest.raises(StoreError) as caught:
        store.save_answers(alliance, complete_answers(alliance, 2))
    assert "is not writable" in str(caught.value)
    assert "previously saved answers are unchanged" in str(caught.value)
    assert store.load().answers("alliance") == {"bond_1": 4}


def test_a_full_disk_says_so_and_keeps_the_saved_answers(full_folder, alliance):
    store = ResponseStore(full_folder, "alliance")
    store.save_answers(alliance, {"bond_1": 4})
    fill(full_folder)
    with pytest.raises(StoreError, match="the disk is full"):
        store.save_value("essay", "x" * 200_000)
    assert store.load().answers("alliance") == {"bond_1": 4}


def test_a_missing_folder_is_explained(tmp_path, alliance):
    with pytest.raises(StoreError, match="does not exist"):
        ResponseStore(tmp_path / "nope", "alliance").save_answers(alliance, {"bond_1": 1})


def _save_many(folder: str, key: str, count: int) -> None:
    store = ResponseStore(folder, "alliance")
    for n in range(count):
        store.save_value(f"{key}-{n}", n)


def test_two_processes_saving_at_once_lose_no_update(tmp_path):
    ctx = multiprocessing.get_context("spawn")
    workers = [ctx.Process(target=_save_many, args=(str(tmp_path), key, 40)) for key in "ab"]
    for w in workers:
        w.start()
    for w in workers:
        w.join(60)
        assert w.exitcode == 0
    saved = ResponseStore(tmp_path, "alliance").load()
    assert len(saved.values) == 80
    assert saved.revision == 80


# --- "did not happen" ------------------------------------------------------------


def test_did_not_happen_is_saved_apart_from_the_ratings_and_from_unanswered(tmp_path, alliance):
    ResponseStore(tmp_path, "alliance").save_answers(
        alliance, {"bond_1": 4, "bond_3": NOT_APPLICABLE, "goals_3": None})
    raw = json.loads((tmp_path / FILENAME).read_text())
    entry = raw["instruments"]["alliance"]
    assert entry["answers"] == {"bond_1": 4}  # ratings stay numbers
    assert entry["not_applicable"] == ["bond_3"]  # the unanswered goals_3 is in neither
    again = ResponseStore(tmp_path, "alliance").answers("alliance")
    assert again == {"bond_1": 4, "bond_3": NOT_APPLICABLE}
    assert "goals_3" not in again


def test_a_file_without_did_not_happen_has_no_such_field(tmp_path, alliance):
    ResponseStore(tmp_path, "alliance").save_answers(alliance, {"bond_1": 4})
    raw = json.loads((tmp_path / FILENAME).read_text())
    assert "not_applicable" not in raw["instruments"]["alliance"]  # as older files, byte for byte


def test_an_item_both_rated_and_marked_did_not_happen_is_a_damaged_file(tmp_path, alliance):
    ResponseStore(tmp_path, "alliance").save_answers(alliance, {"bond_3": 2})
    raw = json.loads((tmp_path / FILENAME).read_text())
    raw["instruments"]["alliance"]["not_applicable"] = ["bond_3"]
    (tmp_path / FILENAME).write_text(json.dumps(raw))
    with pytest.raises(ResponseFileError) as info:
        read_responses(tmp_path / FILENAME, "alliance")
    assert info.value.field == "instruments.alliance.not_applicable"
    assert "both rated and marked" in str(info.value)


def test_did_not_happen_is_refused_where_the_item_does_not_offer_it(tmp_path, alliance):
    store = ResponseStore(tmp_path, "alliance")
    with pytest.raises(AnswerError, match="no 'did not happen' choice"):
        store.save_answers(alliance, {"bond_1": NOT_APPLICABLE})
    assert not (tmp_path / FILENAME).exists()
