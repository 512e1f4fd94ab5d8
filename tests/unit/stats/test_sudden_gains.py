"""Tests for coursekit.stats.sudden_gains: flags, gain details, one gain per client.

The expectations come from the test suite of the R package ``suddengains``
(Wiedemann et al.) and from worked values of the published formulas; the
property tests compare against a plain reference loop written here from the
definition, not against the code under test.
"""

from __future__ import annotations

import functools
import math
import statistics

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from coursekit.errors import ScoreInputError
from coursekit.stats.sudden_gains import SuddenGain, gain_details, one_gain_per_client, sudden_gains

NA = math.nan


# --------------------------------------------------------------------------
# A reference implementation written straight from the definition
# --------------------------------------------------------------------------


@functools.lru_cache
def critical_t(alpha: float, df: int) -> float:
    return abs(float(stats.t.ppf(alpha / 2, df)))  # R: abs(qt(alpha / 2, df))


def reference_flags(
    scores: np.ndarray,
    *,
    cutoff: float,
    pct: float = 0.25,
    alpha: float = 0.05,
    adjust: bool = True,
    critical_value: float = 2.776,
    losses: bool = False,
) -> np.ndarray:
    """One client, one interval at a time, as the R package's loops do."""
    result = []
    for row in np.asarray(scores, dtype=float).tolist():
        k = len(row)
        flags = [NA] * (k - 1)
        for n in range(1, k - 2):  # R: col_j in 3:(ncol - 1), pregain col_j - 1
            pre = [v for v in row[max(0, n - 2) : n + 1] if not math.isnan(v)]
            post = [v for v in row[n + 1 : n + 4] if not math.isnan(v)]
            if math.isnan(row[n]) or math.isnan(row[n + 1]) or len(pre) < 2 or len(post) < 2:
                continue  # R: a missing criterion makes the product NA
            change = row[n + 1] - row[n] if losses else row[n] - row[n + 1]
            df = len(pre) + len(post) - 2
            pooled = math.sqrt(
                ((len(pre) - 1) * statistics.variance(pre)
                 + (len(post) - 1) * statistics.variance(post)) / df
            )
            t = critical_t(alpha, df) if adjust else critical_value
            shift = statistics.mean(pre) - statistics.mean(post)
            if losses:
                shift = -shift
            met = change >= cutoff and change >= pct * row[n] and shift > t * pooled
            flags[n] = float(met)
        result.append(flags)
    return np.array(result, dtype=float)


def same(a: np.ndarray, b: np.ndarray) -> bool:
    return a.shape == b.shape and bool(np.array_equal(a, b, equal_nan=True))


# --------------------------------------------------------------------------
# Agreement with the R package's own tests (tests/testthat in suddengains)
# --------------------------------------------------------------------------

# identify_sg, "Identify sg works 1": columns x_{n-2} .. x_{n+3}, cutoff 7.
R_DF1 = [
    [28, 19, 23, 12, 13, NA],
    [28, 19, 23, 11, 12, NA],
    [28, 19, NA, 12, 13, NA],
    [28, 19, 23, 12, 13, NA],
    [28, 19, 23, 12, 14, NA],
    [28, 19, NA, 12, 13, NA],
    [28, 19, 23, 11, 12, NA],
    [28, 25, 28, 11, 12, NA],
    [28, 26, 28, 11, 12, NA],
    [NA, 26, 28, NA, 12, 11],
]
R_DF1_EXPECTED = [  # sg_2to3, sg_3to4, sg_4to5
    [0, 0, NA], [0, 1, NA], [NA, NA, NA], [0, 0, NA], [0, 0, NA],
    [NA, NA, NA], [0, 1, NA], [0, 1, NA], [0, 1, NA], [NA, NA, NA],
]


def test_r_identify_sg_with_missing_values() -> None:
    flags = sudden_gains(R_DF1, cutoff=7)
    assert flags.shape == (10, 5)
    assert same(flags[:, 1:4], np.array(R_DF1_EXPECTED, dtype=float))
    # The first and last intervals are never tested.
    assert np.isnan(flags[:, [0, 4]]).all()


