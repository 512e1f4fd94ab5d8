"""Figures of a student's own answers and of the module data.

Every function takes plain data and returns a ``DescribedFigure``: a matplotlib
Figure with a text alternative that gives its numbers (and, for the evidence
plots, a table of the findings and their sources in real text under the image).
None of them scores anything or reads files. Figures are built without pyplot,
so nothing piles up in pyplot's global state across a long notebook session; in
Jupyter the returned figure shows as an image with its ``alt`` text. Colours come
from the Okabe-Ito palette, which stays distinguishable with the common forms of
colour blindness, and no plot relies on colour alone.

Sizes are chosen for the screen: a figure is at most ``MAX_WIDTH`` inches wide
and shown at 100 CSS pixels per inch (drawn at twice that for sharp text), so
it fits a notebook beside JupyterLab's file browser without being scaled down,
and no text is smaller than ``MIN_FONT`` points (about 14 px on screen).
"""

from __future__ import annotations

import base64
import html
import io
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from coursekit.content.evidence import Finding, number_text
from coursekit.content.instruments import Answer, Score
from coursekit.content.manifest import Module
from coursekit.palette import OKABE_ITO, PALETTE
from coursekit.stats.simulated_clients import GainsAtNoise
from coursekit.student.portfolio import DONE, INCOMPLETE, Measure, ModuleStatus, Portfolio

MAX_WIDTH = 8.5  # inches: 850 CSS pixels, what a notebook has beside the file browser at 1280 px
MIN_FONT = 10.0  # points: 13.9 px at 100 pixels per inch
FONT = 10.5  # labels written beside bars and dots
SCREEN_DPI = 100  # CSS pixels per inch of figure, as shown in the notebook
DRAW_DPI = 200  # pixels per inch in the PNG: sharp on high-density screens and when zoomed


def new_figure(width: float = 7.0, height: float = 4.0) -> Figure:
    # A bare Figure, never pyplot's: DescribedFigure draws its own PNG with Agg, so no
    # backend is loaded (importing pyplot and the inline backend cost each Run All 0.5 s).
    return Figure(figsize=(min(width, MAX_WIDTH), height), layout="constrained")


