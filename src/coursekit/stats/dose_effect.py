"""The dose-effect curve: how many sessions until half of the clients improve.

Howard, Kopta, Krause & Orlinsky (1986) fit a probit in log sessions to the
share of clients improved after each number of sessions.
:func:`improvement_by_session` counts that share from session-by-session
scores (column 0 the intake); :func:`fit_dose_effect` fits the curve.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from coursekit.errors import ScoreInputError
from coursekit.stats.scores import FloatArray, IntArray, _as_float_array, _number, _score_matrix

__all__ = ["DoseEffect", "ImprovementCurve", "fit_dose_effect", "improvement_by_session"]

# The normal distribution through scipy.special (ndtr: its CDF, ndtri: its quantile
# function), which is what scipy.stats.norm computes them with: the same numbers,
# without the 0.7 s that importing scipy.stats adds to a notebook's kernel.
_SQRT_2PI = np.sqrt(2 * np.pi)


def _normal_density(x: FloatArray) -> FloatArray:
    """scipy.stats.norm.pdf, written as scipy writes it."""
    return np.asarray(np.exp(-x**2 / 2.0) / _SQRT_2PI, np.float64)


@dataclass(frozen=True, eq=False)
class ImprovementCurve:
    """Share of clients improved at each session (see :func:`improvement_by_session`)."""

    sessions: IntArray
    proportion: FloatArray
    n: IntArray


def improvement_by_session(
    scores: npt.ArrayLike, *, threshold: float, higher_is_better: bool = False
) -> ImprovementCurve:
    """Proportion of clients improved, session by session.

    Column 0 is taken as the intake score and column s as the score after s
    sessions. A client counts as improved at session s when their score has
    moved at least ``threshold`` points in the better direction since
    intake (:func:`coursekit.stats.reliable_change.rci_cutoff` gives a
    reliable-change threshold). Only clients with both scores present
    count, so ``n`` varies by session.

    >>> from coursekit.stats.simulated_clients import simulate_clients
    >>> clients = simulate_clients(5000, n_sessions=30, seed=3)
    >>> curve = improvement_by_session(clients.scores, threshold=clients.improvement)
    >>> curve.sessions[[0, -1]].tolist()
    [1, 29]
    >>> model = fit_dose_effect(curve.sessions, curve.proportion, n=curve.n)
    >>> 7 < model.sessions_for(0.5) < 9.5
    True
    """
    x, _ = _score_matrix(scores, min_sessions=2, purpose="A dose-effect curve")
    threshold = _number(threshold, "threshold", low=0.0, low_open=True)
    base, later = x[:, :1], x[:, 1:]
    change = later - base if higher_is_better else base - later
    present = ~np.isnan(change)
    n = present.sum(axis=0).astype(np.int64)
    hits = (present & (change >= threshold)).sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        proportion = np.where(n > 0, hits / n, np.nan)
    return ImprovementCurve(np.arange(1, x.shape[1], dtype=np.int64),
                            proportion.astype(np.float64), n)


@dataclass(frozen=True)
class DoseEffect:
    """Probit dose-effect curve: ``Phi(intercept + slope * ln(sessions))``.

    ``method`` is ``"least_squares"`` or ``"binomial_mle"``.
    """

    intercept: float
    slope: float
    method: str

    def predict(self, sessions: npt.ArrayLike) -> FloatArray:
        """Expected proportion improved after ``sessions`` (array of the same shape).

        >>> model = DoseEffect(intercept=-1.19, slope=0.572, method="least_squares")
        >>> model.predict([8, 26]).round(2).tolist()
        [0.5, 0.75]
        """
        from scipy import special

        s = _as_float_array(sessions, "sessions")
        if np.any(s <= 0):
            raise ScoreInputError("sessions must be positive (the curve uses their logarithm).")
        return np.asarray(special.ndtr(self.intercept + self.slope * np.log(s)), np.float64)

    def sessions_for(self, proportion: float) -> float:
        """Sessions needed until ``proportion`` of clients have improved, e.g. 0.5."""
        from scipy import special

        p = _number(proportion, "proportion", low=0.0, high=1.0, low_open=True, high_open=True)
        if self.slope <= 0:
            raise ScoreInputError("The fitted curve does not rise with sessions (slope <= 0).")
        return math.exp((float(special.ndtri(p)) - self.intercept) / self.slope)


def fit_dose_effect(
    sessions: npt.ArrayLike,
    proportion_improved: npt.ArrayLike,
    n: npt.ArrayLike | None = None,
) -> DoseEffect:
    """Fit Howard et al.'s probit-on-log-sessions dose-effect curve.

    Without ``n``: ordinary least squares of ``Phi^-1(p)`` on ``ln(sessions)``,
    as Howard et al. did; proportions must lie strictly between 0 and 1.
    With ``n`` (clients behind each proportion, a number or one per
    session): binomial maximum likelihood by Fisher scoring, which weights
    sessions by their sample size and accepts proportions of 0 and 1. Points
    with ``n == 0`` are ignored (their proportion may be NaN).

    >>> model = fit_dose_effect([8, 26], [0.5, 0.75])
    >>> round(model.sessions_for(0.5), 3)
    8.0
    """
    from scipy import special

    s = _as_float_array(sessions, "sessions").ravel()
    p = _as_float_array(proportion_improved, "proportion_improved").ravel()
    if s.shape != p.shape:
        raise ScoreInputError(
            f"sessions has {s.size} values but proportion_improved has {p.size}; give one "
            "proportion per session."
        )
    counts = None if n is None else np.broadcast_to(_as_float_array(n, "n"), s.shape).copy()
    keep = np.ones(s.shape, bool) if counts is None else counts > 0
    if counts is not None and (np.isnan(counts).any() or (counts < 0).any()):
        raise ScoreInputError("n must be the number of clients behind each proportion (>= 0).")
    s, p = s[keep], p[keep]
    if np.isnan(s).any() or np.any(s <= 0):
        raise ScoreInputError("sessions must be positive numbers (the curve uses their logarithm).")
    if np.isnan(p).any() or np.any((p < 0) | (p > 1)):
        raise ScoreInputError("proportion_improved must lie between 0 and 1 (no NaN where n > 0).")
    if np.unique(s).size < 2:
        raise ScoreInputError("A dose-effect curve needs proportions at two or more sessions.")
    design = np.column_stack([np.ones_like(s), np.log(s)])

    if counts is None:
        if np.any((p <= 0) | (p >= 1)):
            raise ScoreInputError(
                "Least squares needs proportions strictly between 0 and 1 (the probit of 0 or 1 "
                "is infinite); pass n= to fit by maximum likelihood instead."
            )
        beta = np.linalg.lstsq(design, special.ndtri(p), rcond=None)[0]
        return DoseEffect(float(beta[0]), float(beta[1]), "least_squares")

    w_n = counts[keep]
    start = (p * w_n + 0.5) / (w_n + 1.0)  # keeps the start finite when p is 0 or 1
    beta = np.linalg.lstsq(design, special.ndtri(start), rcond=None)[0]
    for _ in range(100):  # Fisher scoring (IRLS) for a binomial probit model
        eta = design @ beta
        mu = np.clip(special.ndtr(eta), 1e-12, 1 - 1e-12)
        dens = np.maximum(_normal_density(eta), 1e-300)
        weight = w_n * dens**2 / (mu * (1 - mu))
        working = eta + (p - mu) / dens
        wx = design * weight[:, np.newaxis]
        new = np.linalg.solve(design.T @ wx, wx.T @ working)
        if np.max(np.abs(new - beta)) <= 1e-12 * (1 + np.max(np.abs(beta))):
            return DoseEffect(float(new[0]), float(new[1]), "binomial_mle")
        beta = new
    raise ScoreInputError(
        "The probit fit did not converge; the proportions may jump from 0 to 1 with no "
        "sessions in between, which no smooth dose-effect curve fits."
    )