def test_r_missing_criterion_wins_over_failed_criterion() -> None:
    # Row 1, interval 4-5 (12 -> 13): criterion 1 clearly fails, but only one
    # postgain score exists, so R's crit1 * crit2 * crit3 is NA * 0 = NA.
    row = R_DF1[0]
    assert row[3] - row[4] < 7
    assert math.isnan(sudden_gains(row, cutoff=7)[3])


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ([35, 37, 23, 23, 24, 21], [1, 0, 0]),
        ([35, 37, 34, 24, 24, 21], [0, 1, 0]),
        ([35, 37, 34, 34, 24, 21], [0, 0, 1]),
        ([35, 37, 34, 37, 37, 37], [0, 0, 0]),
    ],
)
def test_r_identify_sg_public_vectors(row: list[float], expected: list[float]) -> None:
    assert sudden_gains(row, cutoff=7)[1:4].tolist() == expected
    assert sudden_gains([row], cutoff=7)[0, 1:4].tolist() == expected


@pytest.mark.parametrize(
    ("row", "expected"),
    [  # identify_sl, "test identify sudden losses" (cutoff -7 in R)
        ([10, 11, 12, 30, 28, 33], [0, 1, 0]),
        ([10, 11, 12, 10, 28, 33], [0, 0, 1]),
        ([10, 11, 30, 30, 28, 33], [1, 0, 0]),
        ([35, 37, 34, 23, 24, 21], [0, 0, 0]),
    ],
)
def test_r_identify_sl_public_vectors(row: list[float], expected: list[float]) -> None:
    assert sudden_gains(row, cutoff=7, losses=True)[1:4].tolist() == expected


# create_bysg test data: bdi_s1 .. bdi_s12 of 18 clients (ids 1-18).
R_BYSG = np.array([
    [35, 37, 34, 23, 24, 21, 29, 17, 11, 11, 10, 7],
    [26, NA, 26, NA, 27, 17, 19, 11, 10, 3, NA, 7],
    [35, 38, 35, 37, 36, 37, NA, 35, 26, 24, NA, 19],
    [31, 30, 32, 22, 22, 20, 21, 19, 24, 33, 30, 28],
    [39, 37, 36, 26, 26, 23, 21, 19, 6, 7, 8, 8],
    [37, NA, 23, NA, 23, 21, NA, NA, 19, NA, 16, 13],
    [37, NA, 23, 21, NA, 21, NA, NA, NA, NA, NA, 20],
    [41, 37, NA, NA, NA, NA, NA, NA, NA, NA, NA, NA],
    [35, 34, 32, 23, 24, 22, 21, 17, 14, 10, 13, 11],
    [35, 35, 25, 25, 17, 17, 16, 16, 11, 9, 7, 8],
    [40, NA, 36, 37, 36, 37, NA, 34, 26, 25, NA, 19],
    [38, 38, 31, 23, 21, 22, 24, 25, 30, 31, NA, 25],
    [34, 33, 36, 23, 25, 23, 19, 18, 10, 9, 8, 9],
    [39, 37, 23, NA, 23, 21, NA, NA, 21, NA, 16, 14],
    [28, 19, 23, 12, 13, NA, 13, NA, NA, NA, NA, 22],
    [25, NA, NA, NA, NA, NA, NA, NA, NA, NA, NA, 20],
    [41, 37, NA, NA, NA, NA, NA, NA, NA, NA, NA, NA],
    [NA, 38, 35, 24, NA, 22, 17, 16, NA, 9, 11, 13],
])
# (id, sg_session_n, sg_magnitude, sg_reversal_value, sg_reversal), 1-based as in R.
R_BYSG_EXPECTED = [
    (1, 3, 11, 28.5, True), (1, 7, 12, 23.0, False), (3, 8, 9, 30.5, False),
    (4, 3, 10, 27.0, True), (5, 3, 10, 31.0, False), (5, 8, 13, 12.5, False),
    (9, 3, 9, 27.5, False), (10, 2, 10, 30.0, False), (10, 4, 8, 21.0, False),
    (12, 3, 8, 27.0, True), (13, 3, 13, 29.5, False), (13, 8, 8, 14.0, False),
    (14, 2, 14, 30.0, False), (18, 3, 11, 29.5, False),
]


