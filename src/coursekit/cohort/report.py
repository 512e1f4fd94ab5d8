"""A cohort report as files: a self-contained HTML page and a CSV of the same numbers.

Renders a ``coursekit.cohort.summary.CohortSummary`` and nothing else, so everything
it can show has already passed the anonymity rules there (no ids, no free
text, no group or count below five). The page has its figures inline as SVG,
its styles inline, no scripts and no links to anything outside itself, so it
can be mailed or archived as one file. Its charts are written as SVG by
``coursekit.cohort.charts``, without matplotlib. The page is
``templates/cohort_report.html``, rendered by Jinja2 with autoescape on.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from coursekit.cohort.charts import BarRow, DotRow, Fill, dot_whisker, stacked_bars
from coursekit.cohort.summary import POSITIONS, STATUSES, CohortSummary, Row
from coursekit.cohort.suppression import LT5, MEAN_STEPS, MIN_GROUP, Shown
from coursekit.pages import render
from coursekit.palette import OKABE_ITO

TEMPLATES = Path(__file__).parent / "templates"
WITHHELD = "withheld"
NOT_APPLICABLE = "did not happen"  # the column of an item's not-applicable choice
NOT_OFFERED = "–"  # that column, for an item that does not offer the choice
STATUS_TEXT = {
    "complete": "complete (every item answered)",
    "incomplete": "incomplete (some items unanswered)",
    "malformed": "malformed (the file could not be used)",
    "missing": "missing (no answers in the submission)",
}


def write_report(summary: CohortSummary, out_dir: str | Path, *, generated: date | None = None
                 ) -> tuple[Path, Path]:
    """Write ``<module>-cohort.html`` and ``<module>-cohort.csv`` into out_dir; return both paths."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    page = out / f"{summary.module}-cohort.html"
    table = out / f"{summary.module}-cohort.csv"
    page.write_text(render_html(summary, generated=generated), encoding="utf-8")
    with table.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["table", "key", "label", "category", "value"])
        writer.writerows(csv_rows(summary))
    return page, table


# --- CSV -------------------------------------------------------------------------


def csv_rows(summary: CohortSummary) -> list[list[str]]:
    """The report's numbers in long form: table, key, label, category, value.

    A suppressed count reads "<5" or "hidden"; a withheld group's cells read
    "withheld".
    """
    rows = _row_cells("completion", summary.completion, STATUSES)
    for standing in summary.standings:
        ref = standing.reference
        key, label = standing.key, standing.label
        rows += [
            ["standing", key, label, "n", _text(standing.n)],
            ["standing", key, label, "mean", _number(standing.mean)],
            ["standing", key, label, "sd", _number(standing.sd)],
            ["standing", key, label, "range_min", str(ref.minimum)],
            ["standing", key, label, "range_max", str(ref.maximum)],
            ["standing", key, label, "reference", f"{ref.value:g}"],
        ]
        rows += _row_cells("standing", standing.position, [f"{p}_reference" for p in POSITIONS],
                           with_n=False)
    for standing in summary.standings:
        rows += _row_cells("band", standing.bands, summary.band_labels, with_n=False)
    point_names = _point_names(summary)
    for item in summary.items:
        rows += _row_cells("item", item, point_names + ["did_not_happen"] * item.not_applicable)
        rows.append(["item", item.key, item.label, "mean", _number(item.mean)])
        # a mean next to hidden counts may be rounded more coarsely than to one decimal
        rows.append(["item", item.key, item.label, "mean_rounded_to", f"{item.mean_step:g}"])
    return rows


def _row_cells(table: str, row: Row, categories: Sequence[str], with_n: bool = True) -> list[list[str]]:
    out = [[table, row.key, row.label, "n", _text(row.n)]] if with_n else []
    cells: Sequence[Shown] = row.cells if row.cells is not None else [WITHHELD] * len(categories)
    out += [[table, row.key, row.label, cat, _text(cell)]
            for cat, cell in zip(categories, cells, strict=True)]
    return out


def _text(value: Shown) -> str:
    return str(value)


def _number(value: float | None) -> str:
    return WITHHELD if value is None else f"{value:.1f}"


def _mean(row: Row) -> str:
    """An item's mean as the page shows it: "3.4", or "≈3.5" when it is rounded to the
    nearest 0.2 or 0.5 to protect the hidden counts beside it."""
    if row.mean is None:
        return WITHHELD
    return f"{row.mean:.1f}" if row.mean_step == MEAN_STEPS[0] else f"\u2248{row.mean:.1f}"


