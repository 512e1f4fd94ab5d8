"""A cohort report as files: a self-contained HTML page and a CSV of the same numbers.

Renders a ``coursekit.cohort.CohortSummary`` and nothing else, so everything
it can show has already passed the anonymity rules there (no ids, no free
text, no group or count below five). The page has its figures inline as SVG,
its styles inline, no scripts and no links to anything outside itself, so it
can be mailed or archived as one file. matplotlib is imported only when
figures are drawn.
"""

from __future__ import annotations

import csv
import html
import io
import math
import re
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from string import Template
from typing import TYPE_CHECKING

from coursekit.cohort import LT5, MIN_GROUP, POSITIONS, STATUSES, CohortSummary, Row, Shown

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

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
    figure = _figure(standing_figure(summary), "standing",
                     "Each dot is the class mean of a scale, drawn as the average answer per item, "
                     "with a bar of one standard deviation either side; the dashed line is the "
                     "reference figure.")
    return (
        "<h2>Where the class stands</h2>"
        f"<p>{html.escape(summary.reference_about)}</p>"
        f"{figure}<table><thead>{head}</thead><tbody>{''.join(lines)}</tbody></table>"
        "<p>Students counted: those who answered every item of the scale. Below, at and above "
        "compare each student's total with the reference figure.</p>"
    )


def _bands_section(summary: CohortSummary) -> str:
    rows = [s.bands for s in summary.standings]
    figure = _figure(distribution_figure(
        rows, summary, title="How the class answered, scale by scale",
        ylabel="Scale"), "bands", "Share of students whose average answer on the scale is closest to each "
        "point. Hatched grey: counts hidden to protect small groups.")
    return ("<h2>Distribution of scale totals</h2>"
            "<p>Each student's total on a scale, divided by its number of items and rounded to "
            "the nearest answer (half up).</p>"
            + figure + _distribution_table(rows, summary, "scale"))


