"""A class's self-assessment answers, read from nbgrader's folders and summarised anonymously.

Two steps, kept apart so the privacy rules can be tested without any rendering:

1. ``read_class`` reads every student's ``coursekit-responses.json`` from
   ``<course>/submitted/<student>/<module>/`` (optionally falling back to
   ``autograded/``) and sorts each into complete, incomplete, malformed or
   missing, with a reason the instructor can act on. These records carry
   student ids and are for the terminal only.
2. ``summarise`` turns them into a ``CohortSummary``: counts, means and
   standard deviations, with small cells suppressed. A summary holds no student
   id and no text from any answer file (item ids come from the instrument, and
   answer files' other fields, such as saved values, are never read), so
   whatever renders it cannot leak them.

Anonymity rules (``MIN_GROUP`` is 5; the rules for counts are
``coursekit.cohort.suppression``):

* a group (the class, the students who answered an item or completed a
  subscale) smaller than 5 is not broken down at all: its size shows as "<5"
  and its counts, means and spreads are withheld;
* a count from 1 to 4 shows as "<5";
* differencing: each row is shown with its total, so a lone "<5" could be
  worked out as total minus the rest; a neighbouring cell is hidden too (a
  hidden zero shows as "<5", any other count as "hidden"). A row is then
  shown only if, for a reader who knows these rules, every "<5" cell could
  still hold at least two values; otherwise the whole row is withheld;
* an item's mean: to one decimal when none of its counts is hidden; beside
  hidden counts, to one decimal or the nearest 0.2 or 0.5, the finest step at
  which the mean and the total together still leave every "<5" cell two
  values or more for a reader who knows the rules, or else left out;
* a scale's distribution is counted in three bands (low end, middle, high
  end: ``band_groups``), not one per answer, so that a class of forty has
  few small counts there;
* "did not happen" (an item's not-applicable choice) is counted apart, as the
  last cell of the item's row, protected with the row and never a value: it is
  left out of the item's mean, and a student who gave it is left out of that
  scale's figures (as for an unanswered item). Those figures then tell how
  many gave it, so a scale with an item whose "did not happen" count is hidden
  is withheld whole, its number of students too;
* no minimum, maximum or quantile is reported, since with five students those
  pin down individual answers; means and standard deviations are rounded to
  one decimal;
* linked figures: a scale's mean, spread, positions and bands come from the
  same answers as its items' rows, so ``coursekit.cohort.audit`` proves every hidden
  count open against all of them together, by finding a second class that
  publishes the same figures with a different count there. A scale it cannot
  prove keeps only its mean and spread, or if need be nothing.
"""

from __future__ import annotations

import json
import math
import os
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, cast

from coursekit.cohort.audit import Cell, Linked, Scale, ScaleFigures, hidden_cells
from coursekit.cohort.suppression import HIDDEN, LT5, RowShown, Shown, show_count, show_moments, show_row
from coursekit.content.instruments import NOT_APPLICABLE, Answer, Instrument
from coursekit.content.schema import validate
from coursekit.errors import DataFileError, NoSubmissionsError
from coursekit.student.answer_files import STATUSES, check_answer_file

REFERENCE_SCHEMA_VERSION = 1


# --- reading the class -------------------------------------------------------


@dataclass(frozen=True)
class StudentAnswers:
    """One student's answer file as read: for the instructor's terminal, never for reports."""

    student: str
    status: str  # one of STATUSES
    answers: Mapping[str, Answer]  # validated answers (empty unless complete or incomplete)
    reason: str = ""  # why it is not complete, naming the file


def read_student(student: str, folder: str | Path, module: str,
                 instrument: Instrument) -> StudentAnswers | None:
    """Read and sort one student's answer file; never raises for a bad file.

    Returns None when the student has no folder for the module at all (they
    did not submit it). The check is ``coursekit.student.answer_files``, the
    one ``coursekit autograde`` uses too, so both name a damaged file alike.
    """
    checked = check_answer_file(folder, module, (instrument,))
    if checked is None:
        return None
    return StudentAnswers(student, checked.status, checked.answers.get(instrument.id, {}),
                          checked.reason)


