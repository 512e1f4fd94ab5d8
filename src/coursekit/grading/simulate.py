"""A simulated class, taken through nbgrader's real exchange, so instructors can rehearse.

``simulate_class`` creates N students (``sim-0001``...) and, with nbgrader's own
exchange classes running in this one process, fetches the released module for
each, does their work, submits it, and finally collects every submission into
``<course>/submitted/``. Running the exchange classes in-process (rather than
one ``nbgrader fetch_assignment`` and one ``nbgrader submit`` command per
student, 4-5 s each) is what makes a class of hundreds take seconds.

What a student saves follows from the module's manifest: the self-assessment
items, numeric questions and practice plan its forms declare, so every module
of the course can be simulated. The class
is varied on purpose, and reproducibly (everything follows from ``--seed``):

* most students answer everything: self-assessment items drawn per subscale
  from plausible made-up centres (not norms), numbers spread over each
  question's range, a plan with placeholder text;
* some leave a few items, a question or a part of the plan unanswered;
* some submit a malformed answer file: invalid JSON (cut off half-way), a file
  belonging to another module, or a value no form would save (half a point,
  or a review date that is no date);
* some submit no answer file at all;
* most solve the exercise (the instructor's own solution), some answer it
  wrongly (every function returns None);
* reflections hold a short placeholder, never anything that reads like a
  client.

Running it again on a course that already has simulated submissions of the
module is refused: a second run would mix two classes in the exchange and in
``submitted/``. Simulate into another folder, or remove the simulated students
first (``coursekit class remove-simulated``).

``simulate_class`` works in exactly the course folder it is given; where that
is (by default a copy of the course of its own, never the real course unless
asked) is decided by ``coursekit.grading.simulated``.
"""

from __future__ import annotations

import ast
import json
import logging
import random
import shutil
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from coursekit.content.instruments import Instrument
from coursekit.content.manifest import Module, load_course
from coursekit.content.questions import QuestionSet
from coursekit.errors import DataFileError, SimulationError
from coursekit.grading.config import CONFIG_FILE, load_course_config
from coursekit.grading.tools import tools_on_path
from coursekit.student.responses import ResponseStore

PREFIX = "sim-"
DEFAULT_SEED = 2026

COMPLETE = "complete"
INCOMPLETE = "incomplete"
INVALID_JSON = "invalid-json"
WRONG_MODULE = "wrong-module"
NON_INTEGER = "non-integer"
MISSING = "missing"
KINDS = (COMPLETE, INCOMPLETE, INVALID_JSON, WRONG_MODULE, NON_INTEGER, MISSING)
MALFORMED = (INVALID_JSON, WRONG_MODULE, NON_INTEGER)

# Share of the class given each kind of answer file; the rest are complete.
SHARES = {INCOMPLETE: 0.10, INVALID_JSON: 0.03, WRONG_MODULE: 0.03, NON_INTEGER: 0.03, MISSING: 0.05}
WRONG_EXERCISE_SHARE = 0.15
# From this class size on, every kind appears at least once, so even a small
# rehearsal shows each case the instructor has to deal with.
EVERY_KIND_FROM = 12

# Made-up centres for simulated answers (mean answer per subscale), not norms:
# the bond is rated highest and goals and tasks lower, the pattern Shedler
# expects of most clinicians. Instruments not listed here centre at 65% of
# their scale.
TYPICAL = {"alliance": {"bond": 4.0, "goals": 3.4, "tasks": 3.2}}


@dataclass(frozen=True)
class SimulatedStudent:
    id: str
    answers: str  # one of KINDS
    exercise: str  # "correct" or "wrong"


@dataclass
class SimulationResult:
    module: str
    students: list[SimulatedStudent]
    collected: list[str]
    steps: list[str] = field(default_factory=list)  # what was done besides the students
    seconds: float = 0.0
    has_exercise: bool = True  # whether the module has code for the students to write
    reportable: bool = False  # whether `coursekit report` covers it (it rates the module's items)

    def counts(self) -> Counter[str]:
        return Counter(s.answers for s in self.students)

    def describe(self) -> str:
        counts = self.counts()
        malformed = sum(counts[k] for k in MALFORMED)
        wrong = sum(1 for s in self.students if s.exercise == "wrong")
        n = len(self.students)
        return (
            f"{n} simulated students ({self.students[0].id} to {self.students[-1].id}) submitted "
            f"'{self.module}'; {len(self.collected)} collected into submitted/ "
            f"in {self.seconds:.1f} s.\n"
            f"  answer files: {counts[COMPLETE]} complete, {counts[INCOMPLETE]} incomplete, "
            f"{malformed} malformed ({counts[INVALID_JSON]} invalid JSON, {counts[WRONG_MODULE]} "
            f"another module's, {counts[NON_INTEGER]} with a value no form would save), "
            f"{counts[MISSING]} missing"
            + (f"\n  exercise: {n - wrong} solved, {wrong} answered wrongly" if self.has_exercise else "")
        )


