"""What a module is: its manifest, ``module.toml``, and the course it belongs to.

A module is a folder ``course/source/<id>/`` holding its notebook
(``<id>.ipynb``), its manifest and the data files the manifest names: a
reading card, instruments and question sets, evidence, a cohort reference.
nbgrader releases the whole folder to students, so the notebook finds its
definitions next to itself at run time, and autograde restores them from
``source/`` (a student cannot change what they are graded against).

The course's shared settings (the order of its modules, the privacy advice,
the rubric, what students are told about their own safety, the references several
modules cite) are in ``course/coursekit.toml``. Every tool reads these two
files instead of guessing what a module holds; the format is documented in
``docs/modules.md`` and validated by the JSON Schemas in ``schemas/``. Only
the checks that relate two parts of a module stay here in Python.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from coursekit.content.schema import validate
from coursekit.errors import ManifestError

if TYPE_CHECKING:
    from coursekit.content.evidence import EvidenceSet
    from coursekit.content.instruments import Instrument
    from coursekit.content.questions import QuestionSet
    from coursekit.content.readings import ReadingCard

MANIFEST = "module.toml"
# The instructor's model answers to the reflection, beside the manifest in source/ only:
# nbgrader_config.py lists the file in CourseDirectory.ignore, so nbgrader never copies it
# into release/, autograded/ or feedback/, and a student's copy of a module has none.
MODEL_ANSWERS = "model-answers.toml"
COURSE_SETTINGS = "coursekit.toml"
PLAN_FORM = "practice_plan"  # the id a portfolio's plan is saved under
COMPLETION_CELL = "test_completion"
COURSE_MODULES = "course-modules.json"  # a portfolio's list of the modules it draws on (sync writes it)
# The course's Python primer, for students who do not code: one page beside coursekit.toml,
# which sync copies into every module with a Python exercise, so nbgrader releases it there.
PRIMER = "python-primer.md"
# What a student's own folder may hold that a source folder never should: nbgrader
# would release it to every student and, at autograde, copy it over submissions.
STUDENT_FILES = ("coursekit-responses*.json", "my-practice-portfolio*.html")


@dataclass(frozen=True)
class Form:
    id: str
    kind: str  # "instrument", "questions" or "plan"
    file: str | None
    required: bool


@dataclass(frozen=True)
class Completion:
    points: float
    what: str


@dataclass(frozen=True)
class Exercise:
    id: str
    what: str
    graded_by: str  # "autograder" or "instructor"
    cells: dict[str, float]
    primer: bool = False  # an exercise in Python: the module carries the course's Python primer


@dataclass(frozen=True)
class RubricLevel:
    points: float
    text: str


@dataclass(frozen=True)
class Criterion:
    """One thing a grader looks for in a part, described at every level of points."""

    title: str
    levels: tuple[RubricLevel, ...]  # highest points first; every criterion of a rubric has the same
    parts: tuple[str, ...] | None  # the part ids it applies to; None: every part

    def applies_to(self, part_id: str) -> bool:
        return self.parts is None or part_id in self.parts


@dataclass(frozen=True)
class Comment:
    """A standard comment of the comment bank, for graders to copy into the Formgrader."""

    text: str
    parts: tuple[str, ...] | None = None  # the part ids it applies to; None: every part
    criterion: str | None = None  # the title of the criterion it is about: only where that applies

    def applies_to(self, part_id: str, rubric: Rubric) -> bool:
        if self.parts is not None and part_id not in self.parts:
            return False
        if self.criterion is None:
            return True
        return any(c.title == self.criterion and c.applies_to(part_id) for c in rubric.criteria)


@dataclass(frozen=True)
class Rubric:
    """How each part of a reflection is graded: criteria, and the rules every grade follows."""

    criteria: tuple[Criterion, ...]
    scoring: str  # how a part's points follow from its criteria
    not_graded: str  # what is never graded (how much a student discloses)
    identifies_client: str  # what happens instead of a grade when a reflection identifies a client
    comments: tuple[Comment, ...] = ()  # the course's comment bank: for every part of every module

    @property
    def points(self) -> tuple[float, ...]:
        """The levels' points, highest first (the same for every criterion)."""
        return tuple(level.points for level in self.criteria[0].levels)

    @property
    def top(self) -> float:
        return self.points[0]


