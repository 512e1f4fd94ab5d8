"""The portfolio: a student's saved answers across every module, and their practice plan.

The portfolio notebook runs in its own assignment folder, with the other
modules beside it, as nbgrader fetches them::

    <assignments>/portfolio/portfolio.ipynb      (this module: the plan is saved here)
    <assignments>/alliance/coursekit-responses.json
    <assignments>/breakthroughs/coursekit-responses.json

With COURSEKIT_RESPONSES_DIR set, ``<assignments>`` is that folder, as for
``ResponseStore.here``. Everything here only *reads* the other modules'
files: a damaged file is reported, never moved or rewritten.

Which modules belong to the course is declared, not guessed: ``coursekit sync``
writes the course's modules into the portfolio's folder
(``course-modules.json``, released with it), and each module's own
``module.toml`` says which forms it saves. A module's definitions are read
from its folder, or, where that holds only answers (COURSEKIT_RESPONSES_DIR),
from the folder of module definitions beside the portfolio's own. Pure: no
widgets, no plots.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from coursekit.content.instruments import NOT_APPLICABLE, Instrument, SubscaleScore, score
from coursekit.content.manifest import COURSE_MODULES, MANIFEST, Module, load_module
from coursekit.content.questions import validate_numbers
from coursekit.errors import AnswerError, DataFileError, ResponseFileError
from coursekit.student.responses import FILENAME, FOLDER_ENV, Responses, ResponseStore, read_responses

PORTFOLIO = "portfolio"
PLAN_KEY = "practice_plan"

# The module states, in the words the student reads.
DONE, INCOMPLETE, NO_ANSWERS, NO_FOLDER, DAMAGED = (
    "done", "incomplete", "no_answers", "no_folder", "damaged")
STATES = {
    DONE: "done",
    INCOMPLETE: "answers incomplete",
    NO_ANSWERS: "no answers yet",
    NO_FOLDER: "no folder",
    DAMAGED: "answers file damaged",
}


# --- what a module holds -------------------------------------------------------


@dataclass(frozen=True)
class Measure:
    """One row of the profile: a subscale total or a numeric answer, with its range."""

    group: str  # the instrument's or question set's title
    label: str
    value: float | None  # None until answered (a subscale: until every item is)
    minimum: int
    maximum: int
    # "subscale" (a total, or a mean when an item did not happen), "item" (one item,
    # reverse-keyed turned round), "answer"
    kind: str = "subscale"
    unit: str = ""
    note: str = ""  # why there is no value yet ("3 of 4 items answered"), or what it is a mean of
    not_applicable: bool = False  # answered, but "did not happen": no value, and nothing left to do


@dataclass(frozen=True)
class ModuleStatus:
    """One module as the portfolio found it, with what to do if it is not done."""

    module: str
    state: str  # one of STATES
    folder: Path
    summary: str  # a few words, for the figure ("6 of 12 items answered")
    advice: str = ""  # a sentence or two: what is missing and what to do
    measures: tuple[Measure, ...] = ()
    saved_at: str | None = None

    @property
    def done(self) -> bool:
        return self.state == DONE

    title: str = ""  # the module's title, from its manifest

    def __post_init__(self) -> None:
        if not self.title:
            object.__setattr__(self, "title", self.module.replace("_", " ").capitalize())


@dataclass(frozen=True)
class Portfolio:
    """Every module's state, in course order, and the practice plan."""

    base: Path  # the assignments folder holding one folder per module
    here: Path  # the portfolio's own folder (the plan is saved here)
    modules: tuple[ModuleStatus, ...]
    plan: Plan = field(default_factory=lambda: Plan())
    plan_note: str = ""  # set when the plan file could not be read

    def module(self, name: str) -> ModuleStatus:
        for status in self.modules:
            if status.module == name:
                return status
        raise KeyError(f"no module {name!r}; the modules are {', '.join(self.names)}.")

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(m.module for m in self.modules)

    @property
    def done(self) -> tuple[ModuleStatus, ...]:
        return tuple(m for m in self.modules if m.done)

    @property
    def missing(self) -> tuple[ModuleStatus, ...]:
        return tuple(m for m in self.modules if not m.done)

    @property
    def complete(self) -> bool:
        return bool(self.modules) and not self.missing

    def report(self) -> str:
        """Plain text: which modules are done, and what to do about the others."""
        lines = [f"Done: {len(self.done)} of {len(self.modules)} modules "
                 f"(looked for their folders in {self.base})."]
        for m in self.modules:
            if m.done:
                lines.append(f"  done          {m.module}: {m.summary}.")
            else:
                lines.append(f"  NOT DONE YET  {m.module}: {m.advice}")
        if self.plan_note:
            lines.append(self.plan_note)
        return "\n".join(lines)

    def _repr_markdown_(self) -> str:
        # module folders by name: the student's own path (their home, a server's) says nothing
        rows = [f"**{len(self.done)} of {len(self.modules)} modules done** "
                f"(each module's folder was looked for beside this one, in `{self.base.name}`).", "",
                "| module | state | what to do |", "|---|---|---|"]
        for m in self.modules:
            state = "done" if m.done else f"**not done yet**: {STATES[m.state]}"
            advice = m.summary if m.done else m.advice
            rows.append(f"| {m.module} | {state} | {_cell(advice)} |")
        if self.plan_note:
            rows += ["", self.plan_note]
        return "\n".join(rows) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


