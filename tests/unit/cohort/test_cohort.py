"""The cohort report: reading a class's answer files, the anonymity rules, and the files written.

No nbgrader here: classes are written straight into a course's submitted/
layout with the response store, as `nbgrader collect` would leave them.
"""

from __future__ import annotations

import csv
import itertools
import json
import re
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree

import pytest

from conftest import COURSE, complete_answers, copy_course
from coursekit.cli import main
from coursekit.cohort.summary import load_reference, read_class, read_student, summarise
from coursekit.cohort.suppression import HIDDEN, LT5, RowShown, show_row, suppress_row
from coursekit.errors import DataFileError
from coursekit.student.responses import FILENAME, ResponseStore

# --- helpers ---------------------------------------------------------------------

ALLIANCE_REFERENCE = COURSE / "source" / "alliance" / "reference.json"


def submit(course: Path, student: str, alliance, answers=None, *, raw: str | None = None,
           stage: str = "submitted", module: str = "alliance") -> Path:
    """One student's collected submission folder, with an answer file saved by the real store."""
    if not (course / "coursekit.toml").is_file():
        copy_course(course)
    folder = course / stage / student / module
    folder.mkdir(parents=True)
    (folder / f"{module}.ipynb").write_text("{}")
    if raw is not None:
        (folder / FILENAME).write_text(raw)
    elif answers is not None:
        ResponseStore(folder, module).save_answers(alliance, answers)
    return folder


def class_of(course: Path, alliance, n: int, value: int = 4) -> None:
    for i in range(n):
        submit(course, f"s{i:02d}", alliance, complete_answers(alliance, value))


def report(course: Path, out: Path, capsys) -> tuple[str, list[list[str]], str]:
    assert main(["report", "alliance", "--course", str(course), "--out", str(out)]) == 0
    terminal = capsys.readouterr().out
    page = (out / "alliance-cohort.html").read_text()
    with open(out / "alliance-cohort.csv", newline="") as handle:
        rows = list(csv.reader(handle))
    return page, rows, terminal


def csv_value(rows, table, key, category):
    found = [r[4] for r in rows if r[0] == table and r[1] == key and r[3] == category]
    assert len(found) == 1, (table, key, category, found)
    return found[0]


# --- suppression -----------------------------------------------------------------


def test_rows_without_small_counts_are_shown_as_they_are():
    assert suppress_row([0, 5, 12, 30, 7]) == (0, 5, 12, 30, 7)


def test_a_count_from_1_to_4_reads_lt5_and_a_hidden_zero_beside_it_too():
    assert suppress_row([3, 0, 20, 10, 7]) == (LT5, LT5, 20, 10, 7)


def test_beside_a_lone_small_count_its_smaller_neighbour_is_hidden():
    # the neighbour, not the zero across the scale: one answer moved by one point is what
    # changes two neighbouring cells, so a mean and the audit's second classes stay close
    assert suppress_row([3, 10, 20, 0, 7]) == (LT5, HIDDEN, 20, 0, 7)
    assert suppress_row([7, 10, 3, 6, 20]) == (7, 10, LT5, HIDDEN, 20)


def test_several_small_counts_protect_each_other():
    assert suppress_row([2, 3, 40, 0, 7]) == (LT5, LT5, 40, 0, 7)


def test_a_row_whose_small_count_could_still_be_worked_out_is_withheld():
    # shown as <5, hidden, 20, 30, 7 the two hidden cells make 6, and a hidden
    # count is at least 5: the "<5" could only be 1
    assert suppress_row([1, 5, 20, 30, 7]) is None
    # two "<5" cells making 8 can only be 4 and 4
    assert suppress_row([4, 4, 0, 0, 0]) is None


def test_long_scales_with_many_small_counts_are_checked_without_enumerating_them():
    # an eleven-point scale (0 to 10) in a class of 37: ten small counts, quickly
    row = [1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 18]
    assert suppress_row(row) == (LT5,) * 10 + (18,)
    assert suppress_row([4, 4, 4, 0, 0, 0, 0, 0, 0, 0, 0]) is None  # three 4s making 12


def test_a_group_smaller_than_five_is_withheld():
    assert suppress_row([1, 1, 2, 0, 0]) is None
    assert suppress_row([0, 0, 0]) is None


def _every_row(length: int, total: int):
    for cut in itertools.combinations(range(total + length - 1), length - 1):
        bounds = (-1, *cut, total + length - 1)
        yield tuple(bounds[i + 1] - bounds[i] - 1 for i in range(length))


@pytest.mark.parametrize(("length", "largest"), [(2, 30), (3, 20), (4, 12), (5, 8)])
def test_no_shown_row_pins_down_a_small_count_for_a_reader_who_knows_the_rules(length, largest):
    """Exhaustively: group every possible row by what the report shows; within each group,
    every cell shown as "<5" must take at least two different true values."""
    for total in range(5, largest + 1):
        looks = {}
        for counts in _every_row(length, total):
            shown = suppress_row(counts)
            looks.setdefault(shown, []).append(counts)
            if shown is None:
                continue
            for true, cell in zip(counts, shown, strict=True):
                # what is shown is true: exact counts, "<5" only below 5, "hidden" only from 5
                assert cell == true or (cell == LT5 and true < 5) or (cell == HIDDEN and true >= 5)
        for shown, rows in looks.items():
            if shown is None:
                continue
            for i, cell in enumerate(shown):
                if cell == LT5:
                    assert len({row[i] for row in rows}) >= 2, (shown, rows)


@pytest.mark.parametrize(("points", "largest"), [((1, 2, 3), 24), ((1, 2, 3, 4, 5), 12),
                                                ((1, 2, 3, 4, 5, 6, 7), 8)])
