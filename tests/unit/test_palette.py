"""The course's colours for text meet WCAG 2.2 AA contrast (4.5:1) where the forms use them."""

import re
from pathlib import Path

import pytest

from coursekit.palette import OKABE_ITO, TEXT_ON_DARK, TEXT_ON_LIGHT, contrast_ratio

LIGHT_BACKGROUNDS = ["#FFFFFF", "#EEEEEE"]  # JupyterLab light: the page, a chosen option
DARK_BACKGROUNDS = ["#111111", "#212121", "#2C2C2C"]  # JupyterLab dark: its layout colours 0 to 2
CSS = Path(__file__).parents[2] / "src" / "coursekit" / "student" / "widgets_front.css"


def test_the_contrast_ratio_is_wcag_s():
    assert contrast_ratio("#000000", "#FFFFFF") == pytest.approx(21)
    assert contrast_ratio("#777777", "#FFFFFF") == pytest.approx(4.48, abs=0.01)
    # why the text variants exist: the palette's own colours fail as text on white
    assert round(contrast_ratio(OKABE_ITO["vermillion"], "#FFFFFF"), 2) == 3.87
    assert round(contrast_ratio(OKABE_ITO["green"], "#FFFFFF"), 2) == 3.42


@pytest.mark.parametrize("hue", sorted(TEXT_ON_LIGHT))
def test_text_colours_pass_aa_on_the_backgrounds_they_are_used_on(hue):
    for background in LIGHT_BACKGROUNDS:
        assert contrast_ratio(TEXT_ON_LIGHT[hue], background) >= 5.5, (hue, background)
    for background in DARK_BACKGROUNDS:
        assert contrast_ratio(TEXT_ON_DARK[hue], background) >= 5.5, (hue, background)


def test_the_form_stylesheet_uses_the_palette_s_text_colours():
    css = CSS.read_text()
    light, dark = css.split('[data-jp-theme-light="false"]', 1)
    assert re.search(r"--ck-ok:\s*(#\w+)", light)[1] == TEXT_ON_LIGHT["green"]
    assert re.search(r"--ck-warn:\s*(#\w+)", light)[1] == TEXT_ON_LIGHT["vermillion"]
    assert re.search(r"--ck-ok:\s*(#\w+)", dark)[1] == TEXT_ON_DARK["green"]
    assert re.search(r"--ck-warn:\s*(#\w+)", dark)[1] == TEXT_ON_DARK["vermillion"]
    # the Save button: white on the palette's darker blue
    assert re.search(r"\.ck-button \{[^}]*background: (#\w+)", css)[1] == TEXT_ON_LIGHT["blue"]
    assert contrast_ratio("#FFFFFF", TEXT_ON_LIGHT["blue"]) >= 4.5


def test_no_text_in_the_forms_is_smaller_than_13_px():
    sizes = [int(size) for size in re.findall(r"font-size:\s*(\d+)px", CSS.read_text())]
    assert sizes and min(sizes) >= 13
    assert not re.search(r"font-size:\s*[\d.]+(em|rem|%|pt)", CSS.read_text())  # px only, checkable
