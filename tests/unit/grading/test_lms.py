"""`coursekit grades`: a real nbgrader gradebook (SQLite, through nbgrader's Gradebook API) written
as the CSV that Canvas's and Moodle's grade imports read, keyed by a student-id mapping file.

What each LMS reads is checked against what it documents (see coursekit.grading.lms):
Canvas's header Student, ID, SIS User ID, SIS Login ID, Section, then the assignments, and its
"Points Possible" row; Moodle's one identifier column mapped to a user field, then one column
per grade item, and every student findable.
"""

from __future__ import annotations

import csv
import os
import shutil
import stat
from pathlib import Path

import pytest

from conftest import copy_course
from coursekit.cli import main

MAX = {"alliance": 6.0, "craft": 4.0}  # each: an automatic cell and a reflection graded by hand


@pytest.fixture(autouse=True)
def _quiet_sqlalchemy(recwarn):  # nbgrader's API warns about SQLAlchemy 2.0 usage; not ours
    yield


_EMPTY: list[Path] = []


def _empty_gradebook(folder: Path) -> Path:
    """A new, empty gradebook made by nbgrader once per run (making one takes seconds), copied."""
    from nbgrader.api import Gradebook

    if not _EMPTY:
        folder.mkdir(parents=True, exist_ok=True)
        Gradebook(f"sqlite:///{folder / 'empty.db'}", course_id="coursekit").close()
        _EMPTY.append(folder / "empty.db")
    return _EMPTY[0]


@pytest.fixture(autouse=True)
def _template(tmp_path_factory):
    _empty_gradebook(tmp_path_factory.getbasetemp() / "gradebook-template")


def gradebook(course: Path, scores: dict[str, dict[str, float]], *, late: dict | None = None,
              ungraded: tuple[tuple[str, str], ...] = ()) -> Path:
    """A course copy whose gradebook holds these scores (student -> module -> points), written
    with nbgrader's Gradebook API."""
    from nbgrader.api import Gradebook

    copy_course(course)
    shutil.copy(_EMPTY[0], course / "gradebook.db")
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", course_id="coursekit") as gb:
        for module, points in MAX.items():
            gb.add_assignment(module)
            gb.add_notebook(module, module)
            gb.add_grade_cell("auto", module, module, max_score=points - 2, cell_type="code")
            gb.add_grade_cell("reflection", module, module, max_score=2, cell_type="markdown")
        for student, by_module in scores.items():
            gb.add_student(student)
            for module, score in by_module.items():
                submission = gb.add_submission(module, student)
                auto = gb.find_grade("auto", module, module, student)
                auto.auto_score = min(score, MAX[module] - 2)
                auto.needs_manual_grade = False
                reflection = gb.find_grade("reflection", module, module, student)
                reflection.manual_score = score - auto.auto_score
                reflection.needs_manual_grade = (student, module) in ungraded
                if late and (student, module) in late:
                    notebook = gb.find_submission_notebook(module, module, student)
                    notebook.late_submission_penalty = late[(student, module)]
                del submission
        gb.db.commit()
    return course


SCORES = {"ana": {"alliance": 5.5, "craft": 4.0}, "ben": {"alliance": 6.0}, "cem": {"craft": 1.0}}


def mapping(tmp_path: Path, rows: list[str], header: str = "nbgrader_id,name,canvas_id,sis_user_id,"
            "sis_login_id,section,email,idnumber") -> Path:
    path = tmp_path / "students.csv"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


FULL = ["ana,\"Ana Silva\",101,S-1,ana.silva,Tuesday,Ana.Silva@uni.example,1001",
        "ben,Ben Okoro,102,S-2,ben.okoro,Tuesday,ben@uni.example,1002",
        "cem,Cem Yilmaz,103,S-3,cem.y,Thursday,cem@uni.example,1003"]


def grades(*args: str) -> int:
    return main(["grades", *args])


