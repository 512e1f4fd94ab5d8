"""Self-assessment instruments: definitions loaded from data files, and scoring.

An instrument is a JSON file in a module's folder, named by its manifest (format below).
Scoring is pure: it takes the answers as a plain ``{item id: int}`` mapping and
knows nothing of widgets, plots or files other than the definition.

Format (schema_version 1; every field is described in
``coursekit/content/schemas/instrument.schema.json``, which the loader checks)::

    {"schema_version": 1, "id": "alliance", "title": "...", "instructions": "...",
     "scale": {"min": 1, "max": 5, "labels": ["Rarely", ..., "Always"]},
     "subscales": [{"id": "bond", "label": "Bond", "description": "..."}],
     "items": [{"id": "bond_1", "subscale": "bond", "text": "..."}],
     "source": "where the structure comes from (citation)"}

``labels`` is optional; when given there is one per scale point. An item may
carry ``"reverse": true`` (scored max + min - answer) and its own
``"anchors": ["low end", "high end"]`` (paired statements).

An item that asks about something that may not have happened ("When there
was tension between us...") carries ``"not_applicable": "It did not happen"``:
the text of one more choice, beside the scale. That choice is an answer (the
item counts as answered) but never a value: it is ``NOT_APPLICABLE`` in an
answers mapping, a subscale's mean is taken over the items that applied, and
its total (which needs every item) is None.

An instrument may also ask for one answer in the student's own words, rated on
the same scale, with ``"own_item": {"id": "stuck_own_feeling", "text": "...",
"placeholder": "...", "max_length": 40}``: a feeling or quality the items
miss, named by the student. It is not an item and never scored. The answer,
``{"name": "...", "rating": 6}``, is saved in the response store's values
under the own item's id (``validate_own_answer`` checks it), so it stays in
the student's own answers file; class reports never read it.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from coursekit.content.schema import validate
from coursekit.errors import AnswerError, InstrumentError

SCHEMA_VERSION = 1


class NotApplicable(enum.Enum):
    """The answer "this did not happen" to an item that offers it: an answer, never a value."""

    NA = "not applicable"

    def __repr__(self) -> str:
        return "NOT_APPLICABLE"


NOT_APPLICABLE = NotApplicable.NA
# What one item's answer can be: a point of the scale, or "did not happen".
Answer = int | NotApplicable


@dataclass(frozen=True)
class Scale:
    min: int
    max: int
    labels: tuple[str, ...] = ()

    @property
    def points(self) -> tuple[int, ...]:
        return tuple(range(self.min, self.max + 1))

    def label(self, value: int) -> str:
        return self.labels[value - self.min] if self.labels else str(value)


@dataclass(frozen=True)
class Subscale:
    id: str
    label: str
    description: str = ""


@dataclass(frozen=True)
class Item:
    id: str
    subscale: str
    text: str
    reverse: bool = False
    anchors: tuple[str, str] | None = None
    not_applicable: str = ""  # the text of the "did not happen" choice; "" when the item has none


@dataclass(frozen=True)
class OwnItem:
    """An optional answer in the student's own words, rated on the instrument's scale."""

    id: str  # the key under which the answer is saved in the response store's values
    text: str
    placeholder: str = ""
    max_length: int = 40


@dataclass(frozen=True)
class Instrument:
    id: str
    version: int
    title: str
    instructions: str
    scale: Scale
    subscales: tuple[Subscale, ...]
    items: tuple[Item, ...]
    source: str = ""
    own_item: OwnItem | None = None

    def items_of(self, subscale_id: str) -> tuple[Item, ...]:
        return tuple(item for item in self.items if item.subscale == subscale_id)

    def subscale_range(self, subscale_id: str) -> tuple[int, int]:
        n = len(self.items_of(subscale_id))
        return n * self.scale.min, n * self.scale.max

    @property
    def total_range(self) -> tuple[int, int]:
        n = len(self.items)
        return n * self.scale.min, n * self.scale.max


@dataclass(frozen=True)
class SubscaleScore:
    id: str
    label: str
    total: int | None  # None until every item is answered, and when any did not apply
    minimum: int
    maximum: int
    answered: int  # items answered, "did not happen" included
    n_items: int
    not_applicable: int = 0  # items answered "did not happen"
    mean: float | None = None  # mean over the items that applied, once every item is answered

    @property
    def applicable(self) -> int:
        return self.n_items - self.not_applicable


@dataclass(frozen=True)
class Score:
    instrument: str
    subscales: tuple[SubscaleScore, ...]
    total: int | None
    minimum: int
    maximum: int
    missing: tuple[str, ...]  # item ids not yet answered, in instrument order
    not_applicable: tuple[str, ...] = ()  # item ids answered "did not happen"
    mean: float | None = None  # mean over every item that applied, once all are answered

    @property
    def complete(self) -> bool:
        return not self.missing

    def subscale(self, subscale_id: str) -> SubscaleScore:
        for sub in self.subscales:
            if sub.id == subscale_id:
                return sub
        raise KeyError(subscale_id)


def load_instrument(path: str | Path) -> Instrument:
    """Load an instrument from its definition file (a module's manifest names it)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InstrumentError(path, "no such instrument file.",
                              advice="Check the file name the module's module.toml gives.") from None
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InstrumentError(path, f"is not valid JSON ({exc}).") from None
    return _parse(raw, path)