@dataclass(frozen=True)
class Safety:
    """What every module's opening tells students about writing about clients and themselves."""

    heading: str
    choice: str  # what they may leave out; how much of their own history they share
    instructor: str  # what an instructor does with what they read
    grading: str  # that a grade is not a fitness-to-practise assessment
    support: str  # where to find support, before the contacts
    contacts: tuple[str, ...]  # the programme's support contacts


@dataclass(frozen=True)
class ReflectionPart:
    id: str
    title: str
    prompt: str
    points: float
    model_answer: str | None  # None in a student's copy, which has no model-answers.toml

    @property
    def grade_id(self) -> str:
        return f"reflection_{self.id}"


@dataclass(frozen=True)
class Reflection:
    heading: str
    intro: str
    parts: tuple[ReflectionPart, ...]
    words: tuple[int, int]  # how many words a part asks for, fewest and most
    criteria: tuple[Criterion, ...] | None  # None: the course's rubric criteria
    comments: tuple[Comment, ...] = ()  # the module's own comment bank

    @property
    def points(self) -> float:
        return sum(part.points for part in self.parts)


@dataclass(frozen=True)
class Report:
    instrument: str
    reference: str | None


@dataclass(frozen=True)
class OutlineRow:
    what: str
    graded: tuple[str, ...]


@dataclass(frozen=True)
class Module:
    """One module, as its manifest declares it. Definitions load on first use."""

    folder: Path
    id: str
    title: str
    purpose: str
    time: str
    safety_note: str | None  # what this module adds to the course's safety statement
    reading: str | None
    collected: tuple[str, ...]
    forms: tuple[Form, ...]
    completion: Completion | None
    evidence: str | None
    references: tuple[str, ...]
    exercises: tuple[Exercise, ...]
    reflection: Reflection | None
    report: Report | None
    outline: tuple[OutlineRow, ...]
    portfolio_exclude: tuple[str, ...] | None  # None: not a portfolio module

    @classmethod
    def here(cls) -> Module:
        """The module whose folder the notebook runs in (JupyterLab and nbgrader run it there)."""
        return load_module(Path.cwd())

    @property
    def path(self) -> Path:
        return self.folder / MANIFEST

    @property
    def notebook(self) -> Path:
        return self.folder / f"{self.id}.ipynb"

    @property
    def is_portfolio(self) -> bool:
        return self.portfolio_exclude is not None

    @property
    def has_primer(self) -> bool:
        """Whether an exercise is in Python, so the module carries the course's primer."""
        return any(exercise.primer for exercise in self.exercises)

    def form(self, form_id: str) -> Form:
        for form in self.forms:
            if form.id == form_id:
                return form
        raise ManifestError(self.path, f"declares no form '{form_id}'.", field="forms",
                            advice=f"Its forms are: {', '.join(f.id for f in self.forms) or 'none'}.")

    def forms_of(self, kind: str) -> tuple[Form, ...]:
        return tuple(form for form in self.forms if form.kind == kind)

    @cached_property
    def instruments(self) -> dict[str, Instrument]:
        from coursekit.content.instruments import load_instrument

        return {f.id: load_instrument(self.folder / str(f.file)) for f in self.forms_of("instrument")}

    @cached_property
    def question_sets(self) -> dict[str, QuestionSet]:
        from coursekit.content.questions import load_questions

        return {f.id: load_questions(self.folder / str(f.file)) for f in self.forms_of("questions")}

    def instrument(self, form_id: str | None = None) -> Instrument:
        """One of the module's instruments (the only one, when ``form_id`` is left out)."""
        instrument: Instrument = _one(self, self.instruments, form_id, "instrument")
        return instrument

    def questions(self, form_id: str | None = None) -> QuestionSet:
        qset: QuestionSet = _one(self, self.question_sets, form_id, "questions")
        return qset

    def card(self) -> ReadingCard:
        from coursekit.content.readings import load_card

        if self.reading is None:
            raise ManifestError(self.path, "names no reading card.", field="reading")
        return load_card(self.folder / self.reading)

    def evidence_set(self) -> EvidenceSet:
        from coursekit.content.evidence import load_evidence

        if self.evidence is None:
            raise ManifestError(self.path, "names no evidence file.", field="evidence")
        return load_evidence(self.folder / self.evidence)

    def graded_cells(self) -> dict[str, float]:
        """Every graded cell the notebook must have, by grade id, with its points."""
        cells: dict[str, float] = {}
        if self.completion is not None:
            cells[COMPLETION_CELL] = self.completion.points
        for exercise in self.exercises:
            cells.update(exercise.cells)
        if self.reflection is not None:
            cells.update({part.grade_id: part.points for part in self.reflection.parts})
        return cells

    def points_of(self, graded: str) -> float:
        """The points of an outline entry: 'completion', 'reflection' or an exercise id."""
        if graded == "completion" and self.completion is not None:
            return self.completion.points
        if graded == "reflection" and self.reflection is not None:
            return self.reflection.points
        for exercise in self.exercises:
            if exercise.id == graded:
                return sum(exercise.cells.values())
        raise ManifestError(self.path, f"the outline names '{graded}', which the module does not "
                            "grade.", field="outline",
                            advice="Use 'completion', 'reflection' or one of its exercise ids.")

    def graded_by_hand(self, graded: str) -> bool:
        if graded == "reflection":
            return True
        return any(e.id == graded and e.graded_by == "instructor" for e in self.exercises)


