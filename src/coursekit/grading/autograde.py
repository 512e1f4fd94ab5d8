"""Parallel autograding with nbgrader's own Autograde, in long-lived worker processes.

``coursekit autograde MODULE --jobs N`` grades every submission in
``course/submitted/<student>/MODULE/`` and records what ``nbgrader autograde
MODULE`` records: the same gradebook rows and the same autograded notebooks,
because each worker runs nbgrader's ``Autograde`` converter itself, one student
at a time, exactly as ``nbgrader autograde MODULE --student ID`` would. A
worker imports nbgrader once (that import, not grading, is most of what one
``nbgrader`` command costs) and then grades student after student.

How the work is split:

* The parent process never imports nbgrader. It reads the course's config (for
  the gradebook URL), starts the workers, asks one of them to :func:`prepare`
  (check the gradebook, list the submissions), then hands out students and
  shows progress.
* :func:`grade_submission` runs in a worker: nbgrader's converter with two
  additions (see :func:`_converter_class`): a time limit for each notebook, and,
  on a SQLite gradebook, a lock held for all gradebook work and let go only
  while the kernel runs, so that writes never overlap (see ``coursekit.grading.gradebook``).
* Workers are a local pool of processes (``--jobs``) or the workers of a Dask
  cluster (``--scheduler``); the code they run is the same.

A submission that cannot be graded (damaged notebook, missing notebook,
kernel death, time limit) is reported with the student, the file and the
reason, and all the others are graded. One whose kernel died is graded once
more before it is reported: a kernel can die for the machine's reasons, and
code that ends its kernel on purpose fails the same way twice.
"""

from __future__ import annotations

import contextlib
import functools
import glob
import io
import logging
import os
import re
import sys
import threading
import time
import uuid
from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Protocol, cast

from coursekit.errors import CoursekitError
from coursekit.grading.config import CONFIG_FILE, load_course_config
from coursekit.grading.gradebook import (
    GradebookLock,
    NoLock,
    configured_db_url,
    is_sqlite,
    open_gradebook,
    redacted,
    sqlite_file,
)
from coursekit.grading.submissions import inspect_submission
from coursekit.grading.tools import tools_path

DEFAULT_TIMEOUT = 600.0  # seconds for one notebook; nbgrader's per-cell limit still applies
LOG_FILE = ".nbgrader.log"  # where nbgrader itself logs when run from the course folder
_LOCK_KEY = "coursekit_gradebook_lock"


@dataclass(frozen=True)
class Settings:
    """What a worker needs to grade; plain values, so that it travels to Dask workers."""

    course: str  # absolute path, the same on every worker
    module: str
    db_url: str  # resolved once by the parent, so every worker writes the same gradebook
    course_id: str
    timeout: float | None = DEFAULT_TIMEOUT
    force: bool = False
    serialise_gradebook: bool = True
    notebooks: tuple[str, ...] = ()  # the module's notebooks, as the gradebook lists them


@dataclass(frozen=True)
class Plan:
    """What :func:`prepare` found: the students with a submission folder, the module's notebooks."""

    students: tuple[str, ...]
    notebooks: tuple[str, ...]


@dataclass(frozen=True)
class Outcome:
    """One student's result. ``reason`` is empty when all went well."""

    student: str
    status: str  # "graded", "skipped" (already graded) or "failed"
    seconds: float = 0.0
    file: str = ""  # the file or folder at fault, relative to the course folder
    reason: str = ""
    log: str = ""  # nbgrader's log while grading this student
    notes: tuple[str, ...] = ()  # graded, but worth a look (see coursekit.grading.submissions)

    @property
    def ok(self) -> bool:
        return not self.reason


@dataclass
class Summary:
    module: str
    workers: int
    db_url: str
    seconds: float = 0.0
    outcomes: list[Outcome] = field(default_factory=list)

    @property
    def graded(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == "graded"]

    @property
    def skipped(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == "skipped"]

    @property
    def problems(self) -> list[Outcome]:
        return sorted((o for o in self.outcomes if not o.ok), key=lambda o: o.student)