def validate_answers(instrument: Instrument, answers: Mapping[str, object]) -> dict[str, Answer]:
    """Check every answer; return them as {item id: answer} in instrument order.

    Unanswered items are simply absent (or None). ``NOT_APPLICABLE`` is an
    answer only to an item that offers it. An unknown item id, a value that is
    not a whole number, or one outside the scale raises AnswerError.
    """
    known = {item.id for item in instrument.items}
    for key in answers:
        if key not in known:
            raise AnswerError(
                f"'{key}' is not an item of the {instrument.id} instrument; "
                f"its items are {', '.join(sorted(known))}."
            )
    clean: dict[str, Answer] = {}
    lo, hi = instrument.scale.min, instrument.scale.max
    for item in instrument.items:
        value = answers.get(item.id)
        if value is None:
            continue
        if value is NOT_APPLICABLE:
            if not item.not_applicable:
                raise AnswerError(
                    f"Item {item.id} has no 'did not happen' choice; answer it from {lo} to {hi}."
                )
            clean[item.id] = NOT_APPLICABLE
            continue
        if isinstance(value, bool) or not isinstance(value, int):
            raise AnswerError(
                f"Item {item.id}: the answer {value!r} is not a whole number from {lo} to {hi}."
            )
        if not lo <= value <= hi:
            raise AnswerError(
                f"Item {item.id}: the answer {value} is outside the scale {lo} to {hi}."
            )
        clean[item.id] = value
    return clean


def rated(answers: Mapping[str, Answer]) -> dict[str, int]:
    """The answers that are points of the scale, "did not happen" left out."""
    return {key: value for key, value in answers.items() if isinstance(value, int)}


def item_scores(instrument: Instrument, answers: Mapping[str, object]) -> dict[str, int]:
    """Each rated item's scored value, reverse-keyed items turned round.

    For bipolar items this puts every answer on one direction (the high
    anchor of the items that are not reversed), ready to plot side by side.
    Items answered "did not happen" have no value and are left out.
    """
    clean = rated(validate_answers(instrument, answers))
    lo, hi = instrument.scale.min, instrument.scale.max
    return {item.id: hi + lo - clean[item.id] if item.reverse else clean[item.id]
            for item in instrument.items if item.id in clean}


def validate_own_answer(instrument: Instrument, name: object, rating: object) -> dict[str, Any] | None:
    """Check an answer to the instrument's own item; None when it is left empty.

    Both parts or neither: a name without a rating (or the reverse) raises
    AnswerError, as do a name longer than the item allows and a rating
    outside the scale. Returns ``{"name": ..., "rating": ...}`` with the name
    trimmed and its inner spaces collapsed.
    """
    own = instrument.own_item
    if own is None:
        raise AnswerError(f"The {instrument.id} instrument has no item in your own words.")
    if name is not None and not isinstance(name, str):
        raise AnswerError(f"{own.text}: the name {name!r} is not text.")
    text = " ".join((name or "").split())
    if not text and rating is None:
        return None
    if not text:
        raise AnswerError(f"{own.text}: you gave a rating but no name; type a word or two, "
                          "or clear the rating.")
    if len(text) > own.max_length:
        raise AnswerError(f"{own.text}: '{text[:own.max_length]}...' is {len(text)} characters; "
                          f"keep it to {own.max_length} (a word or two).")
    lo, hi = instrument.scale.min, instrument.scale.max
    if rating is None:
        raise AnswerError(f"{own.text}: you named '{text}' but gave no rating; choose {lo} to {hi}.")
    if isinstance(rating, bool) or not isinstance(rating, int) or not lo <= rating <= hi:
        raise AnswerError(f"{own.text}: the rating {rating!r} is not a whole number from {lo} to {hi}.")
    return {"name": text, "rating": rating}


