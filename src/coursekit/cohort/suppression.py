"""The rules for what a cohort report may show of small groups, in one place.

``coursekit.cohort.summary`` applies them to the class's figures and
``coursekit.cohort.audit`` applies them again to the second classes it builds
to prove hidden counts open, so both see exactly the same report. The rules
(``MIN_GROUP`` is 5):

* a group smaller than 5 is not broken down: its size shows as "<5" and its
  counts, means and spreads are withheld;
* a count from 1 to 4 shows as "<5";
* differencing: each row is shown with its total, so the smallest other cell
  is hidden too (a hidden zero reads "<5", any other count "hidden"), and a
  row is shown only if every "<5" cell could still hold at least two values
  for a reader who knows these rules; otherwise the whole row is withheld;
* a row's mean is shown only when none of its counts is hidden (with the
  total it would be a second equation in the hidden counts);
* a mean and standard deviation of totals are shown only for a group of 5 or
  more, rounded to one decimal.

Imports nothing but the standard library.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
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
    """The row's counts with small cells suppressed; None if the row must be withheld.

    Counts from 1 to 4 become "<5". Because the row total is shown, a lone
    "<5" would be the total minus the rest, so the smallest other cell is
    hidden too (a hidden zero reads "<5", a larger count "hidden"). Finally the
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
    # The rule itself, deliberately not adaptive: what it hides depends only
    # on the row, so a reader's check of candidate rows (below) is exact.
    hidden = {i for i, c in enumerate(counts) if 0 < c < MIN_GROUP}
    if len(hidden) == 1:
        others = [i for i in range(len(counts)) if i not in hidden]
        preferred = [i for i in others if prefer is None or i < prefer] or others
        hidden.add(min(preferred, key=lambda i: (counts[i], i)))
    return tuple((LT5 if c < MIN_GROUP else HIDDEN) if i in hidden else c
                 for i, c in enumerate(counts))


def _ambiguous(counts: Sequence[int], shown: tuple[Shown, ...], prefer: int | None = None) -> bool:
    small = [i for i, c in enumerate(shown) if c == LT5]
    large = [i for i, c in enumerate(shown) if c == HIDDEN]  # at most one
    rest = sum(counts[i] for i in small + large)
    if len(small) >= 3:
        # Three or more "<5" cells can only all be counts from 1 to 4 (a hidden
        # zero or "hidden" cell only ever joins a single small count), and any
        # such counts with this sum look the same: each cell can hold every
        # value between these bounds.
        lowest = max(1, rest - (MIN_GROUP - 1) * (len(small) - 1))
        highest = min(MIN_GROUP - 1, rest - (len(small) - 1))
        return highest > lowest
    possible: dict[int, set[int]] = {i: set() for i in small}
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
            for i, value in zip(small, values, strict=True):
                possible[i].add(value)
    return all(len(values) >= 2 for values in possible.values())


@dataclass(frozen=True)
class RowShown:
    """A row of counts as the report shows it: the group size, the cells (None when the row is
    withheld) and, for an item, the mean answer (None when not shown)."""

    n: Shown
    cells: tuple[Shown, ...] | None
    mean: float | None = None


def show_row(counts: Sequence[int], points: Sequence[int] | None = None) -> RowShown:
    """A row of counts as it may be shown. With ``points`` (the answer each of the first counts
    is of) it has their mean, rounded to one decimal, when none of its counts is hidden. Counts
    past the points (an item's "did not happen") are protected with the row but are no value,
    so they are left out of the mean."""
    n = sum(counts)
    cells = suppress_row(counts, None if points is None else len(points))
    exact = cells is not None and all(isinstance(c, int) for c in cells)
    mean = None
    if points is not None and exact:
        valued = counts[:len(points)]
        rated = sum(valued)
        mean = round(sum(p * c for p, c in zip(points, valued, strict=True)) / rated, 1) if rated else None
    return RowShown(show_count(n), cells, mean)


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


__all__ = ["HIDDEN", "LT5", "MIN_GROUP", "RowShown", "Shown", "moments", "show_count", "show_moments",
           "show_row", "suppress_row"]
