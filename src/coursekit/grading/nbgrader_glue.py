"""nbgrader's own Autograde converter, run for one submission at a time in a worker process.

:func:`grade_submission` runs nbgrader's converter with two additions (see
:func:`_converter_class`): a time limit for each notebook, and, on a SQLite
gradebook, a lock held for all gradebook work and let go only while the kernel
runs, so that writes never overlap (see ``coursekit.grading.gradebook``).
:func:`prepare` checks the gradebook and lists the submissions. Only this
module (and the workers that call it) imports nbgrader.
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
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

from coursekit.errors import CoursekitError
from coursekit.grading.config import load_course_config
from coursekit.grading.gradebook import GradebookLock, NoLock, open_gradebook, redacted
from coursekit.grading.results import Outcome, Plan, Settings
from coursekit.grading.submissions import inspect_answers, inspect_submission
from coursekit.grading.tools import tools_path

_LOCK_KEY = "coursekit_gradebook_lock"


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
    from traitlets import Bool, Float

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
        """nbgrader's Execute, with a time limit for the whole notebook, and warm kernels.

        It also lets go of the gradebook lock while the kernel runs: every
        other step of grading reads or writes the gradebook, this one never does.
        With ``warm_kernels``, each notebook's kernel is forked from the worker's
        fork server (coursekit.grading.warm) instead of started from scratch.
        """

        notebook_timeout = Float(None, allow_none=True,
                                 help="Seconds one notebook may run in all.").tag(config=True)
        warm_kernels = Bool(False, help="Fork each kernel from a fork server that has "
                            "imported the course's libraries.").tag(config=True)
        _deadline: float | None = None

        def preprocess(self, nb: Any, resources: Any = None, km: Any = None) -> Any:
            if self.warm_kernels:
                from coursekit.grading.warm import WarmKernelManager

                self.kernel_manager_class = WarmKernelManager
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
            # a config may name steps ("nbgrader.preprocessors.CheckCellMetadata"), as the course's does
            sanitize: list[Any] = [_step(step) for step in self.sanitize_preprocessors]
            self.sanitize_preprocessors = [ours.get(step, step) for step in sanitize]
            grade: list[Any] = [_step(step) for step in self.autograde_preprocessors]
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


def _step(step: Any) -> Any:
    """A preprocessor class, from itself or from its dotted name (as nbconvert accepts either)."""
    from traitlets.utils.importstring import import_item

    return import_item(step) if isinstance(step, str) else step


class _Grader:
    """One worker process's grading state: the course's config, loaded once."""

    def __init__(self, settings: Settings):
        self.settings = settings
        config = load_course_config(settings.course)
        config.CourseDirectory.db_url = settings.db_url
        config.CourseDirectory.assignment_id = settings.module
        config.BaseConverter.force = settings.force
        config.CoursekitExecute.notebook_timeout = settings.timeout
        config.CoursekitExecute.warm_kernels = settings.warm
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
        answers = inspect_answers(folder, released)  # the same check as `coursekit report`
        if answers is not None:
            notes.append(f"{self._relative(answers.path)}: {answers.problem} {answers.advice}")
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
    """A logger for nbgrader to log one student's grading into a string; what the warm
    kernels say about this student's kernels (forked, or why not) goes there too."""
    text = io.StringIO()
    handler = logging.StreamHandler(text)
    handler.setFormatter(logging.Formatter("[%(asctime)s %(levelname)s] %(message)s"))
    logger = logging.getLogger("coursekit.grading.autograde.nbgrader")
    loggers = [logger, logging.getLogger("coursekit.grading.warm")]
    for each in loggers:
        each.propagate = False  # nbgrader's log goes to the log file, not over the progress bar
        each.setLevel(logging.INFO)
        each.addHandler(handler)
    try:
        yield logger, text
    finally:
        for each in loggers:
            each.removeHandler(handler)


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