# --- finding the modules --------------------------------------------------------


def assignments_folder() -> Path:
    """Where the module folders sit: COURSEKIT_RESPONSES_DIR, else the parent of this folder."""
    base = os.environ.get(FOLDER_ENV)
    return Path(base) if base else Path.cwd().parent


def portfolio_folder() -> Path:
    """The portfolio's own folder, by the rule of ``ResponseStore.here``."""
    base = os.environ.get(FOLDER_ENV)
    return Path(base) / PORTFOLIO if base else Path.cwd()


def course_modules(definitions: str | Path | None = None) -> list[tuple[str, str]]:
    """The modules a portfolio draws on, as (id, title): from its ``course-modules.json``.

    ``definitions`` is the portfolio's own definitions folder (default: this
    folder). Where the list is missing (a portfolio folder copied by hand),
    the modules are the sibling folders with a manifest.
    """
    folder = Path(definitions) if definitions is not None else Path.cwd()
    try:
        listed = json.loads((folder / COURSE_MODULES).read_text(encoding="utf-8"))
        return [(str(entry["id"]), str(entry["title"])) for entry in listed]
    except (OSError, ValueError, KeyError, TypeError):
        pass
    found = []
    for manifest in sorted(folder.parent.glob(f"*/{MANIFEST}")):
        try:
            module = load_module(manifest.parent)
        except DataFileError:
            continue
        if not module.is_portfolio:
            found.append((module.id, module.title))
    return found


def gather(base: str | Path | None = None, *, here: str | Path | None = None,
           modules: Sequence[str] | None = None,
           definitions: str | Path | None = None) -> Portfolio:
    """Read (never change) every module's saved answers, and the plan.

    ``base`` is the assignments folder and ``here`` the portfolio's folder;
    by default they follow ``ResponseStore.here``. ``definitions`` is the
    portfolio's definitions folder (default: this folder), whose
    ``course-modules.json`` lists the modules; ``modules`` fixes the list (and
    order) instead.
    """
    if base is None:
        base_path = Path(here).parent if here is not None else assignments_folder()
    else:
        base_path = Path(base)
    if here is None:
        here_path = base_path / PORTFOLIO if base is not None else portfolio_folder()
    else:
        here_path = Path(here)
    own = Path(definitions) if definitions is not None else Path.cwd()
    listed = course_modules(own)
    titles = dict(listed)
    names = list(modules) if modules is not None else [module_id for module_id, _ in listed]
    statuses = tuple(summarise_module(name, base_path / name, own.parent / name,
                                      title=titles.get(name, ""))
                     for name in names)
    plan, note = Plan(), ""
    try:
        plan = read_plan(here_path)
    except ResponseFileError as exc:
        note = (f"Your plan could not be read: {exc.problem} Run the plan form below: it keeps "
                "the damaged file aside and lets you write the plan again.")
    except OSError as exc:
        note = f"Your plan could not be read ({exc.strerror or exc})."
    return Portfolio(base_path, here_path, statuses, plan, note)