def read_class(course: str | Path, module: str, instrument: Instrument, *,
               autograded_fallback: bool = False) -> list[StudentAnswers]:
    """Every submitted student's answers to the module's self-assessment, sorted by id.

    Reads ``<course>/submitted/<student>/<module>/``; with
    ``autograded_fallback``, students with no submitted folder for the module
    are read from ``autograded/`` instead, if they have one there.
    """
    found: dict[str, StudentAnswers] = {}
    stages = ["submitted", "autograded"] if autograded_fallback else ["submitted"]
    for stage in stages:
        try:
            entries = list(os.scandir(os.path.join(course, stage)))
        except (FileNotFoundError, NotADirectoryError):
            continue
        for entry in entries:
            if entry.name in found or not entry.is_dir():
                continue
            read = read_student(entry.name, os.path.join(entry.path, module), module, instrument)
            if read is not None:
                found[entry.name] = read
    if not found:
        where = "submitted/ or autograded/" if autograded_fallback else "submitted/"
        raise NoSubmissionsError(
            Path(course) / "submitted", f"has no submissions of '{module}' (looked in {where}).",
            advice=f"Collect them first: nbgrader collect {module} (from the course folder).")
    return [found[student] for student in sorted(found)]


# --- reference figures -------------------------------------------------------


@dataclass(frozen=True)
class ReferenceLine:
    """A figure to place the class against, for one subscale or the total."""

    minimum: int
    maximum: int
    value: float
    label: str


@dataclass(frozen=True)
class Reference:
    about: str
    scales: Mapping[str, ReferenceLine]  # subscale id, or "total"


def load_reference(path: str | Path | None, instrument: Instrument) -> Reference:
    """A module's reference figures, from the file its manifest names (``report.reference``).

    Format (schema_version 1)::

        {"schema_version": 1, "module": "alliance", "instrument": "alliance",
         "about": "what the figures are and where they come from",
         "scales": {"bond": {"range": [4, 20], "value": 12, "label": "scale midpoint"},
                    "total": {...}}}

    ``range`` must match the instrument (so a changed instrument cannot be
    compared against stale figures). Without a file, every subscale and the
    total get their range and midpoint, which need no source.
    """
    if path is None:
        return _midpoints(instrument)
    path = Path(path)
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise DataFileError(path, f"is not valid JSON ({exc.msg}, line {exc.lineno}).") from None
    return _parse_reference(raw, path, instrument)


def _midpoints(instrument: Instrument) -> Reference:
    scales = {}
    for key, (lo, hi) in _ranges(instrument).items():
        scales[key] = ReferenceLine(lo, hi, (lo + hi) / 2, "scale midpoint")
    return Reference("Each scale's possible range and its midpoint.", scales)


def _ranges(instrument: Instrument) -> dict[str, tuple[int, int]]:
    ranges = {sub.id: instrument.subscale_range(sub.id) for sub in instrument.subscales}
    ranges["total"] = instrument.total_range
    return ranges


def _parse_reference(raw: Any, path: Path, instrument: Instrument) -> Reference:
    # The format is content/schemas/reference.schema.json; what follows relates it to the instrument.
    validate(raw, "reference", path)
    if raw["instrument"] != instrument.id:
        raise DataFileError(path, f"is {raw['instrument']!r}, not {instrument.id!r}.", field="instrument",
                            advice=f"Give figures on the {instrument.id} instrument, which the module uses.")
    ranges = _ranges(instrument)
    scales = {}
    for key, entry in raw["scales"].items():
        field = f"scales.{key}"
        if key not in ranges:
            raise DataFileError(path, f"'{key}' is not a subscale; choose from {', '.join(ranges)}.",
                                field=field, advice="Name a subscale of the instrument, or total.")
        expected = list(ranges[key])
        if entry["range"] != expected:
            raise DataFileError(path, f"is {entry['range']!r}, but the instrument's range is {expected}.",
                                field=f"{field}.range",
                                advice="Update the reference figures when the items change.")
        value = entry["value"]
        if not expected[0] <= value <= expected[1]:
            raise DataFileError(path, f"{value!r} should be a number from {expected[0]} to {expected[1]}.",
                                field=f"{field}.value", advice="Give a figure within the scale's range.")
        scales[key] = ReferenceLine(expected[0], expected[1], float(value), entry["label"])
    return Reference(raw["about"], scales)


