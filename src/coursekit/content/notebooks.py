"""Checking and normalising the course's instructor notebooks.

``check_course`` is what ``coursekit check`` runs: it validates every notebook
in ``course/source`` (nbgrader cell metadata against nbgrader's own schema,
unique grade ids, points, solution and hidden-test markers, no outputs,
generated cells in sync with their data) and returns every problem found, each
naming the file and the cell.

``normalise`` is what ``coursekit sync`` runs: it rewrites the generated cells
from their data (reading cards, instrument definitions), clears outputs and
sets deterministic cell ids, so that a committed notebook is always the same
bytes for the same content.

A generated cell is a Markdown cell whose metadata says where its text comes
from: ``{"coursekit": {"generated": "reading:alliance"}}`` (from
``seeds/alliance.toml``) or ``"instrument:alliance"`` (the bundled instrument) or ``"questions:<set>"``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import nbformat

from coursekit.content.instruments import Instrument, load_instrument
from coursekit.content.questions import QuestionSet, load_questions
from coursekit.content.readings import load_card, render_markdown
from coursekit.errors import CoursekitError

NBGRADER_SCHEMA_VERSION = 3
BEGIN_SOLUTION, END_SOLUTION = "### BEGIN SOLUTION", "### END SOLUTION"
BEGIN_HIDDEN, END_HIDDEN = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"


@dataclass(frozen=True)
class Problem:
    path: str
    message: str
    cell: int | None = None  # 1-based, as a person counts cells
    grade_id: str | None = None

    def __str__(self) -> str:
        where = self.path
        if self.cell is not None:
            where += f", cell {self.cell}"
        if self.grade_id:
            where += f" ({self.grade_id})"
        return f"{where}: {self.message}"


def render_instrument(instrument: Instrument) -> str:
    """The Markdown listing of an instrument's items, readable without a kernel."""
    scale = instrument.scale
    if scale.labels:
        points = ", ".join(f"{v} = {scale.label(v)}" for v in scale.points)
    else:
        points = f"a whole number from {scale.min} to {scale.max}"
    lines = [f"### {instrument.title}", "", instrument.instructions, "",
             f"*Scale:* {points}.", ""]
    for n, item in enumerate(instrument.items, 1):
        lines.append(f"{n}. {item.text}")
        if item.anchors:  # paired statements: say which end is which
            lines += [f"    - {scale.min}: {item.anchors[0]}", f"    - {scale.max}: {item.anchors[1]}"]
    own = instrument.own_item
    if own is not None:
        lines.append(f"{len(instrument.items) + 1}. *(optional)* {own.text} "
                     f"(a word or two of your own, rated on the same scale)")
    if instrument.source:
        lines += ["", f"*About these items:* {instrument.source}"]
    return "\n".join(lines) + "\n"


def render_questions(qset: QuestionSet) -> str:
    """The Markdown listing of a set of numeric questions."""
    lines = [f"### {qset.title}", "", qset.instructions, ""]
    for n, q in enumerate(qset.questions, 1):
        unit = f" {q.unit}" if q.unit else ""
        lines.append(f"{n}. {q.text} *({q.min} to {q.max}{unit})*")
    return "\n".join(lines) + "\n"


def generated_text(spec: str, seeds: Path) -> str:
    """The text a generated cell must hold, from its spec ("reading:alliance")."""
    kind, _, name = spec.partition(":")
    if kind == "reading":
        return render_markdown(load_card(seeds / f"{name}.toml"))
    if kind == "instrument":
        return render_instrument(load_instrument(name))
    if kind == "questions":
        return render_questions(load_questions(name))
    raise CoursekitError(
        f"unknown generated cell kind {kind!r}; use 'reading:', 'instrument:' or 'questions:'")


def check_course(course: str | Path, seeds: str | Path | None = None) -> list[Problem]:
    """Every problem in every instructor notebook of an nbgrader course."""
    course = Path(course)
    seeds = Path(seeds) if seeds else course.parent / "seeds"
    source = course / "source"
    problems: list[Problem] = []
    if not source.is_dir():
        return [Problem(str(source), "no source folder: is this an nbgrader course directory?")]
    for module in sorted(p for p in source.iterdir() if p.is_dir()):
        notebooks = [p for p in module.glob("*.ipynb")]
        if not notebooks:
            problems.append(Problem(str(module), "holds no notebook."))
        strays = [*module.glob("coursekit-responses*.json"), *module.glob("my-practice-portfolio*.html")]
        for stray in sorted(strays):
            problems.append(Problem(
                str(stray),
                "a student's own file in a source folder would be released to every student and "
                "would overwrite submitted files at autograde; delete it.",
            ))
        for notebook in sorted(notebooks):
            problems += check_notebook(notebook, seeds)
    return problems


