"""The response store: a student's saved answers, on disk, next to the notebook.

Answers live in ``coursekit-responses.json`` in the module's assignment folder,
so ``nbgrader submit`` carries them and autograder tests (which run with the
autograded folder as working directory) can read them. Widget state is never
the record: an answer counts once ``save_answers`` has returned.

File format (``schema_version`` 1; every field is described in
``coursekit/content/schemas/responses.schema.json``, which reading checks)::

    {"format": "coursekit-responses", "schema_version": 1,
     "module": "alliance", "revision": 3, "saved_at": "2026-11-21T10:00:00+00:00",
     "instruments": {"alliance": {"instrument_version": 1,
                                  "saved_at": "...", "answers": {"bond_1": 4},
                                  "not_applicable": ["bond_3"]}},
     "values": {"prediction": {"gains": 12}}}

An item answered "did not happen" is listed in ``not_applicable`` and not in
``answers``, so a rating is always a number and an unanswered item is in
neither (a file without N/A answers has no ``not_applicable`` at all).

Guarantees:

* saves are atomic: a new version is written to a temporary file, flushed to
  disk and renamed over the old one, so a crash at any moment leaves either
  the previous version or the new one, never a mix;
* saves from several processes are serialised by a lock file, and each save
  re-reads the file under the lock, so no update is lost;
* files are created readable and writable by their owner only (0600);
* a corrupt file is never overwritten: the student side moves it aside
  (``coursekit-responses.corrupt-<time>.json``) and says so; the grading side
  reports it and changes nothing.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from coursekit.content.instruments import (
    NOT_APPLICABLE,
    Answer,
    Instrument,
    validate_answers,
    validate_own_answer,
)
from coursekit.content.questions import QuestionSet, validate_numbers
from coursekit.content.schema import validate
from coursekit.errors import AnswerError, ResponseFileError, StoreError
from coursekit.files import FileLock, atomic_write, temporaries

FILENAME = "coursekit-responses.json"
LOCKNAME = ".coursekit-responses.lock"
FORMAT = "coursekit-responses"
SCHEMA_VERSION = 1
# When set, names a folder that stands in for the student's assignments folder
# (one subfolder per module, as nbgrader fetches them). Tests and nbval runs
# point it at a scratch folder so that nothing is written into course/source.
FOLDER_ENV = "COURSEKIT_RESPONSES_DIR"


@dataclass(frozen=True)
class InstrumentAnswers:
    answers: Mapping[str, int]  # the ratings
    instrument_version: int
    saved_at: str
    not_applicable: tuple[str, ...] = ()  # items answered "did not happen"

    def merged(self) -> dict[str, Answer]:
        """Every answer: the ratings and NOT_APPLICABLE for the items that did not apply."""
        return {**self.answers, **dict.fromkeys(self.not_applicable, NOT_APPLICABLE)}


@dataclass(frozen=True)
class Responses:
    """One module's saved answers (an immutable snapshot of the file)."""

    module: str
    revision: int = 0
    saved_at: str | None = None
    instruments: Mapping[str, InstrumentAnswers] = field(default_factory=dict)
    values: Mapping[str, Any] = field(default_factory=dict)

    def answers(self, instrument_id: str) -> dict[str, Answer]:
        """The saved answers to one instrument: ratings, and NOT_APPLICABLE where an item did not apply."""
        entry = self.instruments.get(instrument_id)
        return entry.merged() if entry else {}

    def own_answer(self, instrument: Instrument) -> dict[str, Any] | None:
        """The saved answer to the instrument's own item, ``{"name", "rating"}``, or None.

        The name is the student's own words: show it back to the student, never
        in a report about the class.
        """
        if instrument.own_item is None:
            return None
        value = self.values.get(instrument.own_item.id)
        if not isinstance(value, dict):
            return None
        try:
            return validate_own_answer(instrument, value.get("name"), value.get("rating"))
        except AnswerError:
            return None

    def numbers(self, qset_id: str) -> dict[str, int]:
        """Saved answers to a set of numeric questions ({} if none)."""
        value = self.values.get(qset_id)
        return {k: v for k, v in value.items() if isinstance(v, int)} if isinstance(value, dict) else {}

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "schema_version": SCHEMA_VERSION,
            "module": self.module,
            "revision": self.revision,
            "saved_at": self.saved_at,
            "instruments": {
                key: {
                    "instrument_version": entry.instrument_version,
                    "saved_at": entry.saved_at,
                    "answers": dict(entry.answers),
                    # written only when there is one, so older files read the same
                    **({"not_applicable": list(entry.not_applicable)} if entry.not_applicable else {}),
                }
                for key, entry in self.instruments.items()
            },
            "values": dict(self.values),
        }


