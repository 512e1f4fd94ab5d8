"""coursekit check and sync, on the committed course and on broken copies of it."""

import json
import shutil

import nbformat
import pytest

from conftest import COURSE, MODULES
from coursekit.content.manifest import load_module
from coursekit.content.notebooks import check_course, sync_course


def test_the_committed_course_passes_every_check():
    assert [str(p) for p in check_course(COURSE)] == []


def test_committed_notebooks_are_normalised(course_copy):
    """Fails when a notebook was saved with outputs, new cell ids, stale shared cells or points."""
    assert sync_course(course_copy) == []


@pytest.fixture
def broken(course_copy):
    path = course_copy / "source" / "alliance" / "alliance.ipynb"
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
    assert len(found) == 1 and "differs from what module.toml and coursekit.toml make ('reading')" in found[0]
    assert "cell 2 (reading)" in found[0]


def test_a_changed_reading_card_is_caught_and_sync_fixes_it(broken):
    course, path, nb = broken
    card = path.parent / "reading.toml"
    card.write_text(card.read_text().replace("Shedler names three", "Shedler lists three"))
    assert any("('reading')" in p for p in problems_after(course, path, nb))
    assert sync_course(course) == [path]
    assert check_course(course) == []
    assert "Shedler lists three" in nbformat.read(path, as_version=4).cells[1].source


def test_a_citation_written_into_a_cell_brings_its_reference_on_sync(broken):
    """The reference list follows what the notebook cites: check flags it, sync adds the reference."""
    course, path, nb = broken
    by_id(nb, "series_intro").source += "\n\nSchön (1983) calls this reflection-in-action."
    found = problems_after(course, path, nb)
    assert len(found) == 1 and "('references')" in found[0], found
    assert sync_course(course) == [path]
    assert check_course(course) == []
    references = nbformat.read(path, as_version=4).cells[-1].source
    assert "- Schön, D. A. (1983). *The reflective practitioner: How professionals think" in references
    assert references.index("Hatcher") < references.index("Schön") < references.index("Tryon")


def test_a_citation_with_no_reference_anywhere_stays_missing(broken):
    """Only references the course holds are added: an unknown citation is left for the test of
    the reference lists (test_references) to report, never made up."""
    course, path, nb = broken
    by_id(nb, "series_intro").source += "\n\n(Nobody & Else 2099)"
    nbformat.write(nb, path)
    sync_course(course)
    assert "Nobody" not in nbformat.read(path, as_version=4).cells[-1].source


@pytest.mark.parametrize(("spec", "edit", "expected"), [
    ("rubric", lambda text: text.replace("Change any detail", "Change every detail"),
     "Change every detail"),
    ("protect", lambda text: text.replace("Change any detail", "Alter any detail"), "Alter any detail"),
])
def test_shared_text_comes_from_the_course_settings_and_sync_spreads_it(course_copy, spec, edit,
                                                                        expected):
    """One edit to coursekit.toml reaches every module's rubric cell; check catches it first."""
    settings = course_copy / "coursekit.toml"
    settings.write_text(edit(settings.read_text()))
    found = [str(p) for p in check_course(course_copy)]
    # every module has a reflection, so every module's rubric cell drifts
    assert sum("('reflection')" in p for p in found) == len(MODULES), found
    sync_course(course_copy)
    assert check_course(course_copy) == []
    for module in ("alliance", "portfolio", "stuck"):
        nb = nbformat.read(course_copy / "source" / module / f"{module}.ipynb", as_version=4)
        assert expected in by_id(nb, "rubric").source


def test_points_come_from_the_manifest(broken):
    """A test cell's points edited in the notebook are caught; the manifest's points win on sync."""
    course, path, nb = broken
    by_id(nb, "test_find_rupture").metadata["nbgrader"]["points"] = 5
    found = problems_after(course, path, nb)
    assert any("worth 5 points here and 2 in module.toml" in p for p in found), found
    manifest = path.parent / "module.toml"
    manifest.write_text(manifest.read_text().replace("test_find_rupture = 2", "test_find_rupture = 3"))
    sync_course(course)
    nb = nbformat.read(path, as_version=4)
    assert by_id(nb, "test_find_rupture").metadata["nbgrader"]["points"] == 3
    assert ("| 3 | the alliance series exercise; new to Python? see the [Python primer](python-primer.md) "
            "| 5, checked automatically |") in by_id(nb, "intro").source
    assert check_course(course) == []