def _items_section(summary: CohortSummary) -> str:
    figure = _figure(distribution_figure(
        summary.items, summary, title="How the class answered, item by item", ylabel="Item"),
        "items", "Share of students giving each answer, among those who answered the item. Hatched "
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


def _short(label: str, width: int = 20) -> str:
    # figure labels only; the tables give them in full
    return label if len(label) <= width else label[: width - 1].rstrip() + "…"


def _cell(value: Shown) -> str:
    return html.escape(str(value))


def _withheld_text(row: Row) -> str:
    if row.n == 0:
        return "no answers"
    if row.n == LT5:
        return f"withheld: fewer than {MIN_GROUP} students"
    return "withheld: its small counts could not be protected"


def _withheld_note(row: Row) -> str:
    return f"<p><em>{_withheld_text(row)}.</em></p>"


# --- figures ---------------------------------------------------------------------

# An ordered reading of the Okabe-Ito palette for answer scales: warm for the
# low end, blue for the high end, yellow in the middle. Longer scales use the
# seven colours in order and repeat them dotted, so no two points look alike
# (hatching "///" is kept for hidden counts).
SCALE_COLOURS = ("vermillion", "orange", "yellow", "sky_blue", "blue")
LONG_SCALE_COLOURS = ("vermillion", "orange", "yellow", "green", "sky_blue", "blue", "purple")


def _new_figure(width: float, height: float, left: float = 0.2, bottom: float = 1.05) -> Figure:
    from matplotlib.figure import Figure

    # Fixed margins (in inches for top and bottom) rather than a layout engine:
    # constrained layout doubles the drawing time, which dominates a report.
    fig = Figure(figsize=(width, height))
    fig.subplots_adjust(left=left, right=0.97, top=1 - 0.45 / height, bottom=bottom / height)
    return fig


def _scale_styles(k: int) -> list[tuple[str, str]]:
    """(colour, hatch) for each of k scale points, low to high."""
    from coursekit.plots import OKABE_ITO

    if k <= len(SCALE_COLOURS):
        picks = [round(i * (len(SCALE_COLOURS) - 1) / max(k - 1, 1)) for i in range(k)]
        return [(OKABE_ITO[SCALE_COLOURS[i]], "") for i in picks]
    n = len(LONG_SCALE_COLOURS)
    return [(OKABE_ITO[LONG_SCALE_COLOURS[i % n]], "" if i < n else "..") for i in range(k)]


def distribution_figure(rows: Sequence[Row], summary: CohortSummary, *, title: str,
                        ylabel: str) -> Figure:
    """One stacked bar per row: the share of students at each scale point.

    Suppressed cells are pooled into one hatched grey segment at the end of
    the bar (its width is the row total minus the shown cells, which the
    table shows anyway); withheld rows are labelled instead of drawn.
    """
    from matplotlib.patches import Patch

    from coursekit.plots import OKABE_ITO

    styles = _scale_styles(len(summary.scale_points))
    legend_rows = math.ceil((len(styles) + 1) / 6)
    fig = _new_figure(8.5, 0.32 * len(rows) + 1.7 + 0.3 * legend_rows,
                      bottom=0.8 + 0.25 * legend_rows, left=0.2)
    ax = fig.add_subplot()
    positions = list(range(len(rows)))[::-1]  # first row on top
    labels = _point_names(summary)
    # (row position, width, left) of every segment, gathered per colour so each
    # colour is one barh call: drawing cost grows with calls, not bars
    segments: list[list[tuple[int, float, float]]] = [[] for _ in summary.scale_points]
    hidden: list[tuple[int, float, float]] = []
    for pos, row in zip(positions, rows, strict=True):
        if row.cells is None or not isinstance(row.n, int):
            ax.text(1, pos, _withheld_text(row), va="center", fontsize=8, style="italic")
            continue
        left = 0.0
        for k, cell in enumerate(row.cells):
            if isinstance(cell, int) and cell:
                segments[k].append((pos, 100 * cell / row.n, left))
                left += 100 * cell / row.n
        if left < 99.999:
            hidden.append((pos, 100 - left, left))
    for k, bars in enumerate(segments):
        if bars:
            ys, widths, lefts = zip(*bars, strict=True)
            ax.barh(ys, widths, left=lefts, height=0.7, color=styles[k][0], hatch=styles[k][1],
                    edgecolor=OKABE_ITO["black"], linewidth=0.5)
    if hidden:
        ys, widths, lefts = zip(*hidden, strict=True)
        ax.barh(ys, widths, left=lefts, height=0.7, color=OKABE_ITO["grey"], hatch="///",
                edgecolor=OKABE_ITO["black"], linewidth=0.5)
    ax.set_xlim(0, 100)
    ax.set_ylim(-0.6, len(rows) - 0.4)
    ax.set_yticks(positions, [_short(row.label) for row in rows])
    ax.set_xlabel("Share of students (%)")
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    handles = [Patch(facecolor=colour, hatch=hatch, edgecolor=OKABE_ITO["black"], label=label)
               for (colour, hatch), label in zip(styles, labels, strict=True)]
    handles.append(Patch(facecolor=OKABE_ITO["grey"], hatch="///", edgecolor=OKABE_ITO["black"],
                         label="hidden (small counts)"))
    fig.legend(handles=handles, loc="lower center", bbox_to_anchor=(0.5, 0.0),
               ncols=min(6, len(handles)), fontsize=8, frameon=False)
    return fig


def standing_figure(summary: CohortSummary) -> Figure:
    """Class mean (± 1 SD) of each scale against its reference, as average answer per item."""
    from matplotlib.lines import Line2D

    from coursekit.plots import OKABE_ITO

    standings = summary.standings
    fig = _new_figure(8.5, 0.55 * len(standings) + 2.2, left=0.2, bottom=1.3)
    ax = fig.add_subplot()
    lo, hi = summary.scale_points[0], summary.scale_points[-1]
    positions = list(range(len(standings)))[::-1]
    # one call per kind of mark (tracks, references, spreads, means): cheaper to draw
    ax.barh(positions, [hi - lo] * len(standings), left=lo, height=0.5, color=OKABE_ITO["grey"],
            alpha=0.25)
    refs = [s.reference.value / s.n_items for s in standings]
    ax.vlines(refs, [p - 0.35 for p in positions], [p + 0.35 for p in positions],
              colors=OKABE_ITO["black"], linestyles="--", linewidth=1.5)
    shown = [(pos, s) for pos, s in zip(positions, standings, strict=True)
             if s.mean is not None and s.sd is not None]
    for pos, s in zip(positions, standings, strict=True):
        if s.mean is None or s.sd is None:
            ax.text(lo + 0.05, pos, f"withheld (fewer than {MIN_GROUP} students)"
                    if s.n != 0 else "no answers", va="center", fontsize=8, style="italic")
    if shown:
        means = [float(s.mean or 0) / s.n_items for _, s in shown]
        sds = [float(s.sd or 0) / s.n_items for _, s in shown]
        ys = [pos for pos, _ in shown]
        ax.hlines(ys, [max(lo, m - d) for m, d in zip(means, sds, strict=True)],
                  [min(hi, m + d) for m, d in zip(means, sds, strict=True)],
                  colors=OKABE_ITO["blue"], linewidth=3)
        ax.plot(means, ys, marker="o", markersize=9, color=OKABE_ITO["vermillion"],
                markeredgecolor=OKABE_ITO["black"], linestyle="none")
        for (pos, s), m, d in zip(shown, means, sds, strict=True):
            ax.text(min(hi, m + d) + 0.05, pos + 0.18, f"mean {s.mean:g} of {s.reference.maximum}",
                    fontsize=8, va="bottom")
    handles = [
        Line2D([], [], marker="o", color=OKABE_ITO["vermillion"], markeredgecolor=OKABE_ITO["black"],
               linestyle="none", label="class mean"),
        Line2D([], [], color=OKABE_ITO["blue"], linewidth=3, label="± 1 standard deviation"),
        Line2D([], [], color=OKABE_ITO["black"], linestyle="--", label="reference"),
    ]
    ax.set_xlim(lo, hi + 0.6)
    ax.set_ylim(-0.6, len(standings) - 0.4)
    ax.set_xticks(list(summary.scale_points), [name.replace(" ", "\n", 1) for name in _point_names(summary)])
    ax.set_yticks(positions, [_short(s.label) for s in standings])
    ax.set_xlabel("Average answer per item")
    ax.set_ylabel("Scale")
    ax.set_title("Where the class stands against the reference")
    ax.grid(axis="x", alpha=0.3)
    fig.legend(handles=handles, loc="lower center", bbox_to_anchor=(0.5, 0.0), ncols=3, fontsize=8,
               frameon=False)
    return fig


def _figure(fig: Figure, name: str, caption: str) -> str:
    return f"<figure>{figure_svg(fig, name)}<figcaption>{html.escape(caption)}</figcaption></figure>"


def figure_svg(fig: Figure, name: str = "figure") -> str:
    """The figure as an inline <svg> element: text kept as text, stable ids, no date."""
    import matplotlib

    buffer = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "coursekit"}):
        fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    svg = buffer.getvalue()
    svg = svg[svg.find("<svg"):]
    # Ids inside one SVG are only unique within it; prefix them so that
    # several figures on one page cannot refer to each other's definitions.
    prefix = f"{name}-"
    svg = re.sub(r'id="([^"]+)"', rf'id="{prefix}\1"', svg)
    svg = re.sub(r'(href="|url\()#', rf"\1#{prefix}", svg)
    title = _axes_title(fig)
    # role and label let screen readers announce the figure by its title
    return re.sub(r"^<svg ", f'<svg role="img" aria-label="{html.escape(title)}" ', svg, count=1)


def _axes_title(fig: Figure) -> str:
    axes: list[Axes] = fig.get_axes()
    return axes[0].get_title() if axes else "figure"


__all__ = ["csv_rows", "distribution_figure", "figure_svg", "render_html", "standing_figure",
           "write_report"]