def parse_responses(raw: Any, path: str | Path, module: str | None = None) -> Responses:
    """Validate a decoded response file; raise ResponseFileError naming the field."""
    try:
        validate(raw, "responses", path, ResponseFileError)
    except ResponseFileError as exc:
        # The store's notice and the portfolio show the problem right after the
        # file's name, so it names its field itself; the message stays unrepeated.
        where = f"field '{exc.field}' " if exc.field else ""
        error = ResponseFileError(path, f"cannot be read: {where}{exc.problem}", advice=exc.advice)
        error.field = exc.field
        raise error from None
    if module is not None and raw["module"] != module:
        raise ResponseFileError(
            path, f"holds answers for module '{raw['module']}', not '{module}'. "
            "Was it copied from another module's folder?", field="module")
    instruments = {}
    for key, entry in raw.get("instruments", {}).items():
        skipped = tuple(entry.get("not_applicable", ()))
        both = sorted(set(skipped) & set(entry["answers"]))
        if both:
            raise ResponseFileError(
                path, f"cannot be read: item {both[0]} of {key} is both rated and marked "
                "'did not happen'.", field=f"instruments.{key}.not_applicable",
                advice="Answer the self-assessment again and press Save answers.")
        instruments[key] = InstrumentAnswers(answers=dict(entry["answers"]),
                                             instrument_version=entry.get("instrument_version", 1),
                                             saved_at=str(entry.get("saved_at", "")),
                                             not_applicable=skipped)
    saved_at = raw.get("saved_at")
    return Responses(raw["module"], raw["revision"], saved_at if isinstance(saved_at, str) else None,
                     instruments, raw.get("values", {}))


def read_responses(path: str | Path, module: str | None = None) -> Responses | None:
    """Read a response file without changing anything (for graders and reports).

    Returns None when there is no file; raises ResponseFileError when it cannot
    be used.
    """
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    except IsADirectoryError:
        raise ResponseFileError(path, "is a folder, not a response file.") from None
    try:
        raw = json.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise ResponseFileError(path, "is not UTF-8 text; it is damaged.") from None
    except json.JSONDecodeError as exc:
        raise ResponseFileError(path, f"is not valid JSON ({exc.msg}, line {exc.lineno}).") from None
    return parse_responses(raw, path, module)


