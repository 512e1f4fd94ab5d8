"""Feedback without hidden tests, and grading notes beside each reflection for the Formgrader.

The preprocessor is tried on cells shaped as nbgrader's autograde leaves them
(outputs as an IPython kernel writes them); tests/integration/test_feedback.py
runs it through real ``nbgrader generate_feedback``.
"""

from __future__ import annotations

import stat

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from conftest import COURSE
from coursekit.cli import main
from coursekit.content.manifest import comments_for, load_course
from coursekit.grading.feedback import HIDDEN_FAILED, HIDDEN_QUOTED, HideHiddenTests, hide_hidden_tests
from coursekit.grading.notes import annotate, annotate_notebook, format_bank, is_grading_note

SOURCE = """# checks
assert f(3) == 9, "Three squared is nine."
### BEGIN HIDDEN TESTS
assert f(-2) == 4, "Negative numbers square to positive ones."
assert f(0) == 0
### END HIDDEN TESTS"""


def ansi_traceback(count: int, line: int, message: str) -> list[str]:
    """A traceback as an IPython kernel formats it, context lines included."""
    context = "\n".join(f"\x1b[32m{'----> ' if n == line else '      '}\x1b[39m\x1b[32m{n}\x1b[39m {text}"
                        for n, text in enumerate(SOURCE.split("\n"), 1))
    return ["\x1b[31m" + "-" * 75 + "\x1b[39m",
            "\x1b[31mAssertionError\x1b[39m                            Traceback (most recent call last)",
            f"\x1b[36mCell\x1b[39m\x1b[36m \x1b[39m\x1b[32mIn[{count}]\x1b[39m"
            f"\x1b[32m, line {line}\x1b[39m\n{context}\n",
            f"\x1b[31mAssertionError\x1b[39m: {message}"]


def graded_test_cell(line: int | None, message: str = "", score: float = 0.0,
                     outputs=()) -> nbformat.NotebookNode:
    cell = new_code_cell(SOURCE, execution_count=7)
    cell.metadata["nbgrader"] = {"grade": True, "solution": False, "grade_id": "test_f", "points": 2,
                                 "score": score, "locked": True, "schema_version": 3}
    cell.outputs = list(outputs)
    if line is not None:
        cell.outputs.append(new_output("error", ename="AssertionError", evalue=message,
                                       traceback=ansi_traceback(7, line, message)))
    return cell


def everything_of(cell) -> str:
    return cell.source + "\n" + nbformat.writes(new_notebook(cells=[cell]))


def test_a_failed_hidden_check_shows_a_neutral_sentence_and_the_points():
    cell = graded_test_cell(4, "Negative numbers square to positive ones.")
    hide_hidden_tests(cell)
    text = everything_of(cell)
    assert "f(-2)" not in text and "Negative numbers" not in text and "HIDDEN" not in text
    assert 'assert f(3) == 9, "Three squared is nine."' in cell.source  # visible checks stay
    assert "# More checks ran here when your work was graded; they are not shown." in cell.source
    assert cell.outputs[0].traceback == [HIDDEN_FAILED]
    assert cell.outputs[-1].text.startswith("Did not pass: 0 of 2 points.")


def test_a_failed_visible_check_keeps_its_message_but_not_the_traceback():
    cell = graded_test_cell(2, "Three squared is nine.")
    hide_hidden_tests(cell)
    assert cell.outputs[0].traceback == ["AssertionError: Three squared is nine."]
    assert "f(-2)" not in everything_of(cell)  # the traceback's context showed the hidden lines


def test_a_pass_says_so_and_an_output_quoting_a_hidden_check_is_replaced():
    quoting = new_output("stream", name="stdout", text="checking f(-2) == 4 ... ok\n")
    message = new_output("display_data", data={"text/plain": "Negative numbers square to positive ones."})
    plain = new_output("stream", name="stdout", text="all fine\n")
    cell = graded_test_cell(None, score=2.0, outputs=[quoting, message, plain])
    hide_hidden_tests(cell)
    assert [o.text for o in cell.outputs[:3]] == [HIDDEN_QUOTED + "\n"] * 2 + ["all fine\n"]
    assert cell.outputs[-1].text.startswith("Passed: 2 of 2 points.")


def test_an_error_it_cannot_place_is_taken_for_a_hidden_one():
    cell = graded_test_cell(None)
    cell.outputs = [new_output("error", ename="NameError", evalue="name 'f' is not defined",
                               traceback=["NameError: name 'f' is not defined"])]
    hide_hidden_tests(cell)
    assert cell.outputs[0].traceback == [HIDDEN_FAILED]


def test_the_preprocessor_leaves_other_cells_and_drops_grading_notes():
    plain = new_code_cell("print(1)\n### BEGIN HIDDEN TESTS\n")  # not a test cell: left alone
    note = new_markdown_cell("**Grading note**")
    note.metadata["coursekit"] = {"grading_note": True}
    answer = new_markdown_cell("My answer.")
    failed = graded_test_cell(4, "Negative numbers square to positive ones.")
    nb = new_notebook(cells=[plain, note, answer, failed])
    nb, _ = HideHiddenTests()(nb, {})
    assert [c.source for c in nb.cells[:2]] == ["print(1)\n### BEGIN HIDDEN TESTS\n", "My answer."]
    assert "f(-2)" not in nb.cells[2].source


# --- grading notes ------------------------------------------------------------------

