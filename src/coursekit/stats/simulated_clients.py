"""Simulated clients: BDI-like session-by-session scores with known, planted patterns.

:func:`simulate_clients` makes data calibrated to Howard et al.'s (1986)
dose-effect curve, with sudden gains, reversed gains, no change and
deterioration planted where the caller can check them, to try the other
modules of :mod:`coursekit.stats` on.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from coursekit.errors import ScoreInputError
from coursekit.stats.scores import FloatArray, IntArray, StrArray, _number

__all__ = ["PATTERNS", "SimulatedClients", "simulate_clients"]

#: Trajectory patterns planted by :func:`simulate_clients`.
PATTERNS = ("steady", "sudden_gain", "gain_reversed", "no_change", "deterioration")


@dataclass(frozen=True, eq=False)
class SimulatedClients:
    """Simulated clients (see :func:`simulate_clients`).

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


def simulate_clients(
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
) -> SimulatedClients:
    """Simulate BDI-like courses of therapy with known patterns.

    Each client first gets the session T by which they will have improved by
    ``improvement`` points, drawn so that the clients follow Howard et al.'s
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

    Same ``seed``, same clients. 100,000 clients take well under a second.

    >>> clients = simulate_clients(2000, seed=42)
    >>> clients.scores.shape
    (2000, 20)
    >>> sorted(set(clients.pattern.tolist())) == sorted(PATTERNS)
    True
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
    # Draw everything for every client, in a fixed order, so a seed fixes the clients.
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

    return SimulatedClients(
        scores=scores,
        pattern=np.asarray(PATTERNS)[code],
        gain_session=np.where(is_gain, gain, -1).astype(np.int64),
        reversal_session=np.where(is_rev, reversal, -1).astype(np.int64),
        improvement=improvement,
    )