# --- HTML ------------------------------------------------------------------------


def render_html(summary: CohortSummary, *, generated: date | None = None) -> str:
    """The whole page as a string (templates/cohort_report.html, escaped by Jinja2's autoescape)."""
    completion = summary.completion
    standings = summary.standings
    return render(
        TEMPLATES, "cohort_report.html",
        title=f"Cohort report: {summary.title} (module {summary.module})",
        generated=(generated or date.today()).isoformat(),
        min_group=MIN_GROUP,
        submitted=summary.submitted,
        completion={
            "withheld": None if completion.cells is not None else _withheld_text(completion),
            "rows": list(zip((STATUS_TEXT[s] for s in STATUSES),
                             completion.cells or [WITHHELD] * len(STATUSES), strict=True)),
        },
        reference_about=summary.reference_about,
        standing={
            "chart": None if all(s.mean is None for s in standings) else _chart(
                standing_chart(summary),
                "Each dot is the class mean of a scale, drawn as the average answer per item, with "
                "a bar of one standard deviation either side; the dashed line is the reference figure."),
            "rows": [{"label": s.label, "n": s.n, "mean": _number(s.mean), "sd": _number(s.sd),
                      "minimum": s.reference.minimum, "maximum": s.reference.maximum,
                      "reference": f"{s.reference.value:g}", "reference_label": s.reference.label,
                      "positions": s.position.cells or [WITHHELD] * len(POSITIONS)}
                     for s in standings],
        },
        coarse_means=[f"{step:g}" for step in MEAN_STEPS[1:]],
        bands=_distribution(
            [s.bands for s in standings], summary, "scale", summary.band_labels,
            lambda rows: distribution_chart(rows, summary, title="How the class answered, scale by scale",
                                            ylabel="Scale", name="bands", names=summary.band_labels),
            "Share of students whose average answer on the scale is closest to the low end, the "
            "middle or the high end of the scale. Hatched grey: counts hidden to protect small "
            "groups."),
        items=_distribution(
            summary.items, summary, "item", _point_names(summary),
            lambda rows: distribution_chart(rows, summary, title="How the class answered, item by item",
                                            ylabel="Item", name="items"),
            "Share of students giving each answer, among those who answered the item. Hatched "
            "grey: counts hidden to protect small groups." + (
                " Dotted grey: students for whom it did not happen, counted apart and left out "
                "of the mean." if _offers_not_applicable(summary.items) else ""), with_mean=True),
    )


def _distribution(rows: Sequence[Row], summary: CohortSummary, what: str, names: Sequence[str],
                  draw: Callable[[Sequence[Row]], str], caption: str,
                  with_mean: bool = False) -> dict[str, Any]:
    """A table of counts per category, scale point or band (and its chart, unless every row is
    withheld)."""
    drawable = any(row.cells is not None or row.mean is not None for row in rows)
    extra = [NOT_APPLICABLE] if _offers_not_applicable(rows) else []
    return {
        "what": what,
        "names": list(names),
        "with_mean": with_mean,
        "extra": extra,  # columns after the scale points
        "columns": len(names) + len(extra) + with_mean,  # what a withheld row spans
        "chart": _chart(draw(rows), caption) if drawable else None,
        "rows": [{"label": row.label + (f": {row.text}" if row.text else ""), "n": row.n,
                  "withheld": _withheld_text(row) if row.cells is None else None,
                  "cells": None if row.cells is None else
                  [*row.cells, *([NOT_OFFERED] * (len(extra) - row.not_applicable))],
                  "mean": _mean(row)}
                 for row in rows],
    }


def _offers_not_applicable(rows: Sequence[Row]) -> bool:
    return any(row.not_applicable for row in rows)


def _chart(svg: str, caption: str) -> dict[str, str]:
    return {"svg": svg, "caption": caption}


def _point_names(summary: CohortSummary) -> list[str]:
    """ "1 Rarely" for labelled scale points, "7" for bare ones."""
    return [f"{p} {lab}" if lab != str(p) else str(p)
            for p, lab in zip(summary.scale_points, summary.scale_labels, strict=True)]


def _withheld_text(row: Row) -> str:
    if row.n == 0:
        return "no answers"
    if row.n == LT5:
        return f"withheld: fewer than {MIN_GROUP} students"
    return "withheld: its small counts could not be protected"


