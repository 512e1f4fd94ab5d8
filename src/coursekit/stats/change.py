"""Change over a course of therapy: sudden gains, reliable change, dose and response.

Scores are a clients x sessions array of floats, one row per client and one
column per session in order, ``NaN`` for a session with no score. Column 0 is
the first score you have (often the intake). Every function works on all
clients at once, so a cohort of 100,000 clients takes well under a second.

The module answers three questions a clinician asks of outcome data:

* Did this client improve in one large, stable jump between two sessions (a
  *sudden gain*, Tang & DeRubeis 1999) or a *sudden loss*? See
  :func:`sudden_gains`, :func:`gain_details`.
* Is the change from start to end larger than measurement error, and did the
  client end up in the range of people without the problem (Jacobson & Truax
  1991)? See :func:`reliable_change`, :func:`jacobson_truax`.
* How many sessions does it take for half of the clients to improve (Howard,
  Kopta, Krause & Orlinsky 1986)? See :func:`fit_dose_effect`.

:func:`simulate_cohort` makes realistic BDI-like data with known patterns to
try all of this on.

Session numbers in results are 0-based column indices, like the array. The R
package ``suddengains`` numbers sessions from 1: add 1 to compare.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

from coursekit.errors import ScoreInputError

__all__ = [
    "CATEGORIES",
    "PATTERNS",
    "ClinicalCutoffs",
    "Cohort",
    "DoseEffect",
    "ImprovementCurve",
    "SuddenGain",
    "clinical_cutoffs",
    "fit_dose_effect",
    "gain_details",
    "improvement_by_session",
    "jacobson_truax",
    "one_gain_per_client",
    "rci_cutoff",
    "reliable_change",
    "s_diff",
    "simulate_cohort",
    "standard_error",
    "sudden_gains",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
StrArray = npt.NDArray[np.str_]

#: Jacobson-Truax categories returned by :func:`jacobson_truax`.
CATEGORIES = ("recovered", "improved", "unchanged", "deteriorated", "missing")

#: Trajectory patterns planted by :func:`simulate_cohort`.
PATTERNS = ("steady", "sudden_gain", "gain_reversed", "no_change", "deterioration")


# --------------------------------------------------------------------------
# Input checking
# --------------------------------------------------------------------------


def _where(index: tuple[int, ...]) -> str:
    if len(index) == 0:
        return "the value"
    if len(index) == 1:
        return f"session {index[0]}"
    if len(index) == 2:
        return f"client {index[0]}, session {index[1]}"
    return f"position {index}"


def _as_float_array(values: object, name: str) -> FloatArray:
    """Numbers (None or NaN for missing) as a float array, or a clear error."""
    if isinstance(values, (list, tuple)) and values and all(
        isinstance(row, (list, tuple, np.ndarray)) for row in values
    ):
        # Check row lengths ourselves: numpy's own message does not say which row.
        lengths = [len(row) for row in values]
        for i, length in enumerate(lengths):
            if length != lengths[0]:
                raise ScoreInputError(
                    f"{name}: client {i} has {length} sessions but client 0 has "
                    f"{lengths[0]}; every row needs one entry per session, with NaN "
                    "(or None) for a missing session."
                )
    try:
        arr = np.asarray(values)
    except ValueError as exc:  # ragged nesting numpy could not shape
        raise ScoreInputError(
            f"{name}: rows have different lengths ({exc}); give one entry per session "
            "in every row, NaN for a missing session."
        ) from None
    kind = arr.dtype.kind
    if kind == "b":
        raise ScoreInputError(f"{name}: got True/False values; scores must be numbers.")
    if kind in "US":
        # Look at the original items, so the message quotes the one that is text.
        arr = arr.astype(object) if isinstance(values, np.ndarray) else np.asarray(values, object)
        kind = "O"
    if kind == "O":
        out = np.empty(arr.shape, dtype=np.float64)
        for index in np.ndindex(arr.shape):
            item = arr[index]
            if item is None:
                out[index] = np.nan
            elif isinstance(item, (str, bytes)):
                raise ScoreInputError(
                    f"{name}: found text {str(item)!r} at {_where(index)}; scores must be "
                    "numbers. Convert first, e.g. with float() or "
                    "pandas.to_numeric(..., errors='coerce')."
                )
            elif isinstance(item, (int, float, np.integer, np.floating)) and not isinstance(
                item, (bool, np.bool_)
            ):
                out[index] = float(item)
            else:
                raise ScoreInputError(
                    f"{name}: found {item!r} ({type(item).__name__}) at {_where(index)}; "
                    "scores must be numbers, with NaN or None for a missing session."
                )
        arr = out
    elif kind not in "iuf":
        raise ScoreInputError(
            f"{name}: values of type {arr.dtype} are not scores; give real numbers."
        )
    result = np.asarray(arr, dtype=np.float64)
    if np.isinf(result).any():
        bad = tuple(int(i) for i in np.argwhere(np.isinf(result))[0])
        raise ScoreInputError(
            f"{name}: infinite value at {_where(bad)}; "
            "use NaN for a missing score."
        )
    return result


def _check_scale(x: FloatArray, scale: tuple[float, float] | None, name: str) -> None:
    if scale is None:
        return
    try:
        lo, hi = (float(v) for v in scale)
    except (TypeError, ValueError):
        raise ScoreInputError(
            f"scale must be a pair (lowest, highest), e.g. (0, 63) for the BDI; got {scale!r}."
        ) from None
    if not lo < hi:
        raise ScoreInputError(
            f"scale must be (lowest, highest) with lowest < highest; got {scale!r}."
        )
    outside = (x < lo) | (x > hi)  # NaN compares False: missing is never outside
    if outside.any():
        bad = tuple(int(i) for i in np.argwhere(outside)[0])
        raise ScoreInputError(
            f"{name}: {int(outside.sum())} score(s) outside the scale {lo:g}-{hi:g}, the "
            f"first {x[bad]:g} at {_where(bad)}. Check for "
            "data-entry errors or codes such as 99 for 'missing' (use NaN instead)."
        )


def _score_matrix(
    scores: object, *, min_sessions: int, purpose: str, scale: tuple[float, float] | None = None
) -> tuple[FloatArray, bool]:
    """(clients x sessions array, True if the caller gave one client as 1-D)."""
    x = _as_float_array(scores, "scores")
    single = x.ndim == 1
    if single:
        x = x[np.newaxis, :]
    if x.ndim != 2:
        raise ScoreInputError(
            f"scores must be 2-D (clients x sessions) or 1-D (one client); got {x.ndim}-D "
            f"with shape {x.shape}."
        )
    if x.shape[1] < min_sessions:
        raise ScoreInputError(
            f"{purpose} need at least {min_sessions} sessions per client; got "
            f"{x.shape[1]}. Columns are sessions: check the array is not transposed."
        )
    _check_scale(x, scale, "scores")
    return x, single


def _number(value: object, name: str, *, low: float | None = None, high: float | None = None,
            low_open: bool = False, high_open: bool = False, hint: str = "") -> float:
    """A real number within bounds, or a ScoreInputError saying what is allowed."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(
        value, (int, float, np.integer, np.floating)
    ):
        raise ScoreInputError(f"{name} must be a number; got {value!r}. {hint}".rstrip())
    v = float(value)
    ok = math.isfinite(v)
    if ok and low is not None:
        ok = v > low if low_open else v >= low
    if ok and high is not None:
        ok = v < high if high_open else v <= high
    if not ok:
        lo_txt = "" if low is None else ("> " if low_open else ">= ") + f"{low:g}"
        hi_txt = "" if high is None else ("< " if high_open else "<= ") + f"{high:g}"
        bounds = " and ".join(t for t in (lo_txt, hi_txt) if t) or "finite"
        raise ScoreInputError(f"{name} must be {bounds}; got {v:g}. {hint}".rstrip())
    return v


