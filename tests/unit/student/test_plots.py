"""Plots are checked on their Figure and Axes data and their text alternative, not on images."""

import math

import matplotlib.colors as mcolors
from matplotlib.figure import Figure

from conftest import evidence_of
from coursekit.content.instruments import NOT_APPLICABLE, score
from coursekit.student.plots import OKABE_ITO, DescribedFigure, alliance_series, profile


def test_profile_draws_each_subscale_mean_on_the_answer_scale(alliance):
    answers = {i.id: {"bond": 5, "goals": 3, "tasks": 2}[i.subscale] for i in alliance.items}
    described = profile(score(alliance, answers))
    assert isinstance(described, DescribedFigure) and isinstance(described.figure, Figure)
    fig = described.figure
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Bond", "Goals", "Tasks"]
    assert ax.get_title() and ax.get_xlabel().startswith("Mean answer")
    # coloured bars (skip the grey range tracks) end at the subscale means
    bars = [p for p in ax.patches if mcolors.to_hex(p.get_facecolor()) != OKABE_ITO["grey"].lower()]
    ends = sorted(round(b.get_x() + b.get_width(), 2) for b in bars)
    assert ends == [2, 3, 5]
    assert all(mcolors.to_hex(b.get_facecolor()).upper() in OKABE_ITO.values() for b in bars)
    assert "mean 3.3 of 5" in ax.get_title()
    assert "Bond: mean 5.0 of 5; Goals: mean 3.0 of 5; Tasks: mean 2.0 of 5." in described.alt


def test_profile_means_leave_out_the_items_that_did_not_happen(alliance):
    answers = {i.id: 4 for i in alliance.items} | {"bond_3": NOT_APPLICABLE, "bond_1": 1}
    ax = profile(score(alliance, answers)).axes[0]
    bars = [p for p in ax.patches if mcolors.to_hex(p.get_facecolor()) != OKABE_ITO["grey"].lower()]
    # bond: (1 + 4 + 4) / 3 = 3, not (1 + 4 + 4) / 4, and not "incomplete"
    assert sorted(round(b.get_x() + b.get_width(), 2) for b in bars) == [3, 4, 4]
    assert "3.0 of 5 (1 did not happen)" in [t.get_text() for t in ax.texts]
    assert "incomplete" not in ax.get_title()


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
    from coursekit.student.plots import trajectories

    scores = [[30, 29, 28, 18, 17, 16], [20, 20, 21, 20, 20, 19]]
    flags = [[float("nan"), 0.0, 1.0, 0.0, float("nan")], [float("nan"), 0, 0, 0, float("nan")]]
    ax = trajectories(scores, flags, [0, 1], labels=["gain", "flat"]).axes[0]
    thick = [line for line in ax.lines if line.get_linewidth() == 5 and len(line.get_xdata())]
    assert len(thick) == 1
    assert list(thick[0].get_xdata()) == [2, 3] and list(thick[0].get_ydata()) == [28, 18]
    assert ax.get_xlabel() == "Session (0 = intake)" and ax.get_title()
    assert {"gain", "flat", "sudden gain"} <= {t.get_text() for t in ax.get_legend().get_texts()}


def test_change_shares_draws_one_labelled_bar_per_kind():
    from coursekit.student.plots import change_shares

    ax = change_shares([("held", 12.0), ("reversed", 3.0), ("none", 85.0)]).axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["none", "reversed", "held"]
    assert sorted(round(p.get_width()) for p in ax.patches) == [3, 12, 85]
    assert ax.get_xlabel() == "Share of clients (%)"


def test_dose_effect_shows_observed_points_the_curve_and_marks():
    from coursekit.student.plots import dose_effect

    ax = dose_effect([1, 2, 3], [0.2, 0.35, 0.5], fitted=([1, 3], [0.2, 0.5]), marks=[(3, 0.5)]).axes[0]
    assert list(ax.lines[0].get_ydata()) == [20, 35, 50]
    assert list(ax.lines[1].get_ydata()) == [20, 50]
    assert "50% by session 3" in [t.get_text() for t in ax.texts]
    assert ax.get_ylabel() == "Clients improved (%)"


