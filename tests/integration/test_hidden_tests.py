"""Autograde puts the hidden tests back, and warns of a changed test cell only when it was changed.

nbgrader warned "Attribute 'checksum' for cell ... has changed!" for every test cell with
hidden tests in every submission (nbgrader issue #1961): coursekit.grading.hidden_tests.
"""

from __future__ import annotations

import runpy
import shutil

import nbformat
import pytest

from conftest import COURSE, run

CHANGED = "Attribute 'checksum' for cell"


def test_the_course_replaces_only_overwrite_cells_in_nbgraders_own_steps():
    from nbgrader.converters import Autograde
    from traitlets.config import Config
    from traitlets.utils.importstring import import_item

    from coursekit.grading.hidden_tests import SANITIZE_STEPS, RestoreHiddenTests

    config = runpy.run_path(str(COURSE / "nbgrader_config.py"), init_globals={"get_config": Config})
    assert list(config["c"].Autograde.sanitize_preprocessors) == SANITIZE_STEPS
    ours = [import_item(name) for name in SANITIZE_STEPS]
    nbgraders = [RestoreHiddenTests if step.__name__ == "OverwriteCells" else step
                 for step in Autograde.class_traits()["sanitize_preprocessors"].default()]
    assert ours == nbgraders, "nbgrader's autograde steps changed: update SANITIZE_STEPS and the config"


def _cell(nb, grade_id):
    return next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)


@pytest.mark.nbgrader
def test_an_unedited_submission_gets_no_warning_and_an_edited_test_cell_does(course_copy):
    course = course_copy
    run(["nbgrader", "generate_assignment", "alliance"], cwd=course)
    released = course / "release" / "alliance"
    for student in ("ada", "ben"):
        shutil.copytree(released, course / "submitted" / student / "alliance")
    ben = course / "submitted" / "ben" / "alliance" / "alliance.ipynb"
    nb = nbformat.read(ben, as_version=4)
    _cell(nb, "test_find_rupture").source = "assert True  # no checks for me"
    nbformat.write(nb, ben)

    outputs = {}
    for student in ("ada", "ben"):
        result = run(["nbgrader", "autograde", "alliance", f"--student={student}"], cwd=course)
        outputs[student] = result.stdout + result.stderr
    assert CHANGED not in outputs["ada"], outputs["ada"][-3000:]
    assert f"{CHANGED} test_find_rupture has changed" in outputs["ben"]
    assert f"{CHANGED} test_find_repair" not in outputs["ben"]  # ben left that one alone

    source = nbformat.read(COURSE / "source" / "alliance" / "alliance.ipynb", as_version=4)
    for student in ("ada", "ben"):
        graded = nbformat.read(course / "autograded" / student / "alliance" / "alliance.ipynb", 4)
        for grade_id in ("test_find_rupture", "test_find_repair"):
            # restored for both, hidden tests included, exactly as the instructor wrote them
            assert _cell(graded, grade_id).source == _cell(source, grade_id).source, (student, grade_id)
            assert "### BEGIN HIDDEN TESTS" in _cell(graded, grade_id).source