# --- the summary -----------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """Counts over categories for one group, as they may be shown.

    ``cells`` is None when the row is withheld (a group smaller than five, or
    one whose small cells cannot be protected); ``mean`` is None then too.
    """

    key: str
    label: str  # short: "3. Tasks"
    n: Shown
    cells: tuple[Shown, ...] | None
    mean: float | None = None
    text: str = ""  # the item's wording, from the instrument
    mean_step: float = 0.1  # what the mean is rounded to: 0.1, or coarser (suppression.MEAN_STEPS)
    not_applicable: bool = False  # an item whose last cell counts "did not happen"

    @property
    def withheld(self) -> bool:
        return self.cells is None


@dataclass(frozen=True)
class Standing:
    """Where the class stands on one subscale (or the total) against its reference."""

    key: str
    label: str
    reference: ReferenceLine
    n_items: int
    n: Shown
    mean: float | None  # of the subscale totals
    sd: float | None
    position: Row  # counts below / at / above the reference value
    bands: Row  # counts by average answer, rounded to the nearest scale point: low, middle, high


@dataclass(frozen=True)
class CohortSummary:
    """Everything a cohort report shows: aggregates only, no ids, no free text."""

    module: str
    instrument: str
    title: str
    scale_points: tuple[int, ...]
    scale_labels: tuple[str, ...]
    band_labels: tuple[str, ...]  # the bands of the distribution of totals (band_groups)
    submitted: Shown
    completion: Row  # categories: STATUSES
    items: tuple[Row, ...]  # categories: scale points, then "did not happen" for an item offering it
    standings: tuple[Standing, ...]  # subscales, then the total
    reference_about: str


POSITIONS = ("below", "at", "above")


def summarise(instrument: Instrument, students: Iterable[StudentAnswers],
              reference: Reference | None = None, *, module: str | None = None) -> CohortSummary:
    """Aggregate the class's answers into what a report may show."""
    students = list(students)
    reference = reference or _midpoints(instrument)
    scale = instrument.scale
    points = scale.points
    status_counts = [sum(1 for s in students if s.status == status) for status in STATUSES]
    # one column per item of the answers of every student with usable answers,
    # None where unanswered (columns keep the counting in C for large classes)
    ids = [item.id for item in instrument.items]
    answered = [s.answers for s in students if s.status in ("complete", "incomplete")]
    given_columns = [[a.get(i) for a in answered] for i in ids]
    # "did not happen" is no value: out of every figure of the scales, as if unanswered
    columns: list[list[int | None]] = [[v if isinstance(v, int) else None for v in col]
                                       for col in given_columns]

    items = []
    apart: list[list[int]] = []  # per item, its "did not happen" count (if it offers one)
    for j, item in enumerate(instrument.items):
        given = Counter(given_columns[j])
        given.pop(None, None)
        counts = [given.get(p, 0) for p in points]
        apart.append([given.get(NOT_APPLICABLE, 0)] if item.not_applicable else [])
        sub_label = next(sub.label for sub in instrument.subscales if sub.id == item.subscale)
        row = _row(item.id, f"{j + 1}. {sub_label}", counts + apart[j], points, text=item.text)
        items.append(replace(row, not_applicable=bool(item.not_applicable)))

    standings = []
    positions = {item.id: j for j, item in enumerate(instrument.items)}
    scored_items = {sub.id: instrument.items_of(sub.id) for sub in instrument.subscales}
    scored_items["total"] = instrument.items
    labels = {sub.id: sub.label for sub in instrument.subscales} | {"total": "Total"}
    for key, scale_items in scored_items.items():
        line = reference.scales.get(key)
        if line is None:
            continue
        # a reversed item scores max + min - answer
        cols = [[None if v is None else scale.max + scale.min - v for v in columns[positions[i.id]]]
                if i.reverse else columns[positions[i.id]] for i in scale_items]
        # only students who answered every item: a partial total would read as a low score
        complete = [values for values in zip(*cols, strict=True) if None not in values]
        totals: Counter[int] = Counter(map(sum, cast(list[tuple[int, ...]], complete)))
        standings.append(_standing(key, labels[key], line, totals, len(scale_items), points))
    standings = _protect_not_applicable(instrument, items, standings)
    standings = _protect_linked_figures(instrument, columns, apart, items, standings)

    return CohortSummary(
        module=module or instrument.id,
        instrument=instrument.id,
        title=instrument.title,
        scale_points=points,
        scale_labels=tuple(scale.label(p) for p in points),
        band_labels=band_labels(points, [scale.label(p) for p in points]),
        submitted=show_count(len(students)),
        completion=_row("answer_files", "Answer files", status_counts),
        items=tuple(items),
        standings=tuple(standings),
        reference_about=reference.about,
    )