# --- in a worker -------------------------------------------------------------------------

class NotebookTimeout(Exception):
    """A notebook ran past the per-notebook time limit."""


def _schema_validator(schema: Any) -> Any:
    """A JSON-schema validator for a schema, checking the schema itself once, here."""
    from jsonschema import validators

    kind = validators.validator_for(schema)
    kind.check_schema(schema)
    return kind(schema)


@functools.cache
def _converter_class() -> Any:
    """nbgrader's Autograde converter with coursekit's additions: a time limit per notebook,
    the gradebook lock let go while kernels run, failures remembered, and a faster
    metadata check. Built on first use, in the workers only: importing nbgrader takes seconds.
    """
    import traceback

    from jsonschema.exceptions import best_match
    from nbgrader.converters import Autograde
    from nbgrader.nbgraderformat import MetadataValidator, ValidationError
    from nbgrader.nbgraderformat.common import BaseMetadataValidator
    from nbgrader.preprocessors import CheckCellMetadata, Execute
    from traitlets import Float

    class SchemaCheckedOnce(BaseMetadataValidator):  # type: ignore[misc]
        """The JSON-schema part of nbgrader's cell check, with the schema itself checked once.

        nbgrader calls ``jsonschema.validate``, which validates the schema on every
        call: that was 40% of nbgrader's own (non-kernel) time per notebook.
        """

        checked: dict[int, Any] = {}  # schema version: its validator, made once per process

        def validate_cell(self, cell: Any) -> None:
            meta = cell.metadata.get("nbgrader")
            if meta is None or meta.get("schema_version", 0) != self.schema_version:
                super().validate_cell(cell)  # nothing to check, or nbgrader's version errors
                return
            validator = self.checked.get(self.schema_version)
            if validator is None:
                validator = self.checked[self.schema_version] = _schema_validator(self.schema)
            error = best_match(validator.iter_errors(meta))
            if error is not None:
                raise error

    class CheckedOnceValidator(MetadataValidator, SchemaCheckedOnce):  # type: ignore[misc]
        """nbgrader's metadata validator: its own checks, then (next in line) the schema check above."""

    class CoursekitCheckCellMetadata(CheckCellMetadata):  # type: ignore[misc]
        """nbgrader's CheckCellMetadata step, with :class:`CheckedOnceValidator`."""

        def preprocess(self, nb: Any, resources: Any) -> Any:
            try:
                CheckedOnceValidator().validate_nb(nb)
            except ValidationError:  # as nbgrader reports it
                self.log.error(traceback.format_exc())
                msg = "Notebook failed to validate; the nbgrader metadata may be corrupted."
                self.log.error(msg)
                raise ValidationError(msg) from None
            return nb, resources

    class CoursekitExecute(Execute):  # type: ignore[misc]
        """nbgrader's Execute, with a time limit for the whole notebook.

        It also lets go of the gradebook lock while the kernel runs: every
        other step of grading reads or writes the gradebook, this one never does.
        """

        notebook_timeout = Float(None, allow_none=True,
                                 help="Seconds one notebook may run in all.").tag(config=True)
        _deadline: float | None = None

        def preprocess(self, nb: Any, resources: Any = None, km: Any = None) -> Any:
            lock = (resources or {}).get(_LOCK_KEY) or NoLock()
            self._deadline = None
            if self.notebook_timeout:
                self._deadline = time.monotonic() + self.notebook_timeout
                self.timeout_func = self._cell_timeout
            lock.release()
            try:
                result = super().preprocess(nb, resources, km=km)
            finally:
                lock.acquire()
            if self._deadline is not None and time.monotonic() >= self._deadline:
                raise NotebookTimeout(self.notebook_timeout)
            return result

        def _cell_timeout(self, cell: Any) -> float:
            # nbclient asks before each cell how long it may wait: the per-cell
            # limit, cut to what is left of the notebook's time.
            assert self._deadline is not None  # set before this is installed
            left = self._deadline - time.monotonic()
            if left <= 0:
                raise NotebookTimeout(self.notebook_timeout)
            per_cell = self.timeout
            return min(per_cell, left) if per_cell and per_cell > 0 else left

    class CoursekitAutograde(Autograde):  # type: ignore[misc]
        """nbgrader's Autograde, remembering why a submission failed or was skipped."""

        sanitize_preprocessors: list[Any]  # traitlets Lists in nbgrader
        autograde_preprocessors: list[Any]
        metadata_validator = CheckedOnceValidator  # for tests

        def __init__(self, *, gradebook_lock: Any, **kwargs: Any):
            super().__init__(**kwargs)
            self.gradebook_lock = gradebook_lock
            self.failure: tuple[str, BaseException] | None = None
            self.skipped = False
            ours = {Execute: CoursekitExecute, CheckCellMetadata: CoursekitCheckCellMetadata}
            sanitize: list[Any] = list(self.sanitize_preprocessors)
            self.sanitize_preprocessors = [ours.get(step, step) for step in sanitize]
            grade: list[Any] = list(self.autograde_preprocessors)
            self.autograde_preprocessors = [ours.get(step, step) for step in grade]

        def init_destination(self, assignment_id: str, student_id: str) -> bool:
            go = bool(super().init_destination(assignment_id, student_id))
            self.skipped = not go
            return go

        def init_assignment(self, assignment_id: str, student_id: str) -> None:
            try:
                super().init_assignment(assignment_id, student_id)
            except Exception as exc:
                self.failure = (self._format_source(assignment_id, student_id), exc)
                raise

        def init_single_notebook_resources(self, notebook_filename: str) -> Any:
            resources = super().init_single_notebook_resources(notebook_filename)
            resources[_LOCK_KEY] = self.gradebook_lock
            return resources

        def convert_single_notebook(self, notebook_filename: str) -> None:
            try:
                super().convert_single_notebook(notebook_filename)
            except Exception as exc:
                self.failure = (notebook_filename, exc)
                raise

    return CoursekitAutograde


