"""Benchmark: vectorised sudden_gains() against a plain per-client Python loop.

Run from the project root:

    .venv/bin/python benchmarks/sudden_gains.py [n_clients]

Both implementations get the same simulated clients (20 sessions, 10% of
sessions missing) and the same settings (cutoff 7, the package defaults
otherwise). The loop applies the same definition one client and one interval
at a time, the way the R package does; the table reports whether the two
outputs are identical, NaN placement included.
"""

from __future__ import annotations

import math
import os
import platform
import sys
import time

import numpy as np
import numpy.typing as npt

from coursekit.stats.simulated_clients import simulate_clients
from coursekit.stats.sudden_gains import sudden_gains

N_CLIENTS = 100_000
N_SESSIONS = 20
MISSING_RATE = 0.10
CUTOFF = 7.0


def sudden_gains_loop(
    scores: npt.NDArray[np.float64],
    *,
    cutoff: float,
    pct: float = 0.25,
    alpha: float = 0.05,
    adjust: bool = True,
    critical_value: float = 2.776,
    losses: bool = False,
) -> npt.NDArray[np.float64]:
    """The sudden gains definition written as a straightforward double loop."""
    from scipy import stats

    t_crit = {df: abs(float(stats.t.ppf(alpha / 2, df))) for df in (2, 3, 4)}
    result = []
    for row in scores.tolist():
        k = len(row)
        flags = [math.nan] * (k - 1)
        for n in range(1, k - 2):  # pregain sessions 2..k-2 in 1-based terms
            x_n, x_next = row[n], row[n + 1]
            pre = [v for v in row[max(0, n - 2) : n + 1] if not math.isnan(v)]
            post = [v for v in row[n + 1 : n + 4] if not math.isnan(v)]
            if math.isnan(x_n) or math.isnan(x_next) or len(pre) < 2 or len(post) < 2:
                continue
            mean_pre = sum(pre) / len(pre)
            mean_post = sum(post) / len(post)
            ss = sum((v - mean_pre) * (v - mean_pre) for v in pre) + sum(
                (v - mean_post) * (v - mean_post) for v in post
            )
            df = len(pre) + len(post) - 2
            pooled_sd = math.sqrt(ss / df)
            t = t_crit[df] if adjust else critical_value
            if losses:
                change, shift = x_next - x_n, mean_post - mean_pre
            else:
                change, shift = x_n - x_next, mean_pre - mean_post
            met = change >= cutoff and change >= pct * x_n and shift > t * pooled_sd
            flags[n] = 1.0 if met else 0.0
        result.append(flags)
    return np.array(result, dtype=np.float64).reshape(len(result), scores.shape[1] - 1)


def best_of(repeats: int, func: object) -> float:
    assert callable(func)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return min(times)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    n_clients = int(args[0]) if args else N_CLIENTS
    clients = simulate_clients(n_clients, N_SESSIONS, seed=2026, missing_rate=MISSING_RATE)
    scores = clients.scores

    vec_time = best_of(5, lambda: sudden_gains(scores, cutoff=CUTOFF))
    start = time.perf_counter()
    looped = sudden_gains_loop(scores, cutoff=CUTOFF)
    loop_time = time.perf_counter() - start
    flags = sudden_gains(scores, cutoff=CUTOFF)
    identical = np.array_equal(flags, looped, equal_nan=True)

    print(f"sudden_gains: {n_clients:,} clients x {N_SESSIONS} sessions, "
          f"{np.isnan(scores).mean():.1%} missing, cutoff {CUTOFF:g}")
    print(f"python {platform.python_version()}, numpy {np.__version__}, "
          f"{os.cpu_count()} cores, {platform.machine()}")
    print(f"gains found: {int(np.nansum(flags)):,} in "
          f"{int((np.nansum(flags, axis=1) > 0).sum()):,} clients; "
          f"NaN intervals: {np.isnan(flags).mean():.1%}")
    print()
    print("| implementation | time (s) | speedup | identical output |")
    print("|---|---:|---:|---|")
    print(f"| vectorised (best of 5) | {vec_time:.3f} | {loop_time / vec_time:.0f}x | "
          f"{'yes' if identical else 'NO'} |")
    print(f"| per-client Python loop (1 run) | {loop_time:.2f} | 1x | reference |")
    return 0 if identical else 1


if __name__ == "__main__":
    raise SystemExit(main())