# --------------------------------------------------------------------------
# Sudden gains and losses
# --------------------------------------------------------------------------


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
       :func:`rci_cutoff` derives one from the scale's reliability);
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
    >>> cohort = simulate_cohort(1000, seed=1)
    >>> flags = sudden_gains(cohort.scores, cutoff=7, scale=(0, 63))
    >>> gains_per_client = np.nansum(flags, axis=1)
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
        from scipy import stats  # lazy: keeps `import coursekit.stats.change` cheap

        table = np.full(5, np.nan)
        for d in (2, 3, 4):  # two or three scores a side: df is 2, 3 or 4
            table[d] = abs(float(stats.t.ppf(alpha / 2, d)))  # R: abs(qt(alpha / 2, df))
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


# --------------------------------------------------------------------------
# Reliable change and clinical significance (Jacobson & Truax 1991)
# --------------------------------------------------------------------------


def standard_error(sd: float, reliability: float) -> float:
    """Standard error of measurement, ``SD * sqrt(1 - r)``: the noise in one score.

    >>> round(standard_error(10.5, 0.961), 6)
    2.073584
    """
    sd = _number(sd, "sd", low=0.0, low_open=True, hint="Use the SD of pre-treatment scores.")
    r = _number(reliability, "reliability", low=0.0, high=1.0,
                hint="Use e.g. Cronbach's alpha or test-retest r of the scale.")
    return sd * math.sqrt(1.0 - r)


