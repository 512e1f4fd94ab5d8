"""Benchmark: what the linked-figures audit costs, and what it leaves in a report, by class size.

Run from the project root:

    .venv/bin/python benchmarks/audit.py

For each class size, several simulated classes (seeds 1 to 5; the same mix of
complete, incomplete, malformed and missing answer files as `coursekit class
simulate`) are summarised in memory with ``coursekit.cohort.summary.summarise``, which
runs the audit (``coursekit.cohort.audit``) whenever a published row hides a count.
For each size it prints the median time of summarising, how many hidden cells
there were, and what became of the four alliance scales (bond, goals, tasks,
total) in all the classes together: shown in full (mean, spread, positions,
bands), reduced to their mean and spread, or withheld.
"""

from __future__ import annotations

import os
import platform
import statistics
import sys
import time
from datetime import date
from pathlib import Path

from classes import simulated_class  # benchmarks/classes.py, beside this script

from coursekit.cohort.summary import summarise
from coursekit.cohort.suppression import HIDDEN, LT5
from coursekit.content.manifest import load_module

SIZES = (10, 20, 40, 100, 300, 1000, 3000)
SEEDS = (1, 2, 3, 4, 5)
MODULE = "alliance"
SOURCE = Path(__file__).resolve().parent.parent / "course" / "source"


def main() -> int:
    instrument = load_module(SOURCE / MODULE).instrument()
    print(f"audit of linked figures: {len(SEEDS)} simulated classes of each size ({MODULE}, 4 scales)")
    print(f"{date.today()}, python {platform.python_version()}, {os.cpu_count()} cores; "
          f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}\n")
    print("| students | summarise, median (s) | slowest (s) | hidden cells, median "
          "| scales with positions or bands | mean and spread only | withheld | too small |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    for n in SIZES:
        times, hidden, outcome = [], [], {"full": 0, "moments": 0, "withheld": 0, "small": 0}
        for seed in SEEDS:
            students = simulated_class(SOURCE, MODULE, n, seed)
            start = time.perf_counter()
            summary = summarise(instrument, students, module=MODULE)
            times.append(time.perf_counter() - start)
            rows = [*summary.items, *(s.position for s in summary.standings),
                    *(s.bands for s in summary.standings)]
            hidden.append(sum(1 for r in rows for c in (r.cells or ()) if c in (LT5, HIDDEN)))
            for s in summary.standings:
                if s.n == LT5 or s.n == 0:
                    outcome["small"] += 1
                elif s.mean is None:
                    outcome["withheld"] += 1
                elif s.bands.cells is None and s.position.cells is None:
                    outcome["moments"] += 1
                else:
                    outcome["full"] += 1
        print(f"| {n:,} | {statistics.median(times):.3f} | {max(times):.3f} | "
              f"{statistics.median(hidden):g} | {outcome['full']} | {outcome['moments']} | "
              f"{outcome['withheld']} | {outcome['small']} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