def summarise_module(module: str, folder: str | Path, definitions: str | Path | None = None, *,
                     title: str = "") -> ModuleStatus:
    """One module's state and profile rows, from its folder's saved answers (read only).

    Its forms are those its manifest declares: in ``folder`` itself (a fetched
    module) or else in ``definitions``.
    """
    folder = Path(folder)
    notebook = f"{module}.ipynb"

    def status(state: str, summary: str, advice: str = "", measures: Sequence[Measure] = (),
               saved: Responses | None = None) -> ModuleStatus:
        return ModuleStatus(module, state, folder, summary, advice, tuple(measures),
                            saved.saved_at if saved else None, title)

    try:
        found = folder.is_dir()
    except OSError:  # a parent folder that cannot be searched
        found = False
    if not found:
        return status(NO_FOLDER, "no folder found",
                      f"There is no folder '{module}' beside this one. Fetch the module "
                      "(Assignments tab), work through it, then run this cell again.")
    try:
        saved = read_responses(folder / FILENAME, module)
    except ResponseFileError as exc:
        return status(DAMAGED, "answers file could not be read", _damaged_advice(module, exc.problem))
    except OSError as exc:
        return status(DAMAGED, "answers file could not be read",
                      _damaged_advice(module, f"cannot be read ({exc.strerror or exc})."))
    no_answers = (f"No saved answers in the '{module}' folder yet. Open {notebook}, answer its "
                  "forms and press Save answers.")
    if saved is None:
        return status(NO_ANSWERS, "no answers saved yet", no_answers)
    declared = _declared(module, folder, definitions)
    if declared is None:
        return status(DAMAGED, "module definitions not found",
                      f"The module's definitions (its {MANIFEST}) are not in the '{module}' "
                      "folder. Fetch the "
                      "module again from the Assignments tab; your saved answers are kept.")
    instruments = list(declared.instruments.values())
    qsets = list(declared.question_sets.values())
    if not instruments and not qsets:  # a module that saves only free values
        if saved.instruments or saved.values:
            return status(DONE, "answers saved", saved=saved)
        return status(NO_ANSWERS, "no answers saved yet", no_answers, saved=saved)

    measures: list[Measure] = []
    counts: list[tuple[str, int, int, str]] = []  # title, answered, total, noun
    try:
        for inst in instruments:
            answers = saved.answers(inst.id)
            result = score(inst, answers)
            counts.append((inst.title, len(inst.items) - len(result.missing), len(inst.items), "items"))
            # One subscale of several items: its items show the shape the total hides.
            show_items = len(inst.subscales) == 1 and len(inst.items) > 1
            measures += [_subscale_measure(inst, sub, show_items) for sub in result.subscales]
            if show_items:
                lo, hi = inst.scale.min, inst.scale.max
                for item in inst.items:
                    value = answers.get(item.id)
                    if value is NOT_APPLICABLE:
                        measures.append(Measure(inst.title, _short(item.text), None, lo, hi, "item",
                                                note="did not happen", not_applicable=True))
                        continue
                    if isinstance(value, int) and item.reverse:
                        value = hi + lo - value
                    measures.append(Measure(inst.title, _short(item.text),
                                            value if isinstance(value, int) else None, lo, hi, "item"))
            own = saved.own_answer(inst)  # optional: a word of the student's own, rated
            if own is not None:
                measures.append(Measure(inst.title, f"{own['name']} (your own word)", own["rating"],
                                        inst.scale.min, inst.scale.max, "answer"))
        for qset in qsets:
            numbers = validate_numbers(qset, saved.numbers(qset.id))
            counts.append((qset.title, len(numbers), len(qset.questions), "questions"))
            measures += [Measure(qset.title, _label(q.id), numbers.get(q.id), q.min, q.max,
                                 "answer", q.unit) for q in qset.questions]
    except AnswerError as exc:
        return status(DAMAGED, "saved answers do not fit the module",
                      f"The answers saved in {_shown(module)} do not fit the module as it is "
                      f"now ({exc}) They were left as they are. Open {notebook}, answer its "
                      "forms again and press Save answers.", saved=saved)
    answered = sum(c[1] for c in counts)
    total = sum(c[2] for c in counts)
    nouns = {c[3] for c in counts}
    noun = nouns.pop() if len(nouns) == 1 else "items and questions"
    if answered == 0:
        return status(NO_ANSWERS, "no answers saved yet", no_answers, measures, saved)
    if answered < total:
        open_parts = "; ".join(f"'{title}': {done} of {n} {noun} answered"
                               for title, done, n, noun in counts if done < n)
        return status(INCOMPLETE, f"{answered} of {total} {noun} answered",
                      f"Some answers are still open ({open_parts}). Open {notebook}, answer the "
                      "rest and press Save answers.", measures, saved)
    return status(DONE, f"all {total} {noun} answered", measures=measures, saved=saved)


