"""Autograde puts hidden tests back without warning that every student changed them.

``nbgrader generate_assignment`` saves each locked cell's source and checksum in
the gradebook *before* it takes the hidden tests out (ClearHiddenTests runs
after SaveCells), so that autograde can put them back; the released cell,
without them, has another checksum. Autograde's OverwriteCells step compares a
submitted cell with the gradebook's, so it warns "Attribute 'checksum' for cell
... has changed!" for every test cell with hidden tests, in every submission,
edited or not (nbgrader issue #1961), and then restores the cell from the
gradebook, which is how the hidden tests come to run. A warning that is always
there hides the one that matters: a student who did edit a test cell.

:class:`RestoreHiddenTests` is OverwriteCells that compares such a cell with the
version the student was given (the gradebook's source with the hidden tests taken
out, as generate_assignment took them out): it restores the cell as before, and
warns only when the student's cell differs from what was released. The course's
``nbgrader_config.py`` puts it in place of OverwriteCells, so ``nbgrader
autograde``, the Formgrader and ``coursekit autograde`` all use it.

nbgrader loads this module by name, from the course's configuration.
"""

from __future__ import annotations

import copy
from typing import Any

from nbgrader.api import MissingEntry
from nbgrader.preprocessors import ClearHiddenTests, OverwriteCells
from nbgrader.utils import compute_checksum

# Autograde's sanitize steps as nbgrader 0.9 lists them, with this one for OverwriteCells;
# course/nbgrader_config.py sets c.Autograde.sanitize_preprocessors to these names, and a
# test checks they are still nbgrader's own list.
SANITIZE_STEPS = [
    "nbgrader.preprocessors.ClearOutput",
    "nbgrader.preprocessors.DeduplicateIds",
    "nbgrader.preprocessors.OverwriteKernelspec",
    "coursekit.grading.hidden_tests.RestoreHiddenTests",
    "nbgrader.preprocessors.CheckCellMetadata",
]


class RestoreHiddenTests(OverwriteCells):  # type: ignore[misc]  # nbgrader has no type hints
    """OverwriteCells, warning of a changed checksum only when the cell is not as released."""

    _as_released = False

    def preprocess_cell(self, cell: Any, resources: Any, cell_index: int) -> Any:
        self._as_released = self._unchanged_since_release(cell)
        return super().preprocess_cell(cell, resources, cell_index)

    def report_change(self, name: str, attr: str, old: Any, new: Any) -> None:
        if attr == "checksum" and self._as_released:
            self.log.debug("Cell %s is as released; its hidden tests are put back.", name)
            return
        super().report_change(name, attr, old, new)

    def _unchanged_since_release(self, cell: Any) -> bool:
        """Whether a locked cell with hidden tests is exactly what the student was given."""
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id is None:
            return False
        try:
            source_cell = self.gradebook.find_source_cell(grade_id, self.notebook_id, self.assignment_id)
        except MissingEntry:
            return False
        if not source_cell.locked or cell.cell_type != source_cell.cell_type:
            return False
        released = copy.deepcopy(cell)
        released.source = source_cell.source
        # the course's own delimiters, as generate_assignment used them
        hide = ClearHiddenTests(parent=self)
        try:
            if not hide._remove_hidden_test_region(released):
                return False  # no hidden tests: nbgrader's own comparison is the right one
        except RuntimeError:  # unbalanced markers in the gradebook: let nbgrader report it
            return False
        # the checksum covers the source, the cell type, the grade id, the points and locking
        return bool(compute_checksum(released) == compute_checksum(cell))
