"""Tests for coursekit.stats.simulated_clients: seeded, realistic, and the planted patterns show.

The simulator is checked with the other stats modules, as a user would: the
dose-effect curve it was calibrated to comes back out of improvement_by_session
and fit_dose_effect; without measurement error sudden_gains finds exactly the
gains it planted; and the breakthroughs exercise's own solution finds the
published share of gains and reversals in the default cohort.
"""

from __future__ import annotations

import math

import nbformat
import numpy as np
import pytest

from conftest import COURSE, evidence_of
from coursekit.errors import ScoreInputError
from coursekit.stats.dose_effect import fit_dose_effect, improvement_by_session
from coursekit.stats.simulated_clients import (
    PATTERNS,
    RELIABILITY,
    SCALE_SD,
    gains_by_noise,
    simulate_clients,
)
from coursekit.stats.sudden_gains import gain_details, sudden_gains

NOTEBOOK = COURSE / "source" / "breakthroughs" / "breakthroughs.ipynb"


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
    # The error is the exercise scale's SEM, and intake scores have its SD.
    assert a.noise_sd == pytest.approx(SCALE_SD * math.sqrt(1 - RELIABILITY))
    assert a.noise_sd == pytest.approx(2.806, abs=0.001)
    assert np.std(x[:, 0]) == pytest.approx(SCALE_SD, abs=0.3)
    assert np.isnan(x[:, 1:]).mean() == pytest.approx(0.10, abs=0.01)
    assert set(a.pattern.tolist()) == set(PATTERNS)
    planted = a.gain_session >= 0
    assert set(a.pattern[planted].tolist()) == {"sudden_gain", "gain_reversed"}
    assert ((a.reversal_session >= 0) == (a.pattern == "gain_reversed")).all()


def test_without_measurement_error_the_detector_finds_exactly_what_was_planted() -> None:
    clients = simulate_clients(20_000, seed=9, noise_sd=0.0)
    flags = sudden_gains(clients.scores, cutoff=7, scale=(0, 63))
    rows = np.nonzero(clients.gain_session >= 0)[0]
    at_gain = flags[rows, clients.gain_session[rows]]
    evaluable = ~np.isnan(at_gain)
    assert evaluable.mean() > 0.75  # missed sessions hide the rest
    assert (at_gain[evaluable] == 1.0).all()
    has_gain = np.nansum(flags, axis=1) > 0
    for pattern in ("no_change", "deterioration", "steady"):
        assert not has_gain[clients.pattern == pattern].any()
    has_loss = np.nansum(sudden_gains(clients.scores, cutoff=7, losses=True), axis=1) > 0
    assert set(clients.pattern[has_loss].tolist()) <= {"gain_reversed"}  # a reversal can be one
    reversed_by_pattern = {p: [g.reversed for g in gain_details(clients.scores, flags)
                               if clients.pattern[g.client] == p]
                           for p in ("sudden_gain", "gain_reversed")}
    assert all(reversed_by_pattern["gain_reversed"])
    assert not any(reversed_by_pattern["sudden_gain"])


def test_measurement_error_makes_some_gains_and_hides_others() -> None:
    clients = simulate_clients(20_000, seed=9)
    flags = sudden_gains(clients.scores, cutoff=7, scale=(0, 63))
    rows = np.nonzero(clients.gain_session >= 0)[0]
    at_gain = flags[rows, clients.gain_session[rows]]
    assert 0.75 < np.nanmean(at_gain) < 0.95  # most planted gains are still found
    has_gain = np.nansum(flags, axis=1) > 0
    # Noise jumps of 7 points in a steady course pass the criteria now and then ...
    assert 0.1 < has_gain[clients.pattern == "steady"].mean() < 0.3
    # ... but a course that does not improve almost never shows a gain.
    for pattern in ("no_change", "deterioration"):
        assert has_gain[clients.pattern == pattern].mean() < 0.03
    gains = [g for g in gain_details(clients.scores, flags)
             if g.pregain_session == clients.gain_session[g.client]]
    reversed_by_pattern = {p: [g.reversed for g in gains if clients.pattern[g.client] == p]
                           for p in ("sudden_gain", "gain_reversed")}
    assert np.mean(reversed_by_pattern["gain_reversed"]) > 0.9
    assert np.mean(reversed_by_pattern["sudden_gain"]) < 0.12


# What the default simulation is calibrated to, with the sources the module cites
# (course/source/breakthroughs/evidence.json): sudden gains in about 40% of
# patients in CBT for depression, and 17% of the patients with a gain lost more
# than half of it again (Tang & DeRubeis 1999; the reversal share seen on a
# secondary source).
PUBLISHED_GAIN_SHARE = 0.40
PUBLISHED_REVERSAL_SHARE = 0.17
SEEDS = range(2020, 2030)