def _declared(module: str, folder: Path, definitions: str | Path | None) -> Module | None:
    for place in (folder, Path(definitions) if definitions is not None else None):
        if place is not None and (place / MANIFEST).is_file():
            try:
                return load_module(place)
            except DataFileError:
                return None
    return None


def _shown(module: str) -> str:
    """A module's answers file as the student finds it: by its folder's name, not a full path."""
    return f"{module}/{FILENAME}"


def _damaged_advice(module: str, problem: str) -> str:
    return (f"The saved answers file {_shown(module)} {problem} It was left exactly as it is. Open "
            f"{module}.ipynb and run its form: the form keeps the damaged file aside (nothing is "
            "deleted) and lets you answer again. Tell your instructor if this keeps happening.")


def _subscale_measure(inst: Instrument, sub: SubscaleScore, show_items: bool) -> Measure:
    """A subscale's row: its total, or, when an item did not happen, its mean over the others
    on the answer scale (a total of fewer items would read as a low score)."""
    label = f"{sub.label} (total)" if show_items else sub.label
    progress = f"{sub.answered} of {sub.n_items} items answered" if sub.n_items > 1 else ""
    if not sub.not_applicable or sub.answered < sub.n_items:
        return Measure(inst.title, label, sub.total, sub.minimum, sub.maximum, note=progress)
    lo, hi = inst.scale.min, inst.scale.max
    if sub.mean is None:
        return Measure(inst.title, sub.label, None, lo, hi, note="did not happen", not_applicable=True)
    label = f"{sub.label} (mean)" if show_items else sub.label
    return Measure(inst.title, label, round(sub.mean, 1), lo, hi,
                   note=f"mean of the {sub.applicable} items that applied")


def _label(question_id: str) -> str:
    return question_id.replace("_", " ").capitalize()


def _short(text: str, width: int = 40) -> str:
    text = text.rstrip(".")
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


# --- the practice plan ----------------------------------------------------------


@dataclass(frozen=True)
class PlanPart:
    id: str
    label: str
    prompt: str


PLAN_PARTS = (
    PlanPart("goal", "Goal",
             "One skill you want to get better at, small enough to practise and to notice."),
    PlanPart("practice", "Practice",
             "What you will rehearse, how, and how often (outside sessions, not only in them)."),
    PlanPart("feedback", "Feedback source",
             "Who or what will tell you how it is going: a supervisor watching a recording, "
             "a peer, your clients' session ratings."),
    PlanPart("review_date", "Review date",
             "When you will look back at the plan, as YYYY-MM-DD (for example 2027-03-15)."),
)
PLAN_IDS = tuple(part.id for part in PLAN_PARTS)
MAX_PLAN_TEXT = 4000  # characters per part


@dataclass(frozen=True)
class Plan:
    """A deliberate-practice plan; an unwritten part is ''."""

    goal: str = ""
    practice: str = ""
    feedback: str = ""
    review_date: str = ""  # ISO, YYYY-MM-DD

    def parts(self) -> dict[str, str]:
        return {pid: getattr(self, pid) for pid in PLAN_IDS}

    @property
    def missing(self) -> tuple[PlanPart, ...]:
        return tuple(part for part in PLAN_PARTS if not getattr(self, part.id))

    @property
    def complete(self) -> bool:
        return not self.missing

    @property
    def review(self) -> date | None:
        return date.fromisoformat(self.review_date) if self.review_date else None