class ResponseStore:
    """Load and save one module's answers in one folder.

    >>> store = ResponseStore.here("alliance")      # the notebook's folder
    >>> store.save_answers(instrument, {"bond_1": 4})   # doctest: +SKIP
    """

    def __init__(self, folder: str | Path, module: str):
        self.folder = Path(folder)
        self.module = module
        # Set when load() found a damaged file; widgets show it, then clear it.
        self.notice: str | None = None
        self._damaged_in_place = False

    @classmethod
    def here(cls, module: str) -> ResponseStore:
        """The store in the current folder (where JupyterLab runs the notebook).

        With COURSEKIT_RESPONSES_DIR set, the store is that folder's subfolder
        for the module instead (created if needed).
        """
        base = os.environ.get(FOLDER_ENV)
        if not base:
            return cls(os.getcwd(), module)
        folder = Path(base) / module
        folder.mkdir(parents=True, exist_ok=True)
        return cls(folder, module)

    @property
    def path(self) -> Path:
        return self.folder / FILENAME

    def load(self) -> Responses:
        """The saved answers; an empty set if none were saved yet.

        A damaged file is moved aside (never overwritten) and an empty set is
        returned, with ``self.notice`` saying what happened.
        """
        with self._locked():
            return self._load_unlocked()

    def answers(self, instrument_id: str) -> dict[str, Answer]:
        return self.load().answers(instrument_id)

    def save_answers(
        self, instrument: Instrument, answers: Mapping[str, object],
        *, values: Mapping[str, Any] | None = None,
    ) -> Responses:
        """Validate and save the answers to one instrument; return what is on disk.

        Unanswered items may be left out; an item that did not happen is
        answered ``NOT_APPLICABLE`` (saved in the entry's ``not_applicable``
        list, apart from the ratings). ``values`` are named values saved in
        the same write (as ``save_value`` would), such as the answer to the
        instrument's own item. Raises AnswerError for an invalid answer and
        StoreError when the disk refuses (or a value is not JSON); in both
        cases the file on disk is unchanged.
        """
        clean = validate_answers(instrument, answers)
        extra = dict(values or {})
        for key, value in extra.items():
            _check_json(key, value)
        now = _now()
        ratings = {key: value for key, value in clean.items() if isinstance(value, int)}
        skipped = tuple(key for key, value in clean.items() if value is NOT_APPLICABLE)
        entry = InstrumentAnswers(ratings, instrument.version, now, skipped)

        def update(old: Responses) -> Responses:
            return Responses(self.module, old.revision + 1, now,
                             {**old.instruments, instrument.id: entry}, {**old.values, **extra})

        return self._update(update)

    def save_numbers(self, qset: QuestionSet, answers: Mapping[str, object]) -> Responses:
        """Validate and save the answers to a set of numeric questions (under its id)."""
        return self.save_value(qset.id, validate_numbers(qset, answers))

    def save_value(self, key: str, value: Any) -> Responses:
        """Save any JSON value under a name (a prediction, a plan...)."""
        _check_json(key, value)
        now = _now()

        def update(old: Responses) -> Responses:
            return Responses(self.module, old.revision + 1, now, old.instruments,
                             {**old.values, key: value})

        return self._update(update)

    # --- internals ---------------------------------------------------------

    def _update(self, change: Callable[[Responses], Responses]) -> Responses:
        try:
            with self._locked():
                self._remove_stale_temporaries()
                current = self._load_unlocked()
                if self._damaged_in_place:
                    # Writing now would overwrite the damaged file we could not set aside.
                    raise StoreError(
                        f"Your saved answers file {self.path} is damaged and could not be set "
                        f"aside, because the folder {self.folder} is not writable; nothing was "
                        "saved and the damaged file is untouched. Ask your instructor to make the "
                        "folder writable, then press Save again."
                    )
                new = change(current)
                self._write(new)
        except OSError as exc:
            if isinstance(exc, StoreError):
                raise
            raise StoreError(self._failure_message(exc)) from exc
        return new

    def _load_unlocked(self) -> Responses:
        self._damaged_in_place = False
        try:
            existing = read_responses(self.path, self.module)
        except ResponseFileError as exc:
            try:
                aside = self._move_aside()
            except OSError as move_error:
                self._damaged_in_place = True
                self.notice = (
                    f"Your saved answers file {self.path.name} {exc.problem} It could not be set "
                    f"aside because the folder {self.folder} is not writable "
                    f"({move_error.strerror or move_error}), so it was left as it is; "
                    "tell your instructor, who can recover or remove it."
                )
                return Responses(self.module)
            self.notice = (
                f"Your saved answers file {self.path.name} {exc.problem} "
                f"It was kept as {aside.name} (nothing was deleted); "
                "answer again and save, and tell your instructor if this keeps happening."
            )
            return Responses(self.module)
        return existing if existing is not None else Responses(self.module)

    def _remove_stale_temporaries(self) -> None:
        # Every writer holds the lock while its temporary file exists, so one
        # found while we hold the lock belongs to a writer that died mid-save.
        for stale in temporaries(self.path):
            with contextlib.suppress(OSError):
                stale.unlink()

    def _move_aside(self) -> Path:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        aside = self.path.with_name(f"coursekit-responses.corrupt-{stamp}.json")
        os.replace(self.path, aside)
        return aside

    def _write(self, responses: Responses) -> None:
        data = json.dumps(responses.to_json(), indent=2, sort_keys=True).encode("utf-8") + b"\n"
        atomic_write(self.path, data)

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        if not self.folder.is_dir():
            raise StoreError(
                f"The folder {self.folder} does not exist, so answers cannot be saved there. "
                "Open the notebook from its assignment folder."
            )
        lock = FileLock(self.folder / LOCKNAME)
        try:
            lock.acquire()
        except OSError as exc:
            if exc.errno not in _CANNOT_CREATE:
                raise
            # A read-only (or full) folder cannot hold a new lock file; reading still
            # works, and a write will fail with a clear message of its own.
            yield
            return
        try:
            yield
        finally:
            lock.release()

    def _failure_message(self, exc: OSError) -> str:
        if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            why = f"the folder {self.folder} is not writable"
            advice = "Ask your instructor or IT to make the folder writable, then press Save again."
        elif exc.errno in (errno.ENOSPC, errno.EDQUOT):
            why = "the disk is full"
            advice = "Free some space (delete large files you no longer need), then press Save again."
        else:
            why = exc.strerror or str(exc)
            advice = "Press Save again; if it keeps failing, tell your instructor."
        return (
            f"Could not save your answers to {self.path}: {why}. "
            f"Your previously saved answers are unchanged. {advice}"
        )


# Why a lock file could not be made: the folder is not writable, or the disk is full.
_CANNOT_CREATE = {errno.EACCES, errno.EPERM, errno.EROFS, errno.ENOSPC, errno.EDQUOT}


def _check_json(key: str, value: Any) -> None:
    try:
        json.dumps(value, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise StoreError(f"The value for '{key}' cannot be saved as JSON: {exc}.") from None


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