class _Grader:
    """One worker process's grading state: the course's config, loaded once."""

    def __init__(self, settings: Settings):
        self.settings = settings
        config = load_course_config(settings.course)
        config.CourseDirectory.db_url = settings.db_url
        config.CourseDirectory.assignment_id = settings.module
        config.BaseConverter.force = settings.force
        config.CoursekitExecute.notebook_timeout = settings.timeout
        self.config = config
        self.lock = (GradebookLock.for_url(settings.db_url, config.CourseDirectory.root)
                     if settings.serialise_gradebook else NoLock())
        if settings.course not in sys.path:  # as nbgrader does: config hooks may import from there
            sys.path.insert(0, settings.course)
        # nbgrader runs `alembic` from PATH when it creates a gradebook: use this environment's.
        # A worker process does nothing else, so PATH stays so.
        os.environ["PATH"] = tools_path()

    def coursedir(self, student: str = "*") -> Any:
        from nbgrader.coursedir import CourseDirectory

        coursedir = CourseDirectory(config=self.config)
        coursedir.student_id = student
        return coursedir

    def submitted(self, student: str) -> Path:
        coursedir = self.coursedir()
        return Path(coursedir.format_path(coursedir.submitted_directory, student, self.settings.module))

    def inspect(self, student: str) -> tuple[str, str, tuple[str, ...]]:
        """Look at the submission before grading: (file, problem, notes); see grading.submissions."""
        coursedir = self.coursedir()
        released = Path(coursedir.format_path(coursedir.release_directory, ".", self.settings.module))
        folder = self.submitted(student)
        notes: list[str] = []
        for name in self.settings.notebooks:
            submitted, master = folder / f"{name}.ipynb", released / f"{name}.ipynb"
            if not (submitted.is_file() and master.is_file()):
                continue  # a missing notebook is diagnosed after grading, as nbgrader sees it
            found = inspect_submission(submitted, master)
            if found.problems:
                return self._relative(submitted), " ".join(found.problems), ()
            notes += [f"{self._relative(submitted)} {note}" for note in found.notes]
        return "", "", tuple(notes)

    def grade(self, student: str) -> Outcome:
        """Grade one submission; if its kernel died, once more before reporting it.

        A kernel can die for reasons that have nothing to do with the student
        (it failed to start, the machine ran short of memory for a moment); a
        second run tells these apart from code that ends its kernel every time.
        """
        outcome, cause = self._attempt(student)
        if outcome.status != "failed" or not _worth_another_try(cause):
            return outcome
        first = outcome
        outcome, _ = self._attempt(student)
        seconds = first.seconds + outcome.seconds
        log = first.log + outcome.log
        if outcome.status == "failed":
            return replace(outcome, seconds=seconds, log=log,
                           reason=outcome.reason + " It failed the same way when graded a second time.")
        note = f"{first.file} was graded on the second try; the first failed: {first.reason}"
        return replace(outcome, seconds=seconds, log=log, notes=(note, *outcome.notes))

    def _attempt(self, student: str) -> tuple[Outcome, BaseException | None]:
        """One run of nbgrader's autograder over the submission, and what made it fail if it did."""
        from nbgrader.converters import NbGraderException

        started = time.monotonic()
        # nbgrader still runs on a damaged submission, so the gradebook rows stay
        # exactly what nbgrader autograde records; the inspection only words the reason.
        inspected_file, problem, notes = self.inspect(student)
        with _captured_log() as (log, text):
            converter = _converter_class()(coursedir=self.coursedir(glob.escape(student)),
                                           config=self.config, log=log, gradebook_lock=self.lock)
            error: BaseException | None = None
            try:
                with self.lock:
                    converter.start()
            except NbGraderException as exc:
                error = exc
            except Exception as exc:  # nbgrader catches per-student errors; report anything else too
                log.exception("coursekit: grading stopped")
                error = exc
        seconds = time.monotonic() - started
        if converter.skipped and error is None:
            return Outcome(student, "skipped", seconds, log=text.getvalue()), None
        file, reason = self._diagnose(student, converter.failure, error)
        if problem and reason:
            file, reason = inspected_file, problem
        elif problem:
            notes = (f"{inspected_file} {problem}", *notes)
        status = "failed" if error is not None else "graded"
        cause = converter.failure[1] if converter.failure is not None else error
        return Outcome(student, status, seconds, file, reason, text.getvalue(), notes), cause

    def _diagnose(self, student: str, failure: tuple[str, BaseException] | None,
                  error: BaseException | None) -> tuple[str, str]:
        """The file at fault and what to do about it; ("", "") when nothing went wrong."""
        folder = self.submitted(student)
        missing = [name for name in self.settings.notebooks
                   if not (folder / f"{name}.ipynb").is_file()]
        if failure is not None and not missing:
            path, exc = failure
            return self._relative(path), _reason(exc, student, self.settings.timeout)
        if missing:
            present = sorted(p.name for p in folder.iterdir()
                             if not p.name.startswith(".")) if folder.is_dir() else []
            names = ", ".join(f"{name}.ipynb" for name in missing)
            holds = ", ".join(present) if present else "nothing"
            graded = " nbgrader gave it 0 points." if error is None else ""
            return self._relative(folder), (
                f"has no {names} (the folder holds: {holds}).{graded} Ask {student} to submit "
                f"{self.settings.module} again with the notebook, then collect and grade it again.")
        if error is not None:
            return self._relative(folder), f"nbgrader could not grade it: {_one_line(error)}"
        return "", ""

    def _relative(self, path: str | Path) -> str:
        try:
            return str(Path(path).resolve().relative_to(self.settings.course))
        except ValueError:
            return str(path)


