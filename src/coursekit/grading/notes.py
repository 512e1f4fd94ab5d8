"""Grading notes: what a grader reads beside each reflection in the Formgrader, and a student never does.

nbgrader's Formgrader shows a submission as its autograded notebook
(``autograded/<student>/<module>/<module>.ipynb``), and it has no comment bank
of its own (nbgrader issue #1294): its comment box is a plain text box. So
:func:`annotate` writes into each autograded notebook, just before each
reflection answer, one Markdown cell for the grader:

* the privacy check's findings on that answer, or that it found nothing (the
  findings never change a grade: a reflection that identifies a client is
  returned, as the rubric says, and the note says so);
* the comment bank for that part (``coursekit.content.manifest.comments_for``),
  numbered, to copy into the comment box under the answer.

A note cell carries ``{"coursekit": {"grading_note": true}}`` and no nbgrader
metadata, so nbgrader grades nothing in it; the course's feedback leaves it out
(``coursekit.grading.feedback``). ``coursekit grading-notes MODULE`` runs
it after autograding (which leaves the notebooks exactly as nbgrader makes
them); annotating again replaces the notes, and grading again with ``--force``
removes them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from coursekit.content.manifest import Course, Module, comments_for, load_course
from coursekit.errors import CoursekitError, DataFileError
from coursekit.files import atomic_write

NOTE_KEY = "grading_note"
STUB = "YOUR ANSWER HERE"  # nbgrader's text for an unanswered Markdown cell


def is_grading_note(cell: Mapping[str, Any]) -> bool:
    meta = cell.get("metadata", {})
    coursekit = meta.get("coursekit", {}) if isinstance(meta, Mapping) else {}
    return isinstance(coursekit, Mapping) and coursekit.get(NOTE_KEY) is True


@dataclass
class StudentNotes:
    """What annotating one student's notebook found: privacy findings per reflection part."""

    student: str
    notebook: Path
    findings: dict[str, int] = field(default_factory=dict)  # part title: how many

    @property
    def flagged(self) -> int:
        return sum(self.findings.values())


def annotate(course: str | Path, module_id: str,
             students: Iterable[str] | None = None) -> list[StudentNotes]:
    """Write the grading notes into the autograded notebooks of a module (every student's,
    or only ``students``'); return what was found. A student with no autograded notebook
    is skipped. Raises CoursekitError when the module has no reflection to annotate."""
    settings = load_course(course)
    module = settings.module(module_id)
    if module.reflection is None:
        raise CoursekitError(f"The module '{module_id}' has no reflection, so there is nothing "
                             "to write grading notes beside.")
    root = Path(course) / "autograded"
    if students is not None:
        wanted = sorted(students)
    else:
        wanted = sorted(p.name for p in root.iterdir() if p.is_dir()) if root.is_dir() else []
    done = []
    for student in wanted:
        notebook = root / student / module_id / f"{module_id}.ipynb"
        if notebook.is_file():
            done.append(annotate_notebook(notebook, module, settings, student))
    return done


def annotate_notebook(path: Path, module: Module, course: Course, student: str = "") -> StudentNotes:
    """Replace the grading notes of one autograded notebook (written atomically, mode kept)."""
    from coursekit.privacy.detector import KINDS, find_identifiers

    assert module.reflection is not None
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        cells = [cell for cell in raw["cells"] if not is_grading_note(cell)]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise DataFileError(path, f"is not a readable autograded notebook ({exc}).",
                            advice="Grade the submission again (coursekit autograde MODULE "
                                   "--force --student ID), then write the notes again.") from exc
    bank = comments_for(course, module)
    rubric = course.rubric_for(module)
    parts = {part.grade_id: part for part in module.reflection.parts}
    notes = StudentNotes(student, path)
    annotated: list[dict[str, Any]] = []
    for cell in cells:
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        part = parts.get(grade_id) if cell.get("cell_type") == "markdown" else None
        if part is not None:
            text = _source(cell).strip()
            answered = bool(text) and text != STUB
            findings = find_identifiers(text) if answered else []
            if findings:
                notes.findings[part.title] = len(findings)
            note = _note_cell(part.id, part.title, answered, [
                (KINDS[f.kind], f.context or f.text) for f in findings],
                bank.get(part.id, []), rubric.identifies_client)
            if raw.get("nbformat", 4) == 4 and raw.get("nbformat_minor", 0) < 5:
                del note["id"]  # cell ids came with nbformat 4.5
            annotated.append(note)
        annotated.append(cell)
    raw["cells"] = annotated
    mode = path.stat().st_mode & 0o777
    atomic_write(path, (json.dumps(raw, indent=1, ensure_ascii=False) + "\n").encode("utf-8"), mode=mode)
    return notes


