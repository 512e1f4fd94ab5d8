"""A cohort report as files: a self-contained HTML page and a CSV of the same numbers.

Renders a ``coursekit.cohort.summary.CohortSummary`` and nothing else, so everything
it can show has already passed the anonymity rules there (no ids, no free
text, no group or count below five). The page has its figures inline as SVG,
its styles inline, no scripts and no links to anything outside itself, so it
can be mailed or archived as one file. Its charts are written as SVG by
``coursekit.cohort.charts``, without matplotlib.
"""

from __future__ import annotations

import csv
import html
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from string import Template

from coursekit.cohort.charts import BarRow, DotRow, Fill, dot_whisker, stacked_bars
from coursekit.cohort.summary import LT5, MIN_GROUP, POSITIONS, STATUSES, CohortSummary, Row, Shown
from coursekit.palette import OKABE_ITO

TEMPLATE = Path(__file__).parent / "templates" / "cohort_report.html"
WITHHELD = "withheld"
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
    band_names = _point_names(summary)
    for standing in summary.standings:
        rows += _row_cells("band", standing.bands, band_names, with_n=False)
    for item in summary.items:
        rows += _row_cells("item", item, band_names)
        rows.append(["item", item.key, item.label, "mean", _number(item.mean)])
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


# --- HTML ------------------------------------------------------------------------


def render_html(summary: CohortSummary, *, generated: date | None = None) -> str:
    """The whole page as a string."""
    title = f"Cohort report: {summary.title} (module {summary.module})"
    when = (generated or date.today()).isoformat()
    body = "\n".join([
        _intro(),
        _completion_section(summary),
        _standing_section(summary),
        _bands_section(summary),
        _items_section(summary),
        _rules_section(),
    ])
    template = Template(TEMPLATE.read_text(encoding="utf-8"))
    return template.substitute(
        title=html.escape(title),
        generated=html.escape(f"Generated {when} by coursekit report, from the collected "
                              "answer files. Anonymous: aggregates only."),
        body=body,
    )


def _intro() -> str:
    return (
        '<p class="note">This report shows only counts, means and spreads for the class. '
        f"No names or ids and nothing students wrote appear in it, and no group or count "
        f"smaller than {MIN_GROUP} is shown: counts from 1 to 4 read &lt;5, and a group of "
        f"fewer than {MIN_GROUP} students is not broken down at all.</p>"
    )


def _completion_section(summary: CohortSummary) -> str:
    row = summary.completion
    lines = [f'<tr><td class="label">{html.escape(STATUS_TEXT[s])}</td><td>{_cell(c)}</td></tr>'
             for s, c in zip(STATUSES, row.cells or [WITHHELD] * len(STATUSES), strict=True)]
    return (
        "<h2>Completion</h2>"
        f"<p>Submissions collected: <strong>{_cell(summary.submitted)}</strong>.</p>"
        + ("" if row.cells is not None else _withheld_note(row))
        + '<table><thead><tr><th class="label">answer file</th><th>students</th></tr></thead>'
        f"<tbody>{''.join(lines)}</tbody></table>"
    )


def _standing_section(summary: CohortSummary) -> str:
    head = ("<tr><th class='label'>scale</th><th>students</th><th>mean</th><th>SD</th>"
            "<th>possible range</th><th>reference</th><th>below</th><th>at</th><th>above</th></tr>")
    lines = []
    for s in summary.standings:
        cells = s.position.cells or [WITHHELD] * 3
        lines.append(
            f"<tr><td class='label'>{html.escape(s.label)}</td><td>{_cell(s.n)}</td>"
            f"<td>{_number(s.mean)}</td><td>{_number(s.sd)}</td>"
            f"<td>{s.reference.minimum} to {s.reference.maximum}</td>"
            f"<td>{s.reference.value:g}<br><small>{html.escape(s.reference.label)}</small></td>"
            + "".join(f"<td>{_cell(c)}</td>" for c in cells) + "</tr>")
    if all(s.mean is None for s in summary.standings):
        figure = _nothing_to_draw([])
    else:
        figure = _figure(standing_chart(summary),
                         "Each dot is the class mean of a scale, drawn as the average answer per "
                         "item, with a bar of one standard deviation either side; the dashed line "
                         "is the reference figure.")
    return (
        "<h2>Where the class stands</h2>"
        f"<p>{html.escape(summary.reference_about)}</p>"
        f"{figure}<table><thead>{head}</thead><tbody>{''.join(lines)}</tbody></table>"
        "<p>Students counted: those who answered every item of the scale. Below, at and above "
        "compare each student's total with the reference figure.</p>"
    )


def _bands_section(summary: CohortSummary) -> str:
    rows = [s.bands for s in summary.standings]
    figure = _nothing_to_draw(rows) or _figure(distribution_chart(
        rows, summary, title="How the class answered, scale by scale",
        ylabel="Scale", name="bands"),
        "Share of students whose average answer on the scale is closest to each point. "
        "Hatched grey: counts hidden to protect small groups.")
    return ("<h2>Distribution of scale totals</h2>"
            "<p>Each student's total on a scale, divided by its number of items and rounded to "
            "the nearest answer (half up).</p>"
            + figure + _distribution_table(rows, summary, "scale"))


def _items_section(summary: CohortSummary) -> str:
    figure = _nothing_to_draw(summary.items) or _figure(distribution_chart(
        summary.items, summary, title="How the class answered, item by item", ylabel="Item",
        name="items"), "Share of students giving each answer, among those who answered the item. Hatched "
        "grey: counts hidden to protect small groups.")
    return ("<h2>Item by item</h2>" + figure
            + _distribution_table(summary.items, summary, "item", with_mean=True))


