"""The rules for what a cohort report may show of small groups, in one place.

``coursekit.cohort.summary`` applies them to the class's figures and
``coursekit.cohort.audit`` applies them again to the second classes it builds
to prove hidden counts open, so both see exactly the same report. The rules
(``MIN_GROUP`` is 5):

* a group smaller than 5 is not broken down: its size shows as "<5" and its
  counts, means and spreads are withheld;
* a count from 1 to 4 shows as "<5";
* differencing: each row is shown with its total, so beside a lone "<5" a
  neighbour is hidden too: the smaller one that holds 5 or more and leaves
  the small count at least two values, else a zero (a hidden zero reads
  "<5", any other count "hidden"). A row is shown only if
  every "<5" cell could still hold at least two values for a reader who knows
  these rules; otherwise the whole row is withheld;
* a row's mean is shown rounded to one decimal when none of its counts is
  hidden. With hidden counts it is a second equation in them, but its
  rounding leaves room: it is rounded to one decimal, or to the nearest 0.2
  or 0.5, the finest step at which, among all the rows that give the same
  display and total, those with the same rounded mean still let every "<5"
  cell take at least two values; failing every step, the mean is left out
  for those rows (and as few others as it takes for its absence to say no
  more than the display);
* a mean and standard deviation of totals are shown only for a group of 5 or
  more, rounded to one decimal.

Imports nothing but the standard library.
"""

from __future__ import annotations

import functools
import itertools
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

MIN_GROUP = 5
LT5 = "<5"
HIDDEN = "hidden"

# A shown count is a number, or "<5" / "hidden" when suppressed.
Shown = int | str


def show_count(count: int) -> Shown:
    """A group size or count as it may be shown: "<5" from 1 to 4."""
    return LT5 if 0 < count < MIN_GROUP else count


def suppress_row(counts: Sequence[int], prefer: int | None = None) -> tuple[Shown, ...] | None:
    """The row's counts with small cells suppressed; None if the row must be withheld (see
    :func:`_suppress`, which this caches: the audit asks about the same rows many times)."""
    return _suppress(tuple(counts), prefer)


@functools.lru_cache(maxsize=1 << 16)
def _suppress(counts: tuple[int, ...], prefer: int | None = None) -> tuple[Shown, ...] | None:
    """The row's counts with small cells suppressed; None if the row must be withheld.

    Counts from 1 to 4 become "<5". Because the row total is shown, a lone
    "<5" would be the total minus the rest, so a neighbouring cell is hidden
    too (see ``_hide_small``; a hidden zero reads "<5", a larger count
    "hidden"). Finally the
    row is checked the way a reader who knows these rules would attack it:
    every way of filling the hidden cells that gives the same total and the
    same display is tried, and each "<5" cell must be able to hold at least two
    different values; if not, the whole row is withheld.

    With ``prefer``, the other cell hidden beside a lone small count is taken
    from the first ``prefer`` cells (an item's answers), never from those after
    them (its "did not happen"), unless there is no other: a "did not happen"
    count is then hidden only when it is small itself.
    """
    if sum(counts) < MIN_GROUP:
        return None
    shown = _hide_small(counts, prefer)
    if shown == tuple(counts):
        return shown
    return shown if _ambiguous(counts, shown, prefer) else None


def _hide_small(counts: Sequence[int], prefer: int | None = None) -> tuple[Shown, ...]:
    # The rule itself: what it hides depends on the row alone, so a reader's check of
    # candidate rows (below) is exact.
    hidden = {i for i, c in enumerate(counts) if 0 < c < MIN_GROUP}
    if len(hidden) == 1:
        # A neighbour, not the smallest cell anywhere: categories are ordered (answers, bands,
        # below/at/above), and two neighbouring cells are what one answer moved by one point
        # changes, so a mean can be shown beside them (a move shifts it by 1/n) and the
        # audit's second classes need not jump across the scale. The smaller of those that
        # leave the small count at least two values (a zero is often empty for a reason,
        # such as the far end of the scale, which the other figures may give away); else a
        # zero; else the smaller.
        (small,) = hidden
        beside = [i for i in (small - 1, small + 1) if 0 <= i < len(counts)]
        beside = [i for i in beside if prefer is None or i < prefer] or beside  # answers first
        roomy = [i for i in beside if counts[small] + counts[i] >= 2 * MIN_GROUP - 3]
        zeros = [i for i in beside if counts[i] == 0]
        hidden.add(min(roomy or zeros or beside, key=lambda i: (counts[i], i)))
    return tuple((LT5 if c < MIN_GROUP else HIDDEN) if i in hidden else c
                 for i, c in enumerate(counts))