@dataclass(frozen=True)
class Course:
    """A course directory: its settings and its modules, in order."""

    folder: Path
    title: str
    module_ids: tuple[str, ...]
    protect_client: str
    safety: Safety
    rubric: Rubric
    # Full references of works several modules cite (the reflective frameworks, say); each module's
    # reference list takes those its text cites (coursekit.content.cells.references).
    references: tuple[str, ...] = ()

    @property
    def source(self) -> Path:
        return self.folder / "source"

    @property
    def path(self) -> Path:
        return self.folder / COURSE_SETTINGS

    @property
    def primer(self) -> Path:
        """The course's Python primer (its one copy that is edited; sync copies it into modules)."""
        return self.folder / PRIMER

    def module(self, module_id: str) -> Module:
        if module_id not in self.module_ids:
            raise ManifestError(
                self.path, f"the course has no module '{module_id}'.", field="modules",
                advice=f"Its modules are: {', '.join(self.module_ids)}. A new one is made with "
                       f"`coursekit new {module_id}`.")
        return load_module(self.source / module_id)

    def modules(self) -> list[Module]:
        return [self.module(module_id) for module_id in self.module_ids]

    def rubric_for(self, module: Module) -> Rubric:
        """The module's rubric: its own criteria or the course's, under the course's rules.

        Raises ManifestError when a course criterion names a part the module does not have.
        """
        if module.reflection is None:
            return self.rubric
        if module.reflection.criteria is not None:
            _check_comment_criteria(module.reflection.comments, module.reflection.criteria,
                                    module.path, "reflection.comments")
            return replace(self.rubric, criteria=module.reflection.criteria)
        _check_comment_criteria(module.reflection.comments, self.rubric.criteria, module.path,
                                "reflection.comments")
        part_ids = [part.id for part in module.reflection.parts]
        for i, criterion in enumerate(self.rubric.criteria):
            missing = [p for p in criterion.parts or () if p not in part_ids]
            if missing:
                raise ManifestError(
                    self.path, f"the criterion '{criterion.title}' names the part "
                    f"'{missing[0]}', which the module '{module.id}' does not have (its parts are "
                    f"{', '.join(part_ids)}).", field=f"rubric.criteria.{i}.parts",
                    advice=f"Correct the part's id, or give {module.id}/{MANIFEST} a rubric of its "
                           "own ([[reflection.rubric.criteria]]).")
        return self.rubric


# --- loading ---------------------------------------------------------------------


def comments_for(course: Course, module: Module) -> dict[str, list[str]]:
    """The comment bank for each part of a module's reflection (by part id): the module's own
    comments that apply to the part, then the course's. A comment about a criterion goes
    only beside the parts that criterion applies to, in the module's rubric."""
    if module.reflection is None:
        return {}
    rubric = course.rubric_for(module)
    bank = [*module.reflection.comments, *course.rubric.comments]
    return {part.id: [c.text for c in bank if c.applies_to(part.id, rubric)]
            for part in module.reflection.parts}


