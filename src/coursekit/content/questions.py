"""Numeric questions: predictions, estimates and inventories answered with a number.

A question set is a JSON file in a module's folder, named by its manifest::

    {"schema_version": 1, "id": "breakthroughs_prediction", "title": "...",
     "instructions": "...",
     "questions": [{"id": "gain_percent", "text": "...", "min": 0, "max": 100,
                    "unit": "clients out of 100"}]}

Answers are whole numbers within each question's range; they are saved in the
response store under the set's id (``ResponseStore.save_value``).

A set may sort its questions into groups (say, activities that are deliberate
practice and those that are not): ``"groups": [{"id": "deliberate", "label":
"Deliberate practice"}]`` at the top and ``"group": "deliberate"`` on each
question. When a set has groups, every question names one of them. A
question may carry a short ``"label"`` for plots and summaries ("Supervision").
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from coursekit.errors import AnswerError, InstrumentError

SCHEMA_VERSION = 1


@dataclass(frozen=True)
class Question:
    id: str
    text: str
    min: int
    max: int
    unit: str = ""
    group: str = ""
    label: str = ""  # a short name for plots and summaries; the text when not given

    @property
    def short(self) -> str:
        return self.label or self.text


@dataclass(frozen=True)
class Group:
    id: str
    label: str


@dataclass(frozen=True)
class QuestionSet:
    id: str
    title: str
    instructions: str
    questions: tuple[Question, ...]
    groups: tuple[Group, ...] = ()

    def in_group(self, group_id: str) -> tuple[Question, ...]:
        """The questions of one group, in order (KeyError for an unknown group)."""
        if group_id not in {g.id for g in self.groups}:
            raise KeyError(f"{self.id} has no group {group_id!r}; its groups are "
                           f"{', '.join(g.id for g in self.groups) or '(none)'}.")
        return tuple(q for q in self.questions if q.group == group_id)

    def group_label(self, group_id: str) -> str:
        return next((g.label for g in self.groups if g.id == group_id), group_id)

    def question(self, question_id: str) -> Question:
        for q in self.questions:
            if q.id == question_id:
                return q
        raise KeyError(question_id)


def load_questions(path: str | Path) -> QuestionSet:
    """A question set from its definition file (a module's manifest names it)."""
    path = Path(path)
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InstrumentError(path, "no such question set.",
                              advice="Check the file name the module's module.toml gives.") from None
    except json.JSONDecodeError as exc:
        raise InstrumentError(path, f"is not valid JSON ({exc}).") from None
    return _parse(raw, path)


def validate_numbers(qset: QuestionSet, answers: Mapping[str, object]) -> dict[str, int]:
    """Every answer a whole number in its question's range; unanswered ones left out."""
    known = {q.id for q in qset.questions}
    for key in answers:
        if key not in known:
            raise AnswerError(f"'{key}' is not a question of {qset.id}; its questions are "
                              f"{', '.join(sorted(known))}.")
    clean: dict[str, int] = {}
    for number, q in enumerate(qset.questions, 1):
        value = answers.get(q.id)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int):
            raise AnswerError(f"Question {number} ({q.id}): the answer {value!r} is not a whole number.")
        if not q.min <= value <= q.max:
            unit = f" {q.unit}" if q.unit else ""
            raise AnswerError(f"Question {number} ({q.id}): the answer {value} is outside the range "
                              f"{q.min} to {q.max}{unit}.")
        clean[q.id] = value
    return clean


def _parse(raw: Any, path: Path) -> QuestionSet:
    def fail(field: str, problem: str) -> InstrumentError:
        return InstrumentError(path, problem, field=field)

    if not isinstance(raw, dict):
        raise fail("(top level)", "should be a JSON object.")
    if raw.get("schema_version") != SCHEMA_VERSION:
        raise fail("schema_version", f"is {raw.get('schema_version')!r}; expected {SCHEMA_VERSION}.")
    for key in ("id", "title", "instructions"):
        if not isinstance(raw.get(key), str) or not raw[key].strip():
            raise fail(key, "should be a non-empty text.")
    groups_raw = raw.get("groups", [])
    if not isinstance(groups_raw, list):
        raise fail("groups", "should be a list of {id, label}.")
    groups = []
    for i, g in enumerate(groups_raw):
        for key in ("id", "label"):
            if not isinstance(g, dict) or not isinstance(g.get(key), str) or not g[key].strip():
                raise fail(f"groups[{i}].{key}", "should be a non-empty text.")
        groups.append(Group(g["id"], g["label"]))
    group_ids = [g.id for g in groups]
    if len(set(group_ids)) != len(group_ids):
        raise fail("groups", f"ids repeat: {group_ids}.")
    items = raw.get("questions")
    if not isinstance(items, list) or not items:
        raise fail("questions", "should be a non-empty list.")
    questions = []
    for i, q in enumerate(items):
        field = f"questions[{i}]"
        if not isinstance(q, dict):
            raise fail(field, "should be an object with id, text, min and max.")
        for key in ("id", "text"):
            if not isinstance(q.get(key), str) or not q[key].strip():
                raise fail(f"{field}.{key}", "should be a non-empty text.")
        lo, hi = q.get("min"), q.get("max")
        if not (isinstance(lo, int) and isinstance(hi, int) and not isinstance(lo, bool) and lo < hi):
            raise fail(field, f"min {lo!r} and max {hi!r} should be whole numbers with min < max.")
        group = q.get("group", "")
        if groups and group not in group_ids:
            raise fail(f"{field}.group", f"{group!r} is not one of the set's groups: {', '.join(group_ids)}.")
        if not groups and group:
            raise fail(f"{field}.group", f"'{group}' names a group, but the set has no \"groups\".")
        label = q.get("label", "")
        if not isinstance(label, str):
            raise fail(f"{field}.label", "should be a short text.")
        questions.append(Question(q["id"], q["text"], lo, hi, str(q.get("unit", "")), group, label))
    ids = [q.id for q in questions]
    if len(set(ids)) != len(ids):
        raise fail("questions", f"ids repeat: {ids}.")
    empty = [g for g in group_ids if not any(q.group == g for q in questions)]
    if empty:
        raise fail("groups", f"{', '.join(empty)} has no questions.")
    return QuestionSet(raw["id"], raw["title"], raw["instructions"], tuple(questions), tuple(groups))
