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


def test_trajectories_mark_each_flagged_interval_as_a_thick_segment():
    from coursekit.plots import trajectories

    scores = [[30, 29, 28, 18, 17, 16], [20, 20, 21, 20, 20, 19]]
    flags = [[float("nan"), 0.0, 1.0, 0.0, float("nan")], [float("nan"), 0, 0, 0, float("nan")]]
    ax = trajectories(scores, flags, [0, 1], labels=["gain", "flat"]).axes[0]
    thick = [line for line in ax.lines if line.get_linewidth() == 5 and len(line.get_xdata())]
    assert len(thick) == 1
    assert list(thick[0].get_xdata()) == [2, 3] and list(thick[0].get_ydata()) == [28, 18]
    assert ax.get_xlabel() == "Session (0 = intake)" and ax.get_title()
    assert {"gain", "flat", "sudden gain"} <= {t.get_text() for t in ax.get_legend().get_texts()}


def test_change_shares_draws_one_labelled_bar_per_kind():
    from coursekit.plots import change_shares

    ax = change_shares([("held", 12.0), ("reversed", 3.0), ("none", 85.0)]).axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["none", "reversed", "held"]
    assert sorted(round(p.get_width()) for p in ax.patches) == [3, 12, 85]
    assert ax.get_xlabel() == "Share of clients (%)"


def test_dose_effect_shows_observed_points_the_curve_and_marks():
    from coursekit.plots import dose_effect

    ax = dose_effect([1, 2, 3], [0.2, 0.35, 0.5], fitted=([1, 3], [0.2, 0.5]), marks=[(3, 0.5)]).axes[0]
    assert list(ax.lines[0].get_ydata()) == [20, 35, 50]
    assert list(ax.lines[1].get_ydata()) == [20, 50]
    assert "50% by session 3" in [t.get_text() for t in ax.texts]
    assert ax.get_ylabel() == "Clients improved (%)"


def test_prediction_vs_data_one_panel_per_question_and_says_when_unanswered():
    from coursekit.plots import prediction_vs_data

    fig = prediction_vs_data([("gains", 30, 15.0), ("weeks", None, 8.0)])
    assert [ax.get_title() for ax in fig.axes] == ["gains", "weeks"]
    assert [round(p.get_height()) for p in fig.axes[0].patches] == [30, 15]
    assert "not answered" in [t.get_text() for t in fig.axes[1].texts]