def _rules_section() -> str:
    return (
        "<h2>How small groups are protected</h2><ul>"
        f"<li>A group (the class, the students who answered an item, or who completed a scale) "
        f"smaller than {MIN_GROUP} is not broken down: its counts, mean and spread are withheld.</li>"
        f"<li>A count from 1 to 4 reads &lt;{MIN_GROUP}.</li>"
        "<li>Each row shows its total, so one more cell (the smallest, or more if needed) is "
        "hidden wherever a small count could otherwise be worked out by subtraction; a hidden "
        f"count of {MIN_GROUP} or more reads <em>hidden</em>.</li>"
        "<li>An item's mean is left out when any of its counts is hidden, since the mean and the "
        "total together would give the hidden counts away.</li>"
        "<li>A scale's figures are worked out from the same answers as its items, so together "
        "they could narrow down a hidden count. For every hidden count, coursekit finds a second, "
        "made-up class that gives exactly the figures on this page but a different count there, "
        "which shows the count cannot be worked out. Where it cannot find one, it leaves out the "
        "scale's positions and bands, and if need be its mean and spread as well.</li>"
        "<li>No minimum, maximum or percentile is reported; means and standard deviations are "
        "rounded to one decimal.</li></ul>"
    )


def _distribution_table(rows: Sequence[Row], summary: CohortSummary, what: str,
                        with_mean: bool = False) -> str:
    points = "".join(f"<th>{html.escape(name)}</th>" for name in _point_names(summary))
    head = (f"<tr><th class='label'>{what}</th><th>students</th>{points}"
            + ("<th>mean</th>" if with_mean else "") + "</tr>")
    lines = []
    for row in rows:
        label = html.escape(row.label + (f": {row.text}" if row.text else ""))
        if row.cells is None:
            body = (f"<td class='withheld' colspan='{len(summary.scale_points) + with_mean}'>"
                    f"{_withheld_text(row)}</td>")
        else:
            body = "".join(f"<td>{_cell(c)}</td>" for c in row.cells)
            if with_mean:
                body += f"<td>{_number(row.mean)}</td>"
        lines.append(f"<tr><td class='label'>{label}</td><td>{_cell(row.n)}</td>{body}</tr>")
    return f"<table><thead>{head}</thead><tbody>{''.join(lines)}</tbody></table>"


def _point_names(summary: CohortSummary) -> list[str]:
    """ "1 Rarely" for labelled scale points, "7" for bare ones."""
    return [f"{p} {lab}" if lab != str(p) else str(p)
            for p, lab in zip(summary.scale_points, summary.scale_labels, strict=True)]


def _cell(value: Shown) -> str:
    return html.escape(str(value))


def _withheld_text(row: Row) -> str:
    if row.n == 0:
        return "no answers"
    if row.n == LT5:
        return f"withheld: fewer than {MIN_GROUP} students"
    return "withheld: its small counts could not be protected"


def _nothing_to_draw(rows: Sequence[Row]) -> str:
    """A sentence in place of a chart whose every row is withheld; "" when there is something to draw."""
    if any(row.cells is not None or row.mean is not None for row in rows):
        return ""
    return ("<p><em>No chart: every figure below is withheld to protect small groups, so there "
            "is nothing that may be drawn.</em></p>")


def _withheld_note(row: Row) -> str:
    return f"<p><em>{_withheld_text(row)}.</em></p>"


# --- figures ---------------------------------------------------------------------

# An ordered reading of the Okabe-Ito palette for answer scales: warm for the
# low end, blue for the high end, yellow in the middle. Longer scales use the
# seven colours in order and repeat them dotted, so no two points look alike
# (hatching is kept for hidden counts).
SCALE_COLOURS = ("vermillion", "orange", "yellow", "sky_blue", "blue")
LONG_SCALE_COLOURS = ("vermillion", "orange", "yellow", "green", "sky_blue", "blue", "purple")
HIDDEN_LABEL = "hidden (small counts)"


def scale_fills(summary: CohortSummary) -> list[Fill]:
    """How each scale point is drawn, low to high, then the fill for pooled hidden counts."""
    names = _point_names(summary)
    k = len(names)
    if k <= len(SCALE_COLOURS):
        picks = [round(i * (len(SCALE_COLOURS) - 1) / max(k - 1, 1)) for i in range(k)]
        fills = [Fill(name, OKABE_ITO[SCALE_COLOURS[i]]) for name, i in zip(names, picks, strict=True)]
    else:
        n = len(LONG_SCALE_COLOURS)
        fills = [Fill(name, OKABE_ITO[LONG_SCALE_COLOURS[i % n]], "" if i < n else "dots")
                 for i, name in enumerate(names)]
    return [*fills, Fill(HIDDEN_LABEL, OKABE_ITO["grey"], "hatch")]


def distribution_chart(rows: Sequence[Row], summary: CohortSummary, *, title: str, ylabel: str,
                       name: str) -> str:
    """One stacked bar per row: the share of students at each scale point, as SVG.

    Suppressed cells are pooled into one hatched grey segment at the end of
    the bar (its width is the row total minus the shown cells, which the
    table shows anyway); withheld rows are labelled instead of drawn.
    """
    fills = scale_fills(summary)
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


def _figure(svg: str, caption: str) -> str:
    return f"<figure>{svg}<figcaption>{html.escape(caption)}</figcaption></figure>"


__all__ = ["csv_rows", "distribution_chart", "render_html", "scale_fills", "standing_chart",
           "write_report"]