def test_prediction_vs_data_one_panel_per_question_and_says_when_unanswered():
    from coursekit.student.plots import prediction_vs_data

    fig = prediction_vs_data([("gains", 30, 15.0), ("weeks", None, 8.0)])
    assert [ax.get_title() for ax in fig.axes] == ["gains", "weeks"]
    assert [round(p.get_height()) for p in fig.axes[0].patches] == [30, 15]
    assert "not answered" in [t.get_text() for t in fig.axes[1].texts]


# --- craft, stuck and relationship ---------------------------------------------------


def _okabe(colour) -> bool:
    return mcolors.to_hex(colour).upper() in OKABE_ITO.values()


def test_bipolar_placement_marks_each_pair_and_the_average():
    from coursekit.student.plots import bipolar_placement

    ax = bipolar_placement([("learning", 2), ("fitting", 6), ("mastery", None)]).axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["learning", "fitting", "mastery"]
    marks = [line for line in ax.lines if line.get_marker() == "D"]
    assert sorted((m.get_xdata()[0], m.get_ydata()[0]) for m in marks) == [(2, 2), (6, 1)]
    assert all(_okabe(m.get_color()) for m in marks)
    assert "not answered" in [t.get_text() for t in ax.texts]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["your average: 4.0"]
    ticks = [t.get_text() for t in ax.get_xticklabels()]
    assert ticks[0] == "1\ntechnique" and ticks[-1] == "7\ncraft" and ticks[3] == "4\nboth"
    assert "1 = all technique, 7 = all craft" in ax.get_xlabel() and ax.get_title()


def test_bipolar_placement_with_nothing_answered_has_no_average():
    from coursekit.student.plots import bipolar_placement

    ax = bipolar_placement([("a", None), ("b", None)]).axes[0]
    assert ax.get_legend() is None and [t.get_text() for t in ax.texts].count("not answered") == 2


def test_practice_split_draws_hours_by_kind_beside_the_findings():
    from coursekit.student.plots import practice_split

    hours = [("recordings", "Deliberate practice", 6), ("supervision", "Other learning", 4),
             ("sessions", "Routine work", 90), ("reading", "Other learning", None)]
    fig = practice_split(hours, groups=["Deliberate practice", "Other learning", "Routine work"],
                         findings=[("Experience did not predict outcome.", "Chow et al. 2015")],
                         title="My month")
    (bars,) = fig.axes
    # the findings are real text in a table under the chart, not text in the image
    assert fig.table.rows == (("Experience did not predict outcome.", "Chow et al. 2015"),)
    written = " ".join(cell for row in fig.table.rows for cell in row)
    assert sorted(round(p.get_width()) for p in bars.patches if p.get_width()) == [4, 6, 90]
    # kinds differ by hatch as well as colour
    assert len({p.get_hatch() for p in bars.patches}) == 3
    assert all(_okabe(p.get_facecolor()) for p in bars.patches)
    legend = [t.get_text() for t in bars.get_legend().get_texts()]
    assert legend == ["Deliberate practice: 6 h, 6%", "Other learning: 4 h, 4%", "Routine work: 90 h, 90%"]
    assert bars.get_xlabel() == "Hours in a typical month"
    assert "not answered" in [t.get_text().strip() for t in bars.texts]
    assert "Experience did not predict outcome." in written and "Chow et al. 2015" in written
    assert fig.get_suptitle() == "My month"
    assert "recordings 6 h (Deliberate practice)" in fig.alt and "Routine work 90 h, 90%" in fig.alt


def test_practice_split_with_no_hours_says_so():
    from coursekit.student.plots import practice_split

    fig = practice_split([("a", "D", 0), ("b", "R", None)], groups=["D", "R"])
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert "No hours yet: every answer is 0 or not saved" in texts
    assert [t.get_text() for t in fig.axes[0].get_legend().get_texts()] == ["D: 0 h", "R: 0 h"]


