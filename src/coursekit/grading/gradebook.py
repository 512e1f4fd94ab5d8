"""The gradebook: where a course keeps it, how parallel graders share it, and what it holds.

nbgrader keeps grades in a SQLAlchemy database named by ``CourseDirectory.db_url``:
a SQLite file by default (``course/gradebook.db``), or a database server.
coursekit's ``course/nbgrader_config.py`` takes the URL from ``COURSEKIT_DB_URL``
when it is set, e.g. ``postgresql://grader@db.example.edu/coursekit``.

SQLite lets one process write at a time, and nbgrader's FAQ warns against
running several graders on one SQLite file. So when ``coursekit autograde``
runs several workers on a SQLite gradebook, each worker holds a
:class:`GradebookLock` for all of its gradebook work and lets go of it only
while the kernel runs a notebook: writes never overlap, kernels still run side
by side. A server (PostgreSQL) needs no lock, since each worker writes its own
student's rows in its own transactions; it is also the only choice when the
workers are on several machines.

:func:`snapshot` reads back what a grading left in the gradebook, as plain
data with no database ids, so two gradings of the same class can be compared.

This module imports nbgrader only inside the functions that need it.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import Any

from coursekit.files import FileLock


def configured_db_url(config: Any) -> str:
    """The gradebook URL a course's config names (nbgrader's default when it names none).

    ``config`` is what :func:`coursekit.grading.config.load_course_config` returns.
    """
    url = config.CourseDirectory.get("db_url")
    if url:
        return str(url)
    root = config.CourseDirectory.root
    return "sqlite:///" + os.path.abspath(os.path.join(root, "gradebook.db"))


def is_sqlite(db_url: str) -> bool:
    return db_url.split(":", 1)[0].split("+", 1)[0] == "sqlite"


def sqlite_file(db_url: str, root: str | Path = ".") -> Path | None:
    """The database file of a SQLite URL (a relative one is taken from ``root``); None for a server."""
    if not is_sqlite(db_url):
        return None
    return Path(root, db_url.split("///", 1)[-1].split("?", 1)[0]).resolve()


def redacted(db_url: str) -> str:
    """The URL with any password replaced by ``***``, for messages and logs."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(db_url).render_as_string(hide_password=True)
    except Exception:  # an unparseable URL: say so rather than risk printing a password
        return "<a database URL that cannot be parsed>"


class GradebookLock(FileLock):
    """An exclusive lock shared by every process on this machine that grades into one SQLite file.

    A :class:`coursekit.files.FileLock` on a small file in the temporary folder
    named after the database's path, so it is released when a process dies, and
    it never touches the database file itself (SQLite uses its own byte-range
    locks there). It is made readable by all (0644) so that graders running as
    other users share it. Use it as a context manager, or call :meth:`acquire`
    and :meth:`release`.
    """

    def __init__(self, path: str | Path):
        super().__init__(path, mode=0o644)

    @classmethod
    def for_url(cls, db_url: str, root: str | Path = ".") -> GradebookLock | NoLock:
        """The lock for a SQLite gradebook; a lock that does nothing for a database server."""
        database = sqlite_file(db_url, root)
        if database is None:
            return NoLock()
        key = hashlib.sha256(str(database).encode()).hexdigest()[:16]
        return cls(Path(tempfile.gettempdir()) / f"coursekit-gradebook-{key}.lock")


class NoLock:
    """Stands in for GradebookLock when the database serialises writers itself."""

    def acquire(self) -> None:
        pass

    def release(self) -> None:
        pass

    def __enter__(self) -> NoLock:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 traceback: TracebackType | None) -> None:
        pass


@contextlib.contextmanager
def open_gradebook(db_url: str, course_id: str) -> Iterator[Any]:
    """nbgrader's Gradebook, closed afterwards; creates the tables of a new database."""
    from nbgrader.api import Gradebook

    gradebook = Gradebook(db_url, course_id)
    try:
        yield gradebook
    finally:
        gradebook.close()


def snapshot(db_url: str, course_id: str, assignment: str) -> dict[str, Any]:
    """Everything autograding recorded for one assignment, per student, as plain data.

    ``{student: {"timestamp": iso or None, "notebooks": {notebook: {
    "grades": {grade_id: {"auto_score", "manual_score", "max_score", "needs_manual_grade"}},
    "comments": {grade_id: auto_comment}, "late_submission_penalty", "flagged"}}}}``.
    Database ids are left out, so two gradebooks can be compared with ``==``.
    """
    def iso(moment: datetime | None) -> str | None:
        return moment.isoformat() if moment is not None else None

    found: dict[str, Any] = {}
    with open_gradebook(db_url, course_id) as gradebook:
        for submission in gradebook.find_assignment(assignment).submissions:
            notebooks = {}
            for notebook in submission.notebooks:
                notebooks[notebook.name] = {
                    "grades": {
                        grade.name: {
                            "auto_score": grade.auto_score,
                            "manual_score": grade.manual_score,
                            "max_score": grade.max_score,
                            "needs_manual_grade": grade.needs_manual_grade,
                        }
                        for grade in notebook.grades
                    },
                    "comments": {comment.name: comment.auto_comment for comment in notebook.comments},
                    "late_submission_penalty": notebook.late_submission_penalty,
                    "flagged": notebook.flagged,
                }
            found[submission.student.id] = {"timestamp": iso(submission.timestamp),
                                            "notebooks": notebooks}
    return found