def test_no_shown_row_and_mean_pins_down_a_small_count(points, largest):
    """Exhaustively, with the mean: group every possible item row by all the report shows of
    it (cells, mean and the step it is rounded to); within each group every cell shown as
    "<5" takes at least two true values, and the mean shown is the true mean so rounded."""
    from coursekit.cohort.suppression import show_row

    shown_means = 0
    for total in range(5, largest + 1):
        looks: dict = {}
        for counts in _every_row(len(points), total):
            row = show_row(counts, points)
            looks.setdefault(row, []).append(counts)
            if row.mean is not None:
                true = sum(p * c for p, c in zip(points, counts, strict=True)) / total
                assert abs(true - row.mean) <= row.mean_step / 2 + 1e-9, (counts, row)
                shown_means += row.cells is not None and any(c in (LT5, HIDDEN) for c in row.cells)
        for row, rows in looks.items():
            for i, cell in enumerate(row.cells or ()):
                if cell == LT5:
                    assert len({r[i] for r in rows}) >= 2, (row, rows)
    assert shown_means, "no mean beside hidden counts was shown: the test checked nothing"


# --- linked figures -------------------------------------------------------------------


def test_a_scale_mean_that_would_pin_down_hidden_item_counts_is_withheld(tmp_path, alliance):
    """Seven students answer 4 to everything, two answer 2. Each item row hides its 2s and
    its 1s ("<5" twice), and on its own that is safe. But the bond mean, rounded to one
    decimal, gives the exact sum of nine totals, and only one filling of the hidden cells
    adds up to it: a reader would know that nobody answered 1."""
    from coursekit.cohort.summary import _standing, load_reference

    class_of(tmp_path, alliance, 7, value=4)
    for student in ("x1", "x2"):
        submit(tmp_path, student, alliance, complete_answers(alliance, 2))
    students = read_class(tmp_path, "alliance", alliance)
    summary = summarise(alliance, students)
    bond_items = [r for r in summary.items if r.key.startswith("bond")]
    # (bond_3 also counts "did not happen", which nobody chose)
    assert all(r.cells == (LT5, LT5, 0, 7, 0) + (0,) * r.not_applicable for r in bond_items)

    # the attack, on the mean the report would have shown without the audit
    reference = load_reference(ALLIANCE_REFERENCE, alliance).scales["bond"]
    mean = _standing("bond", "Bond", reference, {16: 7, 8: 2}, 4, (1, 2, 3, 4, 5)).mean
    sums = {s for s in range(9 * 4, 9 * 20 + 1) if round(s / 9, 1) == mean}
    fillings = [xs for xs in itertools.product(range(3), repeat=4)  # answers of 1 per item
                if sum(7 * 4 + x * 1 + (2 - x) * 2 for x in xs) in sums]
    assert fillings == [(0, 0, 0, 0)], "the leak this audit exists for"

    bond = next(s for s in summary.standings if s.key == "bond")
    assert bond.mean is None and bond.sd is None
    assert bond.position.cells is None and bond.bands.cells is None


def test_withholding_an_item_row_would_not_hide_its_counts_from_the_scale_mean(tmp_path, alliance):
    """Nine students answer 5 to everything, one of them 4 on bond_1. bond_1's row alone is
    safe ("<5" 4s, "hidden" 5s), but the bond mean, less the other bond items' exact rows,
    gives bond_1's sum, and only one filling makes it. Withholding bond_1's row would not
    help (its sum is still there); the report must withhold the bond figures instead. The
    attack, as a reader would make it: every bond_1 row the published figures allow."""
    class_of(tmp_path, alliance, 8, value=5)
    submit(tmp_path, "x1", alliance, {**complete_answers(alliance, 5), "bond_1": 4})
    summary = summarise(alliance, read_class(tmp_path, "alliance", alliance))
    points = (1, 2, 3, 4, 5)
    rows = {row.key: row for row in summary.items}
    others = [rows[f"bond_{k}"] for k in (2, 3, 4)]
    # exact, so their sums are known (bond_3 also offers "did not happen": nobody chose it)
    assert all(r.cells is not None and r.cells[:5] == (0, 0, 0, 0, 9) and not any(r.cells[5:])
               for r in others)
    known = sum(p * c for r in others for p, c in zip(points, r.cells[:5], strict=True))
    bond = next(s for s in summary.standings if s.key == "bond")
    published = rows["bond_1"]
    allowed = []
    for counts in _every_row(5, 9):
        if published.cells is not None and show_row(counts, points) != \
                RowShown(published.n, published.cells, published.mean, published.mean_step):
            continue
        total = known + sum(p * c for p, c in zip(points, counts, strict=True))
        if bond.mean is not None and round(total / 9, 1) != bond.mean:
            continue
        allowed.append(counts)
    assert (0, 0, 0, 1, 8) in allowed
    assert len({counts[3] for counts in allowed}) >= 2, allowed  # how many answered 4: not known
    assert bond.mean is None and bond.bands.cells is None  # what the report gave up for it


