"""Simulated clients: BDI-like session-by-session scores with known, planted patterns.

:func:`simulate_clients` makes data calibrated to published figures, with
sudden gains, reversed gains, no change and deterioration planted where the
caller can check them, to try the other modules of :mod:`coursekit.stats` on:

* the share of clients improved after each number of sessions follows Howard,
  Kopta, Krause & Orlinsky's (1986) dose-effect curve (15 data sets, over
  2,400 patients: about 50% improved by session 8, 75% by session 26);
* the share of clients in whom the Tang & DeRubeis (1999) criteria find a
  sudden gain is about 40%, as Tang & DeRubeis found in cognitive-behavioural
  therapy for depression (sudden gains are common across therapies: Shalom &
  Aderka 2020, 50 studies, 6,355 patients); of the clients with a gain, about
  17% lose more than half of it again, the share of Tang & DeRubeis's 24
  patients with a gain whose gain reversed (a figure seen on a secondary
  source);
* measurement error is that of the scale the breakthroughs exercise
  describes, SD 7.5 and reliability .86 (:data:`SCALE_SD`, :data:`RELIABILITY`).

:func:`gains_by_noise` runs the same clients at several reliabilities, to show
how measurement error makes and hides sudden gains.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from coursekit.errors import ScoreInputError
from coursekit.stats.reliable_change import standard_error
from coursekit.stats.scores import FloatArray, IntArray, StrArray, _number
from coursekit.stats.sudden_gains import gain_details, sudden_gains

__all__ = [
    "GAIN_SHARE",
    "PATTERNS",
    "RELIABILITY",
    "REVERSAL_SHARE",
    "SCALE_SD",
    "GainsAtNoise",
    "SimulatedClients",
    "gains_by_noise",
    "simulate_clients",
]

#: Trajectory patterns planted by :func:`simulate_clients`.
PATTERNS = ("steady", "sudden_gain", "gain_reversed", "no_change", "deterioration")

#: The scale the clients are measured on, as the breakthroughs exercise gives
#: it for reliable change: the SD of intake scores and the scale's reliability.
SCALE_SD = 7.5
RELIABILITY = 0.86
#: Mean intake score, the clinical population's mean in that exercise.
INTAKE_MEAN = 27.0

#: Defaults of :func:`simulate_clients`, calibrated (20 sessions, 10% missing,
#: the exercise's detector: ``sudden_gains(scores, cutoff=7)`` and
#: ``gain_details``) so that gains are found in about 40% of clients and about
#: 17% of those clients reverse, as in Tang & DeRubeis (1999). At this noise
#: about one found gain in five is made by noise in a steady course, and such
#: gains often seem to reverse; so few planted gains need to reverse.
GAIN_SHARE = 0.75
REVERSAL_SHARE = 0.02


@dataclass(frozen=True, eq=False)
class SimulatedClients:
    """Simulated clients (see :func:`simulate_clients`).

    ``scores``: clients x sessions, 0-63, NaN for missed sessions (intake,
    column 0, is never missing). ``pattern``: the planted pattern of each
    client, one of :data:`PATTERNS`. ``gain_session``: pregain session of the
    planted gain, -1 if none. ``reversal_session``: first session of the
    planted reversal, -1 if none. ``improvement``: the change in points the
    dose-effect calibration counts as improved. ``noise_sd``: the SD of the
    measurement error added to every score.
    """

    scores: FloatArray
    pattern: StrArray
    gain_session: IntArray
    reversal_session: IntArray
    improvement: float
    noise_sd: float


def simulate_clients(
    n_clients: int,
    n_sessions: int = 20,
    *,
    seed: int,
    missing_rate: float = 0.1,
    gain_share: float = GAIN_SHARE,
    reversal_share: float = REVERSAL_SHARE,
    deterioration_share: float = 0.35,
    noise_sd: float | None = None,
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
    * ``sudden_gain``: where the gain can be observed (1 < T <= sessions-2:
      the detector tests pregain sessions 1 to sessions-3), a share
      ``gain_share`` improve in one drop of 10-18 points (at least 40% of the
      current score) between sessions ceil(T)-1 and ceil(T);
    * ``gain_reversed``: a share ``reversal_share`` of those gains climb back
      by 80-120% of the gain 4 to 9 sessions later (before the last session);
    * ``steady``: everyone else declines in a straight line through
      (T, ``improvement``), at most 2 points a session after session 1.

    True intake scores are around 27 (SD 7.5 * sqrt(.86), about 7.0, clipped
    to 14-50) on the 0-63 BDI. Every score gets Gaussian measurement error of
    SD ``noise_sd``; by default the standard error of measurement of the
    exercise's scale, 7.5 * sqrt(1 - .86) = 2.8 points, so that observed
    intake scores have SD 7.5 and the scale has reliability .86. Scores are
    rounded to whole points and clipped to 0-63; each session after intake
    is missing with probability ``missing_rate``. With 20 sessions about 43%
    are steady, 41% sudden gains, 1% reversed gains, 10% no change and 5%
    deterioration; the detector finds more gains than were planted where
    noise makes a steady course jump, and misses some where it hides a gain.

    Same ``seed``, same clients: changing only ``noise_sd`` keeps every
    client's course and scales the same draws of error. 100,000 clients take
    well under a second.

    >>> clients = simulate_clients(2000, seed=42)
    >>> clients.scores.shape
    (2000, 20)
    >>> sorted(set(clients.pattern.tolist())) == sorted(PATTERNS)
    True
    >>> round(clients.noise_sd, 2)
    2.81
    """
    n_clients = int(_number(n_clients, "n_clients", low=0.0))
    n_sessions = int(_number(n_sessions, "n_sessions", low=8.0,
                             hint="Reversals need a gain window plus four later sessions."))
    missing_rate = _number(missing_rate, "missing_rate", low=0.0, high=1.0, high_open=True)
    shares = [_number(v, name, low=0.0, high=1.0) for v, name in (
        (gain_share, "gain_share"), (reversal_share, "reversal_share"),
        (deterioration_share, "deterioration_share"))]
    # The default error is the scale's standard error of measurement, SD * sqrt(1 - r).
    noise_sd = (standard_error(SCALE_SD, RELIABILITY) if noise_sd is None
                else _number(noise_sd, "noise_sd", low=0.0))
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
    # True-score SD: the observed SD 7.5 holds true variance r * SD^2 plus the error.
    intake = np.clip(rng.normal(INTAKE_MEAN, SCALE_SD * math.sqrt(RELIABILITY), m), 14.0, 50.0)
    # Standard draws scaled afterwards: another noise_sd keeps the same clients.
    noise = rng.standard_normal((m, k)) * noise_sd
    missing = rng.random((m, k)) < missing_rate

    never = t_improve > 52.0
    # A gain ending at session ceil(T) is testable for pregain sessions 1..k-3.
    observable = (t_improve > 1.0) & (t_improve <= k - 2) & ~never
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
    gain = np.clip(np.ceil(t_improve) - 1, 1, k - 3).astype(np.int64)
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
        noise_sd=noise_sd,
    )