def test_feelings_checkin_draws_intensities_and_the_own_word_apart():
    from coursekit.student.plots import feelings_checkin

    ax = feelings_checkin([("anger", 3), ("dislike", None), ("hopelessness", 8)], own=("bored", 6)).axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["anger", "dislike", "hopelessness",
                                                            "bored (your word)"]
    drawn = [p for p in ax.patches if p.get_alpha() is None]
    assert sorted(round(p.get_width()) for p in drawn) == [3, 6, 8]
    own = [p for p in drawn if p.get_hatch() == "//"]
    assert len(own) == 1 and round(own[0].get_width()) == 6  # told apart by hatch, not colour alone
    assert "not rated" in [t.get_text() for t in ax.texts]
    assert ax.get_xlabel().startswith("How strongly you felt it (0 = not at all") and ax.get_title()


def test_effect_sizes_draw_a_dot_only_where_there_is_a_number():
    from coursekit.student.plots import effect_sizes

    fig = effect_sizes([("managing", 0.39, "r", "r = .39; 9 studies"),
                        ("reactions", -0.16, "r", "r = -.16; 14 studies"),
                        ("feedback", None, "", "2/3 of 24 studies")], title="CT")
    (ax,) = fig.axes
    dots = [line for line in ax.lines if line.get_marker() == "o" and len(line.get_xdata())]
    assert sorted(float(d.get_xdata()[0]) for d in dots) == [-0.16, 0.39]
    assert {mcolors.to_hex(d.get_color()).upper() for d in dots} == {OKABE_ITO["green"],
                                                                      OKABE_ITO["vermillion"]}
    assert any("no single r" in t.get_text() for t in ax.texts)
    # each row's evidence is written out in the table under the figure
    assert [row[-1] for row in fig.table.rows] == ["r = .39; 9 studies", "r = -.16; 14 studies",
                                                   "2/3 of 24 studies"]
    assert fig.table.rows[2][1] == "no single r: evidence of another kind"
    assert "managing: r = .39, no interval given; reactions: r = -.16, no interval given" in fig.alt
    assert ax.get_xlabel().startswith("Correlation with therapy outcome (r)") and fig.get_suptitle() == "CT"
    labels = [t.get_text() for t in fig.legends[0].get_texts()]
    assert labels == ["r as published", "no interval given by the source", "below 0: goes with worse outcome"]


def interval_bars(ax):
    """The (low, high) of every interval bar drawn: errorbar draws each as a two-point segment."""
    from matplotlib.collections import LineCollection

    segments = [seg for coll in ax.collections if isinstance(coll, LineCollection)
                for seg in coll.get_segments()]
    return sorted((round(float(seg[0][0]), 4), round(float(seg[1][0]), 4)) for seg in segments)


def test_an_imprecise_estimate_is_drawn_with_its_wide_interval_and_its_few_studies():
    """The reviewer's case: r = .39 from 9 studies must not look like r = .278 from 295."""
    from coursekit.student.plots import EffectRow, effect_sizes

    evidence = evidence_of("relationship")
    rows = [EffectRow.of(evidence.finding(name)) for name in ("alliance", "managing_countertransference")]
    (ax,) = effect_sizes(rows).axes
    assert interval_bars(ax) == [(0.17, 0.6), (0.256, 0.299)]
    labels = [t.get_text() for t in ax.texts]
    assert "r = .28 [.26, .30], k = 295" in labels and "r = .39 [.17, .60], k = 9" in labels
    assert "95% confidence interval" in [t.get_text() for t in ax.figure.legends[0].get_texts()]
    # each element's task-force grade is shown under it
    ticks = [t.get_text() for t in ax.get_yticklabels()]
    assert ticks == ["Alliance\n(demonstrably effective)",
                     "Managing\ncountertransference\n(probably effective)"]