def _row(key: str, label: str, counts: Sequence[int], points: Sequence[int] | None = None,
         text: str = "") -> Row:
    """A row of counts as it may be shown (see coursekit.cohort.suppression.show_row); with
    ``points``, the answer each count is of, it has its mean when no count is hidden."""
    shown = show_row(counts, points)
    return Row(key, label, shown.n, shown.cells, shown.mean, text, shown.mean_step)


def _standing(key: str, label: str, line: ReferenceLine, totals: Mapping[int, int], n_items: int,
              points: Sequence[int]) -> Standing:
    position, bands = _position_and_bands(totals, line, n_items, points)
    mean, sd = show_moments(totals)
    return Standing(key, label, line, n_items, show_count(sum(totals.values())), mean, sd,
                    _row(key, label, position), _row(key, label, bands))


def _position_and_bands(totals: Mapping[int, int], line: ReferenceLine, n_items: int,
                        points: Sequence[int]) -> tuple[list[int], list[int]]:
    """How many totals fall below / at / above the reference, and in each answer band."""
    position = [sum(c for t, c in totals.items() if t < line.value),
                sum(c for t, c in totals.items() if t == line.value),
                sum(c for t, c in totals.items() if t > line.value)]
    groups = band_groups(points)
    band_of = {p: b for b, group in enumerate(groups) for p in group}
    bands = [0] * len(groups)
    for total, count in totals.items():
        # the average answer, rounded half up to the nearest scale point, then its band
        nearest = math.floor(total / n_items + 0.5)
        bands[band_of[min(max(nearest, points[0]), points[-1])]] += count
    return position, bands


def band_groups(points: Sequence[int]) -> tuple[tuple[int, ...], ...]:
    """The scale points each band of a scale's distribution covers: the low end, the middle and
    the high end (1-2, 3 and 4-5 on a five-point scale; 1-3, 4, 5-7 on seven; 0-3, 4-6,
    7-10 on eleven). Three bands, not one per point: a class of forty spread over five
    bands leaves small counts at the ends that no report could show."""
    k = len(points)
    low = max(1, round(0.4 * k))
    if k - 2 * low < 1:
        low = (k - 1) // 2
    if low < 1:
        return tuple((p,) for p in points)
    return tuple(points[:low]), tuple(points[low:k - low]), tuple(points[k - low:])


def band_labels(points: Sequence[int], labels: Sequence[str]) -> tuple[str, ...]:
    """ "1-2 Rarely to Occasionally", "3 Often": each band's points and their words."""
    names = dict(zip(points, labels, strict=True))
    out = []
    for group in band_groups(points):
        first, last = group[0], group[-1]
        span = f"{first}" if first == last else f"{first}\u2013{last}"
        words = [names[first], names[last]] if first != last else [names[first]]
        if all(w != str(p) for w, p in zip(words, (first, last), strict=False)):
            span += " " + " to ".join(words)
        out.append(span)
    return tuple(out)


# --- linked figures ----------------------------------------------------------------


def _protect_not_applicable(instrument: Instrument, items: Sequence[Row],
                            standings: list[Standing]) -> list[Standing]:
    """The standings, with every scale withheld whole where an item's "did not happen" count is hidden.

    A student who answered "did not happen" is left out of the scale's figures, so the number
    of students a scale counts, set against the class, can give that count away; no change the
    audit could make moves it. The total contains every item, so it goes with any scale.
    """
    points = len(instrument.scale.points)
    hidden = {instrument.items[j].subscale for j, row in enumerate(items)
              if row.cells is not None and len(row.cells) > points and row.cells[points] in (LT5, HIDDEN)}
    if not hidden:
        return standings
    hidden.add("total")
    return [_withheld(s, n=HIDDEN) if s.key in hidden else s for s in standings]


def _protect_linked_figures(instrument: Instrument, columns: list[list[int | None]],
                            apart: Sequence[Sequence[int]], items: Sequence[Row],
                            standings: list[Standing]) -> list[Standing]:
    """The standings, with any figures that could pin down a hidden count withheld.

    ``coursekit.cohort.audit`` looks, for every hidden cell, for a second class that
    publishes the same figures with a different count there. A scale linked to a
    cell for which one is missing keeps only its mean and spread (its positions and
    bands, the finest figures, are withheld) and is audited again; if that is
    still not enough, all its figures are withheld. The total contains every
    subscale, so it steps down with any of them. Proofs found in the first round
    hold in the second, which publishes less.

    Withholding the item's row instead is not enough: the scale's mean, less the
    other items' rows, still gives that item's sum, and its counts are no longer
    audited. Nine students answering 5 to everything but one 4 on one bond item:
    the bond mean (19.9, so a sum of 179) less three rows of nine 5s leaves 44 for
    that item, which only one 4 and eight 5s make.
    """
    shown = {s.key: s for s in standings if s.mean is not None}
    if not shown:
        return standings
    proofs: dict[Cell, dict[tuple[int, int], int]] = {}
    reduced = _exposed(instrument, columns, items, shown, set(), apart, proofs)  # mean and spread only
    withheld = _exposed(instrument, columns, items, shown, reduced, apart, proofs) if reduced else set()
    return [_withheld(s) if s.key in withheld else _moments_only(s) if s.key in reduced else s
            for s in standings]


