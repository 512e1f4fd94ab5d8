"""What students and graders see after grading, through real nbgrader commands.

Two submissions of the alliance module go through ``nbgrader generate_assignment``,
``nbgrader autograde``, ``coursekit grading-notes`` and ``nbgrader
generate_feedback``, as an instructor runs them. Then the feedback HTML is read
as a student reads it (as text, tags stripped), and the autograded notebook as
the Formgrader shows it:

* feedback shows no hidden test and no hidden assertion's message, but each
  test cell's points and whether it passed; a visible check's message stays;
* feedback and the Formgrader show the saved answers item by item, not an empty widget;
* the Formgrader shows, beside each reflection, the privacy findings and the
  comment bank; the feedback does not, and no grade changes;
* no model answer reaches release/, autograded/ or feedback/.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import nbformat
import pytest

from conftest import COURSE, instrument_of, module_of, run, tool_env
from coursekit.content.manifest import MODEL_ANSWERS
from coursekit.grading.feedback import HIDDEN_FAILED
from coursekit.grading.gradebook import snapshot
from coursekit.student.responses import ResponseStore

MODULE = "alliance"
TIMESTAMP = "2026-11-20 10:00:00.000000 UTC"
NAMED = "My client Sarah Jones sat down without taking off his coat."


def env() -> dict[str, str]:
    environment = tool_env()
    environment.pop("COURSEKIT_DB_URL", None)  # the course's own SQLite gradebook
    return environment


def cell(nb, grade_id: str):
    return next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)


def hidden_tests() -> dict[str, list[str]]:
    """Each test cell's hidden lines, from the instructor's notebook."""
    nb = nbformat.read(COURSE / "source" / MODULE / f"{MODULE}.ipynb", as_version=4)
    found = {}
    for c in nb.cells:
        if "BEGIN HIDDEN TESTS" in c.source:
            block = c.source.split("### BEGIN HIDDEN TESTS")[1].split("### END HIDDEN TESTS")[0]
            found[c.metadata["nbgrader"]["grade_id"]] = [line for line in block.splitlines() if line.strip()]
    return found


def solution() -> str:
    nb = nbformat.read(COURSE / "source" / MODULE / f"{MODULE}.ipynb", as_version=4)
    return "\n".join(line for line in cell(nb, "find_rupture_and_repair").source.splitlines()
                     if "### BEGIN SOLUTION" not in line and "### END SOLUTION" not in line)


def submit(course: Path, student: str, code: str, reflection: str) -> None:
    folder = course / "submitted" / student / MODULE
    folder.mkdir(parents=True)
    (folder / "timestamp.txt").write_text(TIMESTAMP)
    instrument = instrument_of(MODULE)
    ResponseStore(folder, MODULE).save_answers(instrument, {item.id: 4 for item in instrument.items})
    nb = nbformat.read(course / "release" / MODULE / f"{MODULE}.ipynb", as_version=4)
    cell(nb, "find_rupture_and_repair").source = code
    cell(nb, "reflection_description").source = reflection
    nbformat.write(nb, folder / f"{MODULE}.ipynb")


def as_text(page: str, between: str = "") -> str:
    """The page as a reader sees it: tags removed (by default with nothing in their place, so
    that highlighted code reads as typed; ``between=" "`` keeps table cells apart)."""
    page = re.sub(r"<style.*?</style>|<script.*?</script>", " ", page, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", between, page)).split())


@pytest.mark.nbgrader
@pytest.mark.kernel
def test_feedback_hides_the_hidden_tests_and_shows_answers_and_graders_get_notes(course_copy):
    course = course_copy
    run(["nbgrader", "generate_assignment", MODULE], cwd=course, env=env())
    # ada: find_rupture misses a drop of exactly `drop` points, which only a hidden check tries
    off_by_one = solution().replace("rating <= previous - drop", "rating < previous - drop")
    assert off_by_one != solution()
    submit(course, "ada", off_by_one, NAMED)
    # ben: find_repair unfinished, which a visible check catches
    unfinished = solution().split("def find_repair")[0] + (
        "def find_repair(ratings, rupture):\n    return None\n")
    submit(course, "ben", unfinished, "A client in his thirties sat down without his coat off.")
    run(["nbgrader", "autograde", MODULE], cwd=course, env=env(), timeout=600)

    db = f"sqlite:///{course / 'gradebook.db'}"
    before = snapshot(db, "coursekit", MODULE)
    grades = before["ada"]["notebooks"][MODULE]["grades"]
    assert grades["test_find_rupture"]["auto_score"] == 0.0  # the hidden check failed: no points
    assert grades["test_find_repair"]["auto_score"] == 2.0

    # the grader's notes, beside each reflection in the autograded notebook the Formgrader shows
    notes = run([*coursekit(), "grading-notes", MODULE, "--course", str(course)], cwd=course,
                env=env(), ok=False)
    assert notes.returncode == 1, notes.stdout + notes.stderr  # something was flagged
    assert "ada: Description (1)" in notes.stdout and "ben:" not in notes.stdout
    assert snapshot(db, "coursekit", MODULE) == before  # a finding is never part of the grade
    graded = nbformat.read(course / "autograded" / "ada" / MODULE / f"{MODULE}.ipynb", as_version=4)
    ids = [c.metadata.get("nbgrader", {}).get("grade_id") or c.get("id") for c in graded.cells]
    at = ids.index("reflection_description")
    note = graded.cells[at - 1]
    assert ids[at - 1] == "grading-note-description" and "nbgrader" not in note.metadata
    assert "**Privacy check:** 1 possible identifier" in note.source
    assert "**Sarah Jones**" in note.source and "submit it again" in note.source
    assert "**Comment bank**" in note.source and "*Your own part:*" in note.source
    rubric_beside = graded.cells[at - 2].source  # the prompt, with the criteria for this part
    assert "*Graded on*" in rubric_beside and "**Your own part**: 2 = " in rubric_beside
    # the Formgrader shows the saved answers as a table, not only an empty widget
    form = cell(graded, "form_alliance")
    shown = [o["data"]["text/html"] for o in form.outputs if "text/html" in o.get("data", {})]
    assert shown and "Saved answers: " in shown[0] and "4 (Very often)" in shown[0]
    # and so does the Formgrader's own page of the submission (its exporter and template)
    shown_to_grader = as_text(formgrader_page(course, "ada"), between=" ")
    assert "Grading note: Description" in shown_to_grader and "Comment bank" in shown_to_grader
    assert "Saved answers: Working alliance with one client" in shown_to_grader
    assert "Graded on" in shown_to_grader
    # running it again replaces the notes; it does not pile them up
    run([*coursekit(), "grading-notes", MODULE, "--course", str(course)], cwd=course, env=env(), ok=False)
    again = nbformat.read(course / "autograded" / "ada" / MODULE / f"{MODULE}.ipynb", as_version=4)
    assert sum(1 for c in again.cells if c.get("id", "").startswith("grading-note-")) == 6

    run(["nbgrader", "generate_feedback", MODULE], cwd=course, env=env())
    pages = {student: (course / "feedback" / student / MODULE / f"{MODULE}.html").read_text()
             for student in ("ada", "ben")}
    hidden = hidden_tests()
    for student, page in pages.items():
        text = as_text(page)
        for lines in hidden.values():
            for line in lines:  # no hidden line, and no message of one, in any form
                assert line.strip() not in text, (student, line)
                for message in re.findall(r'"([^"]{8,})"', line):
                    assert message not in text, (student, message)
        assert "HIDDEN TESTS" not in text and "Grading note" not in text and "Comment bank" not in text
        # the visible checks and the points stay (and code can be found as typed, so the
        # absence of the hidden lines above means something)
        assert "assert find_rupture(ratings) == 6" in text
        assert "In the series above the alliance drops by 8 points at session 6." in text
        assert "Test cell (Score: " in text
        # the saved answers, item by item
        first = instrument_of(MODULE).items[0].text
        assert "Saved answers: Working alliance with one client" in text, student
        assert f"1 {first} 4 (Very often)" in as_text(page, between=" ")
        # the privacy check says which saved version it read
        assert "Checked alliance.ipynb as saved" in text

    ada, ben = as_text(pages["ada"]), as_text(pages["ben"])
    assert HIDDEN_FAILED in ada  # in place of the hidden check's message
    assert "Did not pass: 0 of 2 points" in ada and "Passed: 2 of 2 points" in ada
    assert "Sarah Jones" in ada  # her own answer is hers to read; only the notes are left out
    # ben's failure is a visible check: its message stays, without a traceback
    assert "AssertionError: The rating gets back to 35 at session 11." in ben
    assert HIDDEN_FAILED not in ben.split("find_repair: these checks")[1].split("Did not pass")[0]
    assert "Traceback" not in ben

    # the model answers: in source/ only, never in what students receive or graders return
    answers = [" ".join(p.model_answer.split())[:80] for p in module_of(MODULE).reflection.parts]
    assert len(answers) == 6 and all(answers)
    for folder in ("release", "autograded", "feedback"):
        files = [p for p in (course / folder).rglob("*") if p.is_file()]
        assert files and not [p for p in files if p.name == MODEL_ANSWERS], folder
        for path in files:
            text = " ".join(html.unescape(path.read_text(encoding="utf-8", errors="replace")).split())
            leaked = [a for a in answers if a in text]
            assert not leaked, f"{path.relative_to(course)} holds a model answer: {leaked[0]}"
    assert (course / "source" / MODULE / MODEL_ANSWERS).is_file()


def formgrader_page(course: Path, student: str) -> str:
    """A submission's page as nbgrader's Formgrader renders it (formgrader.py and handlers.py)."""
    from nbconvert.exporters import HTMLExporter
    from nbgrader.server_extensions.formgrader import handlers
    from traitlets.config import Config

    config = Config()
    config.HTMLExporter.template_name = "formgrade"
    config.HTMLExporter.extra_template_basedirs = [handlers.template_path]
    resources = {"assignment_id": MODULE, "notebook_id": MODULE, "submission_id": "-", "index": 0,
                 "total": 1, "base_url": "", "student": student, "last_name": None,
                 "first_name": None, "notebook_path": "-"}
    page, _ = HTMLExporter(config=config).from_filename(
        str(course / "autograded" / student / MODULE / f"{MODULE}.ipynb"), resources=resources)
    return str(page)


def coursekit() -> list[str]:
    import sys

    return [sys.executable, "-m", "coursekit"]


def test_the_course_sends_feedback_through_the_preprocessor():
    """The course's configuration names it, after nbgrader's own steps (the order matters:
    the points come from GetGrades)."""
    from coursekit.grading.config import load_course_config

    steps = list(load_course_config(COURSE).GenerateFeedback.preprocessors)
    assert steps == ["nbgrader.preprocessors.GetGrades",
                     "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
                     "coursekit.grading.feedback.HideHiddenTests"]
    assert json.dumps(steps)  # strings: the config loads without importing nbgrader