def check_notebook(path: str | Path, seeds: Path) -> list[Problem]:
    path = Path(path)
    name = str(path)
    try:
        nb = nbformat.read(path, as_version=4)  # type: ignore[no-untyped-call]
    except Exception as exc:  # nbformat raises several unrelated types
        return [Problem(name, f"cannot be read as a notebook ({exc}).")]
    problems: list[Problem] = []
    try:
        nbformat.validate(nb)
    except nbformat.ValidationError as exc:
        problems.append(Problem(name, f"is not a valid notebook: {exc.message}"))

    schema = _nbgrader_schema()
    seen: dict[str, int] = {}
    for index, cell in enumerate(nb.cells, 1):
        meta = cell.get("metadata", {})

        def problem(message: str, _index: int = index, _meta: Any = meta) -> None:
            grade_id = _meta.get("nbgrader", {}).get("grade_id") if isinstance(
                _meta.get("nbgrader"), dict) else None
            problems.append(Problem(name, message, _index, grade_id))

        if cell.cell_type == "code" and (cell.get("outputs") or cell.get("execution_count")):
            problem("has outputs or an execution count; run `coursekit sync` to clear them.")
        spec = meta.get("coursekit", {}).get("generated")
        if spec:
            try:
                expected = generated_text(spec, seeds)
            except CoursekitError as exc:
                problem(f"its generated text cannot be made: {exc}")
            else:
                if cell.source != expected:
                    problem(f"differs from its source ({spec}); run `coursekit sync` to "
                            "rewrite it from the data file, or edit the data file instead.")
        grader = meta.get("nbgrader")
        if grader is None:
            continue
        for message in _nbgrader_problems(cell, grader, schema):
            problem(message)
        grade_id = grader.get("grade_id")
        if grade_id and (grader.get("grade") or grader.get("solution") or grader.get("locked")):
            if grade_id in seen:
                problem(f"grade id '{grade_id}' is used by cell {seen[grade_id]} too; "
                        "grade ids must be unique.")
            seen.setdefault(grade_id, index)
    return problems


def _nbgrader_problems(cell: Any, meta: Any, schema: dict[str, Any]) -> list[str]:
    import jsonschema

    if not isinstance(meta, dict):
        return ["nbgrader metadata should be an object."]
    found = []
    validator = jsonschema.Draft4Validator(schema)
    for error in sorted(validator.iter_errors(meta), key=lambda e: list(e.path)):
        field = ".".join(str(p) for p in error.path) or "(metadata)"
        found.append(f"nbgrader metadata {field}: {error.message}")
    if found:
        return found
    if meta["schema_version"] != NBGRADER_SCHEMA_VERSION:
        found.append(f"nbgrader schema_version is {meta['schema_version']}, expected 3.")
    grade, solution, locked = meta["grade"], meta["solution"], meta["locked"]
    if (grade or solution or locked) and not meta.get("grade_id"):
        found.append("nbgrader cell has no grade_id.")
    if grade and not meta.get("points", 0) > 0:
        found.append("a graded cell should be worth more than 0 points.")
    if not grade and "points" in meta:
        found.append("points are set on a cell that is not graded.")
    if "checksum" in meta or "cell_type" in meta:
        found.append("carries a checksum or cell_type: those belong to released versions only.")
    if cell.cell_type == "markdown" and grade != solution and not meta.get("task"):
        found.append("a Markdown answer cell must be both graded and a solution (manually graded).")
    source = cell.source
    unbalanced = source.count(BEGIN_SOLUTION) != source.count(END_SOLUTION)
    if cell.cell_type == "code" and solution and (unbalanced or BEGIN_SOLUTION not in source):
        found.append(f"a code solution cell needs matching '{BEGIN_SOLUTION}' and "
                         f"'{END_SOLUTION}' lines, or the solution is released to students.")
    if source.count(BEGIN_HIDDEN) != source.count(END_HIDDEN):
        found.append(f"'{BEGIN_HIDDEN}' and '{END_HIDDEN}' do not match.")
    if cell.cell_type == "code" and grade and not solution and not re.search(
            r"\bassert\b|check_|raise\b", source):
        found.append("an autograder test cell that asserts nothing always gives full points.")
    return found


def normalise(nb: Any, seeds: Path, module: str) -> Any:
    """Generated cells from their data, no outputs, deterministic cell ids."""
    used: set[str] = set()
    for index, cell in enumerate(nb.cells, 1):
        spec = cell.get("metadata", {}).get("coursekit", {}).get("generated")
        if spec:
            cell.source = generated_text(spec, seeds)
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        cell_id = grade_id or f"{module}-{index:02d}"
        while cell_id in used:
            cell_id += "-x"
        used.add(cell_id)
        cell.id = cell_id
    return nb


def sync_course(course: str | Path, seeds: str | Path | None = None) -> list[Path]:
    """Normalise every instructor notebook in place; return the ones that changed."""
    course = Path(course)
    seeds = Path(seeds) if seeds else course.parent / "seeds"
    changed = []
    for path in sorted((course / "source").glob("*/*.ipynb")):
        before = path.read_text(encoding="utf-8")
        nb = normalise(nbformat.reads(before, as_version=4), seeds, path.parent.name)  # type: ignore[no-untyped-call]
        after = nbformat.writes(nb) + "\n"  # type: ignore[no-untyped-call]
        if after != before:
            path.write_text(after, encoding="utf-8")
            changed.append(path)
    return changed


def _nbgrader_schema() -> dict[str, Any]:
    schema_file = resources.files("nbgrader") / "nbgraderformat" / "v3.json"
    schema: dict[str, Any] = json.loads(schema_file.read_text(encoding="utf-8"))
    return schema