def test_a_graded_cell_the_manifest_does_not_declare_is_caught(broken):
    course, path, nb = broken
    extra = nbformat.v4.new_code_cell("assert True")
    extra.metadata["nbgrader"] = {"grade": True, "grade_id": "test_extra", "locked": False,
                                  "points": 1, "schema_version": 3, "solution": False, "task": False}
    nb.cells.insert(13, extra)
    assert any("module.toml does not declare it" in p and "test_extra" in p
               for p in problems_after(course, path, nb))


def test_a_reflection_part_added_in_the_manifest_appears_on_sync(course_copy):
    manifest = course_copy / "source" / "alliance" / "module.toml"
    manifest.write_text(manifest.read_text() + '''
[[reflection.parts]]
id = "supervision"
title = "Supervision"
points = 1
prompt = "What will you take to supervision?"
''')
    # its model answer is asked for, in the file that holds them
    missing = [str(p) for p in check_course(course_copy)]
    assert any("model-answers.toml" in p and "no model answer for the part 'supervision'" in p
               for p in missing), missing
    answers = course_copy / "source" / "alliance" / "model-answers.toml"
    answers.write_text(answers.read_text() + '\nsupervision = "The moment I pressed on with the diary."\n')
    assert any("('reflection')" in str(p) for p in check_course(course_copy))
    sync_course(course_copy)
    assert check_course(course_copy) == []
    nb = nbformat.read(course_copy / "source" / "alliance" / "alliance.ipynb", as_version=4)
    assert by_id(nb, "reflection_supervision_prompt").source.startswith("### 7. Supervision (1 point)")
    assert by_id(nb, "reflection_supervision").metadata["nbgrader"]["points"] == 1
    assert "13, graded by your instructor" in by_id(nb, "intro").source


@pytest.mark.parametrize(("edit", "words"), [
    (lambda t: t.replace('id = "alliance"', 'id = "Alliance"', 1), "field 'id'"),
    (lambda t: t.replace('file = "alliance.json"', 'file = "missing.json"'), "missing.json, which is not in"),
    (lambda t: t.replace('kind = "instrument"', 'kind = "survey"'), "field 'forms.0.kind'"),
    (lambda t: t.replace('instrument = "alliance"', 'instrument = "bond"'),
     "'bond' is not one of the module's instruments"),
    (lambda t: t.replace('graded = ["rupture_and_repair"]', 'graded = ["ruptures"]'), "names 'ruptures'"),
    (lambda t: t + "\ncolour = 'blue'\n", "colour"),
    (lambda t: t.replace("[completion]", "[completion\n"), "is not valid TOML"),
])
def test_a_broken_manifest_is_named_with_its_field(course_copy, edit, words):
    manifest = course_copy / "source" / "alliance" / "module.toml"
    manifest.write_text(edit(manifest.read_text()))
    found = [str(p) for p in check_course(course_copy)]
    assert len(found) == 1 and str(manifest) in found[0] and words in found[0], found


def test_a_module_folder_the_course_does_not_list_is_caught(course_copy):
    shutil.copytree(course_copy / "source" / "alliance", course_copy / "source" / "alliance-copy")
    found = [str(p) for p in check_course(course_copy)]
    assert any("alliance-copy" in p and "not one of the course's modules" in p for p in found)


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


@pytest.mark.parametrize("module, grade_id", [
    ("alliance", "test_find_rupture"),  # an autograder test
    ("alliance", "test_completion"),  # the generated completion check
    ("breakthroughs", "find_gains"),  # a solution whose stub stands at the top of the cell
])
def test_a_cell_that_fails_until_its_exercise_is_done_must_let_run_all_go_on(course_copy, module,
                                                                             grade_id):
    """Without the raises-exception tag a student's Run All stops at the first unfinished
    exercise; check says so and sync puts the tag back."""
    path = course_copy / "source" / module / f"{module}.ipynb"
    nb = nbformat.read(path, as_version=4)
    del by_id(nb, grade_id).metadata["tags"]
    found = problems_after(course_copy, path, nb)
    assert len(found) == 1 and f"({grade_id}): is not tagged 'raises-exception'" in found[0], found
    assert sync_course(course_copy) == [path]
    assert check_course(course_copy) == []
    assert by_id(nbformat.read(path, as_version=4), grade_id).metadata["tags"] == ["raises-exception"]


