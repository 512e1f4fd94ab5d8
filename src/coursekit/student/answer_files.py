"""One submitted answers file, checked the same way by every instructor's tool.

``coursekit report`` (which counts a class's answers) and ``coursekit
autograde`` (which names damaged submissions) both read a student's
``coursekit-responses.json`` through :func:`check_answer_file`, so that they
name the same problems in the same words: the file, what is wrong with it and
what to do. It only reads; nothing is moved or rewritten.

A file is sorted into one of four states:

* ``complete``: every item and question of the forms asked about is answered;
* ``incomplete``: a valid file with some of them unanswered;
* ``malformed``: the file cannot be counted: it is unreadable, not JSON, not in
  the response store's format, another module's file, saved for another
  version of the items, or holds a value no form saves (half a point, a
  number outside the scale, an unknown item, a date that is no date);
* ``missing``: there is no file, or it holds no answers to these forms.

Runs once per student of a class (the report reads thousands), so the common,
valid case is checked first on plain values; anything unusual goes through the
response store's and the instrument's own validation, for their messages.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from coursekit.content.instruments import Answer, Instrument, validate_answers
from coursekit.content.questions import QuestionSet, validate_numbers
from coursekit.errors import AnswerError, ResponseFileError
from coursekit.student.responses import FILENAME, parse_responses

COMPLETE, INCOMPLETE, MALFORMED, MISSING = "complete", "incomplete", "malformed", "missing"
STATUSES = (COMPLETE, INCOMPLETE, MALFORMED, MISSING)


@dataclass(frozen=True)
class AnswerFile:
    """What one answers file holds, as checked.

    ``answers`` holds the validated answers to each instrument asked about (by
    instrument id; empty unless complete or incomplete). ``problem`` says what
    is wrong, to follow the file's name; ``advice`` what to do about it.
    """

    path: str
    status: str  # one of STATUSES
    answers: Mapping[str, Mapping[str, Answer]] = field(default_factory=dict)
    problem: str = ""
    advice: str = ""

    @property
    def damaged(self) -> bool:
        """Whether the file cannot be counted at all (malformed or missing)."""
        return self.status in (MALFORMED, MISSING)

    @property
    def reason(self) -> str:
        """The file, what is wrong and what to do, in one line; empty when complete."""
        if not self.problem:
            return ""
        return f"{self.path}: {self.problem}" + (f" {self.advice}" if self.advice else "")


def check_answer_file(folder: str | Path, module: str, instruments: Sequence[Instrument] = (),
                      question_sets: Sequence[QuestionSet] = (), *, plan: bool = False
                      ) -> AnswerFile | None:
    """Check the answers file in a submitted module folder against the forms named.

    ``module`` is the module the folder is of (a file saved by another module
    is malformed); ``instruments``, ``question_sets`` and ``plan`` are the
    forms whose answers the caller cares about (the report passes the one
    instrument it counts, autograde every form of the module). Returns None
    when the folder itself does not exist (the module was not submitted).
    """
    folder = str(folder)
    path = os.path.join(folder, FILENAME)
    again = (f"Ask the student to open {module}.ipynb, answer its forms again and press Save "
             f"answers (the form keeps a damaged file aside), then submit {module} again.")
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except FileNotFoundError:
        if not os.path.isdir(folder):
            return None
        return AnswerFile(folder, MISSING, problem=f"no {FILENAME} in the submission.",
                          advice=f"The student saved no answers to the module's forms, or did not "
                                 f"submit the file. {again}")
    except IsADirectoryError:
        return AnswerFile(path, MALFORMED, problem="is a folder, not an answers file.", advice=again)
    except OSError as exc:
        return AnswerFile(path, MALFORMED, problem=f"cannot be read ({exc.strerror or exc}).",
                          advice="Check the file's permissions in the course folder.")
    try:
        saved = parse_responses(_decode(data, path), path, module)
    except ResponseFileError as exc:
        problem = exc.problem if exc.field != "module" else \
            exc.problem.replace(" Was it copied from another module's folder?", "")
        if exc.field == "module":
            return AnswerFile(path, MALFORMED, problem=f"{problem} It was copied from another "
                              "module's folder, so none of it can be counted here.", advice=again)
        return AnswerFile(path, MALFORMED, problem=problem, advice=again)

    answers: dict[str, Mapping[str, Answer]] = {}
    unanswered: list[str] = []
    found = False
    for instrument in instruments:
        entry = saved.instruments.get(instrument.id)
        if entry is None:
            unanswered.append(f"the {instrument.title!r} self-assessment is not answered")
            continue
        found = True
        if entry.instrument_version != instrument.version:
            return AnswerFile(
                path, MALFORMED,
                problem=f"answers version {entry.instrument_version} of the {instrument.id} "
                        f"self-assessment; this course uses version {instrument.version}.",
                advice="They were given to other items, so they cannot be counted. " + again)
        given: Mapping[str, Answer] = entry.answers
        lo, hi = instrument.scale.min, instrument.scale.max
        # "did not happen" answers count as answered (never as a value): validated with the rest
        if entry.not_applicable or not (given.keys() <= _item_ids(instrument)
                                        and all(type(v) is int and lo <= v <= hi for v in given.values())):
            try:
                given = validate_answers(instrument, entry.merged())
            except AnswerError as exc:
                return _impossible(path, str(exc), again)
        answers[instrument.id] = given
        if len(given) < len(instrument.items):
            missing = [n for n, item in enumerate(instrument.items, 1) if item.id not in given]
            unanswered.append(f"{len(missing)} of {len(instrument.items)} items unanswered "
                              f"(items {', '.join(map(str, missing))})")
    for qset in question_sets:
        raw = saved.values.get(qset.id)
        if raw is None:
            unanswered.append(f"the questions {qset.title!r} are not answered")
            continue
        found = True
        if not isinstance(raw, dict):
            return _impossible(path, f"the answers to {qset.title!r} are not a set of numbers.", again)
        try:
            numbers = validate_numbers(qset, raw)
        except AnswerError as exc:
            return _impossible(path, str(exc), again)
        if len(numbers) < len(qset.questions):
            unanswered.append(f"{len(qset.questions) - len(numbers)} of {len(qset.questions)} "
                              f"questions of {qset.title!r} unanswered")
    if plan:
        from coursekit.student.portfolio import PLAN_KEY

        raw = saved.values.get(PLAN_KEY)
        if raw is None:
            unanswered.append("the practice plan is not saved")
        else:
            found = True
            missing_parts = _plan_problem(raw)
            if isinstance(missing_parts, str):
                return _impossible(path, missing_parts, again)
            if missing_parts:
                unanswered.append(f"{missing_parts} of the plan's parts not written")
    if not found and (instruments or question_sets or plan):
        what = " and ".join(f"the {i.title!r} self-assessment" for i in instruments) or \
            "the module's forms"
        return AnswerFile(path, MISSING, problem=f"holds no answers to {what}.",
                          advice=f"The student did not save them. {again}")
    if unanswered:
        return AnswerFile(path, INCOMPLETE, answers, problem="; ".join(unanswered) + ".")
    return AnswerFile(path, COMPLETE, answers)


def _impossible(path: str, what: str, again: str) -> AnswerFile:
    return AnswerFile(path, MALFORMED, problem=what,
                      advice=f"No form saves such a value: the file was edited or damaged. {again}")


def _plan_problem(raw: Any) -> int | str:
    """How many parts of a saved plan are unwritten, or what is wrong with it."""
    from coursekit.student.portfolio import PLAN_IDS, validate_plan

    if not isinstance(raw, dict):
        return "the practice plan is not a set of parts."
    try:
        clean = validate_plan(raw)
    except AnswerError as exc:
        return f"the practice plan: {exc}"
    return len(PLAN_IDS) - len(clean)


def _decode(data: bytes, path: str) -> Any:
    # the same checks and messages as coursekit.student.responses.read_responses
    try:
        return json.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise ResponseFileError(path, "is not UTF-8 text; it is damaged.") from None
    except json.JSONDecodeError as exc:
        raise ResponseFileError(path, f"is not valid JSON ({exc.msg}, line {exc.lineno}).") from None


_ITEM_IDS: dict[int, tuple[Instrument, frozenset[str]]] = {}


def _item_ids(instrument: Instrument) -> frozenset[str]:
    # kept with the instrument itself, so that a reused id() never finds a stale set
    known = _ITEM_IDS.get(id(instrument))
    if known is None or known[0] is not instrument:
        if len(_ITEM_IDS) > 16:
            _ITEM_IDS.clear()
        known = _ITEM_IDS[id(instrument)] = (instrument, frozenset(item.id for item in instrument.items))
    return known[1]


__all__ = ["COMPLETE", "INCOMPLETE", "MALFORMED", "MISSING", "STATUSES", "AnswerFile",
           "check_answer_file"]
