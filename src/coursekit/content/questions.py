"""Numeric questions: predictions, estimates and inventories answered with a number.

A question set is a JSON file in a module's folder, named by its manifest
(every field is described in ``coursekit/content/schemas/questions.schema.json``,
which the loader checks)::

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

from coursekit.content.schema import validate
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
    # The format is schemas/questions.schema.json; what follows relates its parts.
    validate(raw, "questions", path, InstrumentError)
    groups = tuple(Group(g["id"], g["label"]) for g in raw.get("groups", []))
    group_ids = [g.id for g in groups]
    if len(set(group_ids)) != len(group_ids):
        raise InstrumentError(path, f"ids repeat: {group_ids}.", field="groups",
                              advice="Give each group its own id.")
    questions = []
    for i, q in enumerate(raw["questions"]):
        field = f"questions.{i}"
        if q["min"] >= q["max"]:
            raise InstrumentError(path, f"min {q['min']} should be below max {q['max']}.", field=field,
                                  advice="Give the smallest answer allowed as min and the largest as max.")
        group = q.get("group", "")
        if groups and group not in group_ids:
            raise InstrumentError(path, f"{group!r} is not one of the set's groups: {', '.join(group_ids)}.",
                                  field=f"{field}.group", advice="Name one of the groups.")
        if not groups and group:
            raise InstrumentError(path, f"'{group}' names a group, but the set has no \"groups\".",
                                  field=f"{field}.group", advice="Declare the groups, or remove this one.")
        questions.append(Question(q["id"], q["text"], q["min"], q["max"], q.get("unit", ""), group,
                                  q.get("label", "")))
    ids = [q.id for q in questions]
    if len(set(ids)) != len(ids):
        raise InstrumentError(path, f"ids repeat: {ids}.", field="questions",
                              advice="Give each question its own id.")
    empty = [g for g in group_ids if not any(q.group == g for q in questions)]
    if empty:
        raise InstrumentError(path, f"{', '.join(empty)} has no questions.", field="groups",
                              advice="Give every group at least one question, or remove it.")
    return QuestionSet(raw["id"], raw["title"], raw["instructions"], tuple(questions), groups)
