"""Plots are checked on their Figure and Axes data, not on images."""

import math

import matplotlib.colors as mcolors
from matplotlib.figure import Figure

from coursekit.instruments import score
from coursekit.plots import OKABE_ITO, alliance_series, profile


def test_profile_draws_each_subscale_against_its_range(alliance):
    answers = {i.id: {"bond": 5, "goals": 3, "tasks": 2}[i.subscale] for i in alliance.items}
    fig = profile(score(alliance, answers))
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Bond", "Goals", "Tasks"]
    assert ax.get_title() and ax.get_xlabel().startswith("Subscale total")
    # coloured bars (skip the grey range tracks) end at the subscale totals
    bars = [p for p in ax.patches if mcolors.to_hex(p.get_facecolor()) != OKABE_ITO["grey"].lower()]
    ends = sorted(round(b.get_x() + b.get_width()) for b in bars)
    assert ends == [8, 12, 20]
    assert all(mcolors.to_hex(b.get_facecolor()).upper() in OKABE_ITO.values() for b in bars)
    assert "total 40 of 60" in ax.get_title()


def test_profile_labels_incomplete_subscales_instead_of_drawing_them(alliance):
    fig = profile(score(alliance, {"bond_1": 1, "bond_2": 1, "bond_3": 1, "bond_4": 1}))
    ax = fig.axes[0]
    texts = [t.get_text() for t in ax.texts]
    assert texts.count("not complete: 0 of 4 items answered") == 2
    assert "incomplete" in ax.get_title()


def test_series_marks_rupture_and_repair_and_leaves_gaps():
    ratings = [30, 31, 22, None, 28, 32]
    fig = alliance_series(ratings, rupture=3, repair=6)
    ax = fig.axes[0]
    line = ax.lines[0]
    ys = list(line.get_ydata())
    assert ys[:3] == [30, 31, 22] and math.isnan(ys[3])
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "rupture (session 3)" in labels and "repair (session 6)" in labels
    assert ax.get_xlabel() == "Session" and "Alliance rating" in ax.get_ylabel()
    assert ax.get_title()


def test_series_without_rupture_has_no_marks():
    ax = alliance_series([30, 31, 32]).axes[0]
    assert len(ax.lines) == 1 and not ax.patches