def test_only_cells_that_may_fail_are_tagged_to_let_run_all_go_on():
    tagged = {}
    for path in sorted((COURSE / "source").glob("*/*.ipynb")):
        for cell in nbformat.read(path, as_version=4).cells:
            if "raises-exception" in cell.metadata.get("tags", []):
                tagged.setdefault(path.stem, []).append(cell.metadata["nbgrader"]["grade_id"])
    assert tagged == {
        "alliance": ["test_find_rupture", "test_find_repair", "test_completion"],
        "breakthroughs": ["test_size_criteria", "find_gains", "test_find_gains", "reliable_change",
                          "test_reliable_change", "test_completion"],
        "craft": ["test_deliberate_share", "test_hours_to_reach", "test_completion"],
        "feedback": ["test_not_on_track", "test_reliably_worse", "test_completion"],
        "portfolio": ["test_completion"],
        "relationship": ["test_variance_explained", "test_d_to_r", "test_completion"],
        "stuck": ["test_completion"],
    }


def test_outputs_in_a_committed_notebook_are_caught(broken):
    course, path, nb = broken
    cell = by_id(nb, "form_alliance")
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


def test_model_answers_are_kept_apart_and_only_in_the_instructors_copy(course_copy):
    """nbgrader releases every file of the folder but the ones its configuration ignores."""
    folder = course_copy / "source" / "alliance"
    answers = folder / "model-answers.toml"
    assert load_module(folder).reflection.parts[0].model_answer.startswith("In our ninth session")
    # a student's copy: no answers file, and the module still loads for their notebook
    student = course_copy / "student-copy"
    shutil.copytree(folder, student / "alliance", ignore=shutil.ignore_patterns("model-answers.toml"))
    assert [p.model_answer for p in load_module(student / "alliance").reflection.parts] == [None] * 6
    # an answer to a part the module does not have, and one part without an answer
    saved = answers.read_text()
    answers.write_text(saved.replace("description = ", "descripton = ", 1))
    said = [str(p) for p in check_course(course_copy)]
    assert any("'descripton', which is not a part" in p for p in said), said
    # the old format: a model answer in the manifest, which students would receive
    answers.write_text(saved)
    manifest = folder / "module.toml"
    manifest.write_text(manifest.read_text().replace('title = "Description"\n',
                                                     'title = "Description"\nmodel_answer = "x"\n', 1))
    said = [str(p) for p in check_course(course_copy)]
    assert any("holds a model answer, which students would receive" in p and "model-answers.toml" in p
               for p in said), said


def test_a_course_whose_nbgrader_config_releases_the_model_answers_fails_the_check(course_copy):
    config = course_copy / "nbgrader_config.py"
    assert check_course(course_copy) == []
    config.write_text(config.read_text().replace('"model-answers.toml"', ""))
    said = [str(p) for p in check_course(course_copy)]
    assert said and "does not keep the model answers from students" in said[0], said
    assert "c.CourseDirectory.ignore" in said[0]
    config.write_text("c = get_config()\nc.CourseDirectory.ignore = ['model-*.toml']\n")  # a glob works too
    assert not [p for p in check_course(course_copy) if "model answers" in str(p)]


def test_an_ignore_pattern_that_matches_a_module_folder_fails_the_check(course_copy):
    """nbgrader's own default list has 'feedback': with it, nbgrader released the feedback
    module's notebook alone (no module.toml, no data), and every cell that read them failed."""
    config = course_copy / "nbgrader_config.py"
    config.write_text(config.read_text().replace('"__pycache__", ', '"__pycache__", "feedback", '))
    said = [str(p) for p in check_course(course_copy)]
    assert len(said) == 1, said
    assert "holds 'feedback', which matches the module folder 'feedback'" in said[0]
    assert "Remove 'feedback' from that list" in said[0]
