"""The course's colours: the Okabe-Ito palette, shared by the matplotlib plots and the SVG charts.

Okabe & Ito (2008) chose these eight colours to stay distinguishable with the
common forms of colour blindness. Kept in a module of its own so that code
drawing without matplotlib (the cohort report) can use them without
importing it.
"""

from __future__ import annotations

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
# categorical series, in the order they are handed out
PALETTE = [OKABE_ITO[k] for k in ("blue", "orange", "green", "vermillion", "purple", "sky_blue")]

__all__ = ["OKABE_ITO", "PALETTE"]