def test_a_converted_effect_keeps_its_interval_on_the_scale_of_r():
    from coursekit.content.evidence import Citation, Effect, Finding
    from coursekit.student.plots import EffectRow, effect_sizes

    cite = Citation("X 2000", "X, Y.", 2000, "A title", "Journal")
    finding = Finding("x", "X", "Found.", cite, effects=(Effect("d", 0.58, (0.4, 0.8)),), k=12)
    row = EffectRow.of(finding)
    assert row.metric == "d" and abs(row.r - 0.58 / (0.58**2 + 4) ** 0.5) < 1e-12
    low, high = row.ci or (0.0, 0.0)
    assert abs(low - 0.4 / (0.4**2 + 4) ** 0.5) < 1e-12 and abs(high - 0.8 / (0.8**2 + 4) ** 0.5) < 1e-12
    assert row.number_text == "r \u2248 .28 (from d) [.20, .37], k = 12"
    (ax,) = effect_sizes([row]).axes
    assert interval_bars(ax) == [(round(low, 4), round(high, 4))]
    no_interval = EffectRow.of(Finding("y", "Y", "Found.", cite, effects=(Effect("r", 0.2),), k=3))
    assert no_interval.number_text == "r = .20, k = 3, no interval given"


def test_ratings_beside_evidence_share_rows_and_mark_converted_values():
    from coursekit.student.plots import EffectRow, ratings_beside_evidence

    rows = [(4, EffectRow("Empathy", 0.28, "r", "r = .28", (0.23, 0.33), 82, "demonstrably effective")),
            (None, EffectRow("Positive regard", 0.139, "g", "g = .28", None, 64, "demonstrably effective")),
            (2, EffectRow("Collecting feedback", None, "", "2/3 of 24 studies", None, 24))]
    fig = ratings_beside_evidence(rows)
    ratings, effects = fig.axes
    assert [t.get_text() for t in ratings.get_yticklabels()] == [
        "Empathy\n(demonstrably effective)", "Positive regard\n(demonstrably effective)",
        "Collecting feedback\n(grade not recorded here)"]
    drawn = [p for p in ratings.patches if p.get_alpha() is None]
    assert sorted(round(p.get_width() + p.get_x()) for p in drawn) == [2, 4]
    assert "not rated" in [t.get_text() for t in ratings.texts]
    converted = [line for line in effects.lines if line.get_marker() == "D" and len(line.get_xdata())]
    assert len(converted) == 1 and float(converted[0].get_xdata()[0]) == 0.139
    assert mcolors.to_hex(converted[0].get_markerfacecolor()) == "#ffffff"  # open, not only a colour
    assert "r \u2248 .14 (from g), k = 64\nno interval given" in [t.get_text() for t in effects.texts]
    assert interval_bars(effects) == [(0.23, 0.33)]
    assert ratings.get_xlabel().startswith("Your self-rating") and effects.get_xlabel()
    assert fig.get_suptitle()
    assert [row[:2] for row in fig.table.rows] == [("Empathy", "4"), ("Positive regard", "not rated"),
                                                   ("Collecting feedback", "2")]
    assert "Empathy: you rated 4; r = .28 [.23, .33], k = 82" in fig.alt


def test_noise_and_gains_splits_found_gains_into_planted_and_noise_made_and_describes_itself():
    from coursekit.stats.simulated_clients import GainsAtNoise
    from coursekit.student.plots import DescribedFigure, noise_and_gains

    runs = [GainsAtNoise(1.0, 0.0, 0.40, 0.33, 0.33, 0.0, 0.02),
            GainsAtNoise(0.86, 2.806, 0.40, 0.39, 0.29, 0.10, 0.17)]
    described = noise_and_gains(runs)
    assert isinstance(described, DescribedFigure)
    left, right = described.figure.axes
    assert sorted(round(p.get_height()) for p in left.patches) == [0, 10, 29, 33]
    assert [round(p.get_height()) for p in right.patches] == [2, 17]
    assert [t.get_text() for t in left.get_xticklabels()] == ["r = 1\nerror SD 0.0", "r = .86\nerror SD 2.8"]
    labels = {t.get_text() for t in left.get_legend().get_texts()}
    assert labels == {"planted gain found", "gain made by noise", "planted: 40% of clients"}
    assert left.get_ylabel() == "Clients with a sudden gain found (%)" and left.get_xlabel()
    assert right.get_ylabel() and right.get_xlabel() and described.figure.get_suptitle()
    assert all(_okabe(p.get_facecolor()) for p in left.patches + right.patches)
    noise_bars = [p for p in left.patches if p.get_hatch()]
    assert len(noise_bars) == 2  # the noise-made share is hatched, not told by colour alone
    # The text alternative gives every number the picture shows.
    for text in ("r = 1 (error SD 0.0 points)", "33% of clients", "r = .86 (error SD 2.8 points)",
                 "29% planted and 10% made by noise", "17% of them seemed to reverse", "40%"):
        assert text in described.alt
    bundle = described._repr_mimebundle_()
    assert bundle["text/html"].startswith('<img src="data:image/png;base64,')
    assert f'alt="{described.alt}"' in bundle["text/html"] and bundle["text/plain"] == described.alt
    # shown at 100 CSS pixels per inch, drawn at twice that for sharp text
    assert 'width="850" height="480"' in bundle["text/html"]