def test_the_audit_works_on_plain_data_alone():
    """The same leak, handed to the audit directly: the answers, and what a report shows, as
    plain data built with the suppression rules. The bond scale must come back exposed; in a
    more varied class of fifteen every hidden count is proven open instead."""
    import math
    from collections import Counter

    from coursekit.cohort.audit import Linked, Scale, ScaleFigures
    from coursekit.cohort.suppression import show_count, show_moments, show_row, suppress_row

    points = (1, 2, 3, 4, 5)

    def audit(students: list[list[int]]) -> tuple[set[str], Linked]:
        columns: list[list[int | None]] = [list(column) for column in zip(*students, strict=True)]
        places = {t: ((t > 12) + (t >= 12), min(max(math.floor(t / 4 + 0.5), 1), 5) - 1)
                  for t in range(4, 21)}
        totals = Counter(sum(answers) for answers in students)
        position, bands = [0, 0, 0], [0] * 5
        for total, count in totals.items():
            position[places[total][0]] += count
            bands[places[total][1]] += count
        published = ScaleFigures(show_count(len(students)), *show_moments(totals),
                                 suppress_row(position), suppress_row(bands))
        linked = Linked(columns, points, [False] * 4,
                        [show_row([column.count(p) for p in points], points) for column in columns],
                        {"bond": Scale((0, 1, 2, 3), places, published)})
        return linked.exposed(), linked

    exposed, linked = audit([[4] * 4] * 7 + [[2] * 4] * 2)
    assert exposed == {"bond"} and not linked.proofs
    varied = [[4, 3, 4, 4], [5, 4, 5, 5], [4, 4, 5, 5], [4, 5, 4, 4], [2, 4, 3, 3], [4, 4, 4, 2],
              [3, 4, 5, 5], [4, 4, 3, 4], [4, 3, 4, 4], [4, 3, 3, 4], [1, 4, 5, 3], [4, 4, 5, 5],
              [3, 1, 3, 3], [5, 3, 5, 5], [3, 4, 4, 4]]
    exposed, linked = audit(varied)
    assert exposed == set() and linked.proofs
    for cell, edits in linked.proofs.items():  # each proof: same item rows, the cell moved
        second = [list(answers) for answers in varied]
        for (student, item), value in edits.items():
            second[student][item] = value
        assert [show_row([c.count(p) for p in points], points) for c in zip(*second, strict=True)] \
            == list(linked.items), cell


def test_the_report_says_why_linked_figures_are_missing(tmp_path, alliance, capsys):
    class_of(tmp_path, alliance, 7, value=4)
    for student in ("x1", "x2"):
        submit(tmp_path, student, alliance, complete_answers(alliance, 2))
    page, rows, _ = report(tmp_path, tmp_path / "out", capsys)
    assert csv_value(rows, "standing", "bond", "n") == "9"  # the group is large enough...
    assert csv_value(rows, "standing", "bond", "mean") == "withheld"  # ...its figures are not
    assert csv_value(rows, "standing", "bond", "sd") == "withheld"
    assert "No chart: every figure below is withheld" in page
    assert "made-up class that gives exactly the figures on this page" in page


def _second_class(students, edits):
    """The class a proof describes: the answers of the students who answered, with the edits."""
    from dataclasses import replace

    from coursekit.cohort.summary import StudentAnswers

    answered = [s for s in students if s.status in ("complete", "incomplete")]
    changed = {id(s): dict(s.answers) for s in answered}
    for (student, item), value in edits.items():
        changed[id(answered[student])][ALLIANCE_ITEMS[item]] = value
    return [replace(s, answers=changed[id(s)]) if isinstance(s, StudentAnswers) and id(s) in changed
            else s for s in students]


ALLIANCE_ITEMS: list[str] = []


@pytest.mark.parametrize("size", [9, 14, 25, 60, 150, 400])
@pytest.mark.parametrize("seed", [1, 2])
def test_every_proof_is_a_class_that_publishes_the_same_figures(tmp_path, alliance, monkeypatch,
                                                                size, seed):
    """The audit's proofs checked independently: each second class it found is summarised
    again, by the report's own code, and must publish exactly the figures the report shows
    while holding a different count in the cell it proves open."""
    import random as stdlib_random

    from coursekit.cohort import audit
    from coursekit.cohort import summary as cohort

    ALLIANCE_ITEMS[:] = [item.id for item in alliance.items]
    chance = stdlib_random.Random(seed)
    # some items with a rare answer, so that rows have small counts to hide
    skew = [chance.choice([(0.01, 2, 4, 6, 3), (0, 1, 3, 6, 6), (2, 3, 3, 2, 0.01)]) for _ in alliance.items]
    for n in range(size):
        answers = {item.id: chance.choices(range(1, 6), weights=weights)[0]
                   for item, weights in zip(alliance.items, skew, strict=True)}
        if chance.random() < 0.1:
            answers.pop(chance.choice(list(answers)))
        if n < 2:  # one student at each end of the scale: every item has a small count
            answers = complete_answers(alliance, 1 if n == 0 else 5)
        submit(tmp_path, f"r{n:03d}", alliance, answers)
    students = read_class(tmp_path, "alliance", alliance)

    audits = []
    original = audit.Linked.unproven

    def recording(self):
        audits.append(self)
        return original(self)

    monkeypatch.setattr(audit.Linked, "unproven", recording)
    summarise(alliance, students)
    monkeypatch.setattr(cohort, "_protect_linked_figures",  # raw figures
                        lambda *args: args[-1])

    checked = 0
    for linked in audits:
        for cell, edits in linked.proofs.items():
            second = summarise(alliance, _second_class(students, edits))
            assert [(row.n, row.cells, row.mean, row.mean_step) for row in second.items] == \
                [(row.n, row.cells, row.mean, row.mean_step) for row in linked.items], cell
            for standing in second.standings:
                if standing.key not in linked.scales:
                    continue
                published = linked.scales[standing.key].published
                assert (standing.n, standing.mean, standing.sd) == \
                    (published.n, published.mean, published.sd), (cell, standing.key)
                for table in ("position", "bands"):
                    if getattr(published, table) is not None:
                        assert getattr(standing, table).cells == getattr(published, table), (cell, table)
            # and the cell itself holds a different count in the second class
            if cell.table == "item":
                column = ALLIANCE_ITEMS[int(cell.key)]
                value = alliance.scale.points[cell.category]
                count = sum(1 for s in _second_class(students, edits)
                            if s.status in ("complete", "incomplete") and s.answers.get(column) == value)
                assert count != linked.counts[int(cell.key)][cell.category], cell
            else:
                true = linked.scale_counts(str(cell.key), linked._scale_totals(str(cell.key), edits))
                part = 0 if cell.table == "position" else 1
                assert true[part][cell.category] != linked.true_counts[str(cell.key)][part][cell.category]
            checked += 1
    assert audits and checked, "no hidden cell was proven open: the test checked nothing"