def exercise_solution(scores: np.ndarray) -> dict[str, object]:
    """Run the breakthroughs exercise's own solution cell (find_gains) on these scores."""
    cell = next(c for c in nbformat.read(NOTEBOOK, as_version=4).cells if c.get("id") == "find_gains")
    namespace: dict[str, object] = {"scores": scores}
    exec(cell.source, namespace)  # noqa: S102 - our own notebook's solution cell
    return namespace


def test_the_default_cohort_has_the_published_share_of_gains_and_reversals(capsys) -> None:
    gain_shares, reversal_shares = [], []
    for seed in SEEDS:  # the notebook's cohort: 300 clients, 20 sessions
        found = exercise_solution(simulate_clients(300, 20, seed=seed).scores)
        gains = found["gains"]
        with_gain = {g.client for g in gains}
        assert found["clients_with_gain"] == len(with_gain)
        gain_shares.append(len(with_gain) / 300)
        reversal_shares.append(len({g.client for g in gains if g.reversed}) / len(with_gain))
    # Each cohort within three binomial standard errors of the published share,
    # and the average of the ten within three standard errors of a mean.
    for target, shares, n in [(PUBLISHED_GAIN_SHARE, gain_shares, 300),
                              (PUBLISHED_REVERSAL_SHARE, reversal_shares, 300 * PUBLISHED_GAIN_SHARE)]:
        se = math.sqrt(target * (1 - target) / n)
        assert all(abs(share - target) < 3 * se for share in shares), (target, shares)
        assert abs(np.mean(shares) - target) < 3 * se / math.sqrt(len(shares)), (target, shares)
    assert "sudden gain" in capsys.readouterr().out


def test_the_calibration_targets_are_the_figures_the_module_cites() -> None:
    evidence = evidence_of("breakthroughs")
    assert "about 40%" in evidence.finding("gain_prevalence").statement
    reversal = evidence.finding("gain_reversal")
    assert "17%" in reversal.statement and reversal.secondary


def test_the_simulated_scale_is_the_one_the_exercise_uses() -> None:
    cell = next(c for c in nbformat.read(NOTEBOOK, as_version=4).cells
                if c.get("id") == "reliable_change")
    assert f"sd_pre={SCALE_SD}" in cell.source and f"reliability={RELIABILITY}" in cell.source


def test_gains_by_noise_runs_the_same_clients_with_more_and_more_error() -> None:
    runs = gains_by_noise((1.0, 0.95, RELIABILITY, 0.75), n_clients=3000, seed=4)
    assert [round(run.noise_sd, 3) for run in runs] == [0.0, 1.677, 2.806, 3.75]
    assert len({run.planted for run in runs}) == 1 and 0.3 < runs[0].planted < 0.5
    for run in runs:
        assert run.found == pytest.approx(run.found_planted + run.found_by_noise)
    assert runs[0].found_by_noise == 0.0 and runs[0].found_planted < runs[0].planted
    noise_made = [run.found_by_noise for run in runs]
    real = [run.found_planted for run in runs]
    reversed_ = [run.reversed for run in runs]
    assert noise_made == sorted(noise_made) and real == sorted(real, reverse=True)
    assert reversed_ == sorted(reversed_) and reversed_[-1] > 3 * reversed_[0]
    default = simulate_clients(3000, seed=4)
    found = {g.client for g in gain_details(default.scores, sudden_gains(default.scores, cutoff=7))}
    assert runs[2].found == len(found) / 3000


def test_simulation_rejects_bad_settings() -> None:
    with pytest.raises(ScoreInputError, match="n_sessions must be >= 8"):
        simulate_clients(10, 5, seed=1)
    with pytest.raises(ScoreInputError, match="missing_rate must be >= 0 and < 1"):
        simulate_clients(10, seed=1, missing_rate=1.0)
    with pytest.raises(ScoreInputError, match="increasing order"):
        simulate_clients(10, seed=1, response_sessions=(26, 8))
    with pytest.raises(ScoreInputError, match="noise_sd must be >= 0"):
        simulate_clients(10, seed=1, noise_sd=-1.0)
    with pytest.raises(ScoreInputError, match="reliabilities must be >= 0 and <= 1"):
        gains_by_noise((0.86, 1.5), seed=1)
    with pytest.raises(ScoreInputError, match="reliabilities is empty"):
        gains_by_noise((), seed=1)