def test_ratings_beside_evidence_write_did_not_happen_instead_of_a_bar():
    from coursekit.student.plots import EffectRow, ratings_beside_evidence

    fig = ratings_beside_evidence([(4, EffectRow("Alliance", 0.28, "r", "r = .28", None, 1)),
                                   (NOT_APPLICABLE, EffectRow("Repairing ruptures", 0.29, "r", "r = .29",
                                                              None, 1))])
    left = fig.axes[0]
    assert "did not happen" in [t.get_text() for t in left.texts]
    assert "4" in [t.get_text() for t in left.texts]


# --- every plot: readable on screen, and described in words ------------------------------


def every_plot(alliance):
    """Each plot function once, with data like the notebooks' (name, DescribedFigure)."""
    from coursekit.stats.simulated_clients import GainsAtNoise
    from coursekit.student import plots

    effect = plots.EffectRow("Empathy", 0.28, "r", "r = .28; Elliott et al. 2018", (0.23, 0.33), 82,
                             "demonstrably effective")
    other = plots.EffectRow("Collecting feedback", None, "", "2/3 of 24 studies", None, 24)
    answers = {i.id: 4 for i in alliance.items} | {"bond_3": NOT_APPLICABLE}
    return {
        "profile": profile(score(alliance, answers)),
        "alliance_series": alliance_series([30, 31, 22, None, 28, 32], rupture=3, repair=6),
        "trajectories": plots.trajectories([[30, 29, 18, 17]], [[math.nan, 1.0, 0.0]], [0]),
        "change_shares": plots.change_shares([("held", 12.0), ("reversed", 3.0)]),
        "dose_effect": plots.dose_effect([1, 2, 3], [0.2, 0.35, 0.5], fitted=([1, 3], [0.2, 0.5]),
                                         marks=[(3, 0.5)]),
        "prediction_vs_data": plots.prediction_vs_data(
            [("clients with a sudden gain (of 100)", 30, 17.0),
             ("clients whose gain reversed (%)", None, 20.0), ("sessions until half improved", 8, 11.0)]),
        "bipolar_placement": plots.bipolar_placement([("Learning a new way of working", 2), ("b", None)]),
        "practice_split": plots.practice_split([("Reviewing recordings", "D", 6), ("Sessions", "R", 90)],
                                               groups=["D", "R"], findings=[("Found.", "Chow 2015")]),
        "feelings_checkin": plots.feelings_checkin([("Anger or irritation", 3)], own=("bored", 6)),
        "effect_sizes": plots.effect_sizes([effect, other]),
        "ratings_beside_evidence": plots.ratings_beside_evidence([(4, effect), (NOT_APPLICABLE, other)]),
        "noise_and_gains": plots.noise_and_gains([GainsAtNoise(1.0, 0.0, 0.40, 0.33, 0.33, 0.0, 0.02)]),
        "expected_track": plots.expected_track([30, 29, math.nan, 36], [30, 29, 27, 26], [30, 33, 32, 31],
                                               [("not on track", 3), ("reliably worse", None)]),
        "alarm_comparison": plots.alarm_comparison([("Expected response", 1.0, 0.25, 3.5),
                                                    ("RCI", 0.75, 0.14, 7.0)]),
    }


