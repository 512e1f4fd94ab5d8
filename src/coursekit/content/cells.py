"""The cells every module shares, made from its manifest and the course's settings.

A generated cell carries its spec in its metadata,
``{"coursekit": {"generated": "opening"}}``, and ``coursekit sync`` rewrites
it from the data; ``coursekit check`` fails when a notebook has drifted. A
spec may make several cells ("reflection" makes the rubric and a prompt and an
answer cell per part); they stand together in the notebook.

Specs:

- ``opening``: title, purpose, time, what is collected and who sees it, the course's safety
  statement (and the module's own note), the parts and points;
- ``reading``: the reading card;
- ``items:<form>``: an instrument's items or a question set's questions, readable without a kernel;
- ``form:<form>``: the code cell that shows the form;
- ``profile:<form>``: the student's profile on an instrument (optional: a module may draw its own);
- ``reflection``: the rubric (criteria by level, and the rules every grade follows), then a prompt
  (with the criteria that apply to its part, so that a grader reads them beside the answer) and
  an answer (the model answer, for nbgrader to remove) per part;
- ``submit``: what to do before submitting;
- ``privacy``: the privacy check of the reflections;
- ``completion``: the automatic completion check (graded);
- ``references``: the full reference of every work the module cites (every module has one).

The texts are Jinja2 templates in ``templates/``, so that their wording can be
read and changed in one place.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from coursekit.content.citations import cited, reference_key
from coursekit.content.instruments import Instrument
from coursekit.content.manifest import COMPLETION_CELL, MODEL_ANSWERS, PRIMER, Course, Form, Module
from coursekit.content.questions import QuestionSet
from coursekit.errors import CoursekitError, ManifestError

TEMPLATES = Path(__file__).parent / "templates"
NBGRADER_SCHEMA_VERSION = 3
# The cell tag JupyterLab and nbclient read as "this cell may fail: run the next ones anyway".
RAISES = "raises-exception"
BEGIN_SOLUTION = "### BEGIN SOLUTION"


def may_raise(cell_type: str, nbgrader: Any, source: str) -> bool:
    """Whether a cell fails in a student's Run All until its exercise is done, and so is
    tagged ``raises-exception``: an autograder test (a check of work that may be
    unfinished), or a code solution whose nbgrader stub, ``raise NotImplementedError()``,
    stands at the top level of the cell rather than in a function."""
    if cell_type != "code" or not isinstance(nbgrader, dict):
        return False
    if nbgrader.get("grade") and not nbgrader.get("solution"):
        return True
    return bool(nbgrader.get("solution")) and any(
        line.startswith(BEGIN_SOLUTION) for line in source.splitlines())


@dataclass(frozen=True)
class Cell:
    """One generated cell: what ``coursekit sync`` writes and ``coursekit check`` compares."""

    spec: str
    cell_type: str  # "markdown" or "code"
    source: str
    grade_id: str
    points: float | None = None  # graded cells only
    solution: bool = False

    def nbgrader(self) -> dict[str, Any]:
        graded = self.points is not None
        meta: dict[str, Any] = {"grade": graded, "grade_id": self.grade_id, "locked": not graded,
                                "schema_version": NBGRADER_SCHEMA_VERSION,
                                "solution": self.solution, "task": False}
        if graded:
            meta["points"] = self.points
        return meta

    def as_notebook_cell(self) -> dict[str, Any]:
        cell: dict[str, Any] = {
            "cell_type": self.cell_type, "id": self.grade_id, "source": self.source,
            "metadata": {"coursekit": {"generated": self.spec}, "nbgrader": self.nbgrader()},
        }
        if self.cell_type == "code":
            cell.update(outputs=[], execution_count=None)
        if may_raise(self.cell_type, self.nbgrader(), self.source):
            cell["metadata"]["tags"] = [RAISES]
        return cell


def points_text(value: float) -> str:
    return f"{value:g}"


@cache
def _environment() -> Any:
    import jinja2

    # Markdown and Python, not HTML: nothing to escape; authors' text goes in as written.
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=False,  # noqa: S701
                             trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
                             undefined=jinja2.StrictUndefined)
    env.filters["points"] = points_text
    return env


def _render(template: str, **context: Any) -> str:
    text: str = _environment().get_template(template).render(**context)
    return text.rstrip("\n")  # as JupyterLab saves a cell: no final newline


def required_specs(module: Module) -> list[str]:
    """The generated cells a module's notebook must hold, in the order `coursekit new` lays them out."""
    specs = ["opening"]
    if module.reading:
        specs.append("reading")
    for form in module.forms:
        if form.kind != "plan":
            specs.append(f"items:{form.id}")
        specs.append(f"form:{form.id}")
    if module.reflection is not None:
        specs.append("reflection")
    specs += ["submit", "privacy"]
    if module.completion is not None:
        specs.append("completion")
    specs.append("references")  # every module ends with the full references of what it cites
    return specs


