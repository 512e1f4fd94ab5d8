"""A module made by `coursekit new` inside the test, taken through every tool unchanged:
check, nbval, nbgrader generate and validate, a class through the real exchange,
autograde, the cohort report and the portfolio."""

from __future__ import annotations

import csv
import json
import sys

import nbformat
import pytest

from conftest import run, save_complete_answers, strictly_run_copy, tool_env
from coursekit.cli import main
from coursekit.content.manifest import load_course
from coursekit.content.notebooks import check_course

NEW = "diary"


@pytest.fixture
def course_with_new_module(course_copy, capsys):
    assert main(["new", NEW, "--title", "A practice diary", "--course", str(course_copy)]) == 0
    capsys.readouterr()
    return course_copy


def test_the_new_module_is_valid_listed_and_in_the_portfolio_list(course_with_new_module):
    course = course_with_new_module
    assert check_course(course) == []
    settings = load_course(course)
    assert settings.module_ids[-2:] == (NEW, "portfolio")  # before the portfolio, which draws on it
    listed = json.loads((course / "source" / "portfolio" / "course-modules.json").read_text())
    assert {"id": NEW, "title": "A practice diary"} in listed
    nb = nbformat.read(course / "source" / NEW / f"{NEW}.ipynb", as_version=4)
    specs = [c.metadata["coursekit"]["generated"] for c in nb.cells]
    assert specs[:2] == ["opening", "reading"] and f"form:{NEW}" in specs and f"profile:{NEW}" in specs
    assert specs[-3:] == ["privacy", "completion", "references"]
    assert "| 3 | reflection, six parts | 12, graded by your instructor |" in nb.cells[0].source


def test_an_edited_instrument_reaches_the_notebook_on_sync(course_with_new_module):
    course = course_with_new_module
    definition = course / "source" / NEW / f"{NEW}.json"
    data = json.loads(definition.read_text())
    data["items"][0]["text"] = "I wrote down one moment from every session."
    definition.write_text(json.dumps(data))
    assert any(f"('items:{NEW}')" in str(p) for p in check_course(course))
    assert main(["sync", str(course)]) == 0
    assert check_course(course) == []
    nb = nbformat.read(course / "source" / NEW / f"{NEW}.ipynb", as_version=4)
    assert "1. I wrote down one moment from every session." in nb.cells[2].source


@pytest.mark.kernel
def test_the_new_module_runs_under_nbval(course_with_new_module, tmp_path):
    course = course_with_new_module
    base = tmp_path / "assignments"
    save_complete_answers(base, course)
    source = strictly_run_copy(course / "source", tmp_path / "source")  # see conftest
    result = run([sys.executable, "-m", "pytest", "--nbval-lax", "-p", "no:cacheprovider", "-q",
                  str(source / NEW), str(source / "portfolio")],
                 cwd=tmp_path, env=tool_env(COURSEKIT_RESPONSES_DIR=str(base)), ok=False, timeout=600)
    assert result.returncode == 0, result.stdout[-6000:]


@pytest.mark.nbgrader
def test_the_new_module_goes_through_the_whole_round_trip(course_with_new_module, tmp_path, capsys):
    course = course_with_new_module
    env = tool_env(COURSEKIT_RESPONSES_DIR=str(tmp_path / "assignments"))
    save_complete_answers(tmp_path / "assignments", course)
    run(["nbgrader", "generate_assignment", NEW], cwd=course)
    released = course / "release" / NEW
    assert (released / "module.toml").is_file() and (released / f"{NEW}.json").is_file()
    ok = run(["nbgrader", "validate", str(course / "source" / NEW / f"{NEW}.ipynb")], cwd=course, env=env)
    assert "Success! Your notebook passes all the tests." in ok.stdout, ok.stdout

    # a class through the real exchange, graded by coursekit autograde (--mix: into this
    # scratch course itself, which has no real students)
    assert main(["class", "simulate", NEW, "--students", "12", "--course", str(course), "--mix"]) == 0
    out = capsys.readouterr().out
    assert "7 complete, 1 incomplete, 3 malformed" in out and f"coursekit report {NEW}" in out
    status = main(["autograde", NEW, "--course", str(course), "--jobs", "2"])
    out = capsys.readouterr().out
    assert status == 0, out
    assert f"{NEW}: 12 of 12 submission(s) graded" in out
    run(["nbgrader", "export", "--to", str(tmp_path / "grades.csv")], cwd=course)
    with open(tmp_path / "grades.csv", newline="") as handle:
        rows = [r for r in csv.DictReader(handle) if r["assignment"] == NEW]
    assert len(rows) == 12
    # the completion check is worth 2: complete students got it, the others did not
    assert sorted({float(r["raw_score"]) for r in rows}) == [0.0, 2.0]

    # the anonymous cohort report of its self-assessment
    assert main(["report", NEW, "--course", str(course)]) == 0
    page = (course / "reports" / f"{NEW}-cohort.html").read_text()
    assert "First aspect" in page and "sim-0" not in page

    # the portfolio shows it, from the student's folder of answers
    from coursekit.student.portfolio import gather

    student = course / "submitted" / "sim-0001"
    mine = gather(student, here=student / "portfolio", definitions=course / "source" / "portfolio")
    assert NEW in mine.names and mine.module(NEW).title == "A practice diary"