@dataclass(frozen=True)
class DataTable:
    """A table shown in real text under a figure: what the image cannot give a screen reader
    (or a reader who zooms), such as each finding's evidence and source."""

    caption: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]

    def html(self) -> str:
        # left-aligned, top-aligned text (JupyterLab right-aligns table cells, which suits numbers)
        style = ' style="text-align: left; vertical-align: top;"'
        head = "".join(f'<th scope="col"{style}>{html.escape(c)}</th>' for c in self.columns)
        body = "".join("<tr>" + "".join(
            f'<th scope="row"{style}>{html.escape(cell)}</th>' if n == 0
            else f"<td{style}>{html.escape(cell)}</td>" for n, cell in enumerate(row)) + "</tr>"
            for row in self.rows)
        return (f'<table style="font-size: 14px;"><caption>{html.escape(self.caption)}</caption>'
                f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")

    def text(self) -> str:
        return "\n".join([self.caption, " | ".join(self.columns),
                          *(" | ".join(row) for row in self.rows)])


@dataclass(frozen=True, eq=False)
class DescribedFigure:
    """A figure with a text alternative that says what it shows, for readers who cannot see it.

    A notebook shows it as an image whose ``alt`` attribute is ``alt`` (followed by
    ``table``, if any, in real text); plain-text front ends show the text itself.
    Attributes of the matplotlib Figure (``axes``, ``savefig``...) are reached
    through it, so code written for a bare Figure keeps working.
    """

    figure: Figure
    alt: str
    table: DataTable | None = None

    def __getattr__(self, name: str) -> Any:
        if name in ("figure", "alt", "table") or name.startswith("__"):
            raise AttributeError(name)  # not set yet (copying, unpickling)
        return getattr(self.figure, name)

    def png(self, dpi: int = DRAW_DPI) -> bytes:
        buffer = io.BytesIO()
        self.figure.savefig(buffer, format="png", dpi=dpi, metadata={"Software": None})
        return buffer.getvalue()

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        data = base64.b64encode(self.png()).decode("ascii")
        width, height = (round(v * SCREEN_DPI) for v in self.figure.get_size_inches())
        img = (f'<img src="data:image/png;base64,{data}" alt="{html.escape(self.alt, quote=True)}" '
               f'width="{width}" height="{height}" style="max-width: 100%; height: auto;">')
        text = self.alt
        if self.table is not None:
            img += self.table.html()
            text += "\n\n" + self.table.text()
        return {"text/html": img, "text/plain": text}


def _g(value: float) -> str:
    """A number as the figure writes it: 3, 3.5, 12.25."""
    return f"{value:g}"


def _listing(parts: Sequence[str]) -> str:
    return "; ".join(parts) + "." if parts else ""


def profile(score: Score, *, title: str | None = None) -> DescribedFigure:
    """One bar per subscale: its mean answer, drawn on the answer scale.

    The mean is over the items that applied (an item answered "did not
    happen" has no value), so subscales of any length share one axis.
    Subscales not yet fully answered are labelled as such instead of drawn,
    because a partial mean would hide what is still open.
    """
    fig = new_figure(7.0, 0.9 * len(score.subscales) + 1.6)
    ax = fig.add_subplot()
    labels = [sub.label for sub in score.subscales]
    positions = list(range(len(labels)))[::-1]  # first subscale on top
    # every item shares the scale, so a subscale's range over its items gives it back
    lo = min(sub.minimum // sub.n_items for sub in score.subscales)
    hi = max(sub.maximum // sub.n_items for sub in score.subscales)
    for pos, sub in zip(positions, score.subscales, strict=True):
        # the whole possible range, as a light track behind the bar
        ax.barh(pos, hi - lo, left=lo, height=0.6, color=OKABE_ITO["grey"], alpha=0.25)
        if sub.answered < sub.n_items:
            ax.text(lo + 0.05, pos, f"not complete: {sub.answered} of {sub.n_items} items answered",
                    va="center", fontsize=FONT, style="italic")
            continue
        if sub.mean is None:  # every item answered "did not happen"
            ax.text(lo + 0.05, pos, "no value: none of its items applied", va="center", fontsize=FONT,
                    style="italic")
            continue
        ax.barh(pos, sub.mean - lo, left=lo, height=0.6,
                color=PALETTE[pos % len(PALETTE)], edgecolor=OKABE_ITO["black"])
        note = f" ({sub.not_applicable} did not happen)" if sub.not_applicable else ""
        ax.text(sub.mean + 0.05, pos, f"{sub.mean:.1f} of {hi}{note}", va="center", fontsize=FONT)
    ax.set_xlim(lo, hi + 0.35 * (hi - lo))
    ax.set_xticks(range(lo, hi + 1, max(1, (hi - lo) // 5)))
    ax.set_yticks(positions, labels)
    ax.set_xlabel(f"Mean answer over the items that applied (scale {lo} to {hi})")
    overall = f"mean {score.mean:.1f} of {hi}" if score.mean is not None else "incomplete"
    if score.mean is None and not score.missing:
        overall = "no item applied"
    heading = f"{title or f'Your {score.instrument} profile'} ({overall})"
    ax.set_title(heading)
    ax.grid(axis="x", alpha=0.3)
    rows = []
    for sub in score.subscales:
        if sub.answered < sub.n_items:
            rows.append(f"{sub.label}: not complete, {sub.answered} of {sub.n_items} items answered")
        elif sub.mean is None:
            rows.append(f"{sub.label}: no value, none of its items applied")
        else:
            note = f" ({sub.not_applicable} did not happen)" if sub.not_applicable else ""
            rows.append(f"{sub.label}: mean {sub.mean:.1f} of {hi}{note}")
    return DescribedFigure(fig, f"{heading}. Bar chart of the mean answer per subscale, on the scale "
                                f"{lo} to {hi}: " + _listing(rows))


def my_profile(form: str, *, module: Module | None = None, title: str | None = None) -> DescribedFigure:
    """The student's own profile on one of the module's instruments, as saved so far.

    >>> my_profile("alliance")   # in the alliance notebook   # doctest: +SKIP
    """
    from coursekit.content.instruments import score
    from coursekit.student.responses import ResponseStore

    module = module or Module.here()
    instrument = module.instrument(form)
    answers = ResponseStore.here(module.id).answers(instrument.id)
    return profile(score(instrument, answers), title=title or f"My profile: {instrument.title}")


def alliance_series(
    ratings: Sequence[float | None],
    *,
    rupture: int | None = None,
    repair: int | None = None,
    scale: tuple[float, float] = (0, 40),
    title: str = "Alliance rating, session by session",
) -> DescribedFigure:
    """The alliance rating per session, with a rupture and its repair marked.

    ``rupture`` and ``repair`` are 1-based session numbers (or None). Missing
    sessions (None or NaN) leave a gap in the line.
    """
    sessions = list(range(1, len(ratings) + 1))
    values = [math.nan if r is None else float(r) for r in ratings]
    fig = new_figure(8.0, 4.0)
    ax = fig.add_subplot()
    ax.plot(sessions, values, marker="o", color=OKABE_ITO["blue"], label="alliance rating")
    if rupture is not None:
        end = repair if repair is not None else sessions[-1]
        ax.axvspan(rupture - 0.5, end + 0.5 if repair is None else end,
                   color=OKABE_ITO["orange"], alpha=0.2,
                   label="rupture, not yet repaired" if repair is None else "rupture to repair")
        ax.plot([rupture], [values[rupture - 1]], marker="v", markersize=12, linestyle="none",
                color=OKABE_ITO["vermillion"], label=f"rupture (session {rupture})")
    if repair is not None:
        ax.plot([repair], [values[repair - 1]], marker="^", markersize=12, linestyle="none",
                color=OKABE_ITO["green"], label=f"repair (session {repair})")
    ax.set_xlim(0.5, len(ratings) + 0.5)
    ax.set_ylim(*scale)
    ax.set_xticks(sessions)
    ax.set_xlabel("Session")
    ax.set_ylabel(f"Alliance rating ({scale[0]:g} to {scale[1]:g})")
    ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right", fontsize=MIN_FONT)
    by_session = ", ".join(f"{n}: {_g(v)}" if not math.isnan(v) else f"{n}: missing"
                           for n, v in zip(sessions, values, strict=True))
    marks = []
    if rupture is not None:
        marks.append(f"rupture at session {rupture} ({_g(values[rupture - 1])})"
                     + ("" if repair is not None else ", not yet repaired"))
    if repair is not None:
        marks.append(f"repair at session {repair} ({_g(values[repair - 1])})")
    alt = (f"{title}. Line chart of the alliance rating ({_g(scale[0])} to {_g(scale[1])}) in "
           f"{len(sessions)} sessions; by session: {by_session}."
           + (f" Marked: {', '.join(marks)}." if marks else ""))
    return DescribedFigure(fig, alt)


def trajectories(
    scores: Sequence[Sequence[float]],
    flags: Sequence[Sequence[float]],
    clients: Sequence[int],
    *,
    labels: Sequence[str] | None = None,
    scale: tuple[float, float] = (0, 63),
    ylabel: str = "Symptom score (lower is better)",
    title: str = "Session-by-session scores",
) -> DescribedFigure:
    """Score trajectories of a few clients, their sudden gains drawn as thick segments.

    ``scores`` is clients x sessions (column 0 the intake, NaN for a missed
    session), ``flags`` the matching ``sudden_gains`` result (1.0 where the
    interval from session j to j+1 is a gain). Each client gets its own colour
    and marker, so the plot reads without colour too.
    """
    fig = new_figure(8.5, 4.5)
    ax = fig.add_subplot()
    markers = "osD^vP"
    for n, client in enumerate(clients):
        row = [float(v) for v in scores[client]]
        colour = PALETTE[n % len(PALETTE)]
        label = labels[n] if labels else f"client {client}"
        sessions = range(len(row))
        ax.plot(sessions, row, marker=markers[n % len(markers)], color=colour, label=label,
                linewidth=1.2, markersize=4)
        for j, flag in enumerate(flags[client]):
            if flag == 1.0:
                ax.plot([j, j + 1], [row[j], row[j + 1]], color=colour, linewidth=5, alpha=0.6,
                        solid_capstyle="round")
    ax.plot([], [], color=OKABE_ITO["grey"], linewidth=5, alpha=0.6, label="sudden gain")
    ax.set_ylim(*scale)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("Session (0 = intake)")
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=MIN_FONT, loc="upper right", ncol=2)
    described = []
    for n, client in enumerate(clients):
        label = labels[n] if labels else f"client {client}"
        by_session = ", ".join("missing" if math.isnan(float(v)) else f"{float(v):.0f}"
                               for v in scores[client])
        gains = [f"{j} to {j + 1}" for j, flag in enumerate(flags[client]) if flag == 1.0]
        described.append(f"{label}: {by_session}" + (f" (sudden gain from session {', '.join(gains)})"
                                               if gains else " (no sudden gain)"))
    alt = (f"{title}. Line chart of {ylabel.lower()} ({_g(scale[0])} to {_g(scale[1])}) from the "
           f"intake (session 0) on, for {len(clients)} clients; scores by session: " + _listing(described))
    return DescribedFigure(fig, alt)


def change_shares(
    shares: Sequence[tuple[str, float]],
    *,
    title: str = "How the cohort changed",
    xlabel: str = "Share of clients (%)",
) -> DescribedFigure:
    """Horizontal bars of the share of clients (in %) in each kind of change."""
    fig = new_figure(7.5, 0.6 * len(shares) + 1.6)
    ax = fig.add_subplot()
    names = [name for name, _ in shares][::-1]
    values = [float(v) for _, v in shares][::-1]
    hatches = ["", "//", "..", "xx", "\\\\", "++"]
    for pos, value in enumerate(values):
        ax.barh(pos, value, color=PALETTE[pos % len(PALETTE)], edgecolor=OKABE_ITO["black"],
                hatch=hatches[pos % len(hatches)])
        ax.text(value + 1, pos, f"{value:.0f}%", va="center", fontsize=FONT)
    ax.set_yticks(range(len(names)), names)
    ax.set_xlim(0, max([100.0, *[v + 10 for v in values]]))
    ax.set_xlabel(xlabel)
    ax.set_title(title)
    ax.grid(axis="x", alpha=0.3)
    return DescribedFigure(fig, f"{title}. Bar chart, {xlabel.lower()}: "
                           + _listing([f"{name} {float(v):.0f}%" for name, v in shares]))


def dose_effect(
    sessions: Sequence[float],
    proportion: Sequence[float],
    *,
    fitted: tuple[Sequence[float], Sequence[float]] | None = None,
    marks: Sequence[tuple[float, float]] = (),
    title: str = "Dose and effect: share of clients improved by session",
) -> DescribedFigure:
    """Observed share improved per session, with an optional fitted curve.

    ``fitted`` is ``(sessions, proportions)`` of a smooth curve (for example
    ``DoseEffect.predict`` over a fine grid); ``marks`` are (session,
    proportion) points to label, such as 50% and 75% improved.
    """
    fig = new_figure(8.0, 4.5)
    ax = fig.add_subplot()
    ax.plot(list(sessions), [100 * p for p in proportion], marker="o", linestyle="none",
            color=OKABE_ITO["blue"], label="observed in the cohort")
    if fitted is not None:
        ax.plot(list(fitted[0]), [100 * p for p in fitted[1]], color=OKABE_ITO["vermillion"],
                linestyle="--", label="probit curve on log sessions")
    for session, share in marks:
        ax.plot([session], [100 * share], marker="D", color=OKABE_ITO["black"], linestyle="none")
        ax.annotate(f"{100 * share:.0f}% by session {session:.0f}", (session, 100 * share),
                    textcoords="offset points", xytext=(8, -14), fontsize=FONT)
    ax.set_ylim(0, 100)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("Sessions attended")
    ax.set_ylabel("Clients improved (%)")
    ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right", fontsize=MIN_FONT)
    observed = ", ".join(f"{_g(x)}: {100 * y:.0f}%" for x, y in zip(sessions, proportion, strict=True))
    alt = (f"{title}. Share of clients improved (%) by sessions attended, observed in the cohort: "
           f"{observed}." + (" A fitted probit curve on log sessions runs through them." if fitted else "")
           + (" Marked: " + ", ".join(f"{100 * y:.0f}% improved by session {x:.0f}" for x, y in marks) + "."
              if marks else ""))
    return DescribedFigure(fig, alt)


def prediction_vs_data(
    items: Sequence[tuple[str, float | None, float]],
    *,
    title: str = "What you predicted, and what the data showed",
) -> DescribedFigure:
    """One small panel per question: the student's prediction beside the observed value.

    ``items`` holds (question, predicted or None if not answered, observed).
    """
    fig = new_figure(2.6 * len(items) + 0.8, 4.2)
    axes = fig.subplots(1, len(items), squeeze=False)[0]
    for ax, (question, predicted, observed) in zip(axes, items, strict=True):
        heights = [0.0 if predicted is None else float(predicted), float(observed)]
        bars = ax.bar(["you predicted", "the data"], heights,
                      color=[OKABE_ITO["orange"], OKABE_ITO["blue"]], edgecolor=OKABE_ITO["black"])
        bars[0].set_hatch("//")
        if predicted is None:
            ax.text(0, 0, "not answered", ha="center", va="bottom", fontsize=MIN_FONT, style="italic")
        for bar, value in zip(bars, heights, strict=True):
            if value:
                ax.text(bar.get_x() + bar.get_width() / 2, value, f"{value:.0f}", ha="center",
                        va="bottom", fontsize=FONT)
        ax.set_title(_wrap(question, 26), fontsize=MIN_FONT)
        ax.tick_params(axis="x", labelsize=MIN_FONT)
        ax.set_ylim(0, max(heights) * 1.25 + 1)
        ax.grid(axis="y", alpha=0.3)
    axes[0].set_ylabel("Value (units in each title)")
    fig.suptitle(title)
    return DescribedFigure(fig, f"{title}. Bar charts, one per question: " + _listing([
        f"{question}: you predicted {'nothing (not answered)' if p is None else _g(p)}, "
        f"the data showed {float(o):.0f}" for question, p, o in items]))


def portfolio_profile(portfolio: Portfolio, *,
                      title: str = "My answers across the course") -> DescribedFigure:
    """One panel per module: subscale totals and numeric answers, each within its own range.

    Ranges differ (a subscale of 4 to 20, a prediction of 0 to 100), so every
    row is drawn as a position between the lowest and the highest possible
    value, with the number itself written beside it. Subscale totals are bars,
    single items thinner hatched bars, numeric answers diamonds: shape and
    hatching, not colour alone, tell them apart. A module that is not done gets a panel that
    says "not done yet" and why; one that is part done shows what is there.
    """
    modules = portfolio.modules
    charted = [bool(m.measures) and m.state in (DONE, INCOMPLETE) for m in modules]
    sizes = [max(len(m.measures), 2) if drawn else 1.4 for m, drawn in zip(modules, charted, strict=True)]
    fig = new_figure(MAX_WIDTH, 0.46 * sum(sizes) + 0.85 * len(modules) + 1.2)
    if not modules:
        ax = fig.add_subplot()
        ax.set_axis_off()
        ax.text(0.5, 0.5, "No modules were found beside this folder.", ha="center", va="center")
        fig.suptitle(title)
        return DescribedFigure(fig, f"{title}: no modules were found beside this folder.")
    axes = fig.subplots(len(modules), 1, squeeze=False, gridspec_kw={"height_ratios": sizes})[:, 0]
    for ax, module, drawn in zip(axes, modules, charted, strict=True):
        if drawn:
            _module_panel(ax, module)
        else:
            _not_done_panel(ax, module)
    heading = f"{title}: {len(portfolio.done)} of {len(modules)} modules done"
    fig.suptitle(heading)
    if any(charted):
        fig.supxlabel("Where each answer sits between the lowest and the highest possible value",
                      fontsize=MIN_FONT)
    parts = []
    for module, drawn in zip(modules, charted, strict=True):
        state = "done" if module.done else f"not done yet ({module.summary})"
        rows = [_measure_text(row) for row in module.measures] if drawn else []
        parts.append(f"{module.title}: {state}" + (": " + ", ".join(rows) if rows else ""))
    return DescribedFigure(fig, f"{heading}. One panel per module, each answer drawn between its lowest "
                                "and highest possible value. " + _listing(parts))


def _measure_text(row: Measure) -> str:
    if row.value is None:
        return f"{row.label} {row.note if row.not_applicable else 'not answered yet'}"
    unit = f" {row.unit}" if row.unit else ""
    return f"{row.label} {row.value:g} (range {row.minimum} to {row.maximum}{unit})"


def _module_panel(ax: Axes, module: ModuleStatus) -> None:
    rows = module.measures
    groups = list(dict.fromkeys(m.group for m in rows if m.kind != "answer"))
    bar_colours = [OKABE_ITO[k] for k in ("blue", "green", "purple", "sky_blue")]
    positions = list(range(len(rows)))[::-1]  # first row on top
    for pos, row in zip(positions, rows, strict=True):
        ax.barh(pos, 1.0, left=0.0, height=0.6, color=OKABE_ITO["grey"], alpha=0.25)
        if row.value is None:
            why = (row.note if row.not_applicable else
                   f"not complete yet: {row.note}" if row.note else "not answered yet")
            ax.text(0.01, pos, why, va="center", fontsize=FONT, style="italic")
            continue
        share = (row.value - row.minimum) / (row.maximum - row.minimum)
        if row.kind == "answer":
            ax.plot([share], [pos], marker="D", markersize=9, linestyle="none",
                    color=OKABE_ITO["orange"], markeredgecolor=OKABE_ITO["black"])
        else:  # a subscale total solid, its single items hatched and narrower
            colour = bar_colours[groups.index(row.group) % len(bar_colours)]
            item = row.kind == "item"
            ax.barh(pos, share, left=0.0, height=0.4 if item else 0.6, color=colour,
                    alpha=0.6 if item else 1.0, hatch="//" if item else None,
                    edgecolor=OKABE_ITO["black"])
        unit = f" {row.unit}" if row.unit else ""
        mean = f", {row.note}" if row.note.startswith("mean") else ""
        ax.text(1.02, pos, f"{row.value:g} (range {row.minimum} to {row.maximum}{unit}{mean})",
                va="center", fontsize=FONT)
    ax.set_xlim(0, 1.75)
    ax.spines["bottom"].set_bounds(0, 1)
    ax.set_ylim(-0.6, len(rows) - 0.4)
    ax.set_xticks([0, 0.5, 1], ["lowest", "middle", "highest"], fontsize=MIN_FONT)
    ax.set_yticks(positions, [row.label for row in rows], fontsize=MIN_FONT)
    ax.grid(axis="x", alpha=0.3)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    state = "done" if module.done else f"not done yet ({module.summary})"
    ax.set_title(f"{module.title}: {state}", loc="left", fontsize=11, fontweight="bold")


def _not_done_panel(ax: Axes, module: ModuleStatus) -> None:
    from matplotlib.patches import Rectangle

    ax.set_xlim(0, 1.75)  # as the charted panels, so the boxes line up with their tracks
    ax.set_ylim(0, 1)
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_visible(False)
    if module.done:  # saved answers, but nothing with a range to draw
        ax.text(0.5, 0.5, f"answers saved ({module.summary}); nothing to chart", ha="center",
                va="center", fontsize=10)
        ax.set_title(f"{module.title}: done", loc="left", fontsize=11, fontweight="bold")
        return
    ax.add_patch(Rectangle((0, 0.02), 1, 0.96, facecolor="none", edgecolor=OKABE_ITO["grey"],
                           hatch="//", alpha=0.5))
    ax.text(0.5, 0.62, "not done yet", ha="center", va="center", fontsize=12, fontweight="bold",
            bbox={"facecolor": "white", "edgecolor": "none"})
    ax.text(0.5, 0.28, module.summary, ha="center", va="center", fontsize=FONT, style="italic",
            bbox={"facecolor": "white", "edgecolor": "none"})
    ax.set_title(f"{module.title}: not done yet", loc="left", fontsize=11, fontweight="bold")


# --- craft, stuck and relationship modules --------------------------------------


def bipolar_placement(
    rows: Sequence[tuple[str, int | None]],
    *,
    scale: tuple[int, int] = (1, 7),
    poles: tuple[str, str] = ("technique", "craft"),
    title: str = "Where you place yourself",
) -> DescribedFigure:
    """One line per pair of statements, with the student's place between the two poles.

    ``rows`` holds (topic, value or None); values are already turned so that
    ``scale[1]`` is the ``poles[1]`` end for every row (``instruments.item_scores``).
    The dashed line is the average of the answered rows.
    """
    lo, hi = scale
    fig = new_figure(8.5, 0.62 * len(rows) + 2.0)
    ax = fig.add_subplot()
    positions = list(range(len(rows)))[::-1]  # first row on top
    middle = (lo + hi) / 2
    for pos, (_label, value) in zip(positions, rows, strict=True):
        ax.plot([lo, hi], [pos, pos], color=OKABE_ITO["grey"], linewidth=6, alpha=0.3,
                solid_capstyle="round")
        if value is None:
            ax.text(middle, pos + 0.22, "not answered", ha="center", fontsize=FONT, style="italic")
            continue
        ax.plot([value], [pos], marker="D", markersize=11, linestyle="none", color=OKABE_ITO["blue"],
                markeredgecolor=OKABE_ITO["black"])
        ax.text(value, pos + 0.26, str(value), ha="center", va="bottom", fontsize=FONT,
                bbox={"facecolor": "white", "edgecolor": "none", "pad": 1})
    answered = [v for _label, v in rows if v is not None]
    ax.axvline(middle, color=OKABE_ITO["black"], linewidth=0.8, linestyle=":")
    if answered:
        mean = sum(answered) / len(answered)
        ax.axvline(mean, color=OKABE_ITO["vermillion"], linestyle="--", linewidth=1.5,
                   label=f"your average: {mean:.1f}")
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), fontsize=MIN_FONT, frameon=False)
    ax.set_xlim(lo - 0.4, hi + 0.4)
    ax.set_ylim(-0.7, len(rows) - 0.2)
    ax.set_xticks(range(lo, hi + 1),
                  [f"{v}\n{poles[0]}" if v == lo else f"{v}\n{poles[1]}" if v == hi
                   else f"{v}\nboth" if v == middle else str(v) for v in range(lo, hi + 1)])
    ax.set_yticks(positions, [label for label, _value in rows])
    ax.set_xlabel(f"Your place between the two statements ({lo} = all {poles[0]}, {hi} = all {poles[1]})")
    ax.set_title(title)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    placed = [f"{label}: {'not answered' if value is None else value}" for label, value in rows]
    average = f" Your average: {sum(answered) / len(answered):.1f}." if answered else ""
    return DescribedFigure(fig, f"{title}. Your place on each pair of statements, from {lo} (all "
                                f"{poles[0]}) to {hi} (all {poles[1]}), {middle:g} meaning both: "
                                + _listing(placed) + average)


def _wrap(text: str, width: int) -> str:
    import textwrap

    return "\n".join(textwrap.wrap(text, width))


def practice_split(
    hours: Sequence[tuple[str, str, float | None]],
    *,
    groups: Sequence[str],
    findings: Sequence[tuple[str, str]] = (),
    title: str = "Your practice time in a typical month",
) -> DescribedFigure:
    """Hours per activity, coloured and hatched by kind, with the published findings under it.

    ``hours`` holds (activity, group, hours or None if not answered); ``groups``
    orders the kinds (the first is drawn as the one that matters, deliberate
    practice). ``findings`` are (text, source) pairs, shown as a table of real
    text under the chart, so the student's month is read against what the
    studies found and no number the studies did not give is drawn.
    """
    fig = new_figure(MAX_WIDTH, max(4.8, 0.6 * len(hours) + 2.4))
    left = fig.add_subplot()
    colours = [OKABE_ITO["blue"], OKABE_ITO["orange"], OKABE_ITO["grey"], OKABE_ITO["purple"]]
    hatches = ["", "//", "..", "xx"]
    totals = {g: sum(h or 0 for _a, grp, h in hours if grp == g) for g in groups}
    everything = sum(totals.values())
    positions = list(range(len(hours)))[::-1]
    top = max([h or 0 for _a, _g, h in hours] + [10])
    for pos, (_activity, group, value) in zip(positions, hours, strict=True):
        k = list(groups).index(group)
        if value is None:
            left.text(0, pos, " not answered", va="center", fontsize=FONT, style="italic")
            continue
        left.barh(pos, value, height=0.6, color=colours[k % len(colours)], hatch=hatches[k % len(hatches)],
                  edgecolor=OKABE_ITO["black"])
        left.text(value + top * 0.02, pos, f"{value:g} h", va="center", fontsize=FONT)
    from matplotlib.patches import Patch

    handles = []
    for k, group in enumerate(groups):
        share = f", {100 * totals[group] / everything:.0f}%" if everything else ""
        handles.append(Patch(facecolor=colours[k % len(colours)], hatch=hatches[k % len(hatches)],
                             edgecolor=OKABE_ITO["black"], label=f"{group}: {totals[group]:g} h{share}"))
    left.set_yticks(positions, [_wrap(a, 30) for a, _g, _h in hours], fontsize=MIN_FONT)
    left.set_xlim(0, top * 1.25)
    left.set_ylim(-0.6, len(hours) - 0.4)
    left.xaxis.set_major_locator(MaxNLocator(integer=True))
    left.set_xlabel("Hours in a typical month")
    left.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=len(groups),
                fontsize=MIN_FONT, frameon=False)
    left.grid(axis="x", alpha=0.3)
    if not everything:
        left.text(0.5, 0.5, "No hours yet: every answer is 0 or not saved", transform=left.transAxes,
                  ha="center", fontsize=11, style="italic",
                  bbox={"facecolor": "white", "edgecolor": "none"})
    fig.suptitle(title)
    month = [f"{activity} {'not answered' if value is None else f'{value:g} h'} ({group})"
             for activity, group, value in hours]
    kinds = [f"{group} {totals[group]:g} h" + (f", {100 * totals[group] / everything:.0f}%" if everything
                                               else "") for group in groups]
    alt = (f"{title}. Bar chart of your hours in a typical month, by activity: " + _listing(month)
           + " By kind: " + _listing(kinds)
           + (" What the studies found is in the table below." if findings else ""))
    table = DataTable("What the studies found", ("Finding", "Source"),
                      tuple((text, source) for text, source in findings)) if findings else None
    return DescribedFigure(fig, alt, table)


def feelings_checkin(
    ratings: Sequence[tuple[str, int | None]],
    *,
    own: tuple[str, int] | None = None,
    scale: tuple[int, int] = (0, 10),
    title: str = "Your check-in: the stuck moment",
) -> DescribedFigure:
    """How strongly each feeling was there, one bar each; the student's own word last, hatched.

    ``ratings`` holds (feeling, intensity or None); ``own`` is the student's
    own named feeling and its intensity (shown here, to the student only).
    """
    rows = [(label, value, False) for label, value in ratings]
    if own is not None:
        rows.append((f"{own[0]} (your word)", own[1], True))
    lo, hi = scale
    fig = new_figure(8.0, 0.6 * len(rows) + 1.8)
    ax = fig.add_subplot()
    positions = list(range(len(rows)))[::-1]
    for pos, (_label, value, mine) in zip(positions, rows, strict=True):
        ax.barh(pos, hi - lo, left=lo, height=0.6, color=OKABE_ITO["grey"], alpha=0.2)
        if value is None:
            ax.text(lo + 0.2, pos, "not rated", va="center", fontsize=FONT, style="italic")
            continue
        ax.barh(pos, value - lo, left=lo, height=0.6,
                color=OKABE_ITO["orange"] if mine else OKABE_ITO["blue"],
                hatch="//" if mine else "", edgecolor=OKABE_ITO["black"])
        ax.text(value + 0.15, pos, str(value), va="center", fontsize=FONT)
    ax.set_xlim(lo, hi + 0.8)
    ax.set_xticks(range(lo, hi + 1))
    ax.set_yticks(positions, [label for label, _v, _m in rows])
    ax.set_xlabel(f"How strongly you felt it ({lo} = not at all, {hi} = as strongly as ever at work)")
    ax.set_title(title)
    ax.grid(axis="x", alpha=0.3)
    felt = [f"{label}: {'not rated' if value is None else value}" for label, value, _mine in rows]
    return DescribedFigure(fig, f"{title}. Bar chart of how strongly you felt each feeling, from {lo} "
                                f"(not at all) to {hi} (as strongly as ever at work): " + _listing(felt))


@dataclass(frozen=True)
class EffectRow:
    """One row of an evidence plot: a published effect on the scale of r, and how precise it is.

    ``r`` is None for evidence of another kind (a count of studies): such a row
    is written out, never drawn as a number. ``metric`` says where r came from
    ("r" as published; "d" or "g" converted), ``ci`` is the interval on the scale
    of r where the source gives one, ``k`` the number of studies, ``grade`` the
    task force's evidence grade ("" where the data gives none).
    """

    label: str
    r: float | None
    metric: str = ""
    text: str = ""
    ci: tuple[float, float] | None = None
    k: int | None = None
    grade: str = ""

    @classmethod
    def of(cls, finding: Finding, *, label: str | None = None, text: str | None = None) -> EffectRow:
        """The row for a finding of an evidence file; ``text`` defaults to its figures and source."""
        as_r = finding.as_r()
        if text is None:
            text = (f"{finding.evidence_text}; {finding.source_text}" if as_r
                    else f"{finding.statement} ({finding.source_text})")
        return cls(label or finding.label, as_r[0] if as_r else None, as_r[1] if as_r else "", text,
                   finding.as_r_ci(), finding.k, finding.grade)

    @property
    def number_text(self) -> str:
        """The label at the dot, like "r = .39 [.17, .60], k = 9" or "r ≈ .14 (from g), no interval given"."""
        if self.r is None:
            return ""
        number = _r_text(self.r)
        text = f"r = {number}" if self.metric == "r" else f"r \u2248 {number} (from {self.metric})"
        if self.ci:
            text += f" [{_r_text(self.ci[0])}, {_r_text(self.ci[1])}]"
        if self.k:
            text += f", k = {self.k:,}"
        return text if self.ci else f"{text}, no interval given"


def _number_lines(text: str, width: int = 28) -> str:
    """An effect's label in lines of about ``width`` characters, broken after its commas but
    never inside an interval: "r ≈ .14 (from g), k = 64" over "no interval given"."""
    import re

    lines: list[str] = []
    for part in re.split(r", (?![^\[]*\])", text):
        if lines and len(lines[-1]) + 2 + len(part) <= width:
            lines[-1] += f", {part}"
        else:
            lines.append(part)
    return "\n".join(lines)


def _r_text(value: float) -> str:
    return f"{value:.2f}".replace("0.", ".")


def _as_row(row: EffectRow | tuple[str, float | None, str, str]) -> EffectRow:
    # The short form (label, r, metric, text) draws a dot without interval or k.
    return row if isinstance(row, EffectRow) else EffectRow(*row)


def _row_labels(rows: Sequence[EffectRow], width: int = 24) -> list[str]:
    """The rows' labels; with the task force's grade under each once any row has one."""
    graded = any(row.grade for row in rows)
    return [_wrap(row.label, width) + (f"\n({row.grade or 'grade not recorded here'})" if graded else "")
            for row in rows]


def _effect_panel(ax: Axes, rows: Sequence[EffectRow], positions: Sequence[int]) -> None:
    """Dots for effects on the scale of r with their 95% intervals and number of studies.

    A filled dot is an r as published, an open diamond a converted d or g; a bar
    with end caps is the interval the source gives, and a thin dashed line from 0
    marks a dot whose source gives none, so that a precise estimate and an
    imprecise one never look alike. A row without an r gets no dot and no
    number: a note points to its evidence.
    """
    values = [v for row in rows if row.r is not None
              for v in (row.r, *(row.ci or ()))]
    lo = min([0.0, *values]) - 0.12
    hi = max([0.0, *values]) + 0.12
    ax.axvline(0, color=OKABE_ITO["black"], linewidth=0.8)
    for pos, row in zip(positions, rows, strict=True):
        if row.r is None:
            ax.text(0.02, pos, "no single r: evidence of\nanother kind (see the table)", va="center",
                    fontsize=MIN_FONT, style="italic")
            continue
        published = row.metric == "r"
        colour = OKABE_ITO["vermillion"] if row.r < 0 else OKABE_ITO["green"]
        if row.ci:
            ax.errorbar([row.r], [pos], xerr=[[row.r - row.ci[0]], [row.ci[1] - row.r]], fmt="none",
                        ecolor=OKABE_ITO["black"], elinewidth=2, capsize=5, capthick=2)
        else:
            ax.plot([0, row.r], [pos, pos], color=OKABE_ITO["grey"], linewidth=1, linestyle="--")
        ax.plot([row.r], [pos], marker="o" if published else "D", markersize=9, linestyle="none",
                color=colour, markerfacecolor=colour if published else "white", markeredgewidth=2,
                zorder=3)
        ax.text(row.r, pos + 0.2, _number_lines(row.number_text), ha="center", va="bottom",
                fontsize=MIN_FONT)
    ax.set_xlim(lo, hi)
    from matplotlib.lines import Line2D

    drawn = [row for row in rows if row.r is not None]
    handles = []
    if any(row.metric == "r" for row in drawn):
        handles.append(Line2D([], [], marker="o", linestyle="none", color=OKABE_ITO["green"],
                              label="r as published"))
    if any(row.metric != "r" for row in drawn):
        handles.append(Line2D([], [], marker="D", linestyle="none", markerfacecolor="white",
                              markeredgewidth=2, color=OKABE_ITO["green"],
                              label="converted to r from d or g"))
    if any(row.ci for row in drawn):
        handles.append(Line2D([], [], color=OKABE_ITO["black"], linewidth=2, marker="|", markersize=10,
                              markeredgewidth=2, label="95% confidence interval"))
    if any(not row.ci for row in drawn):
        handles.append(Line2D([], [], color=OKABE_ITO["grey"], linewidth=1, linestyle="--",
                              label="no interval given by the source"))
    if any(row.r is not None and row.r < 0 for row in drawn):
        handles.append(Line2D([], [], marker="o", linestyle="none", color=OKABE_ITO["vermillion"],
                              label="below 0: goes with worse outcome"))
    ax.figure.legend(handles=handles, loc="outside lower center", ncol=2, fontsize=MIN_FONT, frameon=False)
    ax.grid(axis="x", alpha=0.3)


def _evidence_table(rows: Sequence[EffectRow], *, first: str = "Finding",
                    ratings: Sequence[str] | None = None) -> DataTable:
    """The rows' figures, grades and sources as a table of real text (under the figure)."""
    graded = any(row.grade for row in rows)
    columns = (first, *(["Your rating"] if ratings is not None else []), "Effect on the scale of r",
               *(["Grade"] if graded else []), "Evidence and source")
    cells = []
    for n, row in enumerate(rows):
        cells.append((row.label, *([ratings[n]] if ratings is not None else []),
                      row.number_text or "no single r: evidence of another kind",
                      *([row.grade or "not recorded here"] if graded else []), row.text))
    return DataTable("The evidence behind each row", columns, tuple(cells))


def _effects_alt(rows: Sequence[EffectRow]) -> str:
    return _listing([f"{row.label}: {row.number_text}" if row.r is not None
                     else f"{row.label}: no single r (evidence of another kind)" for row in rows])


def effect_sizes(
    rows: Sequence[EffectRow | tuple[str, float | None, str, str]],
    *,
    title: str = "What the research found",
    xlabel: str = "Correlation with therapy outcome (r), with its 95% interval and k studies",
) -> DescribedFigure:
    """Published effects on the scale of r, one row each; their evidence in a table under the figure.

    ``rows`` are ``EffectRow``s (``EffectRow.of(finding)``), or short tuples
    (label, r or None, the metric it came from, a text) drawn without an
    interval. A row without a number is written out, not drawn: it is evidence
    of another kind. Each row's evidence and source is real text in the table,
    not text in the image, so it reflows, zooms and is read out.
    """
    effect_rows = [_as_row(row) for row in rows]
    graded = any(row.grade for row in effect_rows)
    fig = new_figure(MAX_WIDTH, (1.1 if graded else 0.85) * len(effect_rows) + 2.4)
    ax = fig.add_subplot()
    positions = list(range(len(effect_rows)))[::-1]
    _effect_panel(ax, effect_rows, positions)
    ax.set_ylim(-0.6, len(effect_rows) - 0.3)
    ax.set_yticks(positions, _row_labels(effect_rows, 24))
    ax.set_xlabel(xlabel)
    fig.suptitle(title)
    alt = (f"{title}. Dot chart of {len(effect_rows)} published findings, on the scale of r with the "
           "95% interval and number of studies (k) where the source gives them: "
           + _effects_alt(effect_rows) + " Each finding's evidence and source is in the table below.")
    return DescribedFigure(fig, alt, _evidence_table(effect_rows))


def ratings_beside_evidence(
    rows: Sequence[tuple[Answer | None, EffectRow]],
    *,
    scale: tuple[int, int] = (1, 5),
    title: str = "Your self-ratings beside the published evidence",
) -> DescribedFigure:
    """Left, the student's rating of each element; right, its published link with outcome.

    ``rows`` holds (rating or None, the element's ``EffectRow``); a rating of
    ``NOT_APPLICABLE`` is written as "did not happen", never drawn as a value. The panels
    share their rows, so each rating is read beside its evidence, its interval,
    its number of studies and its grade; they do not share a scale, because a
    self-rating and a correlation are different kinds of number. Each element's
    evidence and source is in a table under the figure.
    """
    lo, hi = scale
    effect_rows = [row for _rating, row in rows]
    graded = any(row.grade for row in effect_rows)
    fig = new_figure(MAX_WIDTH, (1.05 if graded else 0.9) * len(rows) + 2.6)
    left, middle = fig.subplots(1, 2, sharey=True, gridspec_kw={"width_ratios": [1, 1.5]})
    positions = list(range(len(rows)))[::-1]
    said = []
    for pos, (rating, _row) in zip(positions, rows, strict=True):
        left.barh(pos, hi - lo, left=lo, height=0.55, color=OKABE_ITO["grey"], alpha=0.2)
        if not isinstance(rating, int):
            said.append("not rated" if rating is None else "did not happen")
            left.text(lo + 0.1, pos, said[-1], va="center", fontsize=FONT, style="italic")
            continue
        said.append(str(rating))
        left.barh(pos, rating - lo, left=lo, height=0.55, color=OKABE_ITO["blue"],
                  edgecolor=OKABE_ITO["black"])
        left.text(rating + 0.06, pos, str(rating), va="center", fontsize=FONT)
    left.set_xlim(lo, hi + 0.5)
    left.set_xticks(range(lo, hi + 1))
    left.set_ylim(-0.6, len(rows) - 0.3)
    left.set_yticks(positions, _row_labels(effect_rows, 22))
    left.set_xlabel(_wrap(f"Your self-rating ({lo} = a clear gap, {hi} = a clear strength)", 30))
    left.set_title("How you rate yourself", fontsize=11)
    left.grid(axis="x", alpha=0.3)
    _effect_panel(middle, effect_rows, positions)
    middle.set_xlabel(_wrap("Link with therapy outcome, as r (95% interval; k studies)", 40))
    middle.set_title("What the meta-analyses found", fontsize=11)
    fig.suptitle(title)
    alt = (f"{title}. Two panels sharing their rows. Left, your self-rating of each element from "
           f"{lo} (a clear gap) to {hi} (a clear strength); right, its published link with therapy "
           "outcome on the scale of r. " + _listing([
               f"{row.label}: you rated {rating}; " + (row.number_text if row.r is not None
                                                        else "no single r (evidence of another kind)")
               for rating, row in zip(said, effect_rows, strict=True)])
           + " Each element's evidence and source is in the table below.")
    return DescribedFigure(fig, alt, _evidence_table(effect_rows, first="Element", ratings=said))


def _percent(share: float) -> str:
    return f"{100 * share:.0f}%"


def noise_and_gains(
    runs: Sequence[GainsAtNoise],
    *,
    title: str = "The same clients, measured with more or less error",
) -> DescribedFigure:
    """Sudden gains found in the same clients at several reliabilities (see ``gains_by_noise``).

    Left, the share of clients with a gain found, split into planted gains
    found (solid) and gains made by noise (hatched), with the share planted as
    a dashed line; right, the share of those clients whose gain seemed to
    reverse. Hatching and labels carry the split, not colour alone.
    """
    fig = new_figure(MAX_WIDTH, 4.8)
    left, right = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.6, 1]})
    names = [f"r = {number_text(run.reliability)}\nerror SD {run.noise_sd:.1f}" for run in runs]
    pos = list(range(len(runs)))
    real = [100 * run.found_planted for run in runs]
    noise = [100 * run.found_by_noise for run in runs]
    left.bar(pos, real, color=OKABE_ITO["blue"], edgecolor=OKABE_ITO["black"],
             label="planted gain found")
    left.bar(pos, noise, bottom=real, color=OKABE_ITO["orange"], edgecolor=OKABE_ITO["black"],
             hatch="//", label="gain made by noise")
    for x, run in zip(pos, runs, strict=True):
        left.text(x, 100 * run.found + 1, _percent(run.found), ha="center", va="bottom", fontsize=FONT,
                  bbox={"facecolor": "white", "edgecolor": "none", "pad": 1})
    planted = 100 * runs[0].planted if runs else 0.0
    left.axhline(planted, color=OKABE_ITO["black"], linestyle="--", linewidth=1,
                 label=f"planted: {planted:.0f}% of clients")
    left.set_xticks(pos, names)
    left.set_ylim(0, max([planted, *(100 * run.found for run in runs)]) * 1.3 + 1)
    left.set_xlabel("Reliability of the scale (SD of the error, in points)")
    left.set_ylabel("Clients with a sudden gain found (%)")
    left.set_title("Gains found", fontsize=11)
    left.legend(loc="upper left", fontsize=MIN_FONT)
    left.grid(axis="y", alpha=0.3)
    shares = [100 * run.reversed for run in runs]
    right.bar(pos, shares, color=OKABE_ITO["vermillion"], edgecolor=OKABE_ITO["black"], hatch="..")
    for x, value in zip(pos, shares, strict=True):
        right.text(x, value + 1, f"{value:.0f}%", ha="center", va="bottom", fontsize=FONT)
    right.set_xticks(pos, [f"r = {number_text(run.reliability)}" for run in runs])
    right.set_ylim(0, max([10.0, *shares]) * 1.3)
    right.set_xlabel("Reliability of the scale")
    right.set_ylabel("Of those, gain reversed (%)")
    right.set_title("Gains that seemed to reverse", fontsize=11)
    right.grid(axis="y", alpha=0.3)
    fig.suptitle(title)
    alt = (f"{title}. Two bar charts over {len(runs)} reliabilities of the same scale; "
           f"{planted:.0f}% of the clients have a planted sudden gain. " + " ".join(
               f"At r = {number_text(run.reliability)} (error SD {run.noise_sd:.1f} points): "
               f"gains found in {_percent(run.found)} of clients, {_percent(run.found_planted)} "
               f"planted and {_percent(run.found_by_noise)} made by noise; "
               f"{_percent(run.reversed)} of them seemed to reverse." for run in runs))
    return DescribedFigure(fig, alt)


