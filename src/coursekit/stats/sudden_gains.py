"""Sudden gains and losses: one large, stable jump between two sessions (Tang & DeRubeis 1999).

:func:`sudden_gains` flags every client and session-to-session interval at
once, following the R package ``suddengains`` (Wiedemann et al.);
:func:`gain_details` lists the flagged gains and whether they reversed;
:func:`one_gain_per_client` keeps one of them per client.

Scores are clients x sessions, ``NaN`` for a missing session (see
:mod:`coursekit.stats.scores`). Session numbers in results are 0-based
column indices, like the array. The R package numbers sessions from 1: add 1
to compare.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

from coursekit.errors import ScoreInputError
from coursekit.stats.scores import (
    BoolArray,
    FloatArray,
    IntArray,
    _as_float_array,
    _number,
    _score_matrix,
)

__all__ = ["SuddenGain", "gain_details", "one_gain_per_client", "sudden_gains"]


def _window_counts(present: BoolArray) -> IntArray:
    """Scores present in each 3-session window; window s covers sessions s-1..s+1.

    Sessions before the first and after the last count as missing, which
    reproduces the R package's shortened windows at the two ends (before a
    gain at its session 2 it has only sessions 1-2).
    """
    padded = np.pad(present, ((0, 0), (1, 1))).view(np.int8)
    k = present.shape[1]
    return (padded[:, :k] + padded[:, 1 : k + 1] + padded[:, 2:]).astype(np.int64)


def _mean_ss(values: FloatArray) -> tuple[FloatArray, FloatArray, IntArray]:
    """Row-wise mean, sum of squared deviations (two-pass, as R's var) and count, NaN skipped.

    Every row has at least one value (callers check), so nothing divides by zero.
    """
    present = ~np.isnan(values)
    count = present.sum(axis=1)
    mean = np.where(present, values, 0.0).sum(axis=1) / count
    dev = np.where(present, values - mean[:, np.newaxis], 0.0)
    return mean, (dev * dev).sum(axis=1), count


def sudden_gains(
    scores: npt.ArrayLike,
    *,
    cutoff: float,
    pct: float = 0.25,
    alpha: float = 0.05,
    adjust: bool = True,
    critical_value: float = 2.776,
    losses: bool = False,
    scale: tuple[float, float] | None = None,
) -> FloatArray:
    """Flag sudden gains (or losses) for every client and session-to-session interval.

    A sudden gain is a large, stable improvement between two consecutive
    sessions, n and n+1 (Tang & DeRubeis 1999). Scores are symptoms, so lower
    is better (BDI). All three criteria must hold:

    1. the drop ``x[n] - x[n+1]`` is at least ``cutoff`` points (7 on the BDI;
       :func:`coursekit.stats.reliable_change.rci_cutoff` derives one from
       the scale's reliability);
    2. the drop is at least ``pct`` (25%) of the pregain score ``x[n]``;
    3. the mean of sessions n-2..n exceeds the mean of n+1..n+3 by more than
       the critical t times the pooled SD of the two windows (strictly
       greater), so the gain stands out from session-to-session noise.

    This follows ``identify_sg`` / ``identify_sl`` of the R package
    ``suddengains`` (Wiedemann et al.) exactly, including missing data:

    * Only pregain sessions 1 .. k-3 (0-based; the package's 2 .. k-2) are
      tested. Columns 0 and k-2 of the result, the first and last intervals,
      are always NaN: there is no session before or after them to judge
      stability by. (The package gives no column for them; we keep them so
      that column j always means the interval from session j to j+1.)
    * Windows near the ends are shortened: before a gain at session 1 only
      sessions 0-1 exist, and that counts like one missing score.
    * Criterion 3 needs at least two scores on each side. With ``adjust``
      (default) the critical value is the two-tailed t for ``alpha`` with
      n_pre + n_post - 2 degrees of freedom (2.776 with six scores, 3.182 with
      five, 4.303 with four; Lutz et al. 2013); otherwise ``critical_value``
      is used whatever is missing.
    * The package multiplies the three criteria, and in R ``NA * 0`` is
      ``NA``: the flag is NaN whenever any criterion cannot be evaluated (a
      missing x[n] or x[n+1], or fewer than two scores on a side), even when
      another criterion clearly fails.

    With ``losses=True`` everything is mirrored: a rise of at least
    ``cutoff``, a rise of at least ``pct`` of ``x[n]``, and the post-window
    mean above the pre-window mean. **Difference from the R package:** its
    ``identify_sl`` tests criterion 2 as ``x[n] - x[n+1] <= pct * x[n]``,
    which every rise passes, so it effectively skips criterion 2 for losses;
    here a loss must really rise by ``pct`` of ``x[n]``. Also, ``cutoff`` is
    always a positive number of points here (the package wants ``-7`` for
    losses).

    Parameters
    ----------
    scores:
        clients x sessions, NaN for a missing session; a 1-D array is one
        client and gives a 1-D result. At least 4 sessions (the package's
        minimum: one interval with two scores on each side).
    cutoff:
        criterion 1, in score points, >= 0.
    scale:
        optional ``(lowest, highest)`` possible score, e.g. ``(0, 63)`` for
        the BDI; scores outside raise :class:`ScoreInputError`.

    Returns
    -------
    Array of shape (clients, sessions - 1): 1.0 sudden gain (loss), 0.0 none,
    NaN not evaluable. Column j is the interval from session j to j+1.

    Example
    -------
    >>> flags = sudden_gains([35, 37, 23, 23, 24, 21], cutoff=7)
    >>> flags.tolist()
    [nan, 1.0, 0.0, 0.0, nan]
    >>> from coursekit.stats.simulated_clients import simulate_clients
    >>> clients = simulate_clients(1000, seed=1)
    >>> sudden_gains(clients.scores, cutoff=7, scale=(0, 63)).shape
    (1000, 19)
    """
    x, single = _score_matrix(
        scores, min_sessions=4, purpose="Sudden gains (pregain sessions 2 to k-2 in R terms)",
        scale=scale,
    )
    cutoff = _number(cutoff, "cutoff", low=0.0, hint=(
        "Give the size of change in score points; for sudden losses keep it positive "
        "and pass losses=True (the R package's negative cutoff is not used here)."
    ))
    pct = _number(pct, "pct", low=0.0,
                  hint="It is a fraction: 0.25 means 25% of the pregain score.")
    alpha = _number(alpha, "alpha", low=0.0, high=1.0, low_open=True, high_open=True)
    critical_value = _number(critical_value, "critical_value", low=0.0, low_open=True)

    m, k = x.shape
    present = ~np.isnan(x)
    count = _window_counts(present)
    # Pregain n = 1..k-3 (column n-1 here): pre window n-2..n is window n-1,
    # post window n+1..n+3 is window n+2.
    x_n, x_next = x[:, 1 : k - 2], x[:, 2 : k - 1]
    change = x_next - x_n if losses else x_n - x_next
    evaluable = ~np.isnan(change) & (count[:, : k - 3] >= 2) & (count[:, 3:] >= 2)
    # Criteria 1 and 2 are cheap; criterion 3 is only needed where both hold.
    rows, cols = np.nonzero(evaluable & (change >= cutoff) & (change >= pct * x_n))

    pregain = cols + 1
    padded = np.pad(x, ((0, 0), (1, 1)), constant_values=np.nan)  # column c+1 is session c
    window = padded[rows[:, np.newaxis], pregain[:, np.newaxis] + np.arange(-1, 5)]
    mean_pre, ss_pre, n_pre = _mean_ss(window[:, :3])  # sessions n-2..n
    mean_post, ss_post, n_post = _mean_ss(window[:, 3:])  # sessions n+1..n+3
    dof = n_pre + n_post - 2
    if adjust:
        # scipy.special, not scipy.stats: stats.t.ppf(q, df) is special.stdtrit(df, q), and
        # importing scipy.stats costs a notebook's kernel about 0.7 s more. Lazy: keeps
        # `import coursekit.stats.sudden_gains` cheap.
        from scipy import special

        table = np.full(5, np.nan)
        for d in (2, 3, 4):  # two or three scores a side: df is 2, 3 or 4
            table[d] = abs(float(special.stdtrit(d, alpha / 2)))  # R: abs(qt(alpha / 2, df))
        t_crit = table[dof]
    else:
        t_crit = np.full(dof.shape, critical_value)
    shift = mean_post - mean_pre if losses else mean_pre - mean_post
    crit3 = shift > t_crit * np.sqrt((ss_pre + ss_post) / dof)

    out = np.full((m, k - 1), np.nan)
    out[:, 1 : k - 2] = np.where(evaluable, 0.0, np.nan)
    out[rows, pregain] = crit3
    return out[0] if single else out


@dataclass(frozen=True)
class SuddenGain:
    """One sudden gain (or loss) of one client.

    Sessions are 0-based column indices. ``magnitude`` is ``pregain_score -
    postgain_score`` as in the R package: positive for a gain, negative for a
    loss. ``reversed`` is True when the client later lost more than half of
    the gain (see :func:`gain_details`).
    """

    client: int
    pregain_session: int
    postgain_session: int
    pregain_score: float
    postgain_score: float
    magnitude: float
    reversed: bool


def gain_details(
    scores: npt.ArrayLike,
    flags: npt.ArrayLike,
    *,
    losses: bool = False,
    reversal_from: int = 2,
) -> list[SuddenGain]:
    """Describe every flagged gain: who, when, how large, and whether it reversed.

    A gain *reverses* when a later score, from session ``n + reversal_from``
    on, is above ``x[n+1] + magnitude / 2``: the client lost more than half
    of what they gained (a strict comparison, as in the R package). For
    losses the mirror: a later score below that value. Missing sessions are
    skipped.

    The default ``reversal_from=2`` looks at every session after the
    postgain session. The R package's ``create_bysg`` starts one session
    later, at n+3 (unless ``identify_sg_1to2 = TRUE``, where it starts at
    n+2); pass ``reversal_from=3`` to reproduce it.

    Parameters
    ----------
    scores:
        the same scores given to :func:`sudden_gains`.
    flags:
        its result (same ``losses`` setting).

    Example
    -------
    >>> scores = [[35, 37, 34, 23, 24, 21, 29, 17]]
    >>> flags = sudden_gains(scores, cutoff=7)
    >>> [(g.client, g.pregain_session, g.magnitude, g.reversed)
    ...  for g in gain_details(scores, flags)]
    [(0, 2, 11.0, True)]
    """
    x, single = _score_matrix(scores, min_sessions=4, purpose="Sudden gain details")
    f = _as_float_array(flags, "flags")
    if single and f.ndim == 1:
        f = f[np.newaxis, :]
    if f.shape != (x.shape[0], x.shape[1] - 1):
        raise ScoreInputError(
            f"flags have shape {f.shape} but scores {x.shape} need {(x.shape[0], x.shape[1] - 1)}"
            " (one column per interval); pass the result of sudden_gains() on the same scores."
        )
    if not np.all(np.isnan(f) | (f == 0.0) | (f == 1.0)):
        raise ScoreInputError("flags must hold only 1.0, 0.0 and NaN, as sudden_gains() returns.")
    if not float(_number(reversal_from, "reversal_from", low=2.0,
                         hint="Session n+1 is the postgain score itself.")).is_integer():
        raise ScoreInputError(
            f"reversal_from must be a whole number of sessions; got {reversal_from}."
        )
    reversal_from = int(reversal_from)

    clients, pre = np.nonzero(f == 1.0)
    x_n, x_next = x[clients, pre], x[clients, pre + 1]
    if np.isnan(x_n).any() or np.isnan(x_next).any():
        raise ScoreInputError(
            "flags mark a gain where a pregain or postgain score is missing; these flags "
            "do not belong to these scores."
        )
    magnitude = x_n - x_next
    threshold = x_next + magnitude / 2

    # Best later score from each session on (max for gains, min for losses), NaN
    # skipped; padding past the last session means "no later score".
    if losses:
        filled = np.where(np.isnan(x), np.inf, x)
        best_later = np.minimum.accumulate(filled[:, ::-1], axis=1)[:, ::-1]
    else:
        filled = np.where(np.isnan(x), -np.inf, x)
        best_later = np.maximum.accumulate(filled[:, ::-1], axis=1)[:, ::-1]
    best_later = np.pad(best_later, ((0, 0), (0, reversal_from)),
                        constant_values=np.inf if losses else -np.inf)
    later = best_later[clients, pre + reversal_from]
    reversed_ = later < threshold if losses else later > threshold

    return [
        SuddenGain(int(c), int(n), int(n) + 1, float(a), float(b), float(mag), bool(r))
        for c, n, a, b, mag, r in zip(clients, pre, x_n, x_next, magnitude, reversed_, strict=True)
    ]


def one_gain_per_client(
    gains: list[SuddenGain],
    select: Literal["first", "last", "largest", "smallest"] = "first",
) -> list[SuddenGain]:
    """Keep one gain per client, as R's ``create_byperson`` does.

    ``select`` picks the ``"first"`` or ``"last"`` gain in time, or the
    ``"largest"`` or ``"smallest"`` by absolute magnitude (ties go to the
    earlier gain). The result is ordered by client.

    >>> scores = [[30, 31, 30, 18, 18, 17, 8, 8, 7]]
    >>> gains = gain_details(scores, sudden_gains(scores, cutoff=7))
    >>> [g.pregain_session for g in gains]
    [2, 5]
    >>> [g.pregain_session for g in one_gain_per_client(gains, "largest")]
    [2]
    """
    choices = ("first", "last", "largest", "smallest")
    if select not in choices:
        raise ScoreInputError(f"Unknown select {select!r} - should be one of {', '.join(choices)}.")
    keys = {
        "first": lambda g: g.pregain_session,
        "last": lambda g: -g.pregain_session,
        "largest": lambda g: (-abs(g.magnitude), g.pregain_session),
        "smallest": lambda g: (abs(g.magnitude), g.pregain_session),
    }
    chosen: dict[int, SuddenGain] = {}
    for gain in sorted(gains, key=keys[select]):
        chosen.setdefault(gain.client, gain)
    return [chosen[c] for c in sorted(chosen)]