def simulated_class(alliance, n: int, seed: int) -> list:
    """The answer files `coursekit class simulate` makes (the project's simulator), as read."""
    import random as stdlib_random

    from coursekit.cohort.summary import StudentAnswers
    from coursekit.grading.simulate import COMPLETE, INCOMPLETE, MISSING, plan_class, simulated_answers

    students = []
    for student in plan_class("alliance", n, seed):
        if student.answers == MISSING:
            students.append(StudentAnswers(student.id, "missing", {}, "no file"))
        elif student.answers not in (COMPLETE, INCOMPLETE):
            students.append(StudentAnswers(student.id, "malformed", {}, "damaged"))
        else:
            answers = simulated_answers(alliance, student.id, seed)
            if student.answers == INCOMPLETE:
                dropped = stdlib_random.Random(student.id).sample(sorted(answers), 2)
                answers = {k: v for k, v in answers.items() if k not in dropped}
            students.append(StudentAnswers(student.id, student.answers, answers))
    return students


def test_a_class_of_forty_sees_its_item_means_and_bands_and_every_proof_holds(alliance, monkeypatch):
    """The target for a class of forty (the benchmark's classes, benchmarks/report_utility.py):
    at least 10 of the 12 item means and the bands of all three subscales, in the typical
    class of five. And every second class the audit used to show them is checked by summarising
    it again: the same figures, a different count in the cell it proves open."""
    import statistics

    from coursekit.cohort import audit
    from coursekit.cohort import summary as cohort

    ALLIANCE_ITEMS[:] = [item.id for item in alliance.items]
    means, bands, checked = [], [], 0
    for seed in (1, 2, 3, 4, 5):
        students = simulated_class(alliance, 40, seed)
        audits = []
        original = audit.Linked.unproven

        def recording(self, original=original, audits=audits):
            audits.append(self)
            return original(self)

        monkeypatch.setattr(audit.Linked, "unproven", recording)
        summary = summarise(alliance, students)
        monkeypatch.undo()
        means.append(sum(row.mean is not None for row in summary.items))
        bands.append(sum(s.bands.cells is not None for s in summary.standings if s.key != "total"))
        # the proofs the final report rests on: the last round's
        linked = audits[-1]
        monkeypatch.setattr(cohort, "_protect_linked_figures", lambda *args: args[-1])
        for cell, edits in linked.proofs.items():
            second = summarise(alliance, _second_class(students, edits))
            assert [(r.n, r.cells, r.mean, r.mean_step) for r in second.items] == \
                [(r.n, r.cells, r.mean, r.mean_step) for r in linked.items], cell
            for standing in second.standings:
                published = linked.scales[standing.key].published
                assert (standing.n, standing.mean, standing.sd) == \
                    (published.n, published.mean, published.sd), (cell, standing.key)
                for table in ("position", "bands"):
                    if getattr(published, table) is not None:
                        assert getattr(standing, table).cells == getattr(published, table), (cell, table)
            checked += 1
        monkeypatch.undo()
    assert checked
    assert statistics.median(means) >= 10 and min(means) >= 9, means
    assert statistics.median(bands) == 3 and min(bands) >= 2, bands


def test_large_classes_keep_their_scale_figures(tmp_path, alliance):
    """The audit must not cost a large class its report: with 600 varied students every
    scale keeps its mean and spread."""
    import random as stdlib_random

    chance = stdlib_random.Random(7)
    for n in range(600):
        submit(tmp_path, f"r{n:03d}", alliance,
               {item.id: chance.choices(range(1, 6), weights=(1, 2, 4, 6, 3))[0] for item in alliance.items})
    summary = summarise(alliance, read_class(tmp_path, "alliance", alliance))
    assert all(s.mean is not None and s.sd is not None for s in summary.standings)


# --- reading a class -------------------------------------------------------------


def test_each_answer_file_is_sorted_with_a_reason_that_names_it(tmp_path, alliance):
    full = complete_answers(alliance)
    cases = {
        "complete": submit(tmp_path, "a", alliance, full),
        "incomplete": submit(tmp_path, "b", alliance, {k: v for k, v in full.items() if k != "goals_2"}),
        "bad-json": submit(tmp_path, "c", alliance, raw='{"format": "coursekit-responses", '),
        "missing": submit(tmp_path, "d", alliance),
        "out-of-scale": submit(tmp_path, "e", alliance, raw=json.dumps({
            "format": "coursekit-responses", "schema_version": 1, "module": "alliance", "revision": 1,
            "instruments": {"alliance": {"instrument_version": 1, "answers": {"bond_1": 9}}}})),
    }
    got = {name: read_student(name, folder, "alliance", alliance) for name, folder in cases.items()}
    assert got["complete"].status == "complete" and got["complete"].answers == full
    assert got["incomplete"].status == "incomplete"
    assert "1 of 12 items unanswered (items 5)" in got["incomplete"].reason
    assert got["bad-json"].status == "malformed" and "is not valid JSON" in got["bad-json"].reason
    assert str(cases["bad-json"] / FILENAME) in got["bad-json"].reason
    assert got["missing"].status == "missing" and f"no {FILENAME}" in got["missing"].reason
    assert got["out-of-scale"].status == "malformed"
    assert "outside the scale 1 to 5" in got["out-of-scale"].reason