def expected_track(
    scores: Sequence[float],
    expected: Sequence[float],
    tolerance: Sequence[float],
    alarms: Sequence[tuple[str, int | None]],
    *,
    scale: tuple[float, float] = (0, 63),
    ylabel: str = "Week check score (higher is worse)",
    title: str = "Scores against the course expected of similar clients",
) -> DescribedFigure:
    """One client's outcome scores against the expected course and its tolerance band, with the
    session at which each method first raised the alarm.

    ``scores``, ``expected`` and ``tolerance`` run session by session from the intake (NaN
    for a missed session); ``alarms`` is (method, first session or None) per method. Each
    method's alarm has its own marker shape as well as its own colour, and the band is
    shaded and edged, so the plot reads without colour.
    """
    fig = new_figure(8.5, 4.5)
    ax = fig.add_subplot()
    sessions = list(range(len(scores)))
    ax.fill_between(sessions, list(expected), list(tolerance), color=OKABE_ITO["sky_blue"],
                    alpha=0.3, label="tolerance band (up to 9 in 10 similar clients)")
    ax.plot(sessions, list(tolerance), color=OKABE_ITO["blue"], linewidth=1, linestyle=":")
    ax.plot(sessions, list(expected), color=OKABE_ITO["black"], linestyle="--", linewidth=1.5,
            label="expected course (median of similar clients)")
    ax.plot(sessions, [float(v) for v in scores], color=OKABE_ITO["blue"], marker="o",
            markersize=4, linewidth=1.6, label="the client's scores")
    shapes = [("^", OKABE_ITO["vermillion"]), ("s", OKABE_ITO["orange"]), ("D", OKABE_ITO["purple"])]
    for n, (method, session) in enumerate(alarms):
        marker, colour = shapes[n % len(shapes)]
        if session is None:
            ax.plot([], [], marker=marker, color=colour, linestyle="none",
                    label=f"{method}: no alarm")
            continue
        ax.axvline(session, color=colour, linewidth=1.2, linestyle="-.")
        ax.plot([session], [float(scores[session])], marker=marker, color=colour, markersize=11,
                linestyle="none", markeredgecolor="black",
                label=f"{method}: first alarm at session {session}")
    ax.set_ylim(*scale)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("Session (0 = intake)")
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=MIN_FONT, loc="upper left", bbox_to_anchor=(1.01, 1.0))

    def _score(value: float) -> str:
        return "missing" if math.isnan(float(value)) else f"{float(value):.0f}"

    first = {session: method for method, session in alarms if session is not None}
    rows = tuple((str(s), _score(scores[s]), f"{float(expected[s]):.1f}",
                  f"{float(tolerance[s]):.1f}",
                  "; ".join(m for m, at in alarms if at == s) or "") for s in sessions)
    table = DataTable(f"{title}: by session", ("Session", "Score", "Expected", "Tolerance up to",
                                               "First alarm"), rows)
    said = "; ".join(f"{m}: first alarm at session {at}" if at is not None else f"{m}: no alarm"
                     for m, at in alarms)
    alt = (f"{title}. Line chart of {ylabel.lower()} ({_g(scale[0])} to {_g(scale[1])}) by session "
           f"from the intake (session 0): the client's scores, the expected course as a dashed "
           f"line and the tolerance band above it shaded. {said}." +
           (" The table below gives every value." if first or rows else ""))
    return DescribedFigure(fig, alt, table)