def _ambiguous(counts: Sequence[int], shown: tuple[Shown, ...], prefer: int | None = None) -> bool:
    small = [i for i, c in enumerate(shown) if c == LT5]
    if len(small) > MEAN_CELLS:
        # So many "<5" cells are all counts from 1 to 4 (a hidden zero only ever joins a
        # single small count), and any such counts with this sum look the same: each cell can
        # hold every value between these bounds. Counted, not listed: 5 ** cells is a lot.
        rest = sum(counts[i] for i in small)
        lowest = max(1, rest - (MIN_GROUP - 1) * (len(small) - 1))
        highest = min(MIN_GROUP - 1, rest - (len(small) - 1))
        return highest > lowest
    rows = candidate_rows(counts, prefer)
    return all(len({row[i] for row in rows}) >= 2 for i in small)


@dataclass(frozen=True)
class RowShown:
    """A row of counts as the report shows it: the group size, the cells (None when the row is
    withheld) and, for an item, the mean answer (None when not shown) and the step it is
    rounded to."""

    n: Shown
    cells: tuple[Shown, ...] | None
    mean: float | None = None
    mean_step: float = 0.1  # what the mean is rounded to (see MEAN_STEPS)


def show_row(counts: Sequence[int], points: Sequence[int] | None = None) -> RowShown:
    """A row of counts as it may be shown. With ``points`` (the answer each of the first counts
    is of) it has their mean: rounded to one decimal when no count is hidden; with hidden
    counts, rounded as finely as gives none of them away, or left out (see
    :func:`_hidden_mean`). Counts past the points (an item's "did not happen") are protected
    with the row but are no value, so they are left out of the mean."""
    n = sum(counts)
    cells = suppress_row(counts, None if points is None else len(points))
    if points is None or cells is None or not any(counts[:len(points)]):
        return RowShown(show_count(n), cells, None)
    if all(isinstance(c, int) for c in cells):
        return RowShown(show_count(n), cells, _rounded(points, counts, MEAN_STEPS[0]))
    mean, step = _hidden_mean(tuple(counts), tuple(points))
    return RowShown(show_count(n), cells, mean, step)


# How finely a mean may be rounded, finest first: one decimal, or to the nearest 0.2 or 0.5
# where one decimal would pin down a hidden count.
MEAN_STEPS = (0.1, 0.2, 0.5)
# A row with more "<5" cells than this shows no mean: too many ways of filling them to try,
# and a rule on the display alone gives nothing away.
MEAN_CELLS = 5


def _rounded(points: Sequence[int], counts: Sequence[int], step: float) -> float:
    """The mean of the answers (the first len(points) counts; at least one of them not 0)."""
    valued = counts[:len(points)]
    mean = sum(p * c for p, c in zip(points, valued, strict=True)) / sum(valued)
    return round(mean, 1) if step == MEAN_STEPS[0] else round(round(mean / step) * step, 1)