def _worth_another_try(cause: BaseException | None) -> bool:
    """Whether a failure may be the machine's rather than the submission's: a kernel that died
    or never came up. A timeout is the student's loop, and is not run again."""
    from nbclient.exceptions import DeadKernelError

    return isinstance(cause, DeadKernelError) or (
        type(cause) is RuntimeError and "kernel" in str(cause).lower())


def _reason(exc: BaseException, student: str, timeout: float | None) -> str:
    """What went wrong, in words an instructor can act on."""
    from nbclient.exceptions import DeadKernelError
    from nbformat.reader import NotJSONError
    from nbgrader.preprocessors.execute import UnresponsiveKernelError

    if isinstance(exc, NotebookTimeout):
        return (f"did not finish within the {timeout:g} s allowed for one notebook (a loop that "
                "never ends?). Look at the student's code, or raise --timeout if it is just slow.")
    if isinstance(exc, NotJSONError):
        return (f"is not a readable notebook: it is not valid JSON. It was probably damaged when "
                f"saved or copied; ask {student} to open it in JupyterLab, save it and submit again.")
    if isinstance(exc, DeadKernelError):
        return ("the kernel running it died (the student's code ended it, or it ran out of "
                "memory). Look at the student's code, then grade it again with --student and --force.")
    if isinstance(exc, UnresponsiveKernelError):
        return ("the kernel stopped responding and could not be interrupted (an endless loop in "
                "compiled code?). Look at the student's code, then grade it again.")
    return f"nbgrader could not grade it: {_one_line(exc)}"


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    if len(text) > 300:
        text = text[:297] + "..."
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