def test_every_plot_fits_a_notebook_and_no_text_in_it_is_small(alliance):
    """Shown at 100 CSS px per inch, a figure at most 8.5 in wide fits beside JupyterLab's file
    browser unscaled, and 10 pt is 13.9 px: the relationship chart was 14 in wide with 8.5 pt text
    (about 7 px once scaled down to fit)."""
    from matplotlib.text import Text

    from coursekit.student.plots import MAX_WIDTH, MIN_FONT, SCREEN_DPI

    assert MAX_WIDTH * SCREEN_DPI <= 850 and MIN_FONT * SCREEN_DPI / 72 >= 13
    for name, described in every_plot(alliance).items():
        fig = described.figure
        assert fig.get_size_inches()[0] <= MAX_WIDTH, name
        fig.draw_without_rendering()
        small = {(t.get_text(), t.get_fontsize()) for t in fig.findobj(Text)
                 if t.get_visible() and t.get_text().strip() and t.get_fontsize() < MIN_FONT}
        assert not small, f"{name}: text below {MIN_FONT} pt: {sorted(small)[:5]}"


def test_every_plot_has_a_text_alternative_with_its_numbers(alliance):
    numbers = {
        "profile": ["Bond: mean 4.0 of 5 (1 did not happen)", "Tasks: mean 4.0 of 5"],
        "alliance_series": ["3: 22", "4: missing", "rupture at session 3 (22)", "repair at session 6 (32)"],
        "trajectories": ["client 0: 30, 29, 18, 17 (sudden gain from session 1 to 2)"],
        "change_shares": ["held 12%; reversed 3%"],
        "dose_effect": ["1: 20%, 2: 35%, 3: 50%", "50% improved by session 3"],
        "prediction_vs_data": ["you predicted 30, the data showed 17", "nothing (not answered)"],
        "bipolar_placement": ["Learning a new way of working: 2; b: not answered", "Your average: 2.0"],
        "practice_split": ["Reviewing recordings 6 h (D)", "D 6 h, 6%"],
        "feelings_checkin": ["Anger or irritation: 3", "bored (your word): 6"],
        "effect_sizes": ["Empathy: r = .28 [.23, .33], k = 82", "Collecting feedback: no single r"],
        "ratings_beside_evidence": ["Empathy: you rated 4; r = .28",
                                    "Collecting feedback: you rated did not happen"],
        "noise_and_gains": ["gains found in 33% of clients"],
        "expected_track": ["not on track: first alarm at session 3; reliably worse: no alarm"],
        "alarm_comparison": ["Expected response caught 100% of the clients who deteriorated (median "
                             "first alarm session 3.5) and flagged 25% of the others"],
    }
    plots = every_plot(alliance)
    assert set(plots) == set(numbers)
    for name, described in plots.items():
        for text in numbers[name]:
            assert text in described.alt, (name, text, described.alt)
        html = described._repr_mimebundle_()["text/html"]
        assert 'alt=""' not in html and f'alt="{described.alt[:20]}' in html, name
    table = plots["effect_sizes"]._repr_mimebundle_()["text/html"]
    assert "<caption>The evidence behind each row</caption>" in table
    assert '<th scope="row" style="text-align: left; vertical-align: top;">Empathy</th>' in table
    assert ">r = .28; Elliott et al. 2018</td>" in table


def test_expected_track_shows_the_band_the_alarms_and_every_value_in_its_table():
    from coursekit.student.plots import expected_track

    described = expected_track([30, 29, math.nan, 36], [30, 29, 27, 26], [30, 33, 32, 31],
                               [("not on track", 3), ("reliably worse", None)])
    ax = described.figure.axes[0]
    assert ax.get_xlabel() and ax.get_ylabel() and ax.get_title()
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "not on track: first alarm at session 3" in labels and "reliably worse: no alarm" in labels
    assert described.table is not None
    assert described.table.rows[2] == ("2", "missing", "27.0", "32.0", "")
    assert described.table.rows[3] == ("3", "36", "26.0", "31.0", "not on track")
