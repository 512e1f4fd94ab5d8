"""Figures of a student's own answers and of the module data.

Every function takes plain data and returns a matplotlib Figure; none of them
scores anything or reads files. Figures are built without pyplot, so nothing
piles up in pyplot's global state across a long notebook session; in Jupyter a
returned Figure shows as an image. Colours come from the Okabe-Ito palette,
which stays distinguishable with the common forms of colour blindness, and no
plot relies on colour alone.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Sequence

import matplotlib
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from coursekit.instruments import Score

# Okabe & Ito (2008), colour-blind-safe qualitative palette.
OKABE_ITO = {
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "purple": "#CC79A7",
    "black": "#000000",
    "grey": "#999999",
}
PALETTE = [OKABE_ITO[k] for k in ("blue", "orange", "green", "vermillion", "purple", "sky_blue")]


_inline_ready = False


def _activate_inline_display() -> None:
    # matplotlib loads its backend lazily; in a Jupyter kernel the inline
    # backend must be loaded for a bare Figure to render as an image.
    # Done once: switching backends closes the student's own pyplot figures.
    global _inline_ready
    if not _inline_ready and "ipykernel" in sys.modules:
        import matplotlib.pyplot as plt

        plt.switch_backend(matplotlib.rcParams["backend"])
        _inline_ready = True


def new_figure(width: float = 7.0, height: float = 4.0) -> Figure:
    _activate_inline_display()
    return Figure(figsize=(width, height), layout="constrained")


def profile(score: Score, *, title: str | None = None) -> Figure:
    """One bar per subscale, drawn against the subscale's possible range.

    Subscales not yet fully answered are labelled as such instead of drawn,
    because a partial sum would read as a low score.
    """
    fig = new_figure(7.0, 0.9 * len(score.subscales) + 1.6)
    ax = fig.add_subplot()
    labels = [sub.label for sub in score.subscales]
    positions = list(range(len(labels)))[::-1]  # first subscale on top
    for pos, sub in zip(positions, score.subscales, strict=True):
        # the whole possible range, as a light track behind the bar
        ax.barh(pos, sub.maximum - sub.minimum, left=sub.minimum, height=0.6,
                color=OKABE_ITO["grey"], alpha=0.25)
        if sub.total is None:
            ax.text(sub.minimum + 0.3, pos,
                    f"not complete: {sub.answered} of {sub.n_items} items answered",
                    va="center", fontsize=9, style="italic")
            continue
        ax.barh(pos, sub.total - sub.minimum, left=sub.minimum, height=0.6,
                color=PALETTE[pos % len(PALETTE)], edgecolor=OKABE_ITO["black"])
        ax.text(sub.total + 0.2, pos, f"{sub.total} of {sub.maximum}", va="center", fontsize=9)
    lo = min(sub.minimum for sub in score.subscales)
    hi = max(sub.maximum for sub in score.subscales)
    ax.set_xlim(lo, hi + 0.15 * (hi - lo))
    step = max(1, (hi - lo) // 4)
    ax.set_xticks(range(lo, hi + 1, step))
    ax.set_yticks(positions, labels)
    ax.set_xlabel(f"Subscale total (possible range {lo} to {hi})")
    total = f"total {score.total} of {score.maximum}" if score.total is not None else "incomplete"
    ax.set_title(f"{title or f'Your {score.instrument} profile'} ({total})")
    ax.grid(axis="x", alpha=0.3)
    return fig


def alliance_series(
    ratings: Sequence[float | None],
    *,
    rupture: int | None = None,
    repair: int | None = None,
    scale: tuple[float, float] = (0, 40),
    title: str = "Alliance rating, session by session",
) -> Figure:
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
    ax.legend(loc="lower right", fontsize=9)
    return fig


def trajectories(
    scores: Sequence[Sequence[float]],
    flags: Sequence[Sequence[float]],
    clients: Sequence[int],
    *,
    labels: Sequence[str] | None = None,
    scale: tuple[float, float] = (0, 63),
    ylabel: str = "Symptom score (lower is better)",
    title: str = "Session-by-session scores",
) -> Figure:
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
    ax.legend(fontsize=8, loc="upper right", ncol=2)
    return fig


def change_shares(
    shares: Sequence[tuple[str, float]],
    *,
    title: str = "How the cohort changed",
    xlabel: str = "Share of clients (%)",
) -> Figure:
    """Horizontal bars of the share of clients (in %) in each kind of change."""
    fig = new_figure(7.5, 0.6 * len(shares) + 1.6)
    ax = fig.add_subplot()
    names = [name for name, _ in shares][::-1]
    values = [float(v) for _, v in shares][::-1]
    hatches = ["", "//", "..", "xx", "\\\\", "++"]
    for pos, value in enumerate(values):
        ax.barh(pos, value, color=PALETTE[pos % len(PALETTE)], edgecolor=OKABE_ITO["black"],
                hatch=hatches[pos % len(hatches)])
        ax.text(value + 1, pos, f"{value:.0f}%", va="center", fontsize=9)
    ax.set_yticks(range(len(names)), names)
    ax.set_xlim(0, max([100.0, *[v + 10 for v in values]]))
    ax.set_xlabel(xlabel)
    ax.set_title(title)
    ax.grid(axis="x", alpha=0.3)
    return fig


def dose_effect(
    sessions: Sequence[float],
    proportion: Sequence[float],
    *,
    fitted: tuple[Sequence[float], Sequence[float]] | None = None,
    marks: Sequence[tuple[float, float]] = (),
    title: str = "Dose and effect: share of clients improved by session",
) -> Figure:
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
                    textcoords="offset points", xytext=(8, -14), fontsize=9)
    ax.set_ylim(0, 100)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("Sessions attended")
    ax.set_ylabel("Clients improved (%)")
    ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right", fontsize=9)
    return fig


def prediction_vs_data(
    items: Sequence[tuple[str, float | None, float]],
    *,
    title: str = "What you predicted, and what the data showed",
) -> Figure:
    """One small panel per question: the student's prediction beside the observed value.

    ``items`` holds (question, predicted or None if not answered, observed).
    """
    fig = new_figure(3.2 * len(items) + 0.8, 3.8)
    axes = fig.subplots(1, len(items), squeeze=False)[0]
    for ax, (question, predicted, observed) in zip(axes, items, strict=True):
        heights = [0.0 if predicted is None else float(predicted), float(observed)]
        bars = ax.bar(["you predicted", "the data"], heights,
                      color=[OKABE_ITO["orange"], OKABE_ITO["blue"]], edgecolor=OKABE_ITO["black"])
        bars[0].set_hatch("//")
        if predicted is None:
            ax.text(0, 0, "not answered", ha="center", va="bottom", fontsize=8, style="italic")
        for bar, value in zip(bars, heights, strict=True):
            if value:
                ax.text(bar.get_x() + bar.get_width() / 2, value, f"{value:.0f}", ha="center",
                        va="bottom", fontsize=9)
        ax.set_title(question, fontsize=10)
        ax.set_ylim(0, max(heights) * 1.25 + 1)
        ax.grid(axis="y", alpha=0.3)
    axes[0].set_ylabel("Value (units in each title)")
    fig.suptitle(title)
    return fig