# --- who does what (pure) ------------------------------------------------------


def student_ids(n: int) -> list[str]:
    width = max(4, len(str(n)))
    return [f"{PREFIX}{i:0{width}d}" for i in range(1, n + 1)]


def plan_class(module: str, n: int, seed: int = DEFAULT_SEED) -> list[SimulatedStudent]:
    """Which students get which kind of answer file and exercise answer; deterministic."""
    if n < 1:
        raise SimulationError(f"A simulated class needs at least one student, not {n}.")

    def how_many(share: float) -> int:
        count = int(share * n + 0.5)
        return max(count, 1) if n >= EVERY_KIND_FROM else count

    kinds: list[str] = []
    for kind, share in SHARES.items():
        kinds += [kind] * how_many(share)
    kinds = kinds[:n] + [COMPLETE] * (n - len(kinds))
    wrong = min(n, how_many(WRONG_EXERCISE_SHARE))
    exercise = ["wrong"] * wrong + ["correct"] * (n - wrong)
    rng = random.Random(f"coursekit-simulate:{seed}:{module}:{n}")
    rng.shuffle(kinds)
    rng.shuffle(exercise)
    return [SimulatedStudent(sid, kind, ex)
            for sid, kind, ex in zip(student_ids(n), kinds, exercise, strict=True)]


def simulated_answers(instrument: Instrument, student: str, seed: int = DEFAULT_SEED) -> dict[str, int]:
    """A plausible full set of answers for one student, the same for the same seed and id.

    Each answer is a subscale centre plus the student's general level, their
    subscale's own offset and item noise, rounded and kept on the scale.
    """
    rng = random.Random(f"coursekit-answers:{seed}:{instrument.id}:{student}")
    lo, hi = instrument.scale.min, instrument.scale.max
    centres = TYPICAL.get(instrument.id, {})
    general = rng.gauss(0, 0.45)
    offsets = {sub.id: rng.gauss(0, 0.35) for sub in instrument.subscales}
    answers = {}
    for item in instrument.items:
        centre = centres.get(item.subscale, lo + 0.65 * (hi - lo))
        value = min(hi, max(lo, round(centre + general + offsets[item.subscale] + rng.gauss(0, 0.6))))
        answers[item.id] = hi + lo - value if item.reverse else value
    return answers


def simulated_numbers(qset: QuestionSet, student: str, seed: int = DEFAULT_SEED) -> dict[str, int]:
    """Plausible answers to a set of numeric questions: spread over each range, leaning low."""
    rng = random.Random(f"coursekit-numbers:{seed}:{qset.id}:{student}")
    return {q.id: round(rng.triangular(q.min, q.max, q.min + 0.3 * (q.max - q.min))) for q in qset.questions}


def simulated_plan(student: str, seed: int = DEFAULT_SEED) -> dict[str, str]:
    """A practice plan with every part written, as placeholders that read as such."""
    rng = random.Random(f"coursekit-plan:{seed}:{student}")
    review = date(2027, 1, 4) + timedelta(days=rng.randrange(0, 120))
    text = "Simulated plan ({}): placeholder written by coursekit class simulate. Not a real plan."
    return {"goal": text.format("goal"), "practice": text.format("practice"),
            "feedback": text.format("feedback"), "review_date": review.isoformat()}