def allowed_specs(module: Module) -> list[str]:
    """The required specs, and the optional ones: a profile of each instrument."""
    optional = [f"profile:{form.id}" for form in module.forms_of("instrument")]
    return required_specs(module) + optional


def new_module_layout(module: Module) -> list[str]:
    """The cells `coursekit new` lays out: the required ones, each instrument's profile after its form."""
    layout = []
    for spec in required_specs(module):
        layout.append(spec)
        kind, _, name = spec.partition(":")
        if kind == "form" and module.form(name).kind == "instrument":
            layout.append(f"profile:{name}")
    return layout


def generate(spec: str, module: Module, course: Course, notebook: Any = None) -> list[Cell]:
    """The cells a spec stands for, from the module's manifest and data.

    ``notebook`` (the module's notebook as read, a dict or nbformat node) is
    needed by "references" only, which lists what the notebook's own cells cite
    too; without it the notebook is read from the module's folder, if it is there.
    """
    kind, _, name = spec.partition(":")
    if kind == "opening":
        return [Cell(spec, "markdown", _opening(module, course), "intro")]
    if kind == "reading":
        from coursekit.content.readings import render_markdown

        return [Cell(spec, "markdown", render_markdown(module.card()), "reading")]
    if kind == "items":
        return [Cell(spec, "markdown", _items(module, module.form(name)), f"items_{name}")]
    if kind == "form":
        form = module.form(name)
        return [Cell(spec, "code", _render(f"form_{form.kind}.py.j2", form=form, name=f"{name}_form"),
                     f"form_{name}")]
    if kind == "profile" and module.form(name).kind == "instrument":
        return [Cell(spec, "code", _render("profile.py.j2", form=module.form(name)), f"profile_{name}")]
    if kind == "reflection":
        return _reflection(module, course)
    if kind == "submit":
        from coursekit.privacy import NOT_CHECKED, WHAT_IS_CHECKED

        # What the privacy check covers is said once, by the check itself, so no module promises more.
        return [Cell(spec, "markdown", _render("submit.md.j2", module=module, checked=WHAT_IS_CHECKED,
                                               not_checked=NOT_CHECKED), "submit_intro")]
    if kind == "privacy":
        return [Cell(spec, "code", _render("privacy.py.j2", module=module), "privacy_check")]
    if kind == "completion" and module.completion is not None:
        return [Cell(spec, "code", _render("completion.py.j2"), COMPLETION_CELL,
                     points=module.completion.points)]
    if kind == "references":
        return [Cell(spec, "markdown",
                     _render("references.md.j2", references=references(module, course, notebook)),
                     "references_list")]
    raise CoursekitError(
        f"{module.notebook}: a cell is generated from '{spec}', which coursekit does not know "
        f"for this module; the specs it knows here are: {', '.join(required_specs(module))}.")


def _opening(module: Module, course: Course) -> str:
    rows = []
    primed = {exercise.id for exercise in module.exercises if exercise.primer}
    for row in module.outline:
        what = row.what
        if primed & set(row.graded):  # a Python exercise: its row links the primer
            what += f"; new to Python? see the [Python primer]({PRIMER})"
        points = ""
        if row.graded:
            total = sum(module.points_of(g) for g in row.graded)
            by_hand = any(module.graded_by_hand(g) for g in row.graded)
            points = f"{points_text(total)}, " + ("graded by your instructor" if by_hand
                                                 else "checked automatically")
        rows.append({"what": what, "points": points})
    return _render("opening.md.j2", module=module, outline=rows, safety=course.safety,
                   primer=PRIMER if primed else None)


def _items(module: Module, form: Form) -> str:
    if form.kind == "instrument":
        return render_instrument(module.instrument(form.id))
    return render_questions(module.questions(form.id))


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
        if item.not_applicable:  # a choice beside the scale, not a point on it
            lines.append(f"    - or, if it does not apply: *{item.not_applicable}*")
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