@contextlib.contextmanager
def _captured_log() -> Iterator[tuple[logging.Logger, io.StringIO]]:
    """A logger for nbgrader to log one student's grading into a string."""
    text = io.StringIO()
    handler = logging.StreamHandler(text)
    handler.setFormatter(logging.Formatter("[%(asctime)s %(levelname)s] %(message)s"))
    logger = logging.getLogger("coursekit.grading.autograde.nbgrader")
    logger.propagate = False  # nbgrader's log goes to the log file, not over the progress bar
    logger.setLevel(logging.INFO)
    logger.addHandler(handler)
    try:
        yield logger, text
    finally:
        logger.removeHandler(handler)


_GRADERS: dict[Settings, _Grader] = {}
# The converter changes the working folder and nbgrader keeps per-process state,
# so a process grades one submission at a time even if it has several threads.
_ONE_AT_A_TIME = threading.Lock()


def _grader(settings: Settings) -> _Grader:
    grader = _GRADERS.get(settings)
    if grader is None:
        _GRADERS.clear()
        grader = _GRADERS[settings] = _Grader(settings)
    return grader


def grade_submission(settings: Settings, student: str) -> Outcome:
    """Grade one student's submission (runs in a worker process)."""
    with _ONE_AT_A_TIME:
        return _grader(settings).grade(student)


