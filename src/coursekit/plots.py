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


__all__ = ["OKABE_ITO", "PALETTE", "alliance_series", "new_figure", "profile"]
