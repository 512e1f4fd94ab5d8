"""The course's colours: the Okabe-Ito palette, shared by the matplotlib plots and the SVG charts.

Okabe & Ito (2008) chose these eight colours to stay distinguishable with the
common forms of colour blindness. Kept in a module of its own so that code
drawing without matplotlib (the cohort report) can use them without
importing it.

The palette's own vermillion and green are too light for text on white (3.87:1
and 3.42:1, below the 4.5:1 that WCAG 2.2 AA asks of text), so text in those
colours uses ``TEXT_ON_LIGHT``: the same hues, darker, each above 6:1 on white.
``TEXT_ON_DARK`` holds lighter ones for JupyterLab's dark theme. The form's
stylesheet (student/widgets_front.css) uses these values; a test holds it to them.
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

# Text in a palette hue: the hue kept, the lightness moved until the contrast is at least
# 5.5:1 on white and on a light grey (#EEEEEE), or on JupyterLab's dark backgrounds.
TEXT_ON_LIGHT = {"vermillion": "#9D4500", "green": "#006B4E", "blue": "#00639B"}
TEXT_ON_DARK = {"vermillion": "#FF801B", "green": "#00BA87", "blue": "#16ABFF"}
# what each means in a form's status line: warning (not saved, open items) and ok (all saved)
WARNING_TEXT = TEXT_ON_LIGHT["vermillion"]
OK_TEXT = TEXT_ON_LIGHT["green"]


def relative_luminance(colour: str) -> float:
    """The WCAG 2 relative luminance of a colour written as #RRGGBB."""
    channels = [int(colour.lstrip("#")[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_ratio(foreground: str, background: str) -> float:
    """WCAG 2 contrast ratio of two #RRGGBB colours, from 1 to 21.

    >>> round(contrast_ratio("#D55E00", "#FFFFFF"), 2)
    3.87
    """
    light, dark = sorted((relative_luminance(foreground), relative_luminance(background)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


__all__ = ["OKABE_ITO", "OK_TEXT", "PALETTE", "TEXT_ON_DARK", "TEXT_ON_LIGHT", "WARNING_TEXT",
           "contrast_ratio", "relative_luminance"]
