"""coursekit check and sync, on the committed course and on broken copies of it."""

import json
import shutil

import nbformat
import pytest

from conftest import COURSE, SEEDS
from coursekit.content.notebooks import check_course, sync_course


def test_the_committed_course_passes_every_check():
    assert [str(p) for p in check_course(COURSE, SEEDS)] == []


def test_committed_notebooks_are_normalised(tmp_path):
    """Fails when a notebook was saved with outputs, new cell ids or a stale reading."""
    copy = tmp_path / "course"
    shutil.copytree(COURSE / "source", copy / "source")
    assert sync_course(copy, SEEDS) == []


@pytest.fixture
def broken(course_copy):
    path = course_copy / "source" / "alliance" / "alliance.ipynb"
    shutil.copytree(SEEDS, course_copy.parent / "seeds")
    nb = nbformat.read(path, as_version=4)
    return course_copy, path, nb


def by_id(nb, grade_id):
    return next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)


def problems_after(course, path, nb):
    nbformat.write(nb, path)
    return [str(p) for p in check_course(course)]


def test_a_reading_edited_in_the_notebook_is_caught(broken):
    course, path, nb = broken
    by_id(nb, "reading").source += "\nAn extra sentence."
    found = problems_after(course, path, nb)
    assert len(found) == 1 and "differs from its source (reading:alliance)" in found[0]
    assert "cell 2 (reading)" in found[0]


def test_a_changed_reading_card_is_caught_and_sync_fixes_it(broken):
    course, path, nb = broken
    card = course.parent / "seeds" / "alliance.toml"
    card.write_text(card.read_text().replace("Shedler names three", "Shedler lists three"))
    assert any("reading:alliance" in p for p in problems_after(course, path, nb))
    assert sync_course(course) == [path]
    assert check_course(course) == []


@pytest.mark.parametrize(
    ("grade_id", "change", "words"),
    [
        ("test_find_rupture", lambda m: m.pop("points"), "points"),
        ("test_find_rupture", lambda m: m.update(points=0), "more than 0 points"),
        ("test_find_repair", lambda m: m.update(grade_id="test_find_rupture"), "used by cell"),
        ("reflection_feelings", lambda m: m.update(solution=False), "both graded and a solution"),
        ("intro", lambda m: m.update(grade_id="has space"), "does not match"),
        ("intro", lambda m: m.update(locked="yes"), "is not of type 'boolean'"),
        ("intro", lambda m: m.update(schema_version=2), "nbgrader metadata schema_version"),
    ],
)
def test_bad_nbgrader_metadata_is_caught(broken, grade_id, change, words):
    course, path, nb = broken
    change(by_id(nb, grade_id).metadata["nbgrader"])
    found = problems_after(course, path, nb)
    assert found and any(words in p for p in found), found
    assert all(str(path) in p for p in found)


def test_a_solution_without_markers_would_be_released_and_is_caught(broken):
    course, path, nb = broken
    cell = by_id(nb, "find_rupture_and_repair")
    cell.source = cell.source.replace("### END SOLUTION", "", 1)
    assert any("matching '### BEGIN SOLUTION'" in p for p in problems_after(course, path, nb))


def test_a_test_cell_that_asserts_nothing_is_caught(broken):
    course, path, nb = broken
    by_id(nb, "test_find_repair").source = "print('fine')"
    assert any("asserts nothing" in p for p in problems_after(course, path, nb))


def test_outputs_in_a_committed_notebook_are_caught(broken):
    course, path, nb = broken
    cell = by_id(nb, "form")
    cell.outputs = [nbformat.v4.new_output("stream", text="hi")]
    assert any("has outputs" in p for p in problems_after(course, path, nb))


@pytest.mark.parametrize("name", ["coursekit-responses.json", "my-practice-portfolio.html"])
def test_student_files_in_a_source_folder_are_caught(broken, name):
    course, path, nb = broken
    (path.parent / name).write_text("{}")
    found = problems_after(course, path, nb)
    assert any(name in p and "would be released to every student" in p for p in found)


def test_a_notebook_that_is_not_json_is_named(broken):
    course, path, _nb = broken
    path.write_text("{ this is not json")
    found = [str(p) for p in check_course(course)]
    assert len(found) == 1 and str(path) in found[0] and "cannot be read" in found[0]


def test_notebooks_are_readable_without_a_kernel():
    """Readings, prompts and rubrics are Markdown; code cells only call coursekit."""
    nb = json.loads((COURSE / "source" / "alliance" / "alliance.ipynb").read_text())
    markdown = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
    for must in ["## Reading:", "Gibbs", "**Rubric**", "What is collected", "Time needed",
                 "1. I looked forward to seeing this client."]:
        assert must in markdown
