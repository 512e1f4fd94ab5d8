"""A therapist's simulated caseload: outcome and session-alliance scores every session, with a known truth.

:func:`simulate_caseload` is what the feedback module monitors: each client
rates the course's outcome measure (the "week check", 0-63, higher is worse)
at the start of every session and its session-alliance measure (the
"session check", 0-20, higher is better) at the end. The outcome courses come
from :func:`coursekit.stats.simulated_clients.simulate_clients`, so they keep
its calibration (Howard et al.'s 1986 dose-effect curve, sudden gains in about
40% of clients as Tang & DeRubeis 1999 found, the measurement error of a scale
with SD 7.5 and reliability .86). This module adds what monitoring needs:

* **deterioration** in about 8% of clients (:data:`DETERIORATION_SHARE` of
  those who never improve): 5-10% of adults end routine psychotherapy worse
  than they began (Lambert, Bergin & Collins 1977; Mohr 1995; as summarised by
  Bybee, Lambert & Eggett 2007);
* **drop-out** in about 20% of clients (:data:`DROPOUT_SHARE`): a weighted
  19.7% (95% CI 18.7% to 20.7%) of adult clients ended therapy prematurely
  across 669 studies of 83,834 clients (Swift & Greenberg 2012). A client who
  drops out stops at a session drawn evenly from the third to the
  second-to-last; nothing is recorded after it;
* **a session alliance** that follows the course: it holds or grows a little
  in clients who improve and erodes in those who do not. That link is the
  course's teaching assumption (the alliance goes with outcome, r = .278 over
  295 studies: Flückiger et al. 2018), not a published trajectory.

The truth is kept beside the scores: who deteriorates (the planted pattern),
who has a planted sudden gain, who drops out and when. Same seed, same
caseload.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from coursekit.stats.scores import BoolArray, FloatArray, IntArray, StrArray, _number
from coursekit.stats.simulated_clients import simulate_clients

__all__ = [
    "ALLIANCE_SCALE",
    "DETERIORATION_SHARE",
    "DROPOUT_SHARE",
    "OUTCOME_SCALE",
    "Caseload",
    "simulate_caseload",
]

#: Range of the outcome measure's total (higher is worse) and of the
#: session-alliance measure's (higher is better).
OUTCOME_SCALE = (0.0, 63.0)
ALLIANCE_SCALE = (0.0, 20.0)

#: Share of the clients who never improve (about 14% in simulate_clients) who
#: worsen instead of staying flat: 0.55 x 14% puts deterioration at about 8%,
#: inside the 5-10% of adults who end routine care worse (Lambert, Bergin &
#: Collins 1977; Mohr 1995; in Bybee, Lambert & Eggett 2007).
DETERIORATION_SHARE = 0.55

#: Swift & Greenberg (2012): 19.7% [18.7%, 20.7%] of adult clients dropped out, 669 studies.
DROPOUT_SHARE = 0.197


@dataclass(frozen=True, eq=False)
class Caseload:
    """A simulated caseload (see :func:`simulate_caseload`).

    ``outcome`` and ``alliance``: clients x sessions, NaN where there is no
    score (a missed session, or after drop-out); column 0 is the intake,
    which has an outcome score and no alliance score (no session has been
    held yet). The truth, one entry per client: ``pattern`` (as in
    :data:`coursekit.stats.simulated_clients.PATTERNS`), ``deteriorates``
    (the planted pattern is deterioration), ``sudden_gain`` (a planted gain),
    ``dropped_out`` and ``last_session`` (the last session attended, for
    everyone).
    """

    outcome: FloatArray
    alliance: FloatArray
    pattern: StrArray
    deteriorates: BoolArray
    sudden_gain: BoolArray
    dropped_out: BoolArray
    last_session: IntArray
    noise_sd: float


def simulate_caseload(
    n_clients: int = 48,
    n_sessions: int = 16,
    *,
    seed: int,
    dropout_share: float = DROPOUT_SHARE,
    deterioration_share: float = DETERIORATION_SHARE,
    missing_rate: float = 0.05,
) -> Caseload:
    """Simulate a caseload of clients monitored every session, with a known truth.

    The outcome scores are :func:`simulate_clients` with ``deterioration_share``
    (default :data:`DETERIORATION_SHARE`, about 8% of clients deteriorate) and
    ``missing_rate`` (default 5%: a monitored client is rarely unscored). A share
    ``dropout_share`` (default 19.7%) of clients then drop out after a session
    drawn evenly from 3 to ``n_sessions - 2``. The session alliance starts
    around 15 of 20 (SD 2) and moves 0.1 a session up in clients who improve,
    0.25 a session down in clients who deteriorate and 0.1 down in those who
    do not change, with measurement error of SD 1.2, rounded and clipped to 0-20.

    >>> caseload = simulate_caseload(48, seed=7)
    >>> caseload.outcome.shape, caseload.alliance.shape
    ((48, 16), (48, 16))
    >>> bool(np.isnan(caseload.alliance[:, 0]).all())
    True
    """
    n_clients = int(_number(n_clients, "n_clients", low=0.0))
    n_sessions = int(_number(n_sessions, "n_sessions", low=8.0,
                             hint="Monitoring needs a few sessions before a drop-out can happen."))
    dropout_share = _number(dropout_share, "dropout_share", low=0.0, high=1.0)
    clients = simulate_clients(n_clients, n_sessions, seed=seed, missing_rate=missing_rate,
                               deterioration_share=deterioration_share)
    outcome = clients.scores.copy()
    m, k = outcome.shape

    # A seed of its own for what this module adds, so that the outcome courses stay
    # simulate_clients' for the same seed.
    rng = np.random.default_rng([seed, 15])
    drops: BoolArray = np.asarray(rng.random(m) < dropout_share, dtype=np.bool_)
    drop_at = rng.integers(3, k - 1, m)  # 3 .. k-2: the last session attended
    last_session = np.where(drops, drop_at, k - 1).astype(np.int64)
    start = np.clip(rng.normal(15.0, 2.0, m), 8.0, 19.0)
    noise = rng.normal(0.0, 1.2, (m, k))

    s = np.arange(k, dtype=np.float64)[np.newaxis, :]
    pattern = clients.pattern
    drift = np.select([pattern == "deterioration", pattern == "no_change"], [-0.25, -0.1], 0.1)
    alliance = np.clip(np.rint(start[:, np.newaxis] + drift[:, np.newaxis] * s + noise),
                       *ALLIANCE_SCALE)
    alliance[:, 0] = np.nan  # no session yet at intake
    alliance[np.isnan(outcome)] = np.nan  # a missed session has neither score

    after = s > last_session[:, np.newaxis]
    outcome[after] = np.nan
    alliance[after] = np.nan

    return Caseload(
        outcome=outcome,
        alliance=alliance,
        pattern=pattern,
        deteriorates=pattern == "deterioration",
        sudden_gain=clients.gain_session >= 0,
        dropped_out=drops,
        last_session=last_session,
        noise_sd=clients.noise_sd,
    )