def score(instrument: Instrument, answers: Mapping[str, object]) -> Score:
    """Subscale totals and means, the total and the unanswered items.

    An item answered "did not happen" counts as answered but has no value: a
    subscale's mean is over the items that applied, and its total (the sum of
    every item) is None, as it is until all its items are answered, because a
    partial sum would read as a low score. The mean, too, waits until every
    item is answered; it is None when no item of the subscale applied.
    """
    clean = validate_answers(instrument, answers)
    scale = instrument.scale

    def scored(item: Item) -> int:
        value = clean[item.id]
        assert isinstance(value, int)  # only items that applied are scored
        return scale.max + scale.min - value if item.reverse else value

    def mean_of(items: tuple[Item, ...]) -> float | None:
        if any(item.id not in clean for item in items):
            return None
        values = [scored(item) for item in items if clean[item.id] is not NOT_APPLICABLE]
        return sum(values) / len(values) if values else None

    def total_of(items: tuple[Item, ...]) -> int | None:
        if any(not isinstance(clean.get(item.id), int) for item in items):
            return None
        return sum(scored(item) for item in items)

    subscales = []
    for sub in instrument.subscales:
        items = instrument.items_of(sub.id)
        answered = sum(1 for item in items if item.id in clean)
        skipped = sum(1 for item in items if clean.get(item.id) is NOT_APPLICABLE)
        lo, hi = instrument.subscale_range(sub.id)
        subscales.append(SubscaleScore(sub.id, sub.label, total_of(items), lo, hi, answered, len(items),
                                       skipped, mean_of(items)))
    missing = tuple(item.id for item in instrument.items if item.id not in clean)
    not_applicable = tuple(item.id for item in instrument.items if clean.get(item.id) is NOT_APPLICABLE)
    lo, hi = instrument.total_range
    return Score(instrument.id, tuple(subscales), total_of(instrument.items), lo, hi, missing,
                 not_applicable, mean_of(instrument.items))


# --- validation of definition files -----------------------------------------


def _parse(raw: Any, path: Path) -> Instrument:
    # The format is schemas/instrument.schema.json; what follows relates its parts.
    validate(raw, "instrument", path, InstrumentError)
    lo, hi = raw["scale"]["min"], raw["scale"]["max"]
    if lo >= hi:
        raise InstrumentError(path, f"min {lo} should be below max {hi}.", field="scale",
                              advice="Give the lowest answer as min and the highest as max.")
    labels = raw["scale"].get("labels", [])
    if labels and len(labels) != hi - lo + 1:
        raise InstrumentError(path, f"has {len(labels)} texts for the {hi - lo + 1} points "
                              f"from {lo} to {hi}.", field="scale.labels",
                              advice="Give one label per scale point, or none.")
    subscales = tuple(Subscale(s["id"], s["label"], s.get("description", "")) for s in raw["subscales"])
    sub_ids = [s.id for s in subscales]
    if len(set(sub_ids)) != len(sub_ids):
        raise InstrumentError(path, f"ids repeat: {sub_ids}.", field="subscales",
                              advice="Give each subscale its own id.")
    items = []
    for i, entry in enumerate(raw["items"]):
        if entry["subscale"] not in sub_ids:
            raise InstrumentError(path, f"'{entry['subscale']}' is not one of {', '.join(sub_ids)}.",
                                  field=f"items.{i}.subscale", advice="Name one of the declared subscales.")
        anchors = entry.get("anchors")
        items.append(Item(entry["id"], entry["subscale"], entry["text"], reverse=entry.get("reverse", False),
                          anchors=(anchors[0], anchors[1]) if anchors else None,
                          not_applicable=entry.get("not_applicable", "").strip()))
    item_ids = [item.id for item in items]
    duplicates = sorted({x for x in item_ids if item_ids.count(x) > 1})
    if duplicates:
        raise InstrumentError(path, f"ids repeat: {', '.join(duplicates)}.", field="items",
                              advice="Give each item its own id.")
    empty = [s for s in sub_ids if s not in {item.subscale for item in items}]
    if empty:
        raise InstrumentError(path, f"{', '.join(empty)} has no items.", field="subscales",
                              advice="Give every subscale at least one item, or remove it.")

    own_item = None
    if "own_item" in raw:
        own = raw["own_item"]
        if own["id"] in item_ids:
            raise InstrumentError(path, f"'{own['id']}' is also an item id.", field="own_item.id",
                                  advice="Give it its own name.")
        own_item = OwnItem(own["id"], own["text"], own.get("placeholder", ""), own.get("max_length", 40))
    point_texts = {label.casefold() for label in labels}
    for i, item in enumerate(items):
        if item.not_applicable and item.not_applicable.casefold() in point_texts:
            raise InstrumentError(path, f"'{item.not_applicable}' is also the text of a point of the "
                                  "scale, so the two choices would read alike.",
                                  field=f"items.{i}.not_applicable",
                                  advice="Word it as what did not happen, e.g. \"It did not happen\".")

    return Instrument(
        id=raw["id"],
        version=raw.get("version", 1),
        title=raw["title"],
        instructions=raw["instructions"],
        scale=Scale(lo, hi, tuple(labels)),
        subscales=subscales,
        items=tuple(items),
        source=raw.get("source", ""),
        own_item=own_item,
    )