def _exposed(instrument: Instrument, columns: list[list[int | None]], items: Sequence[Row],
             shown: Mapping[str, Standing], reduced: set[str],
             apart: Sequence[Sequence[int]], proofs: dict[Cell, dict[tuple[int, int], int]]) -> set[str]:
    """The scales to step down: those linked to a count the audit cannot prove open, and the
    total with any of them."""
    unproven = _audit(instrument, columns, items, shown, reduced, apart, proofs)
    index = {item.id: j for j, item in enumerate(instrument.items)}
    exposed = set()
    for key in shown:
        members = {index[i.id] for i in (instrument.items if key == "total" else instrument.items_of(key))}
        if any(int(c.key) in members if c.table == "item" else c.key == key for c in unproven):
            exposed.add(key)
    return exposed | {"total"} if exposed - {"total"} else exposed


def _audit(instrument: Instrument, columns: list[list[int | None]], items: Sequence[Row],
           shown: Mapping[str, Standing], reduced: set[str],
           apart: Sequence[Sequence[int]], proofs: dict[Cell, dict[tuple[int, int], int]]) -> list[Cell]:
    """The hidden cells that the published figures might pin down (none proven open).

    Hands ``coursekit.cohort.audit`` the answers and what the report publishes, as plain
    data: each item's row, and for each scale its items, where each possible total
    falls and its figures (only the mean and spread for a scale in ``reduced``). Updates
    ``proofs`` with the second classes found.
    """
    points = instrument.scale.points
    index = {item.id: j for j, item in enumerate(instrument.items)}
    scales = {}
    for key, standing in shown.items():
        members = instrument.items if key == "total" else instrument.items_of(key)
        published = _moments_only(standing) if key in reduced else standing
        line = standing.reference
        places = {}
        for total in range(line.minimum, line.maximum + 1):
            position, bands = _position_and_bands({total: 1}, line, standing.n_items, points)
            places[total] = (position.index(1), bands.index(1))
        figures = ScaleFigures(published.n, published.mean, published.sd, published.position.cells,
                               published.bands.cells)
        scales[key] = Scale(tuple(index[i.id] for i in members), places, figures, key not in reduced)
    rows = [RowShown(row.n, row.cells, row.mean, row.mean_step) for row in items]
    if not hidden_cells(rows, scales):
        return []  # nothing hidden, nothing to pin down
    linked = Linked(columns, points, [item.reverse for item in instrument.items], rows, scales,
                    apart=apart, known=proofs)
    unproven = linked.unproven()
    proofs.update(linked.proofs)
    return unproven


def _moments_only(standing: Standing) -> Standing:
    return Standing(standing.key, standing.label, standing.reference, standing.n_items, standing.n,
                    standing.mean, standing.sd, _withheld_row(standing.position),
                    _withheld_row(standing.bands))


def _withheld(standing: Standing, n: Shown | None = None) -> Standing:
    """A standing with no figures; with ``n``, its number of students shown as that instead."""
    return Standing(standing.key, standing.label, standing.reference, standing.n_items,
                    standing.n if n is None else n, None, None, _withheld_row(standing.position, n),
                    _withheld_row(standing.bands, n))


def _withheld_row(row: Row, n: Shown | None = None) -> Row:
    return replace(row, n=row.n if n is None else n, cells=None, mean=None)


def problems(students: Iterable[StudentAnswers]) -> list[StudentAnswers]:
    """The students whose answer file is malformed or missing, for the instructor's terminal."""
    return [s for s in students if s.status in ("malformed", "missing")]


__all__ = [
    "STATUSES", "CohortSummary", "NoSubmissionsError", "Reference", "ReferenceLine", "Row",
    "Standing", "StudentAnswers", "load_reference", "problems", "read_class", "read_student",
    "summarise",
]
