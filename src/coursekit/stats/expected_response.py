"""Expected treatment response: how much clients like this one have changed by each session.

A client is "not on track" when their change since intake is worse than that
of nearly all similar clients at the same session. The method here is a
teaching model, computed in the open, in the spirit of Lambert's expected
recovery curves (clients grouped by intake severity, each group's course taken
from a reference sample, and decision rules based on each client's expected
progress: Hannan et al. 2005; Bybee, Lambert & Eggett 2007) and of the
expected trajectories of the feedback-informed treatment (FIT) tools. It is
not the algorithm of OQ-Analyst or of any other product, whose curves come
from their own large samples and models, often closed:

1. a reference cohort of clients (here simulated) is split into intake-severity
   bands by :data:`BAND_EDGES`;
2. for each band and session, the change since intake (score minus intake
   score; higher is worse) of the band's clients seen at that session gives
   the **expected change** (the median) and the **tolerance** (the
   ``quantile``, by default the 90th percentile: only one client in ten of the
   reference cohort is worse than that at that session);
3. a client is not on track at a session where their change exceeds the
   tolerance of their band (:meth:`ExpectedResponse.not_on_track`).

The quantile sets the trade-off: a lower one raises the alarm sooner and more
often for clients who would have been fine.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from coursekit.errors import ScoreInputError
from coursekit.stats.scores import FloatArray, IntArray, _as_float_array, _number

__all__ = [
    "BAND_EDGES",
    "BAND_LABELS",
    "AlarmSummary",
    "ExpectedResponse",
    "compare_alarms",
    "expected_response",
    "first_alarms",
]

#: Intake scores below 24 are "mild", 24 to 30 "moderate", 31 and above "severe":
#: about a third of the simulated clients each (intake mean 27, SD 7.5).
BAND_EDGES = (24.0, 31.0)
BAND_LABELS = ("mild", "moderate", "severe")


@dataclass(frozen=True, eq=False)
class ExpectedResponse:
    """Expected change and tolerance by intake band (rows) and session (columns).

    ``expected`` and ``tolerance``: bands x sessions, change since intake in
    points (higher is worse; session 0 is 0). ``clients``: how many reference
    clients each cell rests on. ``edges``: the band edges, ``quantile``: the
    tolerance's quantile.
    """

    expected: FloatArray
    tolerance: FloatArray
    clients: IntArray
    edges: tuple[float, ...]
    quantile: float

    def band(self, intake: float) -> int:
        """The band (0 = mild) of an intake score."""
        return int(np.searchsorted(np.asarray(self.edges), float(intake), side="right"))

    def curve(self, intake: float) -> tuple[FloatArray, FloatArray]:
        """A client's expected scores and upper tolerance, session by session, from their intake."""
        b = self.band(intake)
        return intake + self.expected[b], intake + self.tolerance[b]

    def not_on_track(self, intake: float, score: float, session: int) -> bool:
        """True where the change since intake exceeds the band's tolerance at that session."""
        if np.isnan(score):
            return False
        return bool(score - intake > self.tolerance[self.band(intake), session])


