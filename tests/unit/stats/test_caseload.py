"""Tests for coursekit.stats.caseload and expected_response: calibrated, seeded, and the truth shows.

The caseload is checked against the rates its docstring cites (deterioration
5-10%, drop-out about 20%, sudden gains about 40%), and the expected-response
curves against what a user of them would check: most reference clients are
within the tolerance, and a client who deteriorates leaves it.
"""

from __future__ import annotations

import numpy as np
import pytest

from coursekit.errors import ScoreInputError
from coursekit.stats.caseload import ALLIANCE_SCALE, simulate_caseload
from coursekit.stats.expected_response import expected_response
from coursekit.stats.simulated_clients import simulate_clients


def test_the_caseload_has_the_published_rates() -> None:
    big = simulate_caseload(20_000, seed=5)
    assert 0.05 <= big.deteriorates.mean() <= 0.10  # Lambert, Bergin & Collins 1977; Mohr 1995
    assert 0.187 <= big.dropped_out.mean() <= 0.207  # Swift & Greenberg 2012, 95% CI
    assert 0.33 <= big.sudden_gain.mean() <= 0.45  # Tang & DeRubeis 1999: about 40%


def test_same_seed_same_caseload_and_outcome_is_the_simulators() -> None:
    a, b = simulate_caseload(48, seed=24), simulate_caseload(48, seed=24)
    assert np.array_equal(a.outcome, b.outcome, equal_nan=True)
    assert np.array_equal(a.alliance, b.alliance, equal_nan=True)
    assert not np.array_equal(a.outcome, simulate_caseload(48, seed=25).outcome, equal_nan=True)
    plain = simulate_clients(48, 16, seed=24, missing_rate=0.05, deterioration_share=0.55).scores
    seen = ~np.isnan(a.outcome)
    assert np.array_equal(a.outcome[seen], plain[seen])


def test_drop_outs_have_nothing_after_their_last_session() -> None:
    c = simulate_caseload(400, seed=3)
    k = c.outcome.shape[1]
    for i in range(400):
        last = c.last_session[i]
        assert np.isnan(c.outcome[i, last + 1:]).all() and np.isnan(c.alliance[i, last + 1:]).all()
        assert (last < k - 1) == c.dropped_out[i]
        assert last >= 3
    assert np.isnan(c.alliance[:, 0]).all() and not np.isnan(c.outcome[:, 0]).any()
    seen = c.alliance[~np.isnan(c.alliance)]
    assert ALLIANCE_SCALE[0] <= seen.min() and seen.max() <= ALLIANCE_SCALE[1]


def test_the_alliance_erodes_in_clients_who_deteriorate() -> None:
    c = simulate_caseload(5000, seed=8)
    stayed = ~c.dropped_out
    late = np.nanmean(c.alliance[stayed, 10:], axis=1)
    pattern = c.pattern[stayed]
    assert np.nanmean(late[pattern == "deterioration"]) < np.nanmean(late[pattern == "steady"]) - 2


def test_bad_arguments_say_what_to_do() -> None:
    with pytest.raises(ScoreInputError, match="dropout_share"):
        simulate_caseload(10, seed=1, dropout_share=1.5)


def test_expected_response_by_band_holds_most_clients_and_flags_deterioration() -> None:
    ref = simulate_caseload(3000, seed=2018)
    er = expected_response(ref.outcome)
    assert er.expected.shape == (3, 16) and (er.expected[:, 0] == 0).all()
    # the bands are ordered by severity: the severe band is expected to improve most by the end
    assert er.expected[2, -1] < er.expected[1, -1] < er.expected[0, -1] < 0
    assert (er.tolerance >= er.expected).all()
    # in a fresh cohort about 10% are beyond the tolerance at any one session
    fresh = simulate_caseload(3000, seed=99)
    beyond = [er.not_on_track(row[0], row[8], 8) for row in fresh.outcome if not np.isnan(row[8])]
    assert 0.06 <= np.mean(beyond) <= 0.14
    flagged = [any(er.not_on_track(row[0], row[s], s) for s in range(1, 16))
               for row in fresh.outcome[fresh.deteriorates]]
    assert np.mean(flagged) > 0.9


def test_expected_response_refuses_too_few_clients() -> None:
    with pytest.raises(ScoreInputError, match="min_clients"):
        expected_response([[20, 18], [30, 25]], min_clients=5)
