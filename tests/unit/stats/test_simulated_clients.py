"""Tests for coursekit.stats.simulated_clients: seeded, realistic, and the planted patterns show.

The simulator is checked with the other stats modules, as a user would: the
dose-effect curve it was calibrated to comes back out of improvement_by_session
and fit_dose_effect, and sudden_gains finds the gains it planted.
"""

from __future__ import annotations

import numpy as np
import pytest

from coursekit.errors import ScoreInputError
from coursekit.stats.dose_effect import fit_dose_effect, improvement_by_session
from coursekit.stats.simulated_clients import PATTERNS, simulate_clients
from coursekit.stats.sudden_gains import gain_details, sudden_gains


def same(a: np.ndarray, b: np.ndarray) -> bool:
    return a.shape == b.shape and bool(np.array_equal(a, b, equal_nan=True))


def test_simulated_clients_reproduce_howard_curve() -> None:
    clients = simulate_clients(20_000, n_sessions=30, seed=11)
    curve = improvement_by_session(clients.scores, threshold=clients.improvement)
    assert curve.sessions[0] == 1 and curve.sessions[-1] == 29
    assert curve.proportion[curve.sessions == 8][0] == pytest.approx(0.50, abs=0.03)
    assert curve.proportion[curve.sessions == 26][0] == pytest.approx(0.75, abs=0.03)
    model = fit_dose_effect(curve.sessions, curve.proportion, n=curve.n)
    assert model.predict([8, 26]) == pytest.approx([0.50, 0.75], abs=0.03)
    assert 7 < model.sessions_for(0.5) < 9.5


def test_simulation_is_seeded_and_realistic() -> None:
    a = simulate_clients(3000, seed=5)
    b = simulate_clients(3000, seed=5)
    c = simulate_clients(3000, seed=6)
    assert same(a.scores, b.scores) and (a.pattern == b.pattern).all()
    assert not same(a.scores, c.scores)
    x = a.scores
    assert x.shape == (3000, 20)
    assert not np.isnan(x[:, 0]).any()  # intake always present
    assert np.nanmin(x) >= 0 and np.nanmax(x) <= 63
    assert np.array_equal(x[~np.isnan(x)], np.rint(x[~np.isnan(x)]))
    assert 22 < x[:, 0].mean() < 32
    assert np.isnan(x[:, 1:]).mean() == pytest.approx(0.10, abs=0.01)
    assert set(a.pattern.tolist()) == set(PATTERNS)
    planted = a.gain_session >= 0
    assert set(a.pattern[planted].tolist()) == {"sudden_gain", "gain_reversed"}
    assert ((a.reversal_session >= 0) == (a.pattern == "gain_reversed")).all()


def test_detector_finds_planted_patterns() -> None:
    clients = simulate_clients(20_000, seed=9)
    flags = sudden_gains(clients.scores, cutoff=7, scale=(0, 63))
    rows = np.nonzero(clients.gain_session >= 0)[0]
    at_gain = flags[rows, clients.gain_session[rows]]
    evaluable = ~np.isnan(at_gain)
    assert (at_gain[evaluable] == 1.0).mean() > 0.95
    has_gain = np.nansum(flags, axis=1) > 0
    for pattern, most in [("no_change", 0.01), ("deterioration", 0.01), ("steady", 0.10)]:
        assert has_gain[clients.pattern == pattern].mean() < most
    losses = np.nansum(sudden_gains(clients.scores, cutoff=7, losses=True), axis=1) > 0
    assert losses[clients.pattern == "no_change"].mean() < 0.01

    gains = [g for g in gain_details(clients.scores, flags)
             if g.pregain_session == clients.gain_session[g.client]]
    reversed_by_pattern = {p: [g.reversed for g in gains if clients.pattern[g.client] == p]
                           for p in ("sudden_gain", "gain_reversed")}
    assert np.mean(reversed_by_pattern["gain_reversed"]) > 0.9
    assert np.mean(reversed_by_pattern["sudden_gain"]) < 0.05


def test_simulation_rejects_bad_settings() -> None:
    with pytest.raises(ScoreInputError, match="n_sessions must be >= 8"):
        simulate_clients(10, 5, seed=1)
    with pytest.raises(ScoreInputError, match="missing_rate must be >= 0 and < 1"):
        simulate_clients(10, seed=1, missing_rate=1.0)
    with pytest.raises(ScoreInputError, match="increasing order"):
        simulate_clients(10, seed=1, response_sessions=(26, 8))