@dataclass(frozen=True)
class GainsAtNoise:
    """What the sudden-gain detector finds in the same clients at one reliability.

    Shares of all clients, 0-1: ``planted`` have a planted gain (the truth,
    the same at every reliability); ``found`` have at least one gain found;
    ``found_planted`` have their planted gain found at its session;
    ``found_by_noise`` have gains found but not their planted one, gains that
    noise made (``found = found_planted + found_by_noise``). ``reversed`` is
    the share of clients with a found gain who have a found gain that
    reversed. ``noise_sd`` is the scale's standard error of measurement at
    ``reliability``.
    """

    reliability: float
    noise_sd: float
    planted: float
    found: float
    found_planted: float
    found_by_noise: float
    reversed: float


def gains_by_noise(
    reliabilities: Sequence[float] = (1.0, 0.95, RELIABILITY, 0.75),
    n_clients: int = 300,
    n_sessions: int = 20,
    *,
    seed: int,
    cutoff: float = 7.0,
) -> list[GainsAtNoise]:
    """The same simulated clients measured with more or less error, and the gains found in each.

    Each reliability r gives measurement error SD 7.5 * sqrt(1 - r)
    (:data:`SCALE_SD`); the clients' true courses stay the same, so every
    difference between the runs is made by measurement error. Gains are found
    as the breakthroughs exercise finds them: ``sudden_gains(scores,
    cutoff=cutoff)`` and ``gain_details``. With no error (r = 1) the detector
    finds only planted gains; as error grows it finds gains noise made in
    steady courses and misses some real ones.

    >>> runs = gains_by_noise((1.0, 0.86), n_clients=500, seed=3)
    >>> runs[0].found_by_noise
    0.0
    >>> runs[1].found_by_noise > 0 and runs[0].planted == runs[1].planted
    True
    """
    levels = [_number(r, "reliabilities", low=0.0, high=1.0,
                      hint="Give reliabilities such as 0.86, from 0 to 1.") for r in reliabilities]
    if not levels:
        raise ScoreInputError("reliabilities is empty; give at least one, such as (1.0, 0.86).")
    runs = []
    for r in levels:
        noise_sd = standard_error(SCALE_SD, r)
        clients = simulate_clients(n_clients, n_sessions, seed=seed, noise_sd=noise_sd)
        flags = sudden_gains(clients.scores, cutoff=cutoff)
        gains = gain_details(clients.scores, flags)
        with_gain = {g.client for g in gains}
        at_planted = {g.client for g in gains if g.pregain_session == clients.gain_session[g.client]}
        reversed_ = {g.client for g in gains if g.reversed}
        n = max(n_clients, 1)
        runs.append(GainsAtNoise(
            reliability=r, noise_sd=noise_sd,
            planted=float(np.mean(clients.gain_session >= 0)) if n_clients else 0.0,
            found=len(with_gain) / n, found_planted=len(at_planted) / n,
            found_by_noise=len(with_gain - at_planted) / n,
            reversed=len(reversed_) / len(with_gain) if with_gain else 0.0,
        ))
    return runs