def prepare(settings: Settings) -> Plan:
    """Check the gradebook holds the module and list the submissions (runs in a worker)."""
    from nbgrader.api import MissingEntry

    with _ONE_AT_A_TIME:
        grader = _grader(settings)
        where = redacted(settings.db_url)
        try:
            with open_gradebook(settings.db_url, settings.course_id) as gradebook:
                try:
                    assignment = gradebook.find_assignment(settings.module)
                except MissingEntry:
                    known = ", ".join(sorted(a.name for a in gradebook.assignments)) or "none yet"
                    raise CoursekitError(
                        f"The gradebook ({where}) has no module '{settings.module}' (it has: "
                        f"{known}). Check the spelling, or run `nbgrader generate_assignment "
                        f"{settings.module}` in {settings.course} first: it records the module "
                        "and its tests in the gradebook.") from None
                notebooks = tuple(sorted(notebook.name for notebook in assignment.notebooks))
            # nbgrader's steps open the gradebook without a course id, which adds a course
            # row "default_course" on first use; adding it now keeps workers from racing to.
            with open_gradebook(settings.db_url, "default_course"):
                pass
        except CoursekitError:
            raise
        except Exception as exc:
            hint = ""
            if isinstance(exc, ModuleNotFoundError) and exc.name in ("psycopg", "psycopg2"):
                hint = (" SQLAlchemy reads postgresql://... as the psycopg 3 driver; coursekit "
                        "installs psycopg2 (pip install 'coursekit[postgres]'), so write the URL "
                        "as postgresql+psycopg2://user@host/database.")
            raise CoursekitError(f"Could not open the gradebook {where}: {_one_line(exc)}.{hint}") from None
        coursedir = grader.coursedir()
        pattern = coursedir.format_path(coursedir.submitted_directory, "*", glob.escape(settings.module))
        regexp = coursedir.format_path(coursedir.submitted_directory, "(?P<student>[^/]+)",
                                       re.escape(settings.module), escape=True)
        students = []
        for folder in sorted(glob.glob(pattern)):
            match = re.fullmatch(regexp, folder)
            if match and os.path.isdir(folder):
                students.append(match.group("student"))
        return Plan(tuple(students), notebooks)


def _start_worker(log_file: str | None = None) -> None:
    """Start a local worker: send its output to the log file, and import nbgrader now,
    while the parent gets ready."""
    if log_file:
        # Kernels inherit these; what they print would otherwise break up the progress bar.
        with contextlib.suppress(OSError):
            fd = os.open(log_file, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            os.dup2(fd, 1)
            os.dup2(fd, 2)
            os.close(fd)
    _converter_class()
    import nbgrader.api  # noqa: F401


# --- in the parent -----------------------------------------------------------------------

class _Workers(Protocol):
    count: int

    def call(self, function: Any, *args: Any) -> Any: ...

    def grade(self, settings: Settings, students: Sequence[str]) -> Iterator[Outcome]: ...

    def close(self) -> None: ...


class _LocalWorkers:
    """A pool of worker processes on this machine."""

    def __init__(self, jobs: int, log_file: Path):
        self.count = jobs
        self.log_file = str(log_file)
        self.pool = self._start()

    def _start(self) -> Any:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        # spawn, not fork: workers start clean, with no copy of the parent's state.
        pool = ProcessPoolExecutor(self.count, mp_context=multiprocessing.get_context("spawn"),
                                   initializer=_start_worker, initargs=(self.log_file,))
        for _ in range(self.count):  # start every worker now, so they import nbgrader at once
            pool.submit(int)
        return pool

    def call(self, function: Any, *args: Any) -> Any:
        return self.pool.submit(function, *args).result()

    def grade(self, settings: Settings, students: Sequence[str]) -> Iterator[Outcome]:
        from concurrent.futures import FIRST_COMPLETED, wait
        from concurrent.futures.process import BrokenProcessPool

        waiting = deque(students)
        running: dict[Any, str] = {}
        while waiting or running:
            # No more submissions out than workers: if a worker dies, only those it
            # and the others were grading are lost, not everything still queued.
            while waiting and len(running) < self.count:
                student = waiting.popleft()
                running[self.pool.submit(grade_submission, settings, student)] = student
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            broken = False
            for future in done:
                student = running.pop(future)
                try:
                    yield future.result()
                except BrokenProcessPool:
                    broken = True
                    yield _lost(settings, student, "a grading process stopped while this submission "
                                "was being graded (out of memory, or killed)")
            if broken:
                for future, student in running.items():
                    with contextlib.suppress(BrokenProcessPool):
                        future.exception()
                    yield _lost(settings, student, "a grading process stopped while this submission "
                                "was being graded (out of memory, or killed)")
                running.clear()
                self.pool.shutdown(wait=False, cancel_futures=True)
                self.pool = self._start()

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)