# --- figures ---------------------------------------------------------------------

# An ordered reading of the Okabe-Ito palette for answer scales: warm for the
# low end, blue for the high end, yellow in the middle. Longer scales use the
# seven colours in order and repeat them dotted, so no two points look alike
# (hatching is kept for hidden counts).
SCALE_COLOURS = ("vermillion", "orange", "yellow", "sky_blue", "blue")
LONG_SCALE_COLOURS = ("vermillion", "orange", "yellow", "green", "sky_blue", "blue", "purple")
HIDDEN_LABEL = "hidden (small counts)"


def scale_fills(summary: CohortSummary, names: Sequence[str] | None = None, *,
                not_applicable: bool = False) -> list[Fill]:
    """How each scale point (or each of ``names``, such as the bands) is drawn, low to high,
    then (with ``not_applicable``) the fill of "did not happen", then the fill for pooled
    hidden counts."""
    names = list(names) if names is not None else _point_names(summary)
    k = len(names)
    if k <= len(SCALE_COLOURS):
        picks = [round(i * (len(SCALE_COLOURS) - 1) / max(k - 1, 1)) for i in range(k)]
        fills = [Fill(name, OKABE_ITO[SCALE_COLOURS[i]]) for name, i in zip(names, picks, strict=True)]
    else:
        n = len(LONG_SCALE_COLOURS)
        fills = [Fill(name, OKABE_ITO[LONG_SCALE_COLOURS[i % n]], "" if i < n else "dots")
                 for i, name in enumerate(names)]
    if not_applicable:  # no answer on the scale: grey like the hidden counts, dotted not hatched
        fills.append(Fill(NOT_APPLICABLE, OKABE_ITO["grey"], "dots"))
    return [*fills, Fill(HIDDEN_LABEL, OKABE_ITO["grey"], "hatch")]


def distribution_chart(rows: Sequence[Row], summary: CohortSummary, *, title: str, ylabel: str,
                       name: str, names: Sequence[str] | None = None) -> str:
    """One stacked bar per row: the share of students at each scale point, as SVG.

    Suppressed cells are pooled into one hatched grey segment at the end of
    the bar (its width is the row total minus the shown cells, which the
    table shows anyway); withheld rows are labelled instead of drawn.
    """
    # the scale's points, unless other categories are named
    fills = scale_fills(summary, names, not_applicable=_offers_not_applicable(rows))
    hidden = len(fills) - 1
    bars = []
    for row in rows:
        if row.cells is None or not isinstance(row.n, int):
            bars.append(BarRow(row.label, note=_withheld_text(row)))
            continue
        segments = [(k, 100 * cell / row.n) for k, cell in enumerate(row.cells)
                    if isinstance(cell, int) and cell]
        shown = sum(share for _, share in segments)
        if shown < 99.999:
            segments.append((hidden, 100 - shown))
        bars.append(BarRow(row.label, tuple(segments)))
    return stacked_bars(bars, fills, title=title, xlabel="Share of students (%)", ylabel=ylabel,
                        name=name)


def standing_chart(summary: CohortSummary, *, name: str = "standing") -> str:
    """Class mean (± 1 SD) of each scale against its reference, as average answer per item, as SVG."""
    lo, hi = summary.scale_points[0], summary.scale_points[-1]
    rows = []
    for s in summary.standings:
        reference = s.reference.value / s.n_items
        if s.mean is None or s.sd is None:
            note = ("no answers" if s.n == 0 else f"withheld (fewer than {MIN_GROUP} students)"
                    if s.n == LT5 else "withheld: these figures could give small counts away")
            rows.append(DotRow(s.label, reference, note=note))
            continue
        mean, sd = s.mean / s.n_items, s.sd / s.n_items
        rows.append(DotRow(s.label, reference, mean=mean, spread=(max(lo, mean - sd), min(hi, mean + sd)),
                           annotation=f"mean {s.mean:g} of {s.reference.maximum}"))
    ticks = [(p, name.replace(" ", "\n", 1)) for p, name in
             zip(summary.scale_points, _point_names(summary), strict=True)]
    return dot_whisker(rows, x_min=lo, x_max=hi + 0.6, ticks=ticks, track=(lo, hi),
                       title="Where the class stands against the reference",
                       xlabel="Average answer per item", ylabel="Scale", name=name)


__all__ = ["csv_rows", "distribution_chart", "render_html", "scale_fills", "standing_chart",
           "write_report"]
