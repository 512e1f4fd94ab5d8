"""The cohort report's charts, written directly as SVG.

Students' figures are matplotlib Figures (``coursekit.student.plots``), shown in a
notebook. The instructor's report is a web page, and its charts are two simple
kinds, stacked share bars and means with a spread against a reference, so they
are written here as SVG text: a few milliseconds instead of the second that
importing matplotlib and rendering three figures cost, which was most of a
report's time even for 10,000 students. The output is plain, deterministic
SVG with real text (searchable, read by screen readers) and no scripts.

Each chart takes plain rows and returns one ``<svg>`` element as a string.
Every mark carries a class (``segment``, ``mean``, ``spread``, ``reference``)
and a ``<title>`` that a browser shows as a tooltip, so a reader can hover a
bar for its exact share. Colours are Okabe-Ito; nothing relies on colour
alone (hidden counts are hatched, the points of long scales beyond the
seventh are dotted, means and references differ in shape).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from coursekit.palette import OKABE_ITO

WIDTH = 820
LEFT = 200  # room for the axis label and the row labels
RIGHT = 24
TOP = 46  # room for the title
ROW = 26  # one row of bars
BAR = 18
AXIS = 62  # tick labels and the axis label under the plot
LEGEND_ROW = 22
FONT = 12
CHAR = 7.0  # a generous width of one character at FONT, for laying out the legend
LABEL_CHARS = 26  # row labels are cut to this; the tables beside the charts give them in full
INK = OKABE_ITO["black"]
GRID = "#d0d0d0"
TEXTURES = ("", "hatch", "dots")


@dataclass(frozen=True)
class Fill:
    """How one category is drawn: its colour, an optional texture, its legend label."""

    label: str
    colour: str
    texture: str = ""  # "", "hatch" or "dots"

    def __post_init__(self) -> None:
        if self.texture not in TEXTURES:
            raise ValueError(f"unknown texture {self.texture!r}: use one of {TEXTURES}")


@dataclass(frozen=True)
class BarRow:
    """One stacked bar: (fill index, share in percent) segments, left to right.

    A row with a ``note`` is not drawn; the note is written in its place.
    """

    label: str
    segments: tuple[tuple[int, float], ...] = ()
    note: str = ""


@dataclass(frozen=True)
class DotRow:
    """One scale: its mean, a spread (low, high) around it and a reference, on the answer axis.

    A row whose mean is None is not drawn; its ``note`` is written instead.
    """

    label: str
    reference: float
    mean: float | None = None
    spread: tuple[float, float] | None = None
    annotation: str = ""
    note: str = ""


def stacked_bars(rows: Sequence[BarRow], fills: Sequence[Fill], *, title: str, xlabel: str,
                 ylabel: str, name: str) -> str:
    """Horizontal 100% bars, first row on top, with a legend of every fill underneath."""
    plot = _Plot(len(rows), x_min=0.0, x_max=100.0)
    marks: list[str] = []
    for tick in range(0, 101, 20):
        marks.append(plot.grid(tick, f"{tick}"))
    for pos, row in enumerate(rows):
        marks.append(plot.row_label(pos, row.label))
        if row.note:
            marks.append(plot.note(pos, row.note))
            continue
        left = 0.0
        for index, share in row.segments:
            fill = fills[index]
            tip = f"{row.label}: {fill.label}, {share:.0f}%"
            marks.append(plot.bar(pos, left, left + share, fill, tip, name))
            left += share
    legend = [("swatch", fill) for fill in fills]
    return _svg(name, title, plot, marks, xlabel, ylabel, legend)


def dot_whisker(rows: Sequence[DotRow], *, x_min: float, x_max: float,
                ticks: Sequence[tuple[float, str]], track: tuple[float, float], title: str,
                xlabel: str, ylabel: str, name: str) -> str:
    """Each row's mean as a dot, its spread as a bar and its reference as a dashed line.

    ``track`` is the possible range, drawn as a pale band behind every row;
    a tick label may hold a line break.
    """
    plot = _Plot(len(rows), x_min=x_min, x_max=x_max)
    marks: list[str] = [plot.grid(value, label) for value, label in ticks]
    blue, vermillion, grey = OKABE_ITO["blue"], OKABE_ITO["vermillion"], OKABE_ITO["grey"]
    for pos, row in enumerate(rows):
        marks.append(plot.row_label(pos, row.label))
        y = plot.y(pos)
        x0, x1 = plot.x(track[0]), plot.x(track[1])
        marks.append(f'<rect class="track" x="{x0:.1f}" y="{y - BAR * 0.35:.1f}" '
                     f'width="{x1 - x0:.1f}" height="{BAR * 0.7:.1f}" fill="{grey}" '
                     'fill-opacity="0.25"/>')
        ref = plot.x(row.reference)
        marks.append(f'<line class="reference" x1="{ref:.1f}" x2="{ref:.1f}" y1="{y - BAR * 0.6:.1f}" '
                     f'y2="{y + BAR * 0.6:.1f}" stroke="{INK}" stroke-width="1.5" '
                     f'stroke-dasharray="5 3"><title>{_t(row.label)}: reference '
                     f'{row.reference:.2f}</title></line>')
        if row.mean is None:
            marks.append(plot.note(pos, row.note))
            continue
        if row.spread is not None:
            a, b = plot.x(row.spread[0]), plot.x(row.spread[1])
            marks.append(f'<line class="spread" x1="{a:.1f}" x2="{b:.1f}" y1="{y:.1f}" y2="{y:.1f}" '
                         f'stroke="{blue}" stroke-width="4"/>')
        end = plot.x(row.spread[1] if row.spread else row.mean)
        marks.append(f'<circle class="mean" cx="{plot.x(row.mean):.1f}" cy="{y:.1f}" r="6" '
                     f'fill="{vermillion}" stroke="{INK}"><title>{_t(row.label)}: '
                     f'{_t(row.annotation)}</title></circle>')
        if row.annotation:
            marks.append(f'<text class="annotation" x="{end + 6:.1f}" y="{y - 5:.1f}" font-size="{FONT - 1}">'
                         f"{_t(row.annotation)}</text>")
    legend = [("dot", Fill("class mean", vermillion)), ("line", Fill("± 1 standard deviation", blue)),
              ("dashed", Fill("reference", INK))]
    return _svg(name, title, plot, marks, xlabel, ylabel, legend)


# --- layout ----------------------------------------------------------------------


class _Plot:
    """Maps data to the plot area and writes its marks."""

    def __init__(self, n_rows: int, x_min: float, x_max: float) -> None:
        self.n_rows = max(n_rows, 1)
        self.x_min, self.x_max = x_min, x_max
        self.left, self.right = LEFT, WIDTH - RIGHT
        self.top = TOP
        self.bottom = TOP + self.n_rows * ROW + 8

    def x(self, value: float) -> float:
        span = self.x_max - self.x_min
        return self.left + (value - self.x_min) / span * (self.right - self.left)

    def y(self, pos: int) -> float:
        """The middle of row pos, counted from the top."""
        return self.top + 4 + pos * ROW + ROW / 2

    def grid(self, value: float, label: str) -> str:
        x = self.x(value)
        lines = label.split("\n")
        text = "".join(f'<tspan x="{x:.1f}" dy="{0 if i == 0 else FONT + 2}">{_t(line)}</tspan>'
                       for i, line in enumerate(lines))
        return (f'<line class="grid" x1="{x:.1f}" x2="{x:.1f}" y1="{self.top}" y2="{self.bottom}" '
                f'stroke="{GRID}" stroke-width="1"/>'
                f'<text x="{x:.1f}" y="{self.bottom + 16}" text-anchor="middle">{text}</text>')

    def row_label(self, pos: int, label: str) -> str:
        short = label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1].rstrip() + "…"
        tip = f"<title>{_t(label)}</title>" if short != label else ""
        return (f'<text class="row-label" x="{self.left - 8}" y="{self.y(pos) + 4:.1f}" '
                f'text-anchor="end">{tip}{_t(short)}</text>')

    def note(self, pos: int, text: str) -> str:
        return (f'<text class="note" x="{self.left + 8}" y="{self.y(pos) + 4:.1f}" '
                f'font-style="italic" font-size="{FONT - 1}">{_t(text)}</text>')

    def bar(self, pos: int, start: float, end: float, fill: Fill, tip: str, name: str) -> str:
        x0, x1 = self.x(start), self.x(end)
        y = self.y(pos) - BAR / 2
        box = f'x="{x0:.2f}" y="{y:.1f}" width="{x1 - x0:.2f}" height="{BAR}"'
        rect = (f'<rect class="segment" {box} fill="{fill.colour}" stroke="{INK}" '
                f'stroke-width="0.5"><title>{_t(tip)}</title></rect>')
        if fill.texture:
            rect += f'<rect class="texture" {box} fill="url(#{name}-{fill.texture})" pointer-events="none"/>'
        return rect


def _legend(entries: Sequence[tuple[str, Fill]], name: str, top: float) -> tuple[list[str], float]:
    """Legend entries laid out in rows under the plot; returns the marks and the height used."""
    marks: list[str] = []
    x, y = float(LEFT), top
    for kind, fill in entries:
        width = 22 + CHAR * len(fill.label) + 18
        if x + width > WIDTH - RIGHT and x > LEFT:
            x, y = float(LEFT), y + LEGEND_ROW
        middle = y + 7
        if kind == "swatch":
            marks.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="14" height="14" fill="{fill.colour}" '
                         f'stroke="{INK}" stroke-width="0.5"/>')
            if fill.texture:
                marks.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="14" height="14" '
                             f'fill="url(#{name}-{fill.texture})"/>')
        elif kind == "dot":
            marks.append(f'<circle cx="{x + 7:.1f}" cy="{middle:.1f}" r="6" fill="{fill.colour}" '
                         f'stroke="{INK}"/>')
        else:
            dash = ' stroke-dasharray="5 3"' if kind == "dashed" else ""
            marks.append(f'<line x1="{x:.1f}" x2="{x + 16:.1f}" y1="{middle:.1f}" y2="{middle:.1f}" '
                         f'stroke="{fill.colour}" stroke-width="{4 if kind == "line" else 1.5}"{dash}/>')
        marks.append(f'<text x="{x + 22:.1f}" y="{middle + 4:.1f}">{_t(fill.label)}</text>')
        x += width
    return marks, y + LEGEND_ROW - top


def _svg(name: str, title: str, plot: _Plot, marks: list[str], xlabel: str, ylabel: str,
         legend: Sequence[tuple[str, Fill]]) -> str:
    legend_top = plot.bottom + AXIS
    legend_marks, legend_height = _legend(legend, name, legend_top)
    height = legend_top + legend_height + 6
    middle_y = (plot.top + plot.bottom) / 2
    frame = (f'<rect class="frame" x="{plot.left}" y="{plot.top}" width="{plot.right - plot.left}" '
             f'height="{plot.bottom - plot.top}" fill="none" stroke="{INK}" stroke-width="0.8"/>')
    return "".join([
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{_t(title)}" '
        f'viewBox="0 0 {WIDTH} {height:.0f}" width="{WIDTH}" height="{height:.0f}" '
        f'font-family="system-ui, -apple-system, \'Segoe UI\', sans-serif" font-size="{FONT}" '
        f'fill="{INK}">',
        f"<title>{_t(title)}</title>",
        _patterns(name),
        f'<text class="title" x="{WIDTH / 2:.0f}" y="26" text-anchor="middle" font-size="{FONT + 4}" '
        f'font-weight="bold">{_t(title)}</text>',
        *marks,  # grid lines come first, so bars are drawn over them
        frame,
        f'<text class="xlabel" x="{(plot.left + plot.right) / 2:.0f}" y="{plot.bottom + 50}" '
        f'text-anchor="middle">{_t(xlabel)}</text>',
        f'<text class="ylabel" x="16" y="{middle_y:.0f}" text-anchor="middle" '
        f'transform="rotate(-90 16 {middle_y:.0f})">{_t(ylabel)}</text>',
        *legend_marks,
        "</svg>",
    ])


def _patterns(name: str) -> str:
    # textures drawn over a segment's colour: hatching for hidden counts, dots for
    # the points of long scales that reuse a colour
    return (
        "<defs>"
        f'<pattern id="{name}-hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
        f'patternTransform="rotate(45)"><line x1="0" y1="0" x2="0" y2="6" stroke="{INK}" '
        'stroke-width="1.2"/></pattern>'
        f'<pattern id="{name}-dots" width="5" height="5" patternUnits="userSpaceOnUse">'
        f'<circle cx="2.5" cy="2.5" r="0.9" fill="{INK}"/></pattern>'
        "</defs>"
    )


def _t(text: str) -> str:
    return escape(text, quote=True)


__all__ = ["BarRow", "DotRow", "Fill", "dot_whisker", "stacked_bars"]