@functools.lru_cache(maxsize=1 << 16)
def _hidden_mean(counts: tuple[int, ...], points: tuple[int, ...]) -> tuple[float | None, float]:
    """The mean a row with hidden cells may show, and the step it is rounded to.

    A reader who knows the rules can list every row that gives the same
    display and total (the candidates, :func:`_candidates`); a shown mean
    narrows them to those with the same rounded mean (a class). A mean may be
    shown only where, within its class, every "<5" cell still takes at least
    two values (the class is open), as :func:`suppress_row` requires of the
    display alone. The step is the finest at which every class is open. If
    there is none, the step is the one that leaves the fewest candidates
    without a mean: the classes that are not open show no mean, and nor do as
    many of their neighbours as it takes for the rows that show none to be open
    together (so a missing mean says no more than the display). All of this
    depends on the display alone, which the reader sees, so the reader learns
    nothing from which step was chosen or whether a mean is missing.
    """
    prefer = len(points)
    shown = _hide_small(counts, prefer)
    small = [i for i, c in enumerate(shown) if c == LT5]
    if len(small) > MEAN_CELLS:
        return None, MEAN_STEPS[0]
    candidates = candidate_rows(counts, prefer)
    if not all(any(row[:prefer]) for row in candidates):
        return None, MEAN_STEPS[0]  # a row like this may have no answer on the scale: no mean

    def open_(rows: Sequence[tuple[int, ...]]) -> bool:
        return all(len({row[i] for row in rows}) >= 2 for i in small)

    best: tuple[int, float, set[float]] | None = None  # (candidates left without a mean, step, their means)
    for step in MEAN_STEPS:
        classes: dict[float, list[tuple[int, ...]]] = {}
        for candidate in candidates:
            classes.setdefault(_rounded(points, candidate, step), []).append(candidate)
        if all(open_(rows) for rows in classes.values()):
            return _rounded(points, counts, step), step
        unshown = _unshown(classes, open_)
        left = sum(len(classes[m]) for m in unshown)
        if best is None or left < best[0]:
            best = (left, step, unshown)
    assert best is not None
    _, step, unshown = best
    mean = _rounded(points, counts, step)
    return (None if mean in unshown else mean), step


def _unshown(classes: Mapping[float, Sequence[tuple[int, ...]]],
             open_: Callable[[Sequence[tuple[int, ...]]], bool]) -> set[float]:
    """The rounded means to leave out: those whose class is not open, and their neighbours, one
    at a time (the larger first), until the rows left without a mean are open together. Ends at
    the latest with every class, whose rows (all the candidates) are open."""
    order = sorted(classes)
    out = {m for m in order if not open_(classes[m])}
    while not open_([row for m in out for row in classes[m]]):
        beside = {order[j] for i, m in enumerate(order) if m in out
                  for j in (i - 1, i + 1) if 0 <= j < len(order) and order[j] not in out}
        out.add(max(sorted(beside), key=lambda m: len(classes[m])))
    return out


def candidate_rows(counts: Sequence[int], prefer: int | None = None) -> list[tuple[int, ...]]:
    """Every row with the same total that the rules show as they show ``counts`` (its cells
    alone, before any mean; ``prefer`` as for :func:`suppress_row`): what a reader of the report
    cannot tell it apart from. Lists 5 ** k fillings for k hidden cells; asked of rows with at
    most MEAN_CELLS "<5" cells."""
    return list(_candidate_rows(tuple(counts), prefer))


@functools.lru_cache(maxsize=1 << 14)
def _candidate_rows(counts: tuple[int, ...], prefer: int | None = None) -> tuple[tuple[int, ...], ...]:
    shown = _hide_small(counts, prefer)
    small = [i for i, c in enumerate(shown) if c == LT5]
    large = [i for i, c in enumerate(shown) if c == HIDDEN]  # at most one
    rest = sum(counts[i] for i in small + large)
    found = []
    for values in itertools.product(range(MIN_GROUP), repeat=len(small)):
        candidate = list(counts)
        for i, value in zip(small, values, strict=True):
            candidate[i] = value
        left = rest - sum(values)
        if large:
            if left < MIN_GROUP:
                continue
            candidate[large[0]] = left
        elif left != 0:
            continue
        if _hide_small(candidate, prefer) == shown:
            found.append(tuple(candidate))
    return tuple(found)


def show_moments(totals: Mapping[int, int]) -> tuple[float | None, float | None]:
    """The mean and standard deviation of counted totals as shown: rounded to one decimal,
    None for a group smaller than MIN_GROUP."""
    if sum(totals.values()) < MIN_GROUP:
        return None, None
    mean, sd = moments(totals)
    return round(mean, 1), round(sd, 1)


def moments(totals: Mapping[int, int]) -> tuple[float, float]:
    """The mean and standard deviation (n - 1) of counted totals, unrounded; 0 below two."""
    n = sum(totals.values())
    if n == 0:
        return 0.0, 0.0
    mean = sum(t * c for t, c in totals.items()) / n
    if n == 1:
        return mean, 0.0
    return mean, math.sqrt(sum(c * (t - mean) ** 2 for t, c in totals.items()) / (n - 1))


__all__ = ["HIDDEN", "LT5", "MEAN_STEPS", "MIN_GROUP", "RowShown", "Shown", "candidate_rows", "moments",
           "show_count", "show_moments", "show_row", "suppress_row"]