class _DaskWorkers:
    """The workers of a Dask distributed cluster; the course folder must be on shared storage."""

    def __init__(self, scheduler: str, course: str):
        try:
            from distributed import Client
        except ImportError:
            raise CoursekitError(
                "--scheduler needs Dask's distributed package: pip install 'coursekit[cluster]'."
            ) from None
        try:
            self.client: Any = cast(Any, Client)(scheduler, timeout="30s")
        except OSError as exc:
            raise CoursekitError(f"Could not reach the Dask scheduler at {scheduler}: {exc}. Is it "
                                 "running, and is the address (tcp://host:8786) right?") from None
        workers = self.client.scheduler_info().get("workers", {})
        if not workers:
            self.client.close()
            raise CoursekitError(f"The Dask scheduler at {scheduler} has no workers; start some "
                                 f"with `dask worker {scheduler} --nthreads 1`.")
        self.count = len(workers)
        blind = [address for address, seen in self.client.run(os.path.isdir, course).items() if not seen]
        if blind:
            self.client.close()
            raise CoursekitError(
                f"These Dask workers cannot see the course folder {course}: {', '.join(sorted(blind))}. "
                "Mount the shared course folder at the same path on every worker.")

    def call(self, function: Any, *args: Any) -> Any:
        return self.client.submit(function, *args, pure=False).result()

    def grade(self, settings: Settings, students: Sequence[str]) -> Iterator[Outcome]:
        from distributed import as_completed

        run = uuid.uuid4().hex[:8]
        futures = {self.client.submit(grade_submission, settings, student, pure=False,
                                      key=f"autograde-{settings.module}-{student}-{run}"): student
                   for student in students}
        for future in as_completed(futures):  # type: ignore[no-untyped-call]
            student = futures[future]
            try:
                yield future.result()
            except Exception as exc:  # the task itself failed: a worker died, or was lost
                yield _lost(settings, student, f"the Dask task failed ({_one_line(exc)})")

    def close(self) -> None:
        self.client.close()


def _lost(settings: Settings, student: str, what: str) -> Outcome:
    return Outcome(student, "failed", file=f"submitted/{student}/{settings.module}",
                   reason=f"{what}; grade it again with `coursekit autograde {settings.module} "
                          f"--student {student} --force`.")


