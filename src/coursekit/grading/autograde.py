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
import io
import os
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from coursekit.errors import CoursekitError
from coursekit.grading.config import CONFIG_FILE, load_course_config
from coursekit.grading.gradebook import configured_db_url, is_sqlite, redacted, sqlite_file
from coursekit.grading.nbgrader_glue import prepare
from coursekit.grading.results import DEFAULT_TIMEOUT, Outcome, Plan, Settings, Summary
from coursekit.grading.workers import _DaskWorkers, _LocalWorkers, _Workers

LOG_FILE = ".nbgrader.log"  # where nbgrader itself logs when run from the course folder

__all__ = ["DEFAULT_TIMEOUT", "LOG_FILE", "Outcome", "Summary", "autograde", "describe"]


def autograde(module: str, *, course: str | Path = "course", jobs: int | None = None,
              timeout: float | None = DEFAULT_TIMEOUT, students: Sequence[str] | None = None,
              scheduler: str | None = None, force: bool = False, progress: bool = True,
              warm: bool = True) -> Summary:
    """Grade a module's submissions in parallel; see the module docstring. With ``warm``
    (the default) each notebook's kernel is forked from a fork server in its worker
    (coursekit.grading.warm); without it, every kernel starts from scratch as in nbgrader.

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
                        timeout=timeout or None, force=force, serialise_gradebook=is_sqlite(db_url),
                        warm=warm)
    started = time.monotonic()
    workers: _Workers = (_DaskWorkers(scheduler, settings.course) if scheduler
                         else _LocalWorkers(jobs or _cpu_count(), course_path / LOG_FILE, warm))
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
    from coursekit.grading.progress import ProgressBar  # tqdm's, drawn on 0-column terminals too

    bar = ProgressBar(total=total, desc=f"grading {module}", unit="submission", disable=not show,
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