def autograded_alliance(folder, answers: dict[str, str]):
    """The alliance notebook as autograde leaves it, with these reflection answers."""
    nb = nbformat.read(COURSE / "source" / "alliance" / "alliance.ipynb", as_version=4)
    for c in nb.cells:
        grade_id = c.metadata.get("nbgrader", {}).get("grade_id", "")
        if grade_id.startswith("reflection_") and c.metadata["nbgrader"].get("solution"):
            c.source = answers.get(grade_id, "YOUR ANSWER HERE")
    path = folder / "alliance.ipynb"
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    path.chmod(0o644)
    return path


def test_each_reflection_gets_a_note_with_its_findings_and_comment_bank(tmp_path):
    course = load_course(COURSE)
    module = course.module("alliance")
    path = autograded_alliance(tmp_path, {"reflection_analysis": "My client Sarah Jones withdrew.",
                                          "reflection_description": "A client sat down in his coat."})
    before = nbformat.read(path, as_version=4)
    found = annotate_notebook(path, module, course, "ada")
    assert found.findings == {"Analysis": 1} and found.flagged == 1
    nb = nbformat.read(path, as_version=4)  # still a valid notebook
    assert stat.S_IMODE(path.stat().st_mode) == 0o644  # as nbgrader left it
    notes = [c for c in nb.cells if is_grading_note(c)]
    assert len(notes) == len(module.reflection.parts)
    ids = [c.metadata.get("nbgrader", {}).get("grade_id") or c.id for c in nb.cells]
    analysis = nb.cells[ids.index("reflection_analysis") - 1]
    assert is_grading_note(analysis) and "nbgrader" not in analysis.metadata
    assert '"My client **Sarah Jones** withdrew."' in analysis.source
    assert course.rubric.identifies_client.split()[0] in analysis.source
    bank = comments_for(course, module)["analysis"]
    assert all(f"{n}. {comment}" in analysis.source for n, comment in enumerate(bank, 1))
    description = nb.cells[ids.index("reflection_description") - 1].source
    assert "nothing flagged" in description
    assert "no answer to check" in nb.cells[ids.index("reflection_feelings") - 1].source
    # nothing else changed, and annotating again replaces the notes
    assert [c for c in nb.cells if not is_grading_note(c)] == before.cells
    annotate_notebook(path, module, course, "ada")
    assert nbformat.read(path, as_version=4) == nb


def test_annotate_covers_every_autograded_student_and_skips_the_missing(course_copy):
    for student, text in [("ada", "My client Sarah Jones withdrew."), ("ben", "A client withdrew.")]:
        autograded_alliance(course_copy / "autograded" / student / "alliance",
                            {"reflection_analysis": text})
    (course_copy / "autograded" / "cleo").mkdir()  # no notebook of this module
    found = annotate(course_copy, "alliance")
    assert [(n.student, n.flagged) for n in found] == [("ada", 1), ("ben", 0)]


def test_the_commands_print_the_bank_and_name_who_has_findings(course_copy, capsys):
    autograded_alliance(course_copy / "autograded" / "ada" / "alliance",
                        {"reflection_analysis": "My client Sarah Jones withdrew."})
    assert main(["grading-notes", "alliance", "--course", str(course_copy)]) == 1
    out = capsys.readouterr().out
    assert "grading notes written beside the reflections of 1 submission(s)" in out
    assert "ada: Analysis (1)" in out
    assert main(["grading-notes", "alliance", "--course", str(course_copy), "--student", "zed"]) == 0
    capsys.readouterr()
    assert main(["comments", "alliance", "--course", str(course_copy)]) == 0
    out = capsys.readouterr().out
    course = load_course(COURSE)
    assert out.strip() == format_bank(course, course.module("alliance"))
    assert "4. Analysis (reflection_analysis)" in out and "Bordin" in out


def test_the_bank_puts_a_criterions_comment_only_where_the_criterion_applies():
    course = load_course(COURSE)
    linked = next(c for c in course.rubric.comments if c.criterion and "Linked" in c.criterion)
    alliance = comments_for(course, course.module("alliance"))
    assert linked.text in alliance["analysis"] and linked.text not in alliance["description"]
    # the portfolio grades on criteria of its own: the course's criterion comments do not apply
    portfolio = comments_for(course, course.module("portfolio"))
    assert all(linked.text not in bank for bank in portfolio.values())
    general = [c.text for c in course.rubric.comments if c.criterion is None]
    assert all(text in portfolio["looking_back"] for text in general)
    for module in course.modules():  # every module has comments of its own
        assert module.reflection is not None and module.reflection.comments, module.id


@pytest.mark.parametrize(("edit", "problem"), [
    ('parts = ["analysis"]', "field 'reflection.comments.1.parts': names the part 'analysys'"),
    ('text = "Look at the bond', "field 'reflection.comments.0.criterion': names the criterion 'Depth'"),
])
def test_a_comment_naming_a_part_or_criterion_the_module_lacks_is_caught(course_copy, edit, problem):
    from coursekit.content.notebooks import check_course

    manifest = course_copy / "source" / "alliance" / "module.toml"
    text = manifest.read_text()
    if "parts" in edit:
        text = text.replace(edit, 'parts = ["analysys"]', 1)
    else:
        text = text.replace(edit, 'criterion = "Depth"\n' + edit, 1)
    manifest.write_text(text)
    found = [str(p) for p in check_course(course_copy)]
    assert len(found) == 1 and problem in found[0], found


def test_a_damaged_autograded_notebook_is_named_with_what_to_do(tmp_path):
    from coursekit.errors import DataFileError

    course = load_course(COURSE)
    path = tmp_path / "alliance.ipynb"
    path.write_text("{ cut off", encoding="utf-8")
    with pytest.raises(DataFileError, match=r"alliance\.ipynb: is not a readable autograded notebook"):
        annotate_notebook(path, course.module("alliance"), course, "ada")
    assert path.read_text(encoding="utf-8") == "{ cut off"