@pytest.mark.parametrize("reversal_from", [2, 3])
def test_r_create_bysg(reversal_from: int) -> None:
    flags = sudden_gains(R_BYSG, cutoff=7)
    gains = gain_details(R_BYSG, flags, reversal_from=reversal_from)
    found = [(g.client + 1, g.pregain_session + 1, g.magnitude,
              g.postgain_score + g.magnitude / 2, g.reversed) for g in gains]
    # R's create_bysg checks reversals from n+3; none here differs at n+2.
    assert found == R_BYSG_EXPECTED
    assert int(np.nansum(flags)) == len(R_BYSG_EXPECTED)


def test_r_create_bysg_frequencies_and_first_gain() -> None:
    gains = gain_details(R_BYSG, sudden_gains(R_BYSG, cutoff=7))
    per_client = np.nansum(sudden_gains(R_BYSG, cutoff=7), axis=1)
    assert per_client.tolist() == [2, 0, 1, 1, 2, 0, 0, 0, 1, 2, 0, 1, 2, 1, 0, 0, 0, 1]
    first = one_gain_per_client(gains)
    assert [(g.client + 1, g.pregain_session + 1) for g in first] == [
        (1, 3), (3, 8), (4, 3), (5, 3), (9, 3), (10, 2), (12, 3), (13, 3), (14, 2), (18, 3)]
    last = one_gain_per_client(gains, "last")
    assert [g.pregain_session + 1 for g in last if g.client + 1 == 5] == [8]
    largest = one_gain_per_client(gains, "largest")
    assert [g.pregain_session + 1 for g in largest if g.client + 1 == 1] == [7]
    smallest = one_gain_per_client(gains, "smallest")
    assert [g.pregain_session + 1 for g in smallest if g.client + 1 == 10] == [4]


def test_adjusted_critical_value_matters_client_2_of_r_data() -> None:
    # Client 2, interval 5-6 (27 -> 17): 3.182 * pooled SD (10.89) beats the
    # mean difference (10.83), so no gain; with a fixed 2.776 there is one.
    row = R_BYSG[1]
    assert sudden_gains(row, cutoff=7)[4] == 0.0
    assert sudden_gains(row, cutoff=7, adjust=False)[4] == 1.0


def test_critical_t_is_qt_not_rounded() -> None:
    # pre (19, 20, 21), post m-1, m, m+1: pooled SD exactly 1, mean difference
    # 2.7762 lies between the fixed 2.776 and qt(.975, 4) = 2.776445.
    m = 20 - 2.7762
    row = [19, 19, 20, 21, m - 1, m, m + 1]
    assert stats.t.ppf(0.975, 4) == pytest.approx(2.776445, abs=1e-6)
    assert sudden_gains(row, cutoff=4, pct=0.1)[3] == 0.0
    assert sudden_gains(row, cutoff=4, pct=0.1, adjust=False)[3] == 1.0
    assert sudden_gains(row, cutoff=4, pct=0.1, adjust=False, critical_value=2.78)[3] == 0.0
    assert sudden_gains(row, cutoff=4, pct=0.1, alpha=0.1)[3] == 1.0  # qt(.95, 4) = 2.13


def test_criterion_3_is_strict_and_criteria_1_2_inclusive() -> None:
    # Drop exactly 8 = cutoff = 25% of 32; both windows constant, so the
    # pooled SD is 0 and criterion 3 needs a positive mean difference.
    assert sudden_gains([32, 32, 32, 24, 24, 24], cutoff=8)[2] == 1.0
    assert sudden_gains([32, 32, 32, 24, 24, 24], cutoff=8.001)[2] == 0.0
    assert sudden_gains([32, 32, 32, 24, 24, 24], cutoff=0, pct=0.2501)[2] == 0.0
    # A zero difference is not > 0 * t.
    assert sudden_gains([5, 5, 5, 5, 5, 5], cutoff=0, pct=0)[1:4].tolist() == [0, 0, 0]