def s_diff(sd: float, reliability: float) -> float:
    """Standard error of a difference of two scores, ``sqrt(2) * SE``.

    >>> round(s_diff(10.5, 0.961), 5)
    2.93249
    """
    return math.sqrt(2.0 * standard_error(sd, reliability) ** 2)


def rci_cutoff(sd: float, reliability: float, z: float = 1.96) -> float:
    """Change in points beyond which it is reliable (5% level): ``z * sqrt(2) * SD * sqrt(1 - r)``.

    Usable as the ``cutoff`` of :func:`sudden_gains` (the R package's
    ``define_crit1_cutoff``).

    >>> round(rci_cutoff(10.5, 0.961), 6)
    5.747681
    """
    z = _number(z, "z", low=0.0, low_open=True)
    return z * s_diff(sd, reliability)


def _pair(pre: npt.ArrayLike, post: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
    a, b = _as_float_array(pre, "pre"), _as_float_array(post, "post")
    if a.shape != b.shape:
        raise ScoreInputError(
            f"pre has shape {a.shape} but post has {b.shape}; give one pre and one post "
            "score per client, NaN where one is missing."
        )
    return a, b


def reliable_change(
    pre: npt.ArrayLike, post: npt.ArrayLike, *, sd_pre: float, reliability: float
) -> FloatArray:
    """Reliable Change Index per client: ``(post - pre) / S_diff``.

    Beyond +-1.96 the change is unlikely (p < .05) to be measurement error.
    The sign is raw: on the BDI (lower is better) improvement is negative.
    NaN where pre or post is missing.

    >>> reliable_change([10, 10], [2, 14], sd_pre=5, reliability=0.8).round(4).tolist()
    [-2.5298, 1.2649]
    """
    a, b = _pair(pre, post)
    _number(reliability, "reliability", high=1.0, high_open=True,
            hint="A reliability of 1 means no measurement error and no S_diff to divide by.")
    return ((b - a) / s_diff(sd_pre, reliability)).astype(np.float64)


@dataclass(frozen=True)
class ClinicalCutoffs:
    """Jacobson & Truax cutoffs between the clinical and the functional population.

    ``a``: 2 SD beyond the clinical mean, toward health; ``b``: 2 SD inside
    the functional mean; ``c``: where the two distributions meet (weighted
    midpoint), the usual choice when both norms are known.
    """

    a: float
    b: float
    c: float


def clinical_cutoffs(
    m_clin: float, sd_clin: float, m_func: float, sd_func: float, *, higher_is_better: bool
) -> ClinicalCutoffs:
    """Cutoffs a, b and c for clinically significant change.

    >>> clinical_cutoffs(40, 7.5, 60, 7.5, higher_is_better=True)
    ClinicalCutoffs(a=55.0, b=45.0, c=50.0)
    """
    m_clin = _number(m_clin, "m_clin")
    m_func = _number(m_func, "m_func")
    sd_clin = _number(sd_clin, "sd_clin", low=0.0, low_open=True)
    sd_func = _number(sd_func, "sd_func", low=0.0, low_open=True)
    if (m_func > m_clin) != higher_is_better or m_func == m_clin:
        better = "higher" if higher_is_better else "lower"
        raise ScoreInputError(
            f"With higher_is_better={higher_is_better} the functional mean ({m_func:g}) should "
            f"be {better} than the clinical mean ({m_clin:g}); check the order of the means "
            "or the direction of the scale."
        )
    d = 1.0 if higher_is_better else -1.0
    return ClinicalCutoffs(
        a=m_clin + d * 2.0 * sd_clin,
        b=m_func - d * 2.0 * sd_func,
        c=(sd_clin * m_func + sd_func * m_clin) / (sd_clin + sd_func),
    )


def jacobson_truax(
    pre: npt.ArrayLike,
    post: npt.ArrayLike,
    *,
    sd_pre: float,
    reliability: float,
    cutoff: float,
    higher_is_better: bool,
    z: float = 1.96,
) -> StrArray:
    """Classify each client's change as Jacobson & Truax (1991) propose.

    * ``"recovered"``: reliable improvement (|RCI| > z in the better direction)
      *and* crossed ``cutoff``: pre on the clinical side (or exactly at it),
      post strictly on the functional side;
    * ``"improved"``: reliable improvement without that crossing;
    * ``"deteriorated"``: reliable worsening;
    * ``"unchanged"``: otherwise;
    * ``"missing"``: pre or post is NaN.

    Direction matters: on the BDI lower is better, so pass
    ``higher_is_better=False`` and a BDI cutoff such as 14.

    >>> jacobson_truax([30, 30, 30, 20], [10, 20, 29, 40], sd_pre=5,
    ...                reliability=0.8, cutoff=14, higher_is_better=False).tolist()
    ['recovered', 'improved', 'unchanged', 'deteriorated']
    """
    a, b = _pair(pre, post)
    cutoff = _number(cutoff, "cutoff")
    z = _number(z, "z", low=0.0, low_open=True)
    d = 1.0 if higher_is_better else -1.0
    toward_better = d * reliable_change(a, b, sd_pre=sd_pre, reliability=reliability)
    improved = toward_better > z
    worse = toward_better < -z
    crossed = (d * (a - cutoff) <= 0) & (d * (b - cutoff) > 0)
    out = np.full(a.shape, "unchanged", dtype="<U12")
    out[improved] = "improved"
    out[improved & crossed] = "recovered"
    out[worse] = "deteriorated"
    out[np.isnan(a) | np.isnan(b)] = "missing"
    return out


# --------------------------------------------------------------------------
# Dose-effect (Howard, Kopta, Krause & Orlinsky 1986)
# --------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class ImprovementCurve:
    """Share of clients improved at each session (see :func:`improvement_by_session`)."""

    sessions: IntArray
    proportion: FloatArray
    n: IntArray


def improvement_by_session(
    scores: npt.ArrayLike, *, threshold: float, higher_is_better: bool = False
) -> ImprovementCurve:
    """Proportion of clients improved, session by session, from a cohort.

    Column 0 is taken as the intake score and column s as the score after s
    sessions. A client counts as improved at session s when their score has
    moved at least ``threshold`` points in the better direction since
    intake (use :func:`rci_cutoff` for a reliable-change threshold). Only
    clients with both scores present count, so ``n`` varies by session.

    >>> cohort = simulate_cohort(5000, n_sessions=30, seed=3)
    >>> curve = improvement_by_session(cohort.scores, threshold=cohort.improvement)
    >>> model = fit_dose_effect(curve.sessions, curve.proportion, n=curve.n)
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
        from scipy import stats

        s = _as_float_array(sessions, "sessions")
        if np.any(s <= 0):
            raise ScoreInputError("sessions must be positive (the curve uses their logarithm).")
        return np.asarray(stats.norm.cdf(self.intercept + self.slope * np.log(s)), np.float64)

    def sessions_for(self, proportion: float) -> float:
        """Sessions needed until ``proportion`` of clients have improved, e.g. 0.5."""
        from scipy import stats

        p = _number(proportion, "proportion", low=0.0, high=1.0, low_open=True, high_open=True)
        if self.slope <= 0:
            raise ScoreInputError("The fitted curve does not rise with sessions (slope <= 0).")
        return math.exp((float(stats.norm.ppf(p)) - self.intercept) / self.slope)


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
    from scipy import stats

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
        beta = np.linalg.lstsq(design, stats.norm.ppf(p), rcond=None)[0]
        return DoseEffect(float(beta[0]), float(beta[1]), "least_squares")

    w_n = counts[keep]
    start = (p * w_n + 0.5) / (w_n + 1.0)  # keeps the start finite when p is 0 or 1
    beta = np.linalg.lstsq(design, stats.norm.ppf(start), rcond=None)[0]
    for _ in range(100):  # Fisher scoring (IRLS) for a binomial probit model
        eta = design @ beta
        mu = np.clip(stats.norm.cdf(eta), 1e-12, 1 - 1e-12)
        dens = np.maximum(stats.norm.pdf(eta), 1e-300)
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


# --------------------------------------------------------------------------
# Simulated cohort
# --------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Cohort:
    """A simulated cohort (see :func:`simulate_cohort`).

    ``scores``: clients x sessions, 0-63, NaN for missed sessions (intake,
    column 0, is never missing). ``pattern``: the planted pattern of each
    client, one of :data:`PATTERNS`. ``gain_session``: pregain session of the
    planted gain, -1 if none. ``reversal_session``: first session of the
    planted reversal, -1 if none. ``improvement``: the change in points the
    dose-effect calibration counts as improved.
    """

    scores: FloatArray
    pattern: StrArray
    gain_session: IntArray
    reversal_session: IntArray
    improvement: float


def simulate_cohort(
    n_clients: int,
    n_sessions: int = 20,
    *,
    seed: int,
    missing_rate: float = 0.1,
    gain_share: float = 0.5,
    reversal_share: float = 0.2,
    deterioration_share: float = 0.35,
    noise_sd: float = 1.5,
    improvement: float = 8.0,
    response_sessions: tuple[float, float] = (8.0, 26.0),
) -> Cohort:
    """Simulate BDI-like courses of therapy with known patterns.

    Each client first gets the session T by which they will have improved by
    ``improvement`` points, drawn so that the cohort follows Howard et al.'s
    (1986) dose-effect curve: a probit in log sessions with 50% improved by
    ``response_sessions[0]`` (8) and 75% by ``response_sessions[1]`` (26).
    How they get there is drawn next:

    * ``no_change`` / ``deterioration``: clients with T beyond 52 sessions
      (about 14%; Howard et al.'s last anchor) never improve; a share
      ``deterioration_share`` of them worsen by 0.4-1 point a session;
    * ``sudden_gain``: where the gain can be observed (3 <= T <= sessions-3),
      a share ``gain_share`` improve in one drop of 10-18 points (at least
      40% of the current score) between sessions ceil(T)-1 and ceil(T);
    * ``gain_reversed``: a share ``reversal_share`` of those gains climb back
      by 80-120% of the gain 4 to 9 sessions later (before the last session);
    * ``steady``: everyone else declines in a straight line through
      (T, ``improvement``), at most 2 points a session after session 1.

    Intake scores are around 27 (SD 5) on the 0-63 BDI; scores get Gaussian
    noise (``noise_sd``), are rounded to whole points and clipped to 0-63;
    each session after intake is missing with probability ``missing_rate``.
    With 20 sessions about 67% are steady, 15% sudden gains, 4% reversed
    gains, 9% no change and 5% deterioration.

    Same ``seed``, same cohort. 100,000 clients take well under a second.

    >>> cohort = simulate_cohort(2000, seed=42)
    >>> cohort.scores.shape
    (2000, 20)
    >>> planted = cohort.pattern == "sudden_gain"
    """
    n_clients = int(_number(n_clients, "n_clients", low=0.0))
    n_sessions = int(_number(n_sessions, "n_sessions", low=8.0,
                             hint="Reversals need a gain window plus four later sessions."))
    missing_rate = _number(missing_rate, "missing_rate", low=0.0, high=1.0, high_open=True)
    shares = [_number(v, name, low=0.0, high=1.0) for v, name in (
        (gain_share, "gain_share"), (reversal_share, "reversal_share"),
        (deterioration_share, "deterioration_share"))]
    noise_sd = _number(noise_sd, "noise_sd", low=0.0)
    improvement = _number(improvement, "improvement", low=0.0, low_open=True)
    s50, s75 = (_number(v, "response_sessions", low=0.0, low_open=True) for v in response_sessions)
    if not s50 < s75:
        raise ScoreInputError(
            f"response_sessions must be (sessions to 50% improved, sessions to 75%) in "
            f"increasing order; got {response_sessions!r}."
        )
    # Howard's probit: ln T ~ N(ln s50, sigma), 0.6745 = z of 75%.
    sigma = (math.log(s75) - math.log(s50)) / 0.6744897501960817

    rng = np.random.default_rng(seed)
    m, k = n_clients, n_sessions
    # Draw everything for every client, in a fixed order, so a seed fixes the cohort.
    t_improve = np.exp(rng.normal(math.log(s50), sigma, m))
    u = rng.random((m, 8))
    intake = np.clip(rng.normal(27.0, 5.0, m), 16.0, 45.0)
    noise = rng.normal(0.0, noise_sd, (m, k))
    missing = rng.random((m, k)) < missing_rate

    never = t_improve > 52.0
    observable = (t_improve >= 3.0) & (t_improve <= k - 3) & ~never
    is_gain = observable & (u[:, 0] < shares[0])
    is_rev = is_gain & (u[:, 1] < shares[1]) & (t_improve <= k - 5)
    code = np.where(is_gain, np.where(is_rev, 2, 1), 0)
    code = np.where(never, np.where(u[:, 2] < shares[2], 4, 3), code)

    s = np.arange(k, dtype=np.float64)[np.newaxis, :]
    x0, t = intake[:, np.newaxis], t_improve[:, np.newaxis]
    floor = np.minimum(2.0 + 6.0 * u[:, [3]], x0 - 1.5 * improvement)

    # steady: a line through (T, improvement) with slope <= 2; sessions 0-1 may drop more.
    slope = np.minimum(improvement / t, 2.0)
    drop = np.where(s == 0, 0.0, np.maximum(improvement + slope * (s - t), 0.0))
    steady = np.maximum(x0 - drop, floor)

    # sudden gain between g and g+1 = ceil(T): improved from session T on, like steady.
    gain = np.clip(np.ceil(t_improve) - 1, 2, k - 4).astype(np.int64)
    g = gain[:, np.newaxis].astype(np.float64)
    pre_rate = u[:, [4]] * np.minimum(0.4, 0.6 * improvement / g)
    level = x0 - pre_rate * g
    size = np.maximum(10.0, 0.4 * level) + 4.0 * u[:, [5]]
    sudden = np.where(s <= g, x0 - pre_rate * s, np.maximum(level - size - 0.2 * (s - g - 1), 0))

    # reversal at r in g+4..g+9 (after the gain's post window, before the last
    # session): climb back 80-120% of the gain, 60% of that at r itself.
    span = np.clip(k - gain - 5, 1, 6)
    reversal = gain + 4 + np.floor(span * u[:, 6]).astype(np.int64)
    r = reversal[:, np.newaxis].astype(np.float64)
    back = size * (0.8 + 0.4 * u[:, [7]])
    reversed_ = sudden + np.where(s == r, 0.6 * back, 0.0) + np.where(s > r, back, 0.0)

    flat = x0 + (u[:, [4]] - 0.5) * 0.2 * s
    worse = x0 + (0.4 + 0.6 * u[:, [4]]) * s

    means = np.choose(code[:, np.newaxis], [steady, sudden, reversed_, flat, worse])
    scores = np.clip(np.rint(means + noise), 0.0, 63.0)
    missing[:, 0] = False  # intake is always recorded
    scores[missing] = np.nan

    return Cohort(
        scores=scores,
        pattern=np.asarray(PATTERNS)[code],
        gain_session=np.where(is_gain, gain, -1).astype(np.int64),
        reversal_session=np.where(is_rev, reversal, -1).astype(np.int64),
        improvement=improvement,
    )
