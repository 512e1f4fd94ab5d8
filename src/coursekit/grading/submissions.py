"""Inspecting one submitted notebook before it is graded: what an instructor should know.

nbgrader grades most damaged submissions without a word: a deleted test cell
scores 0, an edited locked cell is quietly put back, damaged characters are
replaced. ``inspect_submission`` compares a submission with the released
version of the module and says, in words an instructor can act on, what is
wrong with it. It reads only; nothing is changed.

Findings come in two strengths: a *problem* stops nbgrader from grading the
notebook (it is not UTF-8, not valid JSON, or a graded cell appears twice); a *note*
leaves it gradable but changes the grade or deserves a look. The answers file
beside the notebook is checked once per submission by ``inspect_answers``.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from coursekit.student.answer_files import AnswerFile, check_answer_file

LARGE_NOTEBOOK = 10 * 1024 * 1024  # bytes; a notebook this big carries huge outputs


@dataclass(frozen=True)
class Inspection:
    problems: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default_factory=tuple)


def _cells_by_id(nb: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    found = []
    for cell in nb.get("cells", []):
        meta = cell.get("metadata", {}).get("nbgrader")
        if isinstance(meta, dict) and meta.get("grade_id"):
            found.append((str(meta["grade_id"]), cell))
    return found


def _source(cell: dict[str, Any]) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def _locked(cell: dict[str, Any]) -> bool:
    # nbgrader treats autograder test cells as locked whatever their "locked" flag says.
    meta = cell["metadata"]["nbgrader"]
    return not meta.get("solution") and bool(meta.get("locked") or meta.get("grade"))


def inspect_submission(submitted: str | Path, released: str | Path) -> Inspection:
    """Compare a submitted notebook with its released version; see the module docstring."""
    submitted, released = Path(submitted), Path(released)
    problems: list[str] = []
    notes: list[str] = []
    raw = submitted.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return Inspection(problems=(
            f"holds bytes that are not UTF-8 text (at byte {exc.start}), so nbgrader cannot read "
            "it; it was damaged when saved or copied. Ask the student to open it in JupyterLab, "
            "save it and submit again.",))
    try:
        nb = json.loads(text)
    except json.JSONDecodeError:
        return Inspection(problems=(
            "is not a readable notebook: it is not valid JSON. It was probably damaged when saved "
            "or copied; ask the student to open it in JupyterLab, save it and submit again.",))
    if len(raw) > LARGE_NOTEBOOK:
        notes.append(f"is {len(raw) / 1024 / 1024:.0f} MB, mostly stored outputs; grading clears "
                     "them, but the submission is heavy to keep and to open.")

    master = dict(_cells_by_id(json.loads(released.read_text(encoding="utf-8"))))
    mine = _cells_by_id(nb)
    counts = Counter(grade_id for grade_id, _ in mine)
    twice = sorted(g for g, n in counts.items() if n > 1)
    if twice:
        problems.append(
            f"the graded cell(s) {', '.join(twice)} appear more than once (copied by the "
            "student); nbgrader cannot grade a notebook with repeated grade ids. Delete the "
            "copies in the submitted notebook, then grade it again.")
    missing = [g for g, cell in master.items()
               if g not in counts and (cell["metadata"]["nbgrader"].get("grade")
                                       or cell["metadata"]["nbgrader"].get("solution"))]
    if missing:
        notes.append(f"the graded cell(s) {', '.join(missing)} were deleted; nbgrader scores "
                     "them 0.")
    present = dict(mine)
    edited = [g for g, cell in master.items()
              if _locked(cell) and g in present and _source(present[g]).strip() != _source(cell).strip()]
    if edited:
        notes.append(f"locked cell(s) {', '.join(edited)} were edited; autograde puts the "
                     "original back before grading.")
    return Inspection(tuple(problems), tuple(notes))


def inspect_answers(submitted: str | Path, released: str | Path) -> AnswerFile | None:
    """The submission's answers file, checked against every form of the released module (see
    ``coursekit.student.answer_files``, which ``coursekit report`` uses too); None when it is
    fine, or the module saves no answers. A damaged file is graded (its completion check
    scores 0), so it is a note for the instructor, naming the file and what to do."""
    from coursekit.content.manifest import load_module
    from coursekit.errors import DataFileError

    try:
        module = load_module(released)
    except DataFileError:
        return None
    if not module.forms:
        return None
    checked = check_answer_file(submitted, module.id, list(module.instruments.values()),
                                list(module.question_sets.values()), plan=bool(module.forms_of("plan")))
    return checked if checked is not None and checked.damaged else None