def test_losses_use_the_mirrored_percentage_criterion() -> None:
    # A rise of 8 from 40 passes criterion 1 (7) but is only 20% of 40. The R
    # package's identify_sl (x_n - x_n+1 <= .25 x_n) would flag it; we do not.
    row = [40, 40, 40, 48, 48, 48]
    assert sudden_gains(row, cutoff=7, losses=True)[2] == 0.0
    assert sudden_gains(row, cutoff=7, losses=True, pct=0.2)[2] == 1.0
    assert sudden_gains(row, cutoff=7)[2] == 0.0  # and it is no gain


def test_fixed_critical_value_still_needs_two_scores_each_side() -> None:
    row = [30, NA, 30, 18, NA, NA, 18]  # interval 2-3: one postgain score in 3..5
    assert math.isnan(sudden_gains(row, cutoff=7, adjust=False)[2])


# --------------------------------------------------------------------------
# Property tests
# --------------------------------------------------------------------------


@st.composite
def score_arrays(draw: st.DrawFn) -> np.ndarray:
    """Integer BDI-like scores 0-63 with missing values, some rows with real drops."""
    k = draw(st.integers(4, 11))
    m = draw(st.integers(1, 5))
    rows = []
    for _ in range(m):
        if draw(st.booleans()):  # a random walk that sometimes drops a lot
            level = draw(st.integers(15, 50))
            steps = draw(st.lists(st.integers(-16, 6), min_size=k - 1, max_size=k - 1))
            row = np.clip(np.cumsum([level, *steps]), 0, 63).astype(float)
        else:
            row = np.array(draw(st.lists(st.integers(0, 63), min_size=k, max_size=k)), float)
        gaps = draw(st.lists(st.booleans(), min_size=k, max_size=k))
        if draw(st.booleans()):
            row[np.array(gaps)] = NA
        rows.append(row)
    return np.array(rows)


settings_ = settings(max_examples=120, deadline=None)


@settings_
@given(
    x=score_arrays(),
    cutoff=st.sampled_from([0.0, 3.0, 5.75, 7.0, 10.0]),
    pct=st.sampled_from([0.0, 0.1, 0.25, 0.5]),
    alpha=st.sampled_from([0.01, 0.05, 0.1]),
    adjust=st.booleans(),
    losses=st.booleans(),
)
def test_vectorised_equals_reference_loop(
    x: np.ndarray, cutoff: float, pct: float, alpha: float, adjust: bool, losses: bool
) -> None:
    kwargs = dict(cutoff=cutoff, pct=pct, alpha=alpha, adjust=adjust, losses=losses)
    assert same(sudden_gains(x, **kwargs), reference_flags(x, **kwargs))


def test_vectorised_equals_reference_loop_on_continuous_scores() -> None:
    rng = np.random.default_rng(7)
    x = np.cumsum(rng.normal(0, 4, (150, 15)), axis=1) + 30
    x[rng.random(x.shape) < 0.15] = NA
    for losses in (False, True):
        flags = sudden_gains(x, cutoff=5, losses=losses)
        assert same(flags, reference_flags(x, cutoff=5, losses=losses))
        assert np.nansum(flags) > 0  # the comparison covered some gains


@settings_
@given(x=score_arrays(), cutoff=st.sampled_from([0.0, 4.0, 7.0]),
       pct=st.sampled_from([0.0, 0.25, 0.4]), losses=st.booleans())
def test_no_flag_where_criterion_1_or_2_fails(
    x: np.ndarray, cutoff: float, pct: float, losses: bool
) -> None:
    flags = sudden_gains(x, cutoff=cutoff, pct=pct, losses=losses)
    change = (x[:, 1:] - x[:, :-1]) if losses else (x[:, :-1] - x[:, 1:])
    fails = (change < cutoff) | (change < pct * x[:, :-1])
    assert not np.any(flags[fails] == 1.0)