def parse_review_date(text: str | date) -> date:
    """A review date written as YYYY-MM-DD; a clear AnswerError if it is none."""
    if isinstance(text, date):
        return text
    value = str(text).strip()
    parts = value.split("-")
    if len(parts) != 3 or not all(p.isdigit() for p in parts) or len(parts[0]) != 4:
        raise AnswerError(f"Review date: '{value}' is not written as YYYY-MM-DD; write the year, "
                          "month and day with dashes, for example 2027-03-15.")
    year, month, day = (int(p) for p in parts)
    if not 2000 <= year <= 2199:
        raise AnswerError(f"Review date: the year {year} in '{value}' looks like a slip of the "
                          "keyboard; choose a date in the coming months.")
    if not 1 <= month <= 12:
        raise AnswerError(f"Review date: '{value}' is not a real date: there is no month {month}.")
    try:
        return date(year, month, day)
    except ValueError:
        last = (date(year + month // 12, month % 12 + 1, 1) - date(year, month, 1)).days
        raise AnswerError(f"Review date: '{value}' is not a real date: "
                          f"{date(year, month, 1):%B %Y} has {last} days.") from None


def validate_plan(answers: Mapping[str, object]) -> dict[str, str]:
    """The plan's parts as saved: texts trimmed, empty ones left out, the date as YYYY-MM-DD.

    Raises AnswerError for an unknown part, a part that is not text, a text
    longer than MAX_PLAN_TEXT, or a review date that is not a real date.
    """
    for key in answers:
        if key not in PLAN_IDS:
            raise AnswerError(f"'{key}' is not a part of the plan; its parts are {', '.join(PLAN_IDS)}.")
    clean: dict[str, str] = {}
    for part in PLAN_PARTS:
        value = answers.get(part.id)
        if value is None:
            continue
        if part.id == "review_date" and isinstance(value, date):
            clean[part.id] = value.isoformat()
            continue
        if not isinstance(value, str):
            raise AnswerError(f"{part.label}: {value!r} is not text.")
        text = value.strip()
        if not text:
            continue
        if len(text) > MAX_PLAN_TEXT:
            raise AnswerError(f"{part.label}: {len(text):,} characters is more than a plan needs "
                              f"(at most {MAX_PLAN_TEXT:,}); shorten it.")
        clean[part.id] = parse_review_date(text).isoformat() if part.id == "review_date" else text
    return clean


def save_plan(store: ResponseStore, answers: Mapping[str, object]) -> Responses:
    """Validate the plan and save it (all of it, replacing the earlier version)."""
    return store.save_value(PLAN_KEY, validate_plan(answers))


def save_plan_part_way(store: ResponseStore,
                       answers: Mapping[str, object]) -> tuple[Responses, dict[str, str]]:
    """Save every part of the plan that is valid; keep what was saved before of a part that is
    not (an impossible review date, a text far too long), and say why.

    The form says a plan may be saved part-way, so one bad part never blocks the others.
    Returns what was saved and ``{part id: message}`` for each part refused.
    """
    for key in answers:
        if key not in PLAN_IDS:
            raise AnswerError(f"'{key}' is not a part of the plan; its parts are {', '.join(PLAN_IDS)}.")
    before = plan_from(store.load()).parts()
    clean: dict[str, str] = {}
    refused: dict[str, str] = {}
    for part in PLAN_PARTS:
        try:
            clean.update(validate_plan({part.id: answers.get(part.id)}))
        except AnswerError as exc:
            refused[part.id] = str(exc)
            if before[part.id]:
                clean[part.id] = before[part.id]
    return store.save_value(PLAN_KEY, clean), refused


def plan_from(saved: Responses | None) -> Plan:
    """The plan in a loaded response file; parts that are not usable text count as unwritten."""
    value = saved.values.get(PLAN_KEY) if saved else None
    if not isinstance(value, dict):
        return Plan()
    parts: dict[str, Any] = {}
    for pid in PLAN_IDS:
        text = value.get(pid)
        if not isinstance(text, str):
            continue
        if pid == "review_date":
            try:
                text = parse_review_date(text).isoformat()
            except AnswerError:
                continue
        parts[pid] = text.strip()
    return Plan(**parts)


def read_plan(folder: str | Path) -> Plan:
    """The plan saved in the portfolio folder, read without changing anything.

    Raises ResponseFileError when the file cannot be used.
    """
    return plan_from(read_responses(Path(folder) / FILENAME, PORTFOLIO))