def _read_toml(path: Path, what: str) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ManifestError(path, f"there is no {what} here.", advice=_MISSING_ADVICE[what]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ManifestError(path, f"cannot be read ({exc}).") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ManifestError(path, f"is not valid TOML ({exc}).",
                            advice="Check the quotes and brackets on that line.") from None


_MISSING_ADVICE = {
    "module manifest": "Every module folder holds a module.toml; `coursekit new NAME` makes one "
                       "(see docs/modules.md).",
    "model answers file": f"The instructor's version of a module keeps its model answers in "
                          f"{MODEL_ANSWERS}, beside {MANIFEST} (see docs/modules.md).",
    "course settings file": "An nbgrader course directory used with coursekit holds a "
                            "coursekit.toml next to nbgrader_config.py (see docs/modules.md).",
}


def load_module(folder: str | Path) -> Module:
    """Load and validate ``folder/module.toml``; raise ManifestError naming the file and field."""
    folder = Path(folder)
    path = folder / MANIFEST
    raw = _read_toml(path, "module manifest")
    for i, part in enumerate(raw.get("reflection", {}).get("parts", ())):
        if isinstance(part, dict) and "model_answer" in part:  # the format before model-answers.toml
            raise ManifestError(path, "holds a model answer, which students would receive with it.",
                                field=f"reflection.parts.{i}.model_answer",
                                advice=f"Move each part's model_answer into {MODEL_ANSWERS} beside it, "
                                       f"as {part.get('id', 'its_id')} = '''...''' (see docs/modules.md).")
    validate(raw, "module", path, ManifestError)
    module = _build(folder, raw, _model_answers(folder, raw))
    _cross_check(module)
    return module


def _model_answers(folder: Path, raw: dict[str, Any]) -> dict[str, str]:
    """The model answers by part id, from ``folder/model-answers.toml``; none when the file is
    absent (a student's copy). When it is there, it holds one answer for each part, no more."""
    path = folder / MODEL_ANSWERS
    if not path.is_file():
        return {}
    answers = _read_toml(path, "model answers file")
    validate(answers, "model_answers", path, ManifestError)
    parts = [p["id"] for p in raw.get("reflection", {}).get("parts", ())]
    for part_id in answers:
        if part_id not in parts:
            raise ManifestError(path, f"has a model answer for '{part_id}', which is not a part of "
                                "the module's reflection.", field=part_id,
                                advice=(f"Its parts ({MANIFEST}, [[reflection.parts]]) are: "
                                        f"{', '.join(parts) or 'none'}. Rename or remove the answer."))
    for part_id in parts:
        if part_id not in answers:
            raise ManifestError(path, f"has no model answer for the part '{part_id}'.", field=part_id,
                                advice=f"Add {part_id} = '''...''' with the answer you would "
                                       "give full marks; nbgrader blanks it for students.")
    return {part_id: str(answer) for part_id, answer in answers.items()}


def load_course(folder: str | Path) -> Course:
    """Load ``folder/coursekit.toml`` (the modules themselves load when asked for)."""
    folder = Path(folder)
    path = folder / COURSE_SETTINGS
    raw = _read_toml(path, "course settings file")
    validate(raw, "course", path, ManifestError)
    rubric = raw["rubric"]
    criteria = _criteria(rubric["criteria"], path, "rubric.criteria")
    _check_comment_criteria(_comments(rubric.get("comments", ())), criteria, path, "rubric.comments")
    safety = raw["safety"]
    course = Course(folder, raw["title"], tuple(raw["modules"]), raw["protect_client"],
                    Safety(safety["heading"], safety["choice"], safety["instructor"],
                           safety["grading"], safety["support"], tuple(safety["contacts"])),
                    Rubric(criteria, rubric["scoring"], rubric["not_graded"],
                           rubric["identifies_client"], _comments(rubric.get("comments", ()))),
                    tuple(raw.get("references", ())))
    for index, module_id in enumerate(course.module_ids):
        if not (course.source / module_id / MANIFEST).is_file():
            raise ManifestError(path, f"lists the module '{module_id}', but there is no "
                                f"source/{module_id}/{MANIFEST}.", field=f"modules.{index}",
                                advice=f"Make it with `coursekit new {module_id}`, or take it "
                                       "off the list.")
    return course


def find_course(start: str | Path | None = None) -> Path:
    """The course directory, as an absolute path: ``start`` if given; else the current folder if
    it holds ``coursekit.toml``, else ./course if that does, else the nearest parent folder that
    does (so a command works from anywhere inside the course: ``course/source/alliance/``);
    else ./course, for the error message to name.

    One rule for every command, so that they all agree on where the course is. Only
    ``coursekit.toml`` marks a course: an ``nbgrader_config.py`` alone does not (a student's
    folder or the repository root may hold one).
    """
    if start is not None:
        return Path(start).resolve()
    here = Path.cwd().resolve()
    for folder in (here, here / "course", *here.parents):
        if (folder / COURSE_SETTINGS).is_file():
            return folder
    return here / "course"


def _criteria(raw: list[dict[str, Any]], path: Path, field: str) -> tuple[Criterion, ...]:
    """A rubric's criteria; each describes the same levels of points, highest first."""
    criteria = tuple(
        Criterion(c["title"], tuple(RubricLevel(level["points"], level["text"]) for level in c["levels"]),
                  tuple(c["parts"]) if "parts" in c else None)
        for c in raw)
    first = [level.points for level in criteria[0].levels]
    if first != sorted(set(first), reverse=True):
        raise ManifestError(path, f"the levels of '{criteria[0].title}' are worth "
                            f"{', '.join(f'{p:g}' for p in first)} points.", field=f"{field}.0.levels",
                            advice="List each level once, from the highest points down.")
    for i, criterion in enumerate(criteria[1:], 1):
        points = [level.points for level in criterion.levels]
        if points != first:
            raise ManifestError(
                path, f"the levels of '{criterion.title}' are worth "
                f"{', '.join(f'{p:g}' for p in points)} points, those of '{criteria[0].title}' "
                f"{', '.join(f'{p:g}' for p in first)}.", field=f"{field}.{i}.levels",
                advice="Every criterion of a rubric describes the same levels, in the same order, "
                       "so that a grader can read across them.")
    return criteria


def _comments(raw: Any) -> tuple[Comment, ...]:
    return tuple(Comment(c["text"].strip(), tuple(c["parts"]) if "parts" in c else None,
                         c.get("criterion")) for c in raw)


def _check_comment_criteria(comments: tuple[Comment, ...], criteria: tuple[Criterion, ...],
                            path: Path, field: str) -> None:
    titles = [criterion.title for criterion in criteria]
    for i, comment in enumerate(comments):
        if comment.criterion is not None and comment.criterion not in titles:
            raise ManifestError(path, f"names the criterion '{comment.criterion}', which the "
                                "rubric does not have.", field=f"{field}.{i}.criterion",
                                advice=f"Its criteria are: {', '.join(titles)}.")


def _build(folder: Path, raw: dict[str, Any], model_answers: dict[str, str]) -> Module:
    reflection = None
    if "reflection" in raw:
        r = raw["reflection"]
        reflection = Reflection(
            r["heading"], r["intro"],
            tuple(ReflectionPart(p["id"], p["title"], p["prompt"], p["points"], model_answers.get(p["id"]))
                  for p in r["parts"]),
            (r["words"]["min"], r["words"]["max"]),
            _criteria(r["rubric"]["criteria"], folder / MANIFEST, "reflection.rubric.criteria")
            if "rubric" in r else None,
            _comments(r.get("comments", ())))
    completion = raw.get("completion")
    report = raw.get("report")
    portfolio = raw.get("portfolio")
    return Module(
        folder=folder, id=raw["id"], title=raw["title"], purpose=raw["purpose"], time=raw["time"],
        safety_note=raw.get("safety_note"), reading=raw.get("reading"),
        collected=tuple(raw.get("collected", ())),
        forms=tuple(Form(f["id"], f["kind"], f.get("file"), f.get("required", True))
                    for f in raw.get("forms", ())),
        completion=Completion(completion["points"], completion["what"]) if completion else None,
        evidence=raw.get("evidence"), references=tuple(raw.get("references", ())),
        exercises=tuple(Exercise(e["id"], e["what"], e["graded_by"], dict(e["cells"]), e.get("primer", False))
                        for e in raw.get("exercises", ())),
        reflection=reflection,
        report=Report(report["instrument"], report.get("reference")) if report else None,
        outline=tuple(OutlineRow(o["what"], tuple(o.get("graded", ()))) for o in raw.get("outline", ())),
        portfolio_exclude=tuple(portfolio.get("exclude", ())) if portfolio is not None else None,
    )


def _cross_check(module: Module) -> None:
    """What a schema cannot say: how the parts of a module relate to each other and its folder."""
    path = module.path

    def fail(field: str, problem: str, advice: str = "") -> ManifestError:
        return ManifestError(path, problem, field=field, advice=advice)

    if module.id != module.folder.name:
        raise fail("id", f"is '{module.id}', but the folder is '{module.folder.name}'.",
                   "A module's id, its folder and its notebook share one name.")
    named = [("reading", module.reading), ("evidence", module.evidence),
             ("report.reference", module.report.reference if module.report else None)]
    named += [(f"forms.{i}.file", form.file) for i, form in enumerate(module.forms)]
    for field, name in named:
        if name is not None and not (module.folder / name).is_file():
            raise fail(field, f"names {name}, which is not in {module.folder}.",
                       "Put the file in the module's folder, or correct the name.")
    seen: set[str] = set()
    for i, form in enumerate(module.forms):
        if form.id in seen:
            raise fail(f"forms.{i}.id", f"'{form.id}' is declared twice.")
        seen.add(form.id)
        if (form.kind == "plan") == (form.file is not None):
            raise fail(f"forms.{i}", "a plan has no definition file; an instrument or a question "
                       "set must name one (file = \"....json\").")
        if form.kind == "plan" and form.id != PLAN_FORM:
            raise fail(f"forms.{i}.id", f"a plan's id is '{PLAN_FORM}'.")
    if any(form.required for form in module.forms) != (module.completion is not None):
        raise fail("completion", "a module with required forms has a completion check, and only "
                   "such a module does.", "Add a [completion] table, or mark the forms "
                   "required = false.")
    if module.report is not None and module.report.instrument not in {
            f.id for f in module.forms_of("instrument")}:
        raise fail("report.instrument", f"'{module.report.instrument}' is not one of the "
                   "module's instruments.")
    reflection = module.reflection
    if reflection is not None:
        fewest, most = reflection.words
        if fewest > most:
            raise fail("reflection.words", f"asks for at least {fewest} and at most {most} words.",
                       "Give the fewest words first: min is at most max.")
        part_ids = [part.id for part in reflection.parts]
        named_parts = [(f"reflection.rubric.criteria.{i}.parts", c.parts)
                       for i, c in enumerate(reflection.criteria or ())]
        named_parts += [(f"reflection.comments.{i}.parts", c.parts)
                        for i, c in enumerate(reflection.comments)]
        for field, parts in named_parts:
            for part_id in parts or ():
                if part_id not in part_ids:
                    raise fail(field, f"names the part '{part_id}', which the reflection does "
                               "not have.", f"Its parts are: {', '.join(part_ids)}.")
    grade_ids: dict[str, str] = {}
    for field, cells in _graded_sources(module):
        for grade_id in cells:
            if grade_id in grade_ids:
                raise fail(field, f"the graded cell '{grade_id}' is also declared in "
                           f"{grade_ids[grade_id]}.", "Every graded cell has one grade id.")
            grade_ids[grade_id] = field
    exercise_ids = [e.id for e in module.exercises]
    if len(set(exercise_ids)) != len(exercise_ids):
        raise fail("exercises", "two exercises share an id.")
    valid = {"completion"} if module.completion else set()
    valid |= {"reflection"} if module.reflection else set()
    valid |= set(exercise_ids)
    for i, row in enumerate(module.outline):
        for graded in row.graded:
            if graded not in valid:
                raise fail(f"outline.{i}.graded", f"names '{graded}', which the module does not "
                           "grade.", f"Choose from: {', '.join(sorted(valid)) or 'nothing'}.")
    ids = {**{k: v.id for k, v in module.instruments.items()},
           **{k: v.id for k, v in module.question_sets.items()}}
    for form_id, defined_id in ids.items():
        if defined_id != form_id:
            raise fail("forms", f"the form '{form_id}' names a file whose id is "
                       f"'{defined_id}'.", "A form's id is the id inside its file.")


def _graded_sources(module: Module) -> list[tuple[str, list[str]]]:
    sources = [("completion", [COMPLETION_CELL] if module.completion else [])]
    sources += [(f"exercises.{i}.cells", list(e.cells)) for i, e in enumerate(module.exercises)]
    if module.reflection is not None:
        sources.append(("reflection.parts", [p.grade_id for p in module.reflection.parts]))
    return sources


def _one(module: Module, table: dict[str, Any], form_id: str | None, kind: str) -> Any:
    if form_id is None:
        if len(table) != 1:
            raise ManifestError(module.path, f"has {len(table)} {kind} forms; name the one meant.",
                                field="forms")
        return next(iter(table.values()))
    if form_id not in table:
        raise ManifestError(module.path, f"declares no {kind} form '{form_id}'.", field="forms",
                            advice=f"Its {kind} forms are: {', '.join(table) or 'none'}.")
    return table[form_id]


__all__ = ["Comment", "Course", "Criterion", "Form", "Module", "Rubric", "Safety", "comments_for",
           "find_course", "load_course", "load_module"]