@settings_
@given(x=score_arrays(), cutoff=st.sampled_from([0.0, 4.0, 7.0]), adjust=st.booleans())
def test_losses_mirror_gains(x: np.ndarray, cutoff: float, adjust: bool) -> None:
    # Reflecting the scale (63 - x) turns every drop into a rise of the same
    # size and leaves SDs unchanged. Criterion 2 compares with x_n itself,
    # which reflection changes, so the symmetry is exact only with pct = 0.
    gains = sudden_gains(x, cutoff=cutoff, pct=0.0, adjust=adjust)
    losses = sudden_gains(63 - x, cutoff=cutoff, pct=0.0, adjust=adjust, losses=True)
    assert same(gains, losses)


@settings_
@given(x=score_arrays(), losses=st.booleans())
def test_nan_exactly_where_not_evaluable(x: np.ndarray, losses: bool) -> None:
    flags = sudden_gains(x, cutoff=7, losses=losses)
    m, k = x.shape
    expected = np.ones((m, k - 1), bool)
    for n in range(1, k - 2):
        n_pre = (~np.isnan(x[:, max(0, n - 2) : n + 1])).sum(axis=1)
        n_post = (~np.isnan(x[:, n + 1 : n + 4])).sum(axis=1)
        expected[:, n] = (np.isnan(x[:, n]) | np.isnan(x[:, n + 1])
                          | (n_pre < 2) | (n_post < 2))
    assert np.array_equal(np.isnan(flags), expected)
    assert set(np.unique(flags[~np.isnan(flags)])) <= {0.0, 1.0}


@settings_
@given(x=score_arrays())
def test_one_client_as_1d_matches_2d(x: np.ndarray) -> None:
    both = sudden_gains(x, cutoff=7)
    for i, row in enumerate(x):
        one = sudden_gains(row, cutoff=7)
        assert one.ndim == 1
        assert same(one, both[i])


# --------------------------------------------------------------------------
# Edge cases and input checking for sudden gains
# --------------------------------------------------------------------------


def test_all_missing_and_empty_inputs_raise_no_warnings() -> None:
    # pytest turns warnings into errors, so a leaked RuntimeWarning fails here.
    assert np.isnan(sudden_gains(np.full((3, 8), NA), cutoff=7)).all()
    assert sudden_gains(np.empty((0, 6)), cutoff=7).shape == (0, 5)
    flags = sudden_gains([[30, 30, 20, 20]], cutoff=7)
    assert np.isnan(flags[0, [0, 2]]).all() and flags[0, 1] == 1.0


def test_none_is_missing_and_integers_are_fine() -> None:
    with_none = sudden_gains([[28, 19, None, 12, 13, None]], cutoff=7)
    assert same(with_none, sudden_gains([[28, 19, NA, 12, 13, NA]], cutoff=7))
    as_int = np.array([[35, 37, 23, 23, 24, 21]], dtype=np.int64)
    assert same(sudden_gains(as_int, cutoff=7), sudden_gains(as_int.astype(float), cutoff=7))


@pytest.mark.parametrize(
    ("scores", "kwargs", "message"),
    [
        ([[1, 2, 3, 4], [1, 2, 3]], {}, "client 1 has 3 sessions but client 0 has 4"),
        ([[30, 29, "28", 20]], {}, "found text '28'"),
        ([[30, 29, "x", 20]], {}, "scores must be numbers"),
        ([[30, 29, object(), 20, 19]], {}, "scores must be numbers"),
        ([[True, False, True, True]], {}, "True/False"),
        ([[30, 29, 28]], {}, "at least 4 sessions"),
        ([30, 29, 28], {}, "at least 4 sessions"),
        (np.zeros((2, 3, 4)), {}, "2-D (clients x sessions) or 1-D"),
        ([[30, 29, math.inf, 20]], {}, "infinite value at client 0, session 2"),
        ([[30, 29, 64, 20]], {"scale": (0, 63)}, "outside the scale 0-63"),
        ([[30, 29, -1, 20]], {"scale": (0, 63)}, "client 0, session 2"),
        ([[30, 29, 28, 20]], {"scale": (63, 0)}, "lowest < highest"),
        ([[30, 29, 28, 20]], {"cutoff": -7}, "cutoff must be >= 0"),
        ([[30, 29, 28, 20]], {"cutoff": math.nan}, "cutoff must be >= 0"),
        ([[30, 29, 28, 20]], {"cutoff": "7"}, "cutoff must be a number"),
        ([[30, 29, 28, 20]], {"pct": -0.1}, "pct must be >= 0"),
        ([[30, 29, 28, 20]], {"alpha": 1.5}, "alpha must be > 0 and < 1"),
        ([[30, 29, 28, 20]], {"critical_value": 0}, "critical_value must be > 0"),
    ],
)
def test_bad_input_raises_score_input_error(
    scores: object, kwargs: dict[str, object], message: str
) -> None:
    call: dict[str, object] = {"cutoff": 7, **kwargs}
    with pytest.raises(ScoreInputError) as info:
        sudden_gains(scores, **call)  # type: ignore[arg-type]
    assert message in str(info.value)
    assert isinstance(info.value, ValueError)