def write_answer_file(folder: Path, module: Module, student: SimulatedStudent,
                      seed: int = DEFAULT_SEED, *, other_module: str = "another-module") -> None:
    """Save what the module's forms would save for this student, then damage it as planned.

    The forms are those the module's manifest declares. A file carried over
    from another module's folder is saved under ``other_module``.

    An incomplete file leaves out part of the first thing the module saves (a
    few items, a question, a part of the plan); a file with an impossible
    value holds half a point (or, for a plan alone, a review date that is no
    date), which no form would save.
    """
    from coursekit.student.portfolio import PLAN_KEY, validate_plan

    kind = student.answers
    if kind == MISSING or not module.forms:
        return
    rng = random.Random(f"coursekit-damage:{seed}:{module.id}:{student.id}")
    # a file carried over from another module's folder
    store = ResponseStore(folder, module.id if kind != WRONG_MODULE else other_module)
    first = True  # only the first thing saved is left incomplete

    def leave_out(values: dict[str, Any], most: int) -> dict[str, Any]:
        nonlocal first
        if kind == INCOMPLETE and first and len(values) > 1:
            dropped = rng.sample(sorted(values), rng.randint(1, min(most, len(values) - 1)))
            values = {k: v for k, v in values.items() if k not in dropped}
        first = False
        return values

    instruments, qsets = list(module.instruments.values()), list(module.question_sets.values())
    for instrument in instruments:
        store.save_answers(instrument, leave_out(simulated_answers(instrument, student.id, seed), 3))
    for qset in qsets:
        store.save_numbers(qset, leave_out(simulated_numbers(qset, student.id, seed), 1))
    if module.forms_of("plan"):
        store.save_value(PLAN_KEY, validate_plan(leave_out(simulated_plan(student.id, seed), 2)))

    if kind == INVALID_JSON:
        data = store.path.read_bytes()
        store.path.write_bytes(data[: len(data) // 2])  # cut off, as by a bad copy
    elif kind == NON_INTEGER:
        raw = json.loads(store.path.read_text(encoding="utf-8"))
        if instruments:
            answers = raw["instruments"][instruments[0].id]["answers"]
        elif qsets:
            answers = raw["values"][qsets[0].id]
        else:
            answers = None
            raw["values"][PLAN_KEY]["review_date"] = "after the summer"
        if answers is not None:
            item = rng.choice(sorted(answers))
            answers[item] = answers[item] + 0.5
        store.path.write_text(json.dumps(raw, indent=2, sort_keys=True) + "\n", encoding="utf-8")


# --- the notebook work -----------------------------------------------------------


@dataclass(frozen=True)
class Answers:
    """What a simulated student types into each answer cell, by nbgrader grade id."""

    correct: dict[str, str]
    wrong: dict[str, str]
    reflections: dict[str, str]


def notebook_answers(source: Path, released: Path) -> Answers:
    """Correct and wrong code, and placeholder reflections, for one notebook.

    The correct code is the instructor's solution from ``source`` with
    nbgrader's solution markers removed; the wrong code keeps each function's
    signature and returns None. Answer cells are found in ``released``.
    """
    import nbformat

    # nbformat ships no type hints, hence the ignores
    source_nb = nbformat.read(source, as_version=4)  # type: ignore[no-untyped-call]
    released_nb = nbformat.read(released, as_version=4)  # type: ignore[no-untyped-call]
    solutions = {c.metadata["nbgrader"]["grade_id"]: c.source for c in source_nb.cells
                 if c.metadata.get("nbgrader", {}).get("solution")}
    correct, wrong, reflections = {}, {}, {}
    for c in released_nb.cells:
        meta = c.metadata.get("nbgrader", {})
        if not meta.get("solution"):
            continue
        grade_id = meta["grade_id"]
        if c.cell_type == "code" and grade_id in solutions:
            correct[grade_id] = strip_solution_markers(solutions[grade_id])
            wrong[grade_id] = wrong_version(correct[grade_id], fallback=c.source)
        elif c.cell_type == "markdown":
            part = grade_id.removeprefix("reflection_").replace("_", " ")
            reflections[grade_id] = (
                f"Simulated answer ({part}): placeholder text written by coursekit class "
                "simulate to rehearse the workflow. Not a real reflection."
            )
    return Answers(correct, wrong, reflections)


def strip_solution_markers(code: str) -> str:
    markers = ("BEGIN SOLUTION", "END SOLUTION")
    return "\n".join(line for line in code.splitlines()
                     if not (line.strip().startswith("#") and any(m in line for m in markers)))


def wrong_version(code: str, fallback: str) -> str:
    """The code with every top-level function returning None and every assignment None.

    Falls back to ``fallback`` (the released stub, which raises) when the code
    does not parse or has nothing to make wrong.
    """
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return fallback
    changed = False
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            doc = node.body[:1] if ast.get_docstring(node) is not None else []
            node.body = [*doc, ast.Return(ast.Constant(None))]
            changed = True
        elif isinstance(node, ast.Assign):
            node.value = ast.Constant(None)
            changed = True
    if not changed:
        return fallback
    return "# simulated student: a wrong answer\n" + ast.unparse(ast.fix_missing_locations(tree))


def work_notebook(path: Path, answers: Answers, student: SimulatedStudent) -> None:
    """Type the student's answers into the fetched notebook and save it."""
    import nbformat

    nb = nbformat.read(path, as_version=4)  # type: ignore[no-untyped-call]
    code = answers.correct if student.exercise == "correct" else answers.wrong
    for c in nb.cells:
        grade_id = c.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in code:
            c.source = code[grade_id]
        elif grade_id in answers.reflections:
            c.source = answers.reflections[grade_id]
    nbformat.write(nb, path)  # type: ignore[no-untyped-call]


# --- nbgrader, in this process ---------------------------------------------------


def simulate_class(course: str | Path, module: str, students: int, *, seed: int = DEFAULT_SEED,
                   exchange: str | Path | None = None, progress: bool = True,
                   say: Callable[[str], None] = print) -> SimulationResult:
    """Create the class, take it through release, fetch, submit and collect; return what was made.

    Generates the student version (``release/``) only if it is missing and
    releases it only if the exchange lacks it. Raises SimulationError, naming
    the folder and the fix, when the course is unusable or already holds
    simulated submissions of the module.
    """
    started = time.perf_counter()
    course = Path(course).resolve()
    try:
        settings = load_course(course)
        declared = settings.module(module)
    except DataFileError as exc:
        raise SimulationError(f"{exc} Name the course folder with --course.") from None
    other = next((m for m in settings.module_ids if m != module), "another-module")
    plan = plan_class(module, students, seed)
    config = course_config(course, exchange)
    exchange_root = Path(config.Exchange.root)
    course_id = config.CourseDirectory.course_id
    _refuse_if_simulated(course, exchange_root / course_id / "inbound", module)

    from nbgrader.apps.api import NbGraderAPI
    from nbgrader.auth import Authenticator
    from nbgrader.coursedir import CourseDirectory
    from nbgrader.exchange import ExchangeError
    from nbgrader.exchange.default import ExchangeFetchAssignment, ExchangeSubmit
    from tqdm import tqdm

    log, messages = _quiet_logger()
    result = SimulationResult(module, plan, [])
    with tools_on_path(), tempfile.TemporaryDirectory(prefix="coursekit-simulate-") as scratch:
        # nbgrader submit keeps a copy of every submission in a cache; keep it
        # in the scratch folder rather than the instructor's home.
        config.Exchange.cache = str(Path(scratch, "cache"))
        # every simulated submission is this user's, not the student's it names
        config.ExchangeCollect.check_owner = False
        instructor = CourseDirectory(config=config, log=log)
        api = NbGraderAPI(coursedir=instructor, config=config, log=log)
        if not (course / "release" / module).is_dir():
            say(f"Generating the student version of '{module}' (nbgrader generate_assignment)...")
            _check(api.generate_assignment(module, force=False), "generate_assignment", module)
            result.steps.append(f"generated release/{module}")
        if not (exchange_root / course_id / "outbound" / module).is_dir():
            say(f"Releasing '{module}' to the exchange in {exchange_root}...")
            _check(api.release_assignment(module), "release_assignment", module)
            result.steps.append(f"released {module} to {exchange_root}")

        released = sorted((course / "release" / module).glob("*.ipynb"))
        work = {nb.name: notebook_answers(course / "source" / module / nb.name, nb) for nb in released}
        result.has_exercise = any(answers.correct for answers in work.values())
        result.reportable = declared.report is not None
        if not declared.forms:
            say(f"'{module}' has no form that saves answers, so no answer files are simulated.")
        authenticator = Authenticator(config=config, log=log)
        student_dir = CourseDirectory(config=config, log=log)
        student_dir.assignment_id = module
        bar = tqdm(plan, unit="student", desc=f"simulating {module}", file=sys.stderr,
                   disable=None if progress else True)
        for student in bar:
            home = Path(scratch, student.id)
            home.mkdir()
            student_dir.student_id = student.id
            step = "fetch_assignment"
            try:
                ExchangeFetchAssignment(coursedir=student_dir, authenticator=authenticator,
                                        config=config, log=log, assignment_dir=str(home)).start()
                folder = home / module
                for name, answers in work.items():
                    work_notebook(folder / name, answers, student)
                write_answer_file(folder, declared, student, seed, other_module=other)
                step = "submit"
                ExchangeSubmit(coursedir=student_dir, authenticator=authenticator, config=config,
                               log=log, assignment_dir=str(home)).start()
            except ExchangeError as exc:
                raise SimulationError(
                    f"nbgrader {step} failed for simulated student {student.id}: {exc}"
                    + _tail(messages)) from None
            shutil.rmtree(home)
        bar.close()

        say(f"Collecting the submissions into {course / 'submitted'} (nbgrader collect)...")
        instructor.student_id = f"{PREFIX}*"  # collect the simulated students only
        _check(api.collect(module), "collect", module)
    result.collected = [s.id for s in plan if (course / "submitted" / s.id / module).is_dir()]
    if len(result.collected) != len(plan):
        missing = sorted({s.id for s in plan} - set(result.collected))
        raise SimulationError(
            f"nbgrader collect left out {len(missing)} simulated students ({', '.join(missing[:5])}"
            f"{'...' if len(missing) > 5 else ''}); see {exchange_root / course_id / 'inbound'}.")
    result.seconds = time.perf_counter() - started
    return result


def course_config(course: Path, exchange: str | Path | None = None) -> Any:
    """The course's nbgrader configuration (see coursekit.grading.config), as a traitlets Config,
    with ``CourseDirectory.root`` the course folder and the exchange folder if one is given."""
    config = load_course_config(course)
    # The simulation reads and writes source/, release/ and submitted/ of this folder itself.
    config.CourseDirectory.root = str(Path(course).resolve())
    if exchange is not None:
        config.Exchange.root = str(Path(exchange).resolve())
    if not config.CourseDirectory.get("course_id"):
        raise SimulationError(
            f"{course / CONFIG_FILE}: no CourseDirectory.course_id is set, so there is no "
            "course to release to. Set c.CourseDirectory.course_id in that file.")
    if "root" not in config.Exchange:
        raise SimulationError(
            f"{course / CONFIG_FILE}: no Exchange.root is set. Set c.Exchange.root there, "
            "or give the exchange folder with --exchange.")
    return config


def _refuse_if_simulated(course: Path, inbound: Path, module: str) -> None:
    submitted = sorted(course.glob(f"submitted/{PREFIX}*/{module}"))
    inbound_found = sorted(inbound.glob(f"{PREFIX}*+{module}+*")) if inbound.is_dir() else []
    if not (submitted or inbound_found):
        return
    raise SimulationError(
        f"Simulated students already submitted '{module}' in this course "
        f"({len(submitted)} in {course / 'submitted'}, {len(inbound_found)} in {inbound}). "
        "A second simulation would mix two classes. Simulate into another folder (--into), or "
        f"first remove the simulated students: coursekit class remove-simulated --course {course}.")


def _check(outcome: dict[str, Any] | None, step: str, module: str) -> None:
    if outcome is None or outcome.get("success"):
        return
    detail = (outcome.get("log") or outcome.get("error") or "").strip().splitlines()
    raise SimulationError(f"nbgrader {step} {module} failed:\n  " + "\n  ".join(detail[-12:]))


def _quiet_logger() -> tuple[logging.Logger, list[str]]:
    # nbgrader logs a few lines per student; keep them (for error messages)
    # instead of printing thousands of lines.
    log = logging.getLogger("coursekit.grading.simulate.nbgrader")
    log.propagate = False
    log.setLevel(logging.INFO)
    messages: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            messages.append(record.getMessage())
            del messages[:-50]

    log.handlers = [Keep()]
    return log, messages


def _tail(messages: Sequence[str]) -> str:
    return ("\nnbgrader said:\n  " + "\n  ".join(messages[-5:])) if messages else ""


__all__ = [
    "COMPLETE", "INCOMPLETE", "INVALID_JSON", "KINDS", "MALFORMED", "MISSING", "NON_INTEGER",
    "WRONG_MODULE", "SimulatedStudent", "SimulationError", "SimulationResult",
    "plan_class", "simulate_class", "simulated_answers", "simulated_numbers",
    "simulated_plan", "student_ids", "write_answer_file",
]