def rows_of(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


def test_canvas_gets_its_documented_columns_and_the_points_possible_row(tmp_path, capsys):
    course = gradebook(tmp_path / "course", SCORES)
    out = tmp_path / "canvas.csv"
    assert grades("--format", "canvas", "--mapping", str(mapping(tmp_path, FULL)), "--course",
                  str(course), "--out", str(out), "--column", "craft=Craft practice (2207)") == 0
    rows = rows_of(out)
    # the importer's header: Student, ID, SIS User ID, SIS Login ID, Section, then assignments
    assert rows[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "alliance",
                       "Craft practice (2207)"]
    assert rows[1] == ["Points Possible", "", "", "", "", "6", "4"]
    # one row per student, one column per module in the course's order; no submission: 0
    assert rows[2:] == [["Ana Silva", "101", "S-1", "ana.silva", "Tuesday", "5.5", "4"],
                        ["Ben Okoro", "102", "S-2", "ben.okoro", "Tuesday", "6", "0"],
                        ["Cem Yilmaz", "103", "S-3", "cem.y", "Thursday", "0", "1"]]
    assert out.read_bytes().count(b"\r\n") == 5  # RFC 4180 line ends
    assert stat.S_IMODE(out.stat().st_mode) == 0o600  # names and grades: the instructor's only
    said = capsys.readouterr().out
    assert f"Wrote {out}: 3 student(s) x 2 module(s) (alliance, craft), canvas format" in said


def test_moodle_gets_one_identifier_column_and_a_column_per_grade_item(tmp_path, capsys):
    course = gradebook(tmp_path / "course", SCORES)
    students = mapping(tmp_path, FULL)
    out = tmp_path / "moodle.csv"
    assert grades("--format", "moodle", "--mapping", str(students), "--course", str(course),
                  "--out", str(out), "--missing", "blank") == 0
    rows = rows_of(out)
    assert rows == [["Email address", "alliance", "craft"],
                    ["Ana.Silva@uni.example", "5.5", "4"],  # as written: Moodle compares case
                    ["ben@uni.example", "6", ""],  # blank: Moodle leaves the grade as it is
                    ["cem@uni.example", "", "1"]]
    assert "Points Possible" not in out.read_text()  # Moodle would look for a student by that
    assert "map from 'moodle.csv''s first column" in capsys.readouterr().out
    assert grades("--format", "moodle", "--mapping", str(students), "--course", str(course),
                  "--out", str(out), "--moodle-id", "idnumber") == 0
    assert [r[0] for r in rows_of(out)] == ["ID number", "1001", "1002", "1003"]


def test_a_plain_csv_needs_no_mapping_and_keeps_what_a_mapping_gives(tmp_path):
    course = gradebook(tmp_path / "course", SCORES, late={("ben", "alliance"): 1.5})
    assert grades("--format", "csv", "--course", str(course)) == 0
    rows = rows_of(course / "grades-csv.csv")
    # late penalties are taken off, as nbgrader export does
    assert rows == [["nbgrader_id", "alliance", "craft"], ["ana", "5.5", "4"], ["ben", "4.5", "0"],
                    ["cem", "0", "1"]]
    students = mapping(tmp_path, ["ana,,,,,,ana@x", "ben,,,,,,ben@x", "cem,,,,,,cem@x"])
    assert grades("--format", "csv", "--course", str(course), "--mapping", str(students)) == 0
    assert rows_of(course / "grades-csv.csv")[0] == ["nbgrader_id", "email", "alliance", "craft"]


def test_run_from_the_wrong_folder_it_names_the_folder_and_writes_nothing(tmp_path, monkeypatch,
                                                                            capsys):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    assert grades("--format", "csv") == 2
    err = capsys.readouterr().err
    assert f"{elsewhere / 'course'} is not a course folder" in err
    assert f"this was run from {elsewhere}" in err and "nothing was written" in err
    assert list(elsewhere.iterdir()) == []


def test_a_course_that_has_graded_nothing_yet_is_refused_and_no_gradebook_is_made(tmp_path, capsys):
    course = copy_course(tmp_path / "course")
    assert grades("--format", "csv", "--course", str(course)) == 2
    err = capsys.readouterr().err
    assert f"has no gradebook yet ({course.resolve() / 'gradebook.db'} does not exist)" in err
    assert not (course / "gradebook.db").exists() and not (course / "grades-csv.csv").exists()


def test_an_empty_gradebook_is_refused_instead_of_writing_an_empty_table(tmp_path, capsys):
    course = gradebook(tmp_path / "course", {"ana": {}, "ben": {}})  # modules and students, no grades
    assert grades("--format", "csv", "--course", str(course)) == 2
    err = capsys.readouterr().err
    assert "holds no graded submission of alliance, craft" in err and "nothing was written" in err
    assert not (course / "grades-csv.csv").exists()


def test_students_missing_from_the_mapping_stop_the_export_with_their_list(tmp_path, capsys):
    course = gradebook(tmp_path / "course", {**SCORES, "sim-0001": {"alliance": 2.0}})
    students = mapping(tmp_path, FULL[:1])
    out = tmp_path / "canvas.csv"
    assert grades("--format", "canvas", "--mapping", str(students), "--course", str(course),
                  "--out", str(out)) == 2
    err = capsys.readouterr().err
    assert f"3 student(s) in the gradebook are not in {students}: ben, cem, sim-0001" in err
    assert "--allow-unmapped" in err and not out.exists()
    # told to, it leaves them out, and says so (exit 1: written, but not everyone)
    assert grades("--format", "canvas", "--mapping", str(students), "--course", str(course),
                  "--out", str(out), "--allow-unmapped") == 1
    assert [r[0] for r in rows_of(out)] == ["Student", "Points Possible", "Ana Silva"]
    assert "Left out, not in the mapping file (--allow-unmapped): ben, cem, sim-0001." in \
        capsys.readouterr().out


@pytest.mark.parametrize(("rows", "fmt", "words"), [
    (FULL + ["ana,Ana again,104,S-4,a2,Tuesday,a2@x,1004"], "canvas", "lists ana twice (lines 2 and 5)"),
    (["ana,Ana,,,,Tuesday,a@x,1", *FULL[1:]], "canvas",
     "gives no canvas_id or sis_user_id or sis_login_id for ana (line 2)"),
    ([FULL[0], "ben,Ben,102,S-2,b,T,ANA.SILVA@uni.example,2", FULL[2]], "moodle",
     "gives the same email 'ANA.SILVA@uni.example' to ana and ben"),
    ([",Nobody,9,S-9,n,T,n@x,9", *FULL], "csv", "line 2 has no nbgrader_id"),
])
def test_a_mapping_that_would_put_a_grade_on_the_wrong_student_is_refused(tmp_path, capsys, rows,
                                                                          fmt, words):
    course = gradebook(tmp_path / "course", SCORES)
    students = mapping(tmp_path, rows)
    assert grades("--format", fmt, "--mapping", str(students), "--course", str(course)) == 2
    err = capsys.readouterr().err
    assert str(students) in err and words in err, err
    assert not (course / f"grades-{fmt}.csv").exists()


def test_a_canvas_roster_header_is_read_as_the_mapping(tmp_path):
    course = gradebook(tmp_path / "course", {"ana": {"alliance": 3.0}})
    students = mapping(tmp_path, ["ana,Ana Silva,101,S-1,ana.silva,Tuesday"],
                       header="nbgrader_id,Student,ID,SIS User ID,SIS Login ID,Section")
    out = tmp_path / "canvas.csv"
    assert grades("--format", "canvas", "--mapping", str(students), "--course", str(course),
                  "--out", str(out)) == 0
    assert rows_of(out)[2][:5] == ["Ana Silva", "101", "S-1", "ana.silva", "Tuesday"]


def test_scores_still_waiting_for_manual_grading_are_written_and_flagged(tmp_path, capsys):
    course = gradebook(tmp_path / "course", SCORES, ungraded=(("ana", "craft"),))
    assert grades("--format", "csv", "--course", str(course)) == 1
    said = capsys.readouterr().out
    assert "1 submission(s) still wait for manual grading" in said and "ana (craft)" in said


def test_bad_options_are_refused_before_anything_is_read(tmp_path, capsys):
    course = gradebook(tmp_path / "course", SCORES)
    assert grades("--format", "canvas", "--course", str(course)) == 2
    assert "needs a student-id mapping file" in capsys.readouterr().err
    assert grades("--format", "csv", "--course", str(course), "--column", "alliance") == 2
    assert "--column takes MODULE=NAME" in capsys.readouterr().err
    assert grades("--format", "csv", "--course", str(course), "--module", "nosuch") == 2
    assert "has no module 'nosuch'; it has alliance, craft" in capsys.readouterr().err
    assert not any(p.name.startswith("grades-") for p in course.iterdir())
    assert os.path.exists(course / "gradebook.db")