def autograde(module: str, *, course: str | Path = "course", jobs: int | None = None,
              timeout: float | None = DEFAULT_TIMEOUT, students: Sequence[str] | None = None,
              scheduler: str | None = None, force: bool = False, progress: bool = True) -> Summary:
    """Grade a module's submissions in parallel; see the module docstring.

    Raises CoursekitError, before grading anything, when the course, the
    gradebook or the cluster is not usable.
    """
    course_path = Path(course).resolve()
    if not (course_path / CONFIG_FILE).is_file():
        raise CoursekitError(f"{course_path} is not a course folder (it has no {CONFIG_FILE}); "
                             "name it with --course.")
    config = load_course_config(course_path)
    db_url = configured_db_url(config)
    if scheduler and is_sqlite(db_url):
        raise CoursekitError(
            f"The gradebook is a SQLite file ({db_url}), which workers on several machines cannot "
            "share safely. Point the course at PostgreSQL (COURSEKIT_DB_URL=postgresql+psycopg2://...) "
            "to grade on a cluster, or grade on this machine with --jobs.")
    database = sqlite_file(db_url, config.CourseDirectory.root)
    if database is not None and not database.is_file():
        raise CoursekitError(
            f"There is no gradebook at {database} yet. Run `nbgrader generate_assignment {module}` "
            f"in {course_path} first: it creates the gradebook and records the module's tests.")
    settings = Settings(str(course_path), module, db_url, str(config.CourseDirectory.get("course_id", "")),
                        timeout=timeout or None, force=force, serialise_gradebook=is_sqlite(db_url))
    started = time.monotonic()
    workers: _Workers = (_DaskWorkers(scheduler, settings.course) if scheduler
                         else _LocalWorkers(jobs or _cpu_count(), course_path / LOG_FILE))
    try:
        plan: Plan = workers.call(prepare, settings)
        settings = replace(settings, notebooks=plan.notebooks)
        wanted = list(dict.fromkeys(students)) if students else list(plan.students)
        summary = Summary(module, workers.count, db_url)
        for student in wanted:
            if student not in plan.students:
                summary.outcomes.append(Outcome(
                    student, "failed", file=f"submitted/{student}/{module}",
                    reason=f"there is no submission folder for {student}; run `nbgrader collect "
                           f"{module}` first, or check the spelling."))
        todo = [student for student in wanted if student in plan.students]
        with _progress(len(todo), module, progress) as bar, _log_file(course_path) as log:
            for outcome in workers.grade(settings, todo):
                summary.outcomes.append(outcome)
                log.write(f"[coursekit autograde] {module}, {outcome.student}: {outcome.status} "
                          f"in {outcome.seconds:.1f} s\n{outcome.log}")
                log.flush()
                if not outcome.ok:
                    bar.write(f"{outcome.student}: {outcome.file}: {outcome.reason}", file=sys.stderr)
                bar.set_postfix(problems=len(summary.problems), refresh=False)
                bar.update(1)
    finally:
        workers.close()
    summary.seconds = time.monotonic() - started
    return summary


def _cpu_count() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


@contextlib.contextmanager
def _progress(total: int, module: str, show: bool) -> Iterator[Any]:
    from tqdm import tqdm

    bar = tqdm(total=total, desc=f"grading {module}", unit="submission", disable=not show,
               file=sys.stderr, dynamic_ncols=True, smoothing=0.1)
    try:
        yield bar
    finally:
        bar.close()


@contextlib.contextmanager
def _log_file(course: Path) -> Iterator[Any]:
    try:
        handle: Any = open(course / LOG_FILE, "a", encoding="utf-8")  # noqa: SIM115
    except OSError:  # a read-only course folder: grading matters more than the log
        handle = io.StringIO()
    with handle:
        yield handle


def describe(summary: Summary, course: str | Path) -> str:
    """The summary an instructor reads at the end of ``coursekit autograde``."""
    total = len(summary.outcomes)
    rate = len(summary.graded) / summary.seconds if summary.seconds else 0.0
    lines = [f"{summary.module}: {len(summary.graded)} of {total} submission(s) graded in "
             f"{_duration(summary.seconds)} with {summary.workers} worker(s) "
             f"({rate:.2f} graded per second)."]
    if summary.skipped:
        lines.append(f"{len(summary.skipped)} already graded and skipped (use --force to grade "
                     "them again).")
    problems = summary.problems
    if problems:
        lines.append(f"\n{len(problems)} submission(s) need attention:")
        lines += [f"  {o.student}: {o.file}: {o.reason}" for o in problems]
        retry = " ".join(o.student for o in problems)
        lines.append(f"\nAfter fixing them: coursekit autograde {summary.module} --force --student {retry}")
    noted = [o for o in summary.outcomes if o.ok and o.notes]
    if noted:
        lines.append(f"\n{len(noted)} graded submission(s) worth a look:")
        lines += [f"  {o.student}: {note}" for o in noted for note in o.notes]
    lines.append(f"Grades are in the gradebook {redacted(summary.db_url)}.")
    lines.append(f"nbgrader's log of each submission: {Path(course) / LOG_FILE}")
    return "\n".join(lines)


def _duration(seconds: float) -> str:
    minutes, seconds = divmod(round(seconds), 60)
    return f"{minutes} min {seconds} s" if minutes else f"{seconds} s"
