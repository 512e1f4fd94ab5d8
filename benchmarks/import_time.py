"""How long `import coursekit` takes, next to `import json`, in fresh interpreters.

Run:  .venv/bin/python benchmarks/import_time.py
Each figure is the median wall time of N fresh `python -c "import X"`
processes, so it includes interpreter start-up; the difference is what the
import adds.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time

RUNS = 30
TARGETS = ["json", "coursekit", "coursekit.content.instruments, coursekit.student.responses",
           "coursekit.stats.sudden_gains, coursekit.stats.reliable_change, "
           "coursekit.stats.dose_effect, coursekit.stats.simulated_clients",
           "coursekit.student.widgets", "coursekit.student.plots"]


def median_seconds(statement: str) -> float:
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", statement], check=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    baseline = median_seconds("import json")
    print(f"{'import':45} {'median':>9} {'over json':>10}")
    for target in TARGETS:
        seconds = baseline if target == "json" else median_seconds(f"import {target}")
        print(f"{target:45} {seconds * 1000:7.1f} ms {(seconds - baseline) * 1000:+8.1f} ms")


if __name__ == "__main__":
    main()
