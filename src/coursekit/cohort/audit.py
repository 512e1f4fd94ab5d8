"""Proof that a cohort report's linked figures leave every hidden count open.

Each row of a cohort report is safe on its own (``coursekit.cohort.suppression.suppress_row``
checks every way of filling its hidden cells). But a scale's mean, spread,
positions and bands are computed from the same answers as its items' rows,
and together they are more equations in the hidden counts: in a class of
nine, a mean rounded to one decimal gives the exact sum of the totals, and
with the other items fully shown that can pin down one item's hidden counts.

Rather than reason about every combination, the audit proves each hidden
count open by example. For every hidden cell it looks for a second class, the
real one with some answers changed, that publishes exactly the same figures
(every item row and every scale, computed with the report's own rules from
``coursekit.cohort.suppression``) but a different count in that cell. A
reader of the report cannot tell the two classes apart, so cannot know the
count. The search starts from a change that
moves the cell: an answer moved between two hidden cells of its item, several
answers moved at once to another filling of the item's hidden cells that
shows the same cells and mean (``suppression.candidate_rows``), or two
students' answers to one item swapped, which leaves every item row exactly as
it was. It then repairs the scales' figures with more such changes, aimed at
whatever still differs (a student moved across a band's edge, a sum or a
spread put back), until everything published matches. Where the aimed repairs
get stuck, a random walk over the same kinds of change, one or two at a time,
that only now and then accepts a step away (simulated annealing) goes on from
where they stopped, within a budget.

A cell for which no second class is found is reported as unproven, and the
report withholds figures of the scales it is linked to (``coursekit.cohort.summary``),
then audits again. The search is
seeded by the class itself, so the same class always gives the same report.

What this does not cover: the proof is about one report. Two reports of the
same module taken at different times (before and after a late submission)
can still be compared, and whether a scale's figures were withheld depends on
the class, so in principle says something about it; only a reader able to
rerun the search over every class consistent with a page could use that.
Give instructors one report per module, after the deadline.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial

from coursekit.cohort.suppression import (
    HIDDEN,
    LT5,
    MIN_GROUP,
    RowShown,
    Shown,
    candidate_rows,
    moments,
    show_count,
    show_moments,
    show_row,
    suppress_row,
)

STARTS = 6  # changes that move the cell, each followed by a repair
STEPS = 60  # repairs per start
TRIES = 12  # swaps compared when putting a spread back
SAMPLE = 40  # students looked at when aiming a repair
WALKS = 3  # stuck repairs walked on from
WALK = 1500  # random changes tried on each walk
WALK_BUDGET = 12_000  # random changes in all, for one report: a class with many cells that
# cannot be proven open (a handful of students) must not take minutes

Edits = dict[tuple[int, int], int]  # (student, item) -> the answer in the second class


@dataclass(frozen=True)
class Cell:
    """A hidden cell: ("item", item index, category) or ("position"/"bands", scale key, category)."""

    table: str
    key: int | str
    category: int


@dataclass(frozen=True)
class ScaleFigures:
    """What the report shows for a scale: the group size, the mean and spread, and the cells of
    its position (below, at, above) and band rows, None where a row is not shown."""

    n: Shown
    mean: float | None
    sd: float | None
    position: tuple[Shown, ...] | None
    bands: tuple[Shown, ...] | None


@dataclass(frozen=True)
class Scale:
    """A published scale, as plain data.

    ``items`` are the indexes of its items (in ``Linked.columns``); ``places``
    gives, for every total the scale can have, its (position, band): 0 to 2
    for below, at or above the reference, and the index of the nearest scale
    point for the band. ``tables`` is False when the report shows only the
    mean and spread, so that the position and band rows are withheld whatever
    their counts.
    """

    items: tuple[int, ...]
    places: Mapping[int, tuple[int, int]]
    published: ScaleFigures
    tables: bool = True


def hidden_cells(items: Sequence[RowShown], scales: Mapping[str, Scale]) -> dict[str, list[Cell]]:
    """Each scale's hidden cells: those of its items' rows, then of its position and bands;
    scales with none are left out."""
    found = {}
    for key, scale in scales.items():
        cells = [Cell("item", item, k) for item in scale.items for k in _hidden(items[item].cells)]
        cells += [Cell(table, key, k) for table, row in (("position", scale.published.position),
                                                        ("bands", scale.published.bands))
                  for k in _hidden(row)]
        if cells:
            found[key] = cells
    return found


def _hidden(cells: Sequence[Shown] | None) -> list[int]:
    return [k for k, c in enumerate(cells or ()) if c in (LT5, HIDDEN)]


@dataclass
class Linked:
    """A class's answers and what its report publishes, as plain data.

    ``columns[item][student]`` is an answer or None (unanswered), ``points`` the
    answer scale, and ``reverse[item]`` whether the item is scored the other
    way round (max + min - answer). ``items[item]`` is what the report shows
    for each item and ``scales`` what it shows for each scale. The audit
    recomputes a second class's figures with the same rules
    (``coursekit.cohort.suppression``) and compares them with these.
    """

    columns: list[list[int | None]]
    points: Sequence[int]
    reverse: Sequence[bool]
    items: Sequence[RowShown]
    scales: Mapping[str, Scale]
    # per item, the counts its row shows after the points: [n] of "did not happen" for an item
    # that offers it, [] otherwise. Those students are None in columns, and no change the audit
    # makes touches them, so these counts stay as published.
    apart: Sequence[Sequence[int]] = ()
    known: Mapping[Cell, Edits] = field(default_factory=dict)  # proofs from a fuller report

    def __post_init__(self) -> None:
        self.n = len(self.columns[0]) if self.columns else 0
        self.members = {key: scale.items for key, scale in self.scales.items()}
        self.bands = {key: 1 + max(band for _, band in scale.places.values())
                      for key, scale in self.scales.items()}
        self.chance = random.Random(f"{self.n}:{sum(v or 0 for c in self.columns for v in c)}")
        self.totals = {key: [self._total(key, s, {}) for s in range(self.n)] for key in self.members}
        self.counters = {key: Counter(t for t in totals if t is not None)
                         for key, totals in self.totals.items()}
        self.true_counts = {key: self.scale_counts(key, c) for key, c in self.counters.items()}
        self.keys_of = {item: [k for k, m in self.members.items() if item in m]
                        for item in range(len(self.columns))}
        self.proofs: dict[Cell, Edits] = {}  # each proven cell, and the second class that proves it
        self.walked = 0  # random changes tried so far (WALK_BUDGET)
        self._by_total: dict[str, dict[int, list[int]]] = {}
        for key, totals in self.totals.items():
            groups: dict[int, list[int]] = {}
            for student, total in enumerate(totals):
                if total is not None:
                    groups.setdefault(total, []).append(student)
            self._by_total[key] = groups
        self._holders = [{p: [s for s, v in enumerate(col) if v == p] for p in self.points}
                         for col in self.columns]  # item -> answer -> the students who gave it
        self.counts = [[len(holders[p]) for p in self.points] for holders in self._holders]
        self.extra = [list(self.apart[j]) if j < len(self.apart) else [] for j in range(len(self.columns))]
        self._ranges = {key: (sum(min(self.scored(i, p) for p in self.points) for i in members),
                              sum(max(self.scored(i, p) for p in self.points) for i in members))
                        for key, members in self.members.items()}

    # --- what the report shows, for this class or a second one ----------------------

    def scored(self, item: int, value: int) -> int:
        """An answer's score: reversed items turned round."""
        return self.points[-1] + self.points[0] - value if self.reverse[item] else value

    def shown(self, table: str, key: int | str) -> Sequence[Shown] | None:
        """The published cells of an item ("item", index) or of a scale's "position" or "bands" row."""
        if table == "item":
            return self.items[int(key)].cells
        figures = self.scales[str(key)].published
        return figures.position if table == "position" else figures.bands

    def scale_counts(self, key: str, totals: Counter[int]) -> tuple[list[int], list[int]]:
        """A scale's true (position, bands) counts for these totals."""
        places = self.scales[key].places
        position, bands = [0, 0, 0], [0] * self.bands[key]
        for total, count in totals.items():
            where, band = places[total]
            position[where] += count
            bands[band] += count
        return position, bands

    def figures(self, key: str, totals: Counter[int]) -> ScaleFigures:
        """What the report would show for a scale with these totals."""
        mean, sd = show_moments(totals)
        n = show_count(sum(totals.values()))
        if not self.scales[key].tables:
            return ScaleFigures(n, mean, sd, None, None)
        position, bands = self.scale_counts(key, totals)
        return ScaleFigures(n, mean, sd, suppress_row(position), suppress_row(bands))

    def hidden(self, table: str, key: int | str) -> list[int]:
        return _hidden(self.shown(table, key))

    def _total(self, key: str, student: int, edits: Edits) -> int | None:
        total = 0
        for item in self.members[key]:
            value = edits.get((student, item), self.columns[item][student])
            if value is None:
                return None
            total += self.scored(item, value)
        return total

    def _category(self, key: str, total: int) -> tuple[int, int]:
        """The (position, band) a total falls in; 0 for a table the report does not show, where
        a student may move freely."""
        position, band = self.scales[key].places[total]
        return (position if self.shown("position", key) is not None else 0,
                band if self.shown("bands", key) is not None else 0)

    # --- the second class ----------------------------------------------------------

    def _item_counts(self, item: int, edits: Edits) -> list[int]:
        counts = list(self.counts[item])
        for (student, j), value in edits.items():
            if j == item:
                before = self.columns[item][student]
                assert before is not None
                counts[before - self.points[0]] -= 1
                counts[value - self.points[0]] += 1
        return counts + self.extra[item]

    def _scale_totals(self, key: str, edits: Edits) -> Counter[int]:
        counter = Counter(self.counters[key])
        for student in {s for s, _ in edits}:
            before, after = self.totals[key][student], self._total(key, student, edits)
            if before is not None:
                counter[before] -= 1
            if after is not None:
                counter[after] += 1
        return +counter

    def _items_same(self, edits: Edits) -> bool:
        return all(show_row(self._item_counts(item, edits), self.points) == self.items[item]
                   for item in {j for _, j in edits})

    def _misfits(self, key: str, counts: tuple[list[int], list[int]]) -> list[tuple[int, int, int]]:
        """(table 0/1, category, how many too many) for each count that would show differently."""
        out = []
        for part, table in enumerate(("position", "bands")):
            cells = self.shown(table, key) or ()
            for k, (cell, new) in enumerate(zip(cells, counts[part], strict=False)):
                if cell == LT5 and new >= MIN_GROUP:
                    out.append((part, k, new - (MIN_GROUP - 1)))
                elif cell == LT5 and new == 0 and self.true_counts[key][part][k] > 0:
                    out.append((part, k, -1))  # emptied, a small count would no longer show
                elif cell == HIDDEN and new < MIN_GROUP:
                    out.append((part, k, new - MIN_GROUP))
                elif isinstance(cell, int) and new != cell:
                    out.append((part, k, new - cell))
        return out

    def _gap(self, edits: Edits) -> float:
        """How far the second class's scale figures are from the published ones; 0 when identical."""
        gap = 0.0
        for key in {k for _, item in edits for k in self.keys_of[item]}:
            old = self.scales[key].published
            totals = self._scale_totals(key, edits)
            new = self.figures(key, totals)
            if new == old:
                continue
            gap += 1.0  # something differs, if only which cell the rules hide
            mean, sd = moments(totals)
            # how far outside the rounding interval of each published figure
            if old.mean is not None:
                gap += 100 * max(0.0, abs(mean - old.mean) - 0.05)
            if old.sd is not None:
                gap += 100 * max(0.0, abs(sd - old.sd) - 0.05)
            gap += 3 * sum(abs(d) for _, _, d in self._misfits(key, self.scale_counts(key, totals)))
        return gap

    def _moves_cell(self, cell: Cell, edits: Edits) -> bool:
        if cell.table == "item":
            item = int(cell.key)
            before = self.counts[item] + self.extra[item]
            return self._item_counts(item, edits)[cell.category] != before[cell.category]
        key = str(cell.key)
        part = 0 if cell.table == "position" else 1
        new = self.scale_counts(key, self._scale_totals(key, edits))[part][cell.category]
        return new != self.true_counts[key][part][cell.category]

    # --- changes ---------------------------------------------------------------------
    #
    # Every change keeps item rows as published: two students swap their answers to
    # an item, or one answer moves between two hidden cells of its item. A swap
    # leaves the sum of a scale's totals as it was and passes points from one
    # student to another.

    def _swap(self, item: int, first: int, second: int, edits: Edits) -> Edits:
        a = edits.get((first, item), self.columns[item][first])
        b = edits.get((second, item), self.columns[item][second])
        if first == second or a is None or b is None or a == b:
            return edits
        return {**edits, (first, item): b, (second, item): a}

    def _keeps_place(self, student: int, item: int, before: Edits, after: Edits) -> bool:
        """Whether a student keeps their position and band on every scale the item counts in."""
        for key in self.keys_of[item]:
            old, new = self._total(key, student, before), self._total(key, student, after)
            if old is not None and new is not None and self._category(key, old) != self._category(key, new):
                return False
        return True

    def _fits(self, key: str, total: int) -> bool:
        lowest, highest = self._ranges[key]
        return lowest <= total <= highest

    def _cross(self, key: str, items: Sequence[int], student: int, step: int, edits: Edits,
               part: int) -> Edits:
        """Move a student's total on a scale by `step`, with one swap or, failing that, two:
        the points come from (or go to) partners who keep their places, and the student keeps
        their place in the other table of the scale and on the other scales if possible."""
        changed = self._swap_by(key, items, student, step, edits, part, strict=False)
        if changed is not edits or abs(step) < 2:
            return changed
        sign = 1 if step > 0 else -1
        for first in range(1, abs(step)):
            halfway = self._swap_by(key, items, student, sign * first, edits, part, strict=True)
            if halfway is edits:
                continue
            changed = self._swap_by(key, items, student, step - sign * first, halfway, part, strict=False)
            if changed is not halfway:
                return changed
        return edits

    def _swap_by(self, key: str, items: Sequence[int], student: int, step: int, edits: Edits,
                 part: int, *, strict: bool) -> Edits:
        """One swap moving a student's total by `step`; with strict, the student keeps every place."""
        fallback = edits
        for item in self.chance.sample(list(items), len(items)):
            if key not in self.keys_of[item]:
                continue
            a = edits.get((student, item), self.columns[item][student])
            if a is None:
                continue
            for b in self.points:
                if self.scored(item, b) - self.scored(item, a) != step:
                    continue
                partners = [p for p in self._holders[item].get(b, ())
                            if edits.get((p, item), b) == b and p != student]
                for partner in self.chance.sample(partners, min(SAMPLE, len(partners))):
                    candidate = self._swap(item, student, partner, edits)
                    if not self._keeps_place(partner, item, edits, candidate):
                        continue
                    if strict:
                        if self._keeps_place(student, item, edits, candidate):
                            return candidate
                        continue
                    if self._keeps_place_elsewhere(student, item, key, part, edits, candidate):
                        return candidate
                    if fallback is edits:
                        fallback = candidate
        return fallback

    def _keeps_place_elsewhere(self, student: int, item: int, key: str, part: int, before: Edits,
                               after: Edits) -> bool:
        for other in self.keys_of[item]:
            old, new = self._total(other, student, before), self._total(other, student, after)
            if old is None or new is None:
                continue
            was, now = self._category(other, old), self._category(other, new)
            if other != key and was != now:
                return False
            if other == key and was[1 - part] != now[1 - part]:
                return False
        return True

    def _pass_along(self, cell: Cell, key: str, items: Sequence[int], edits: Edits,
                    misfits: list[tuple[int, int, int]]) -> Edits:
        """One student across one edge: a surplus passed on towards a category short of one,
        or else towards the nearest other hidden cell of the row, where it no longer shows."""
        part, category, surplus = self.chance.choice(misfits)
        table = ("position", "bands")[part]
        opposite = [k for p, k, d in misfits if p == part and d * surplus < 0]
        sinks = [h for h in self.hidden(table, key)
                 if (table, key, h) != (cell.table, cell.key, cell.category)]
        goals = opposite or sinks
        toward = 0
        if goals:
            nearest = min(goals, key=lambda h: (abs(h - category), h))
            toward = (nearest > category) - (nearest < category)
        # a surplus leaves its category towards the goal; a deficit is filled from the goal's side
        source = category if surplus > 0 else category + (toward or self.chance.choice((-1, 1)))
        direction = toward if surplus > 0 else -toward
        for total in self.chance.sample(sorted(self._by_total[key]), len(self._by_total[key])):
            if self._category(key, total)[part] != source:
                continue
            for step in (1, -1, 2, -2, 3, -3, 4, -4):
                if not self._fits(key, total + step):
                    continue
                there = self._category(key, total + step)[part]
                if there == source or (direction and (there - source) * direction < 0):
                    continue
                if surplus < 0 and there != category:
                    continue
                for student in self._by_total[key][total][:SAMPLE]:
                    if self._total(key, student, edits) != total:
                        continue
                    changed = self._cross(key, items, student, step, edits, part)
                    if changed is not edits and self._moves_cell(cell, changed):
                        return changed
        return edits

    def _fix_sum(self, cell: Cell, items: Sequence[int], edits: Edits, sign: int) -> Edits:
        """Put a scale's sum back: an answer moved between hidden cells, the right way, by a
        student who keeps their place."""
        for item in self.chance.sample(list(items), len(items)):
            hidden = self._hidden_points(item)
            if len(hidden) < 2:
                continue
            for student in self.chance.sample(range(self.n), min(SAMPLE * 4, self.n)):
                a = edits.get((student, item), self.columns[item][student])
                if a not in hidden:
                    continue
                for b in sorted(hidden, key=lambda v: abs(self.scored(item, v) - self.scored(item, a))):
                    if (self.scored(item, b) - self.scored(item, a)) * sign <= 0:
                        continue
                    candidate = {**edits, (student, item): b}
                    if self._keeps_place(student, item, edits, candidate) and \
                            self._moves_cell(cell, candidate) and self._items_same(candidate):
                        return candidate
        # or a swap with a student who has not answered every item of the scale, whose
        # points count in the item rows but in no total
        for item in self.chance.sample(list(items), len(items)):
            keys = self.keys_of[item]
            outside = [s for s in range(self.n) if self.columns[item][s] is not None
                       and all(self.totals[k][s] is None for k in keys)]
            for other in self.chance.sample(outside, min(SAMPLE, len(outside))):
                for student in self.chance.sample(range(self.n), min(SAMPLE, self.n)):
                    mine = edits.get((student, item), self.columns[item][student])
                    theirs = edits.get((other, item), self.columns[item][other])
                    if mine is None or theirs is None or \
                            (self.scored(item, theirs) - self.scored(item, mine)) * sign <= 0:
                        continue
                    candidate = self._swap(item, student, other, edits)
                    if self._keeps_place(student, item, edits, candidate) and \
                            self._moves_cell(cell, candidate):
                        return candidate
        return edits

    def _fix_spread(self, cell: Cell, key: str, items: Sequence[int], edits: Edits, widen: bool) -> Edits:
        """Put a scale's spread back: of a few swaps between students who keep their places,
        passing points to the higher total to widen it or to the lower to narrow it, the one
        that brings the figures closest."""
        best, best_gap = edits, self._gap(edits)
        compared = 0
        for _ in range(TRIES * 40):
            if compared == TRIES:
                break
            item = self.chance.choice(items)
            first, second = self.chance.randrange(self.n), self.chance.randrange(self.n)
            t1, t2 = self._total(key, first, edits), self._total(key, second, edits)
            a = edits.get((first, item), self.columns[item][first])
            b = edits.get((second, item), self.columns[item][second])
            if None in (t1, t2, a, b) or t1 == t2 or a == b:
                continue
            gainer = first if (self.scored(item, b) > self.scored(item, a)) else second  # type: ignore[arg-type]
            if (gainer == first) != ((t1 > t2) == widen):  # type: ignore[operator]
                continue
            candidate = self._swap(item, first, second, edits)
            if not (self._keeps_place(first, item, edits, candidate)
                    and self._keeps_place(second, item, edits, candidate)):
                continue
            compared += 1
            gap = self._gap(candidate)
            if gap < best_gap and self._moves_cell(cell, candidate):
                best, best_gap = candidate, gap
        return best

    def _fix(self, cell: Cell, items: Sequence[int], edits: Edits) -> Edits:
        """One change towards the published figures, aimed at something that still differs."""
        fixes: list[Callable[[], Edits]] = []
        for key in sorted({k for _, item in edits for k in self.keys_of[item]}, key=lambda k: k == "total"):
            totals = self._scale_totals(key, edits)
            old = self.scales[key].published
            if self.figures(key, totals) == old:
                continue
            misfits = self._misfits(key, self.scale_counts(key, totals))
            mean, sd = moments(totals)
            if misfits:
                fixes.append(partial(self._pass_along, cell, key, items, edits, misfits))
            if old.mean is not None and round(mean, 1) != old.mean:
                sign = 1 if mean < old.mean else -1
                fixes.append(partial(self._fix_sum, cell, items, edits, sign))
            if old.sd is not None:
                widen = sd < old.sd
                fixes.append(partial(self._fix_spread, cell, key, items, edits, widen))
        for fix in fixes:
            changed = fix()
            if changed is not edits:
                return changed
        return edits

    def _balancing(self, item: int, student: int, delta: int) -> list[int]:
        """Answers to an item, between its hidden cells, that would take `delta` off the score."""
        a = self.columns[item][student]
        hidden = self._hidden_points(item)
        if a is None or a not in hidden:
            return []
        return [c for c in hidden if self.scored(item, c) - self.scored(item, a) == -delta]

    def _hidden_points(self, item: int) -> list[int]:
        """The answers whose counts the item's row hides ("did not happen" is no answer to move)."""
        return [self.points[k] for k in self.hidden("item", item) if k < len(self.points)]

    def _starts(self, cell: Cell, items: Sequence[int]) -> list[Edits]:
        """Changes that move the cell and leave every item row as published."""
        students = self.chance.sample(range(self.n), self.n)
        moves: list[Edits] = []
        if cell.table == "item":
            item = int(cell.key)
            if cell.category >= len(self.points):
                return []  # "did not happen" is held fixed: no change here can move it
            value = self.points[cell.category]
            hidden = self._hidden_points(item)
            balanced: list[Edits] = []
            for student in students:
                a = self.columns[item][student]
                if a is None or a not in hidden:
                    continue
                for b in hidden:
                    if b == a or value not in (a, b):
                        continue
                    moves.append({(student, item): b})
                    # best of all: the same student's answer to another item of the scale moved
                    # back by as much, between that item's hidden cells; no total changes at all
                    balanced += [{(student, item): b, (student, j): c} for j in items if j != item
                                 for c in self._balancing(j, student, self.scored(item, b) -
                                                          self.scored(item, a))]
                if len(moves) > STARTS * 4 and len(balanced) > STARTS:
                    break
            moves = balanced + moves
            targets = [edits for edits in self._row_targets(cell)
                       if self._moves_cell(cell, edits) and self._items_same(edits)]
        else:
            # a student moved into or out of the cell; whatever that upsets in the shown
            # counts is then passed along to another hidden cell
            key, part = str(cell.key), 0 if cell.table == "position" else 1
            for total, holders in self.chance.sample(sorted(self._by_total[key].items()),
                                                     len(self._by_total[key])):
                here = self._category(key, total)[part]
                for step in (1, -1, 2, -2, 3, -3, 4, -4):
                    if not self._fits(key, total + step):
                        continue
                    there = self._category(key, total + step)[part]
                    if there != here and cell.category in (here, there):
                        moves += [self._cross(key, items, s, step, {}, part) for s in holders[:2]]
                if len(moves) > STARTS * 4:
                    break
        found = [edits for edits in moves
                 if edits and self._moves_cell(cell, edits) and self._items_same(edits)]
        self.chance.shuffle(found)
        # those that upset the fewest published figures first
        found.sort(key=self._gap)
        if cell.table != "item":
            return found[:STARTS]
        targets.sort(key=self._gap)
        return found[:STARTS] + [edits for edits in targets[:STARTS] if edits not in found[:STARTS]]

    def _row_targets(self, cell: Cell) -> list[Edits]:
        """Several answers to the item changed at once, to another filling of its hidden cells
        that the report shows exactly alike (the same cells, total and mean), with the cell
        moved. Where a mean is shown, one answer moved alone can change it, and then no
        single move reaches a second class; the filling is taken from the list of rows a
        reader cannot tell apart (``suppression.candidate_rows``), nearest first, and each
        answer moves as few points as it can."""
        item = int(cell.key)
        counts = self.counts[item]
        extra = self.extra[item]
        published = self.items[item]
        k = len(self.points)
        # "did not happen" is held fixed (those students are out of the columns)
        targets = [row[:k] for row in candidate_rows(counts + extra, k)
                   if list(row[k:]) == extra and row[cell.category] != counts[cell.category]
                   and show_row(row, self.points) == published]
        targets.sort(key=lambda row: (sum(abs(a - b) for a, b in zip(row, counts, strict=True)), row))
        found = []
        for target in targets[:STARTS]:
            pairs = list(enumerate(zip(counts, target, strict=True)))
            leave = sorted(k for k, (a, b) in pairs for _ in range(a - b))  # one entry per answer
            join = sorted(k for k, (a, b) in pairs for _ in range(b - a))
            edits: Edits = {}
            for here, there in zip(leave, join, strict=True):
                holders = [s for s in self._holders[item][self.points[here]] if (s, item) not in edits]
                self.chance.shuffle(holders)
                # a student who keeps their place on every scale, if there is one
                change = {(s, item): self.points[there] for s in holders}
                keeping = [s for s in holders
                           if self._keeps_place(s, item, edits, {**edits, (s, item): change[(s, item)]})]
                student = (keeping or holders)[0]
                edits[(student, item)] = self.points[there]
            found.append(edits)
        return found

    def witness(self, cell: Cell) -> Edits | None:
        """A second class (as changes to this one) publishing the same figures, with this cell moved."""
        if self.n < 2:
            return None
        if cell.table == "item":
            item = int(cell.key)
            scales = [k for k in self.keys_of[item] if k != "total"] or ["total"]
            items = sorted({j for k in scales for j in self.members[k]})
        else:
            items = list(self.members[str(cell.key)])
        starts = self._starts(cell, items)
        ends = []
        for edits in starts:
            for _ in range(STEPS + 1):
                if self._gap(edits) == 0:
                    return edits
                changed = self._fix(cell, items, edits)
                if changed is edits:
                    break
                edits = changed
            ends.append(edits)
        # the aimed repairs got stuck: walk on from where they stopped, and from where they
        # began, nearest first
        for edits in sorted(ends + starts, key=self._gap)[:WALKS]:
            found = self._walk(cell, items, edits)
            if found is not None:
                return found
        return None

    def _walk(self, cell: Cell, items: Sequence[int], edits: Edits) -> Edits | None:
        """A random walk from ``edits``: two students' answers to an item swapped, or one
        answer moved between hidden cells of its item, one or two such changes at a time,
        kept when the cell stays moved and every item row stays as published; done when the
        gap (``_gap``) is 0. A change that brings the figures no closer is kept now and then,
        less often as the walk goes on (simulated annealing), so the walk gets past second
        classes that need several changes together, each of which alone upsets something
        (a band refilled while a spread is put back)."""
        gap = self._gap(edits)
        for step in range(WALK):
            if gap == 0:
                return edits
            if self.walked >= WALK_BUDGET:
                break
            self.walked += 1
            changed = self._random_change(items, edits)
            if self.chance.random() < 0.3:
                changed = self._random_change(items, changed)
            if changed is edits or not self._moves_cell(cell, changed) or not self._items_same(changed):
                continue
            after = self._gap(changed)
            heat = 2.0 * (1 - step / WALK) + 0.05
            if after <= gap or self.chance.random() < math.exp((gap - after) / heat):
                edits, gap = changed, after
        return edits if gap == 0 else None

    def _random_change(self, items: Sequence[int], edits: Edits) -> Edits:
        movable = [j for j in items if len(self._hidden_points(j)) >= 2]
        if not movable or self.chance.random() < 0.7:
            item = self.chance.choice(items)
            return self._swap(item, self.chance.randrange(self.n), self.chance.randrange(self.n), edits)
        # an answer moved one point between hidden cells, by a student who gave one of them
        item = self.chance.choice(movable)
        hidden = self._hidden_points(item)
        holders = [s for p in hidden for s in self._holders[item][p]]
        student = self.chance.choice(holders)
        a = edits.get((student, item), self.columns[item][student])
        near = [v for v in hidden if v != a and abs(v - (a or 0)) == 1] or [v for v in hidden if v != a]
        if a is None or a not in hidden or not near:
            return edits
        return {**edits, (student, item): self.chance.choice(near)}

    def unproven(self) -> list[Cell]:
        """The hidden cells for which no second class was found (each cell once, though it
        may count in several scales). A proof of a fuller report (``known``) is kept if it
        still holds."""
        cells = hidden_cells(self.items, self.scales)
        every = list(dict.fromkeys(cell for linked in cells.values() for cell in linked))
        for cell, edits in self.known.items():
            if cell in every and cell not in self.proofs and self._proves(cell, edits):
                self.proofs[cell] = edits
        unproven: list[Cell] = []
        for cell in every:
            if cell in self.proofs:
                continue
            found = self.witness(cell)
            if found is None:
                unproven.append(cell)
                continue
            # one second class can prove several cells open at once
            self.proofs.update((c, found) for c in every
                               if c not in self.proofs and self._moves_cell(c, found))
        return unproven

    def _proves(self, cell: Cell, edits: Edits) -> bool:
        return self._moves_cell(cell, edits) and self._items_same(edits) and self._gap(edits) == 0

    def exposed(self) -> set[str]:
        """The scales linked to a hidden cell for which no second class was found."""
        unproven = set(self.unproven())
        return {key for key, linked in hidden_cells(self.items, self.scales).items()
                if unproven.intersection(linked)}


__all__ = ["Cell", "Linked", "Scale", "ScaleFigures", "hidden_cells"]
