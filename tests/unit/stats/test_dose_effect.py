"""Tests for coursekit.stats.dose_effect: improvement by session and the probit dose-effect fit."""

from __future__ import annotations

import math

import numpy as np
import pytest

from coursekit.errors import ScoreInputError
from coursekit.stats.dose_effect import DoseEffect, fit_dose_effect, improvement_by_session

NA = math.nan


def test_fit_dose_effect_recovers_exact_probit() -> None:
    sessions = np.array([1, 2, 4, 8, 13, 26, 52])
    truth = DoseEffect(-1.19, 0.5723, "exact")
    p = truth.predict(sessions)
    for model in (fit_dose_effect(sessions, p), fit_dose_effect(sessions, p, n=1000)):
        assert (model.intercept, model.slope) == pytest.approx((-1.19, 0.5723), abs=1e-8)
    assert fit_dose_effect(sessions, p).method == "least_squares"
    assert fit_dose_effect(sessions, p, n=1000).method == "binomial_mle"


def test_howard_anchors() -> None:
    model = fit_dose_effect([8, 26], [0.5, 0.75])
    assert model.sessions_for(0.5) == pytest.approx(8)
    assert model.sessions_for(0.75) == pytest.approx(26)
    assert model.predict([8, 26]) == pytest.approx([0.5, 0.75])


def test_mle_accepts_zero_and_one_and_skips_empty_sessions() -> None:
    sessions = [1, 2, 4, 8, 16, 32]
    p = [0.0, 0.1, 0.3, 0.5, 0.8, NA]
    n = [20, 20, 20, 20, 20, 0]
    model = fit_dose_effect(sessions, p, n=n)
    assert 0.3 < model.predict(8) < 0.6
    with pytest.raises(ScoreInputError, match="pass n= to fit by maximum likelihood"):
        fit_dose_effect(sessions[:5], p[:5])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (([1, 2], [0.2]), "one proportion per session"),
        (([0, 2], [0.2, 0.4]), "sessions must be positive"),
        (([1, 2], [0.2, 1.4]), "between 0 and 1"),
        (([2, 2], [0.2, 0.4]), "two or more sessions"),
        (([1, 2], [0.2, 0.4], [5, -1]), "n must be the number of clients"),
    ],
)
def test_fit_dose_effect_errors(args: tuple[object, ...], message: str) -> None:
    with pytest.raises(ScoreInputError) as info:
        fit_dose_effect(*args)  # type: ignore[arg-type]
    assert message in str(info.value)


def test_improvement_by_session_counts_present_clients_only() -> None:
    x = [[20, 12, 15, NA], [20, NA, 10, 30], [20, 19, 18, 5]]
    curve = improvement_by_session(x, threshold=8)
    assert curve.n.tolist() == [2, 3, 2]
    assert curve.proportion == pytest.approx([0.5, 1 / 3, 0.5])
    up = improvement_by_session(x, threshold=8, higher_is_better=True)
    assert up.proportion == pytest.approx([0, 0, 0.5])


def test_the_normal_distribution_is_scipy_stats_own_to_the_last_bit() -> None:
    from scipy import special, stats

    from coursekit.stats.dose_effect import _normal_density

    x = np.random.default_rng(2026).normal(0, 3, 100_000)
    p = np.random.default_rng(7).uniform(0, 1, 100_000)
    assert np.array_equal(_normal_density(x), stats.norm.pdf(x))
    assert np.array_equal(special.ndtr(x), stats.norm.cdf(x))
    assert np.array_equal(special.ndtri(p), stats.norm.ppf(p))


def test_the_dose_effect_and_sudden_gains_do_not_import_scipy_stats() -> None:
    """A notebook's kernel would pay about 0.7 s for importing scipy.stats."""
    import subprocess
    import sys

    code = ("import sys\nfrom coursekit.stats.dose_effect import fit_dose_effect\n"
            "from coursekit.stats.simulated_clients import simulate_clients\n"
            "from coursekit.stats.sudden_gains import sudden_gains\n"
            "m = fit_dose_effect([1, 8, 26], [0.2, 0.5, 0.75], n=50); m.predict([4]); m.sessions_for(0.5)\n"
            "sudden_gains(simulate_clients(50, seed=1).scores, cutoff=7)\n"
            "print('scipy.stats' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