def _reflection(module: Module, course: Course) -> list[Cell]:
    reflection = module.reflection
    assert reflection is not None  # required_specs asks for it only then
    rubric = course.rubric_for(module)
    rows = []
    for criterion in rubric.criteria:
        numbers = [n for n, part in enumerate(reflection.parts, 1) if criterion.applies_to(part.id)]
        applies = "every part" if len(numbers) == len(reflection.parts) else _numbered(numbers)
        # a table cell is one line: a level's text written over several lines in TOML joins up
        rows.append({"title": criterion.title, "applies": applies,
                     "texts": [" ".join(level.text.split()) for level in criterion.levels]})
    cells = [Cell("reflection", "markdown",
                  _render("rubric.md.j2", reflection=reflection, course=course, rubric=rubric, rows=rows),
                  "rubric")]
    for number, part in enumerate(reflection.parts, 1):
        # the criteria that apply to this part, beside it: a grader reads them next to the answer
        criteria = [{"title": criterion.title,
                     "levels": [{"points": level.points, "text": " ".join(level.text.split())}
                                for level in criterion.levels]}
                    for criterion in rubric.criteria if criterion.applies_to(part.id)]
        cells.append(Cell("reflection", "markdown",
                          _render("reflection_prompt.md.j2", number=number, part=part,
                                  rubric=rubric, criteria=criteria),
                          f"{part.grade_id}_prompt"))
        if part.model_answer is None:
            raise ManifestError(module.folder / MODEL_ANSWERS, "is missing, so the reflection's "
                                "answer cells cannot be written.",
                                advice=("This looks like a student's copy of the module, which has "
                                        "no model answers: run `coursekit sync` on the course's "
                                        f"source/{module.id}/. A new module needs a {MODEL_ANSWERS} "
                                        "with one answer per part (see docs/modules.md)."))
        cells.append(Cell("reflection", "markdown", part.model_answer.strip(), part.grade_id,
                          points=part.points, solution=True))
    return cells


def _numbered(numbers: list[int]) -> str:
    """Parts by the numbers their prompts carry: 'part 4', 'parts 2 and 3', 'parts 3 to 6'."""
    if len(numbers) == 1:
        return f"part {numbers[0]}"
    if len(numbers) > 2 and numbers == list(range(numbers[0], numbers[-1] + 1)):
        return f"parts {numbers[0]} to {numbers[-1]}"
    return f"parts {', '.join(map(str, numbers[:-1]))} and {numbers[-1]}"


def references(module: Module, course: Course | None = None, notebook: Any = None) -> list[str]:
    """The full references of a module, in alphabetical order as a reference list has them.

    They are the reading's, the evidence's and the manifest's own, and each of
    the course's shared references (``coursekit.toml``) that the module cites:
    in its generated cells or in the notebook's own Markdown cells, by first
    author and year (``coursekit.content.citations``). ``notebook`` as for ``generate``.
    """
    found: list[str] = []
    if module.reading:
        source = module.card().source
        found.append(f"{source.author} ({source.date}). *{source.title}*. {source.venue}.")
    if module.evidence:
        found += module.evidence_set().references
    found += module.references
    found = list(dict.fromkeys(found))
    if course is not None and course.references:
        have = {reference_key(reference) for reference in found}
        wanted = cited("\n\n".join(module_markdown(module, course, notebook)))
        for reference in course.references:
            key = reference_key(reference)
            if key in wanted and key not in have:
                found.append(reference)
                have.add(key)
    return sorted(found, key=lambda reference: reference.replace("*", "").casefold())


def module_markdown(module: Module, course: Course, notebook: Any = None) -> list[str]:
    """Every Markdown text a module shows but its reference list: generated cells, then its own."""
    texts = [cell.source for spec in required_specs(module) if spec != "references"
             for cell in generate(spec, module, course) if cell.cell_type == "markdown"]
    if notebook is None and module.notebook.is_file():
        notebook = json.loads(module.notebook.read_text(encoding="utf-8"))
    for cell in (notebook or {}).get("cells", []):
        generated = cell.get("metadata", {}).get("coursekit", {}).get("generated")
        if cell.get("cell_type") == "markdown" and not generated:
            source = cell.get("source", "")
            texts.append(source if isinstance(source, str) else "".join(source))
    return texts