def alarm_comparison(
    rows: Sequence[tuple[str, float, float, float | None]],
    *,
    outcome: str = "deteriorated",
    title: str = "What each method catches, and how early",
) -> DescribedFigure:
    """Per method (label, share of the clients with the outcome it caught, share of the other
    clients it flagged, median session of its first alarm), side by side as bars in per cent.

    The two bars of a method differ in hatch as well as colour; the values are written on the
    bars and given again in the table."""
    fig = new_figure(8.5, 3.8)
    ax = fig.add_subplot()
    positions = list(range(len(rows)))
    height = 0.38
    caught = [100 * r[1] for r in rows]
    others = [100 * r[2] for r in rows]
    ax.barh([p - height / 2 for p in positions], caught, height, color=OKABE_ITO["vermillion"],
            label=f"clients who {outcome}: share caught")
    ax.barh([p + height / 2 for p in positions], others, height, color=OKABE_ITO["sky_blue"],
            hatch="//", edgecolor="black", label="other clients: share flagged")
    for p, c, o in zip(positions, caught, others, strict=True):
        ax.text(c + 1, p - height / 2, f"{c:.0f}%", va="center", fontsize=MIN_FONT)
        ax.text(o + 1, p + height / 2, f"{o:.0f}%", va="center", fontsize=MIN_FONT)
    ax.set_yticks(positions, [_wrap(r[0], 26) for r in rows])
    ax.invert_yaxis()
    ax.set_xlim(0, 110)
    ax.set_xlabel("Share of clients (%)")
    ax.set_title(title)
    ax.grid(axis="x", alpha=0.3)
    ax.legend(fontsize=MIN_FONT, loc="lower right")

    def _when(session: float | None) -> str:
        return "never" if session is None else f"session {session:g}"

    table = DataTable(title, ("Method", f"Clients who {outcome}: caught", "Other clients: flagged",
                              "Median first alarm"),
                      tuple((r[0], f"{100 * r[1]:.0f}%", f"{100 * r[2]:.0f}%", _when(r[3]))
                            for r in rows))
    alt = (f"{title}. Bar chart, two bars per method: " + _listing([
        f"{r[0]} caught {100 * r[1]:.0f}% of the clients who {outcome} (median first alarm "
        f"{_when(r[3])}) and flagged {100 * r[2]:.0f}% of the others" for r in rows]))
    return DescribedFigure(fig, alt, table)