def expected_response(
    reference: npt.ArrayLike,
    *,
    edges: tuple[float, ...] = BAND_EDGES,
    quantile: float = 0.9,
    min_clients: int = 20,
) -> ExpectedResponse:
    """Expected change and tolerance by intake band and session, from a reference cohort.

    ``reference``: clients x sessions, column 0 the intake, NaN where there is
    no score. Each band needs at least ``min_clients`` clients with a score at
    every session, or the curves would rest on too few to mean anything.

    >>> ref = [[20, 18, 16], [21, 20, 15], [22, 22, 21], [30, 27, 25], [32, 30, 31]]
    >>> er = expected_response(ref, edges=(25.0,), min_clients=2)
    >>> er.expected.tolist()
    [[0.0, -1.0, -4.0], [0.0, -2.5, -3.0]]
    >>> er.not_on_track(21, 22, 2)
    True
    """
    scores = _as_float_array(reference, "reference")
    if scores.ndim != 2 or scores.shape[1] < 2:
        raise ScoreInputError(
            f"reference: expected clients x sessions (at least 2 sessions); got shape {scores.shape}."
        )
    quantile = _number(quantile, "quantile", low=0.5, high=1.0, high_open=True,
                       hint="Use e.g. 0.9: the change only a tenth of the reference clients exceed.")
    intake = scores[:, 0]
    if np.isnan(intake).any():
        raise ScoreInputError("reference: every client needs an intake score (column 0).")
    bands = np.searchsorted(np.asarray(edges, dtype=np.float64), intake, side="right")
    change = scores - intake[:, np.newaxis]
    n_bands, k = len(edges) + 1, scores.shape[1]
    expected = np.zeros((n_bands, k))
    tolerance = np.zeros((n_bands, k))
    clients = np.zeros((n_bands, k), dtype=np.int64)
    for b in range(n_bands):
        rows = change[bands == b]
        for s in range(k):
            seen = rows[:, s][~np.isnan(rows[:, s])]
            clients[b, s] = seen.size
            if seen.size < min_clients:
                raise ScoreInputError(
                    f"reference: band {b} has {seen.size} clients with a score at session {s}, "
                    f"fewer than min_clients={min_clients}; use a larger reference cohort or "
                    "wider bands (edges)."
                )
            expected[b, s] = np.median(seen)
            tolerance[b, s] = np.quantile(seen, quantile)
    return ExpectedResponse(expected=expected, tolerance=tolerance, clients=clients,
                            edges=tuple(float(e) for e in edges), quantile=quantile)


def first_alarms(outcome: npt.ArrayLike, rule: Callable[[float, float, int], bool]) -> list[int | None]:
    """For each client (row), the first session from 1 on where ``rule(intake, score, session)``
    is true, or None if it never is; sessions without a score are skipped.

    >>> first_alarms([[20, 22, 30], [20, 15, 10]], lambda intake, score, s: score - intake > 5)
    [2, None]
    """
    scores = _as_float_array(outcome, "outcome")
    found: list[int | None] = []
    for row in scores:
        found.append(next((s for s in range(1, row.size)
                           if not np.isnan(row[s]) and rule(float(row[0]), float(row[s]), s)), None))
    return found


@dataclass(frozen=True)
class AlarmSummary:
    """How one method's alarms compare with the truth.

    ``caught`` of ``of`` clients with the outcome (for example, who truly
    deteriorate) had an alarm; ``median_session``: the median session of
    their first alarm (None if none was caught); ``flagged_others`` of
    ``others`` clients without the outcome had an alarm too.
    """

    caught: int
    of: int
    median_session: float | None
    flagged_others: int
    others: int

    @property
    def share_caught(self) -> float:
        return self.caught / self.of if self.of else 0.0

    @property
    def share_others(self) -> float:
        return self.flagged_others / self.others if self.others else 0.0


def compare_alarms(first: Sequence[int | None], truth: Sequence[bool] | npt.ArrayLike) -> AlarmSummary:
    """Compare first-alarm sessions (from :func:`first_alarms`) with who truly has the outcome.

    >>> compare_alarms([3, None, 5, 2], [True, True, True, False])
    AlarmSummary(caught=2, of=3, median_session=4.0, flagged_others=1, others=1)
    """
    has = [bool(t) for t in np.asarray(truth).tolist()]
    if len(has) != len(first):
        raise ScoreInputError(
            f"compare_alarms: {len(first)} first alarms but {len(has)} truth values; give one "
            "of each per client, in the same order."
        )
    sessions = [s for s, t in zip(first, has, strict=True) if t and s is not None]
    return AlarmSummary(
        caught=len(sessions), of=sum(has),
        median_session=float(np.median(sessions)) if sessions else None,
        flagged_others=sum(1 for s, t in zip(first, has, strict=True) if not t and s is not None),
        others=len(has) - sum(has),
    )
