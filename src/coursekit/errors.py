"""Every error coursekit raises on purpose.

Each message names the file or the value at fault, says what is wrong and what
to do about it, so that a student or an instructor can act on it without
reading a traceback. All of them are ValueErrors (bad input), except
StoreError, which is an OSError (the disk or the folder said no).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


class CoursekitError(Exception):
    """Base class: catch this to handle any coursekit error.

    ``exit_code`` is what the ``coursekit`` command exits with when the error
    stops it: 2, "could not do what was asked" (bad input, an unusable
    course). A command that ran and found problems exits 1 on its own.
    """

    exit_code = 2


class NotebookMessage(CoursekitError):
    """An error a student meets in a notebook cell, whose message says all there is to do.

    IPython shows it as its message alone, without the traceback through
    coursekit's code (``_render_traceback_`` is IPython's hook for that). It is
    still an error: the cell's output is an error, so Run All stops at it unless
    the cell is tagged ``raises-exception``, and nbgrader gives a test cell that
    raises it no points.
    """

    def _render_traceback_(self) -> list[str]:
        return [str(self)]


class DataFileError(CoursekitError, ValueError):
    """A data file (reading card, instrument, response file) is malformed.

    ``path`` is the file, ``field`` the dotted path of the offending field (or
    None when the file as a whole is unreadable).
    """

    def __init__(self, path: object, problem: str, *, field: str | None = None, advice: str = ""):
        self.path = str(path)
        self.field = field
        self.problem = problem
        self.advice = advice
        where = f"{self.path}, field '{field}'" if field else self.path
        message = f"{where}: {problem}"
        if advice:
            message += f" {advice}"
        super().__init__(message)


class ReadingCardError(DataFileError):
    """A reading card (a module's reading.toml) is malformed."""


class InstrumentError(DataFileError):
    """A self-assessment definition is malformed."""


class ManifestError(DataFileError):
    """A module manifest (module.toml) or the course settings (coursekit.toml) is malformed."""


class ResponseFileError(DataFileError):
    """A saved response file cannot be read (corrupt JSON, wrong format...)."""


class EvidenceError(DataFileError):
    """A file of published findings (a module's evidence.json) is malformed."""


class CourseConfigError(DataFileError):
    """A course's nbgrader_config.py (or one in a Jupyter config folder) cannot be loaded."""


class AnswerError(CoursekitError, ValueError):
    """An answer is not one the instrument accepts (unknown item, out of range)."""


class StoreError(CoursekitError, OSError):
    """Saving answers failed; the answers saved before are untouched."""


class SimulationError(CoursekitError, RuntimeError):
    """A simulated class could not be created; the message says why and what to do."""


class NoSubmissionsError(DataFileError):
    """The course has no submissions of the module to report on."""


class ExportError(CoursekitError):
    """Grades could not be exported; the message names the folder or file and what to do."""


class UsageError(CoursekitError, ValueError):
    """A command was given options that do not go together, or a value out of range."""


class ScoreInputError(CoursekitError, ValueError):
    """Scores given to a statistics function are not usable (ragged, non-numeric...)."""


class HubSetupError(CoursekitError, RuntimeError):
    """A shared server's course layout (``coursekit hub setup``) is missing or wrong, or setting
    it up failed; the message names the folder and what to run."""


class UncheckedIdentifiersError(CoursekitError, ValueError):
    """A copy that would hold likely client identifiers was not written, because the student
    has not yet said they checked them. ``findings`` lists them (where, and what)."""

    def __init__(self, message: str, findings: Sequence[Any]):
        self.findings = tuple(findings)
        super().__init__(message)