def _source(cell: Mapping[str, Any]) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def _note_cell(part_id: str, title: str, answered: bool, findings: list[tuple[str, str]],
               comments: list[str], identifies_client: str) -> dict[str, Any]:
    lines = [f"**Grading note: {title}** (for you only: the student's feedback leaves it out, "
             "and nothing in it changes the grade)", ""]
    if not answered:
        lines.append("**Privacy check:** no answer to check.")
    elif findings:
        lines.append(f"**Privacy check:** {len(findings)} possible identifier"
                     f"{'s' if len(findings) != 1 else ''} in the answer below:")
        lines += [f"- {kind}: \"{_quoted(context)}\"" for kind, context in findings]
        lines += ["", f"If it identifies the client: {' '.join(identifies_client.split())} "
                      "The check is an aid: decide by reading."]
    else:
        lines.append("**Privacy check:** nothing flagged in the answer below (an aid, not a "
                     "guarantee: it cannot see every identifying description).")
    if comments:
        lines += ["", "**Comment bank** (copy one into the comment box under the answer; "
                      "`coursekit comments` lists them all):"]
        lines += [f"{n}. {comment}" for n, comment in enumerate(comments, 1)]
    return {"cell_type": "markdown", "id": f"grading-note-{part_id}"[:64],
            "metadata": {"coursekit": {NOTE_KEY: True}}, "source": "\n".join(lines)}


def _quoted(context: str) -> str:
    """The flagged text in context, with the flag in bold (Markdown), as the Formgrader shows it."""
    return context.replace("[[", "**").replace("]]", "**").replace("\n", " ")


def format_bank(course: Course, module: Module) -> str:
    """The module's comment bank, part by part, as ``coursekit comments MODULE`` prints it."""
    if module.reflection is None:
        return f"{module.id} has no reflection, so it has no comment bank."
    bank = comments_for(course, module)
    lines = [f"Comment bank for {module.id} ({module.title}). In the Formgrader, copy a comment "
             "into the comment box under the answer; the grading notes show the same list beside "
             "each answer.", ""]
    for number, part in enumerate(module.reflection.parts, 1):
        lines.append(f"{number}. {part.title} ({part.grade_id})")
        lines += [f"   {n}. {comment}" for n, comment in enumerate(bank.get(part.id, []), 1)]
        lines.append("")
    return "\n".join(lines).rstrip()


def describe(found: list[StudentNotes], module_id: str) -> str:
    """What annotating found, for the instructor's terminal: who has privacy findings, where."""
    flagged = [notes for notes in found if notes.flagged]
    lines = [f"{module_id}: grading notes written beside the reflections of {len(found)} "
             "submission(s), for the Formgrader."]
    if flagged:
        lines.append(f"The privacy check flagged possible identifiers in {len(flagged)} of them "
                     "(see the note beside each answer; a flag is not a grade):")
        lines += [f"  {notes.student}: " + ", ".join(f"{title} ({n})" for title, n in notes.findings.items())
                  for notes in flagged]
    return "\n".join(lines)