def test_an_answer_file_for_another_version_of_the_items_is_not_mixed_in(tmp_path, alliance):
    raw = {"format": "coursekit-responses", "schema_version": 1, "module": "alliance", "revision": 1,
           "instruments": {"alliance": {"instrument_version": 99, "answers": complete_answers(alliance)}}}
    folder = submit(tmp_path, "a", alliance, raw=json.dumps(raw))
    got = read_student("a", folder, "alliance", alliance)
    assert got.status == "malformed" and "version 99" in got.reason


def test_autograded_is_read_only_when_asked_and_only_for_students_missing_from_submitted(
        tmp_path, alliance):
    submit(tmp_path, "a", alliance, complete_answers(alliance, 2))
    submit(tmp_path, "a", alliance, complete_answers(alliance, 5), stage="autograded")
    submit(tmp_path, "b", alliance, complete_answers(alliance, 3), stage="autograded")
    assert [s.student for s in read_class(tmp_path, "alliance", alliance)] == ["a"]
    both = read_class(tmp_path, "alliance", alliance, autograded_fallback=True)
    assert [(s.student, s.answers["bond_1"]) for s in both] == [("a", 2), ("b", 3)]


def test_a_course_without_submissions_says_how_to_collect_them(tmp_path, alliance, capsys):
    copy_course(tmp_path)
    assert main(["report", "alliance", "--course", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "has no submissions of 'alliance'" in err and "nbgrader collect alliance" in err


def test_an_unknown_module_lists_the_ones_there_are(tmp_path, capsys):
    copy_course(tmp_path)
    assert main(["report", "nosuchmodule", "--course", str(tmp_path)]) == 2
    assert "Its modules are: alliance, craft" in capsys.readouterr().err


# --- reference figures -------------------------------------------------------------


def test_the_alliance_reference_is_the_scale_midpoint_of_each_subscale(alliance):
    reference = load_reference(ALLIANCE_REFERENCE, alliance)
    assert {k: (r.minimum, r.maximum, r.value) for k, r in reference.scales.items()} == {
        "bond": (4, 20, 12), "goals": (4, 20, 12), "tasks": (4, 20, 12), "total": (12, 60, 36)}
    assert "no published norms" in reference.about


def test_a_reference_whose_range_no_longer_matches_the_items_is_refused(tmp_path, alliance):
    bundled = json.loads(ALLIANCE_REFERENCE.read_text())
    bundled["scales"]["goals"]["range"] = [4, 24]
    (tmp_path / "reference.json").write_text(json.dumps(bundled))
    with pytest.raises(DataFileError) as err:
        load_reference(tmp_path / "reference.json", alliance)
    assert "reference.json, field 'scales.goals.range'" in str(err.value)
    assert "[4, 20]" in str(err.value)


def test_without_a_reference_file_each_scale_gets_its_midpoint(tmp_path, alliance):
    reference = load_reference(None, alliance)
    assert reference.scales["tasks"].value == 12 and reference.scales["total"].value == 36


# --- small groups -----------------------------------------------------------------


def test_four_students_get_no_breakdown_at_all(tmp_path, alliance, capsys):
    class_of(tmp_path, alliance, 4)
    summary = summarise(alliance, read_class(tmp_path, "alliance", alliance))
    assert summary.submitted == LT5 and summary.completion.withheld
    assert all(row.withheld and row.mean is None for row in summary.items)
    assert all(s.mean is None and s.sd is None and s.bands.withheld for s in summary.standings)
    page, rows, _ = report(tmp_path, tmp_path / "out", capsys)
    assert csv_value(rows, "completion", "answer_files", "n") == LT5
    assert csv_value(rows, "completion", "answer_files", "complete") == "withheld"
    assert csv_value(rows, "item", "bond_1", "4 Very often") == "withheld"
    assert csv_value(rows, "standing", "bond", "mean") == "withheld"
    assert "withheld: fewer than 5 students" in page
    assert not re.search(r"<td>4</td>", page)  # the class size appears nowhere


def test_five_students_are_broken_down(tmp_path, alliance, capsys):
    class_of(tmp_path, alliance, 5)
    page, rows, _ = report(tmp_path, tmp_path / "out", capsys)
    assert csv_value(rows, "completion", "answer_files", "complete") == "5"
    assert csv_value(rows, "item", "bond_1", "4 Very often") == "5"
    assert csv_value(rows, "item", "bond_1", "1 Rarely") == "0"
    assert csv_value(rows, "standing", "bond", "mean") == "16.0"
    assert csv_value(rows, "item", "bond_1", "mean") == "4.0"
    assert csv_value(rows, "standing", "bond", "above_reference") == "5"
    body = page.split("<body>")[1].split("How small groups are protected")[0]
    assert "withheld" not in body


def test_a_count_from_1_to_4_reads_lt5_in_every_output(tmp_path, alliance, capsys):
    class_of(tmp_path, alliance, 7, value=4)
    for student in ("x1", "x2"):
        submit(tmp_path, student, alliance, raw='{"format": "coursekit-responses", ')
    page, rows, terminal = report(tmp_path, tmp_path / "out", capsys)
    # two malformed files: "<5", and the zero beside them (no incomplete file) hidden too
    assert csv_value(rows, "completion", "answer_files", "malformed") == LT5
    assert csv_value(rows, "completion", "answer_files", "incomplete") == LT5
    assert csv_value(rows, "completion", "answer_files", "complete") == "7"
    assert csv_value(rows, "completion", "answer_files", "missing") == "0"
    assert csv_value(rows, "completion", "answer_files", "n") == "9"
    assert "<td>&lt;5</td>" in page
    assert not any(r[4] in {"1", "2", "3", "4"} and r[3] not in {"mean", "sd", "reference"}
                   and not r[3].startswith("range") for r in rows), "a count of 1-4 was written"
    assert "9 submissions of 'alliance': 7 complete, 0 incomplete, 2 malformed" in terminal


def test_a_mean_beside_hidden_counts_is_rounded_coarsely_and_says_so(tmp_path, alliance, capsys):
    """Nine answers 4 and two answer 2 and 1: one decimal would give the hidden counts away
    with the total (each filling of 1s and 2s has its own mean), the nearest 0.5 does not."""
    from coursekit.cohort.report import csv_rows, render_html
    from coursekit.cohort.suppression import candidate_rows, show_row

    points = (1, 2, 3, 4, 5)
    row = show_row([1, 1, 0, 9, 0], points)
    assert row.cells == (LT5, LT5, 0, 9, 0) and (row.mean, row.mean_step) == (3.5, 0.5)
    same = [c for c in candidate_rows([1, 1, 0, 9, 0]) if show_row(c, points) == row]
    assert {c[0] for c in same} == {0, 1, 2} and {c[1] for c in same} == {0, 1, 2}
    # shown as "about", and the CSV says what it is rounded to
    class_of(tmp_path, alliance, 5, value=4)
    summary = summarise(alliance, read_class(tmp_path, "alliance", alliance))
    from dataclasses import replace

    first = replace(summary.items[0], cells=row.cells, mean=row.mean, mean_step=row.mean_step)
    coarse = replace(summary, items=(first, *summary.items[1:]))
    assert "<td>\u22483.5</td>" in render_html(coarse)
    assert ["item", "bond_1", first.label, "mean_rounded_to", "0.5"] in csv_rows(coarse)
    second = summary.items[1]
    assert ["item", second.key, second.label, "mean_rounded_to", "0.1"] in csv_rows(coarse)


# --- privacy ------------------------------------------------------------------------

PLANTED_ID = "qzx-plantedstudent-0427"
PLANTED_TEXT = "Marguerite Okonkwo-Lindqvist told me about her brother in Wolverhampton"


def test_no_student_id_or_free_text_reaches_the_report_files(tmp_path, alliance, capsys):
    class_of(tmp_path, alliance, 6)
    # a valid file carrying free text in its saved values, beside the answers
    folder = submit(tmp_path, PLANTED_ID, alliance, complete_answers(alliance, 3))
    ResponseStore(folder, "alliance").save_value("reflection_draft", PLANTED_TEXT)
    # the reflection itself, in the submitted notebook
    (folder / "alliance.ipynb").write_text(json.dumps({"cells": [{"source": PLANTED_TEXT}]}))
    # free text where a file is malformed: an unknown item, another module's name
    raw = {"format": "coursekit-responses", "schema_version": 1, "module": "alliance", "revision": 1,
           "instruments": {"alliance": {"instrument_version": 1, "answers": {PLANTED_TEXT: 3}}}}
    submit(tmp_path, PLANTED_ID + "-b", alliance, raw=json.dumps(raw))
    submit(tmp_path, PLANTED_ID + "-c", alliance, raw=json.dumps({**raw, "module": PLANTED_TEXT}))

    page, rows, terminal = report(tmp_path, tmp_path / "out", capsys)
    written = page + (tmp_path / "out" / "alliance-cohort.csv").read_text()
    for secret in (PLANTED_ID, PLANTED_TEXT, "Okonkwo", "Wolverhampton", "plantedstudent"):
        assert secret.lower() not in written.lower(), secret
    for student in ("s00", "s05"):
        assert student not in written
    # the instructor still learns who to follow up with, in the terminal only
    assert f"{PLANTED_ID}-b: malformed" in terminal and f"{PLANTED_ID}-c: malformed" in terminal
    assert csv_value(rows, "completion", "answer_files", "complete") == "7"


HOSTILE = 'Q&A with <script>alert("hi")</script> & "quotes"'


def test_markup_is_escaped_and_a_students_never_reaches_the_page(tmp_path, alliance, capsys):
    """A student's text never reaches the report (see the test above); the text that does
    (the instrument's wording, its title) is escaped by the template's autoescape."""
    from dataclasses import replace

    from coursekit.cohort.report import render_html

    class_of(tmp_path, alliance, 7)
    folder = submit(tmp_path, "s99", alliance, complete_answers(alliance, 2))
    ResponseStore(folder, "alliance").save_value("reflection_draft", HOSTILE)
    page, _, _ = report(tmp_path, tmp_path / "out", capsys)
    assert "<script" not in page and "alert" not in page

    summary = summarise(alliance, read_class(tmp_path, "alliance", alliance),
                        load_reference(ALLIANCE_REFERENCE, alliance), module="alliance")
    first = replace(summary.items[0], text=HOSTILE)
    page = render_html(replace(summary, title=HOSTILE, items=(first, *summary.items[1:])))
    escaped = "Q&amp;A with &lt;script&gt;alert(&#34;hi&#34;)&lt;/script&gt; &amp; &#34;quotes&#34;"
    assert f"<title>Cohort report: {escaped} (module alliance)</title>" in page
    assert f'<td class="label">{first.label}: {escaped}</td>' in page
    assert "<script" not in page


def test_the_page_is_self_contained(tmp_path, alliance, capsys):
    class_of(tmp_path, alliance, 12, value=3)
    page, _, _ = report(tmp_path, tmp_path / "out", capsys)
    assert page.count("<svg") == 3 and "<script" not in page.lower()
    assert not re.search(r"<link|<img|<iframe|@import|src=|url\((?!#)|href=\"(?!#)", page, re.I)
    ids = re.findall(r'id="([^"]+)"', page)
    assert len(ids) == len(set(ids)), "figures share element ids"


# --- figures ------------------------------------------------------------------------


SVG = "{http://www.w3.org/2000/svg}"


def parse_svg(svg: str) -> ElementTree.Element:
    root = ElementTree.fromstring(svg)  # also proves the chart is well-formed XML
    assert root.tag == f"{SVG}svg"
    return root


def marks(root: ElementTree.Element, tag: str, cls: str) -> list[ElementTree.Element]:
    return [e for e in root.iter(f"{SVG}{tag}") if e.get("class") == cls]


def texts(root: ElementTree.Element, cls: str) -> list[str]:
    return ["".join(e.itertext()) for e in marks(root, "text", cls)]


def test_item_chart_draws_the_shown_shares_and_pools_hidden_counts(tmp_path, alliance):
    from coursekit.cohort.report import distribution_chart
    from coursekit.palette import OKABE_ITO

    class_of(tmp_path, alliance, 7, value=4)
    for student in ("x1", "x2"):
        submit(tmp_path, student, alliance, complete_answers(alliance, 2))
    summary = summarise(alliance, read_class(tmp_path, "alliance", alliance))
    root = parse_svg(distribution_chart(summary.items, summary, title="Items", ylabel="Item", name="t"))
    assert texts(root, "title") == ["Items"] and root.get("aria-label") == "Items"
    assert texts(root, "xlabel") == ["Share of students (%)"] and texts(root, "ylabel") == ["Item"]
    labels = texts(root, "row-label")
    assert labels[0] == "1. Bond" and labels[-1] == "12. Tasks"  # first item on top
    (frame,) = marks(root, "rect", "frame")
    plot_width = float(frame.get("width"))
    segments = marks(root, "rect", "segment")
    assert len(segments) == 12 * 2  # every item: 7 of 9 at "4", and the pooled hidden cells
    first = [s for s in segments if s.findtext(f"{SVG}title").startswith("1. Bond:")]
    shares = {s.findtext(f"{SVG}title"): 100 * float(s.get("width")) / plot_width for s in first}
    assert shares.keys() == {"1. Bond: 4 Very often, 78%", "1. Bond: hidden (small counts), 22%"}
    assert [round(v, 1) for v in shares.values()] == [round(100 * 7 / 9, 1), round(100 * 2 / 9, 1)]
    # the hidden segment is grey and hatched, so it does not rely on colour
    hidden = [s for s in first if "hidden" in s.findtext(f"{SVG}title")][0]
    assert hidden.get("fill") == OKABE_ITO["grey"]
    textures = [t for t in root.iter(f"{SVG}rect") if t.get("class") == "texture"]
    assert {t.get("fill") for t in textures} == {"url(#t-hatch)"} and len(textures) == 12
    assert {s.get("fill") for s in segments} <= set(OKABE_ITO.values())
    ids = [e.get("id") for e in root.iter() if e.get("id")]
    assert ids and all(i.startswith("t-") for i in ids)  # unique on a page with other charts


def test_a_withheld_row_is_written_out_instead_of_drawn(tmp_path, alliance):
    from coursekit.cohort.report import distribution_chart

    class_of(tmp_path, alliance, 4, value=4)
    summary = summarise(alliance, read_class(tmp_path, "alliance", alliance))
    root = parse_svg(distribution_chart(summary.items, summary, title="Items", ylabel="Item", name="w"))
    assert marks(root, "rect", "segment") == []
    assert texts(root, "note") == ["withheld: fewer than 5 students"] * 12


def test_long_scales_dot_the_colours_they_reuse(tmp_path, alliance):
    from dataclasses import replace

    from coursekit.cohort.report import scale_fills

    class_of(tmp_path, alliance, 5)
    summary = summarise(alliance, read_class(tmp_path, "alliance", alliance))
    nine = replace(summary, scale_points=tuple(range(1, 10)), scale_labels=tuple(map(str, range(1, 10))))
    fills = scale_fills(nine)
    drawn = [(f.colour, f.texture) for f in fills]
    assert len(set(drawn)) == len(drawn) == 10  # nine points and the hidden fill, all told apart
    assert [f.texture for f in fills] == [""] * 7 + ["dots"] * 2 + ["hatch"]


def test_standing_chart_places_means_on_the_answer_scale(tmp_path, alliance):
    from coursekit.cohort.report import standing_chart

    class_of(tmp_path, alliance, 5, value=4)
    summary = summarise(alliance, read_class(tmp_path, "alliance", alliance))
    root = parse_svg(standing_chart(summary))
    assert texts(root, "xlabel") == ["Average answer per item"] and texts(root, "title")
    assert texts(root, "row-label") == ["Bond", "Goals", "Tasks", "Total"]  # top to bottom
    ticks = {"".join(t.itertext()): float(t.get("x")) for t in root.iter(f"{SVG}text")
             if t.findall(f"{SVG}tspan")}
    assert list(ticks) == ["1Rarely", "2Occasionally", "3Often", "4Very often", "5Almost always"]

    def answer(x: float) -> float:  # back from the page to the answer scale, to the drawn precision
        return round(1 + (x - ticks["1Rarely"]) / (ticks["2Occasionally"] - ticks["1Rarely"]), 2)

    means = marks(root, "circle", "mean")
    assert [answer(float(c.get("cx"))) for c in means] == [4.0] * 4  # every answer 4
    assert [float(c.get("cy")) for c in means] == sorted(float(c.get("cy")) for c in means)
    references = marks(root, "line", "reference")
    assert {answer(float(r.get("x1"))) for r in references} == {3.0}  # midpoints 12/4, 36/12
    spreads = marks(root, "line", "spread")
    assert all(s.get("x1") == s.get("x2") for s in spreads) and len(spreads) == 4  # SD 0
    assert texts(root, "annotation") == ["mean 16 of 20"] * 3 + ["mean 48 of 60"]


def test_the_cohort_modules_load_no_plotting_or_nbgrader_on_import():
    code = ("import json, sys, coursekit.cohort.summary, coursekit.cohort.report, "
            "coursekit.grading.simulate; "
            "print(json.dumps(sorted(sys.modules)))")
    loaded = json.loads(subprocess.check_output([sys.executable, "-c", code], text=True))
    assert [m for m in ("matplotlib", "nbgrader", "nbformat", "tqdm") if m in loaded] == []


# --- "did not happen" --------------------------------------------------------------


def _class_with_did_not_happen(course: Path, alliance, n: int, skipped: int) -> None:
    """n students answering 4 throughout; the first `skipped` answer bond_3 "did not happen"."""
    from coursekit.content.instruments import NOT_APPLICABLE

    for i in range(n):
        answers = complete_answers(alliance, 4)
        if i < skipped:
            answers["bond_3"] = NOT_APPLICABLE
        submit(course, f"s{i:02d}", alliance, answers)


def test_did_not_happen_is_counted_apart_and_never_as_a_value(tmp_path, alliance, capsys):
    _class_with_did_not_happen(tmp_path, alliance, 10, 5)
    page, rows, _ = report(tmp_path, tmp_path / "out", capsys)
    # answered, so the files are complete
    assert csv_value(rows, "completion", "answer_files", "complete") == "10"
    assert csv_value(rows, "item", "bond_3", "n") == "10"
    assert csv_value(rows, "item", "bond_3", "did_not_happen") == "5"
    assert csv_value(rows, "item", "bond_3", "4 Very often") == "5"
    # the mean of the five ratings: as a 0 it would read 2.0, as a 6 (past the scale) 5.0
    assert csv_value(rows, "item", "bond_3", "mean") == "4.0"
    # a bond total needs a rating of every bond item; the other scales keep everyone
    assert csv_value(rows, "standing", "bond", "n") == "5"
    assert csv_value(rows, "standing", "bond", "mean") == "16.0"
    assert csv_value(rows, "standing", "goals", "n") == "10"
    # only items that offer the choice have the category
    assert not [r for r in rows if r[1] == "bond_1" and r[3] == "did_not_happen"]
    assert "<th>did not happen</th>" in page and "<td>–</td>" in page
    assert "Dotted grey: students for whom it did not happen" in page


def test_a_small_did_not_happen_count_is_hidden_and_its_scale_withheld_whole(tmp_path, alliance, capsys):
    _class_with_did_not_happen(tmp_path, alliance, 10, 2)
    _, rows, _ = report(tmp_path, tmp_path / "out", capsys)
    assert csv_value(rows, "item", "bond_3", "did_not_happen") == LT5
    # bond's number of students (8) against the class (10) would give the 2 away
    for key in ("bond", "total"):
        assert csv_value(rows, "standing", key, "n") == HIDDEN
        assert csv_value(rows, "standing", key, "mean") == "withheld"
    assert csv_value(rows, "standing", "goals", "n") == "10"
    assert csv_value(rows, "standing", "goals", "mean") == "16.0"
    # the row itself leaves the 2 open: it and the hidden zero beside it (the answer next to
    # it, the top of the scale) could be 2 and 0, or 1 and 1
    assert csv_value(rows, "item", "bond_3", "5 Almost always") == LT5
    assert csv_value(rows, "item", "bond_3", "1 Rarely") == "0"
    assert not any(r[4] in {"1", "2", "3", "4"} and r[3] not in {"mean", "sd", "reference"}
                   and not r[3].startswith("range") for r in rows), "a count of 1-4 was written"


def test_the_item_chart_draws_did_not_happen_as_its_own_segment(tmp_path, alliance):
    from coursekit.cohort.report import distribution_chart

    _class_with_did_not_happen(tmp_path, alliance, 10, 5)
    summary = summarise(alliance, read_class(tmp_path, "alliance", alliance))
    root = parse_svg(distribution_chart(summary.items, summary, title="Items", ylabel="Item", name="t"))
    tips = [el.findtext("{http://www.w3.org/2000/svg}title") or "" for el in root.iter()]
    assert any("did not happen, 50%" in tip for tip in tips)


def test_a_zero_did_not_happen_is_not_the_cell_hidden_beside_a_small_count():
    from coursekit.cohort.suppression import show_row

    # one student answered 1; the cell hidden beside it is the smallest other answer, not the
    # empty "did not happen", so no scale has to be withheld for it
    row = show_row([1, 6, 7, 8, 9, 0], points=[1, 2, 3, 4, 5])
    assert row.cells == (LT5, HIDDEN, 7, 8, 9, 0)
    # without the choice, nothing changes
    assert show_row([1, 6, 7, 8, 9], points=[1, 2, 3, 4, 5]).cells == (LT5, HIDDEN, 7, 8, 9)
    # a small "did not happen" itself is hidden, with the answer beside it (the top of the scale)
    assert show_row([5, 6, 7, 8, 9, 2], points=[1, 2, 3, 4, 5]).cells == (5, 6, 7, 8, HIDDEN, LT5)


def test_a_coarse_mean_beside_hidden_counts_leaves_did_not_happen_out():
    from coursekit.cohort.suppression import show_row

    # eleven ratings (a 1, a 2, nine 4s) and five "did not happen": the mean is of the ratings
    # (39 / 11 = 3.55, to the nearest 0.5: 3.5), not of sixteen answers
    row = show_row([1, 1, 0, 9, 0, 5], points=[1, 2, 3, 4, 5])
    assert row.cells == (LT5, LT5, 0, 9, 0, 5) and (row.mean, row.mean_step) == (3.5, 0.5)


def test_scales_keep_their_figures_when_nobody_chose_did_not_happen(tmp_path, alliance):
    class_of(tmp_path, alliance, 9, value=4)
    submit(tmp_path, "low", alliance, complete_answers(alliance, 1))  # a small count on every item
    summary = summarise(alliance, read_class(tmp_path, "alliance", alliance))
    bond_3 = next(row for row in summary.items if row.key == "bond_3")
    assert bond_3.cells is not None and bond_3.cells[-1] == 0
    assert all(s.n == 10 for s in summary.standings)