def test_negative_cutoff_message_points_to_losses() -> None:
    with pytest.raises(ScoreInputError, match="losses=True"):
        sudden_gains([10, 11, 12, 30, 28, 33], cutoff=-7, losses=True)


def test_missing_scores_inside_the_scale_are_fine() -> None:
    flags = sudden_gains([[35, NA, 23, 23, 24, 21]], cutoff=7, scale=(0, 63))
    assert flags.shape == (1, 5)


# --------------------------------------------------------------------------
# gain_details
# --------------------------------------------------------------------------


def test_reversal_from_n_plus_2_versus_r_default_n_plus_3() -> None:
    # Gain 30 -> 18 (magnitude 12, reversal value 24); only x_{n+2} = 26 is above.
    row = [30, 31, 30, 18, 26, 17, 17]
    flags = sudden_gains(row, cutoff=7)
    assert flags[2] == 1.0
    (ours,) = gain_details(row, flags)
    (r_style,) = gain_details(row, flags, reversal_from=3)
    assert ours == SuddenGain(0, 2, 3, 30.0, 18.0, 12.0, True)
    assert r_style.reversed is False


def test_reversal_needs_more_than_half() -> None:
    row = [30, 31, 30, 18, 19, 17, 24]  # 24 is exactly x_{n+1} + 12 / 2: not more
    (gain,) = gain_details(row, sudden_gains(row, cutoff=7))
    assert gain.reversed is False
    row[-1] = 24.5
    (gain,) = gain_details(row, sudden_gains(row, cutoff=7))
    assert gain.reversed is True


def test_loss_details_and_reversal() -> None:
    row = [10, 11, 12, 30, 28, 33, 20, 12]
    flags = sudden_gains(row, cutoff=7, losses=True)
    (loss,) = gain_details(row, flags, losses=True)
    assert (loss.pregain_session, loss.magnitude) == (2, -18.0)
    assert loss.reversed is True  # 20 < 30 - 9 = 21
    row = [10, 11, 12, 30, 28, 33, 22, 25]
    (loss,) = gain_details(row, sudden_gains(row, cutoff=7, losses=True), losses=True)
    assert loss.reversed is False


def test_gain_details_checks_its_flags() -> None:
    x = np.array(R_DF1)
    with pytest.raises(ScoreInputError, match="flags have shape"):
        gain_details(x, np.zeros((10, 4)))
    with pytest.raises(ScoreInputError, match="only 1.0, 0.0 and NaN"):
        gain_details(x, np.full((10, 5), 2.0))
    bad = np.zeros((10, 5))
    bad[2, 2] = 1.0  # session 2 of client 2 is missing
    with pytest.raises(ScoreInputError, match="do not belong to these scores"):
        gain_details(x, bad)
    with pytest.raises(ScoreInputError, match="reversal_from must be >= 2"):
        gain_details(x, sudden_gains(x, cutoff=7), reversal_from=1)
    with pytest.raises(ScoreInputError, match="should be one of first, last, largest"):
        one_gain_per_client([], "middle")  # type: ignore[arg-type]


def test_gain_details_single_client_1d() -> None:
    row = [35, 37, 23, 23, 24, 21]
    (gain,) = gain_details(row, sudden_gains(row, cutoff=7))
    assert (gain.client, gain.pregain_session, gain.postgain_session) == (0, 1, 2)
