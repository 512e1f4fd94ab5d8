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
