"""Benchmark: what a cohort report shows of small classes, before and after a change to its rules.

Run from the project root:

    .venv/bin/python benchmarks/report_utility.py [--before REV] [--sizes 20 40 100] [--seeds 1 2 3 4 5]

For each class size and seed, a simulated class (the mix of `coursekit class
simulate`: complete, incomplete, malformed and missing answer files;
``coursekit.grading.simulate``'s answers) is summarised with
``coursekit.cohort.summary.summarise``, as `coursekit report alliance` does, and
the script counts what the report shows of it: of the 12 items, how many rows
and how many means; of the 3 subscales, how many have their bands (the
distribution of totals) and positions; of the 4 scales (with the total), how
many keep their mean and spread.

"Before" is the package as it was at commit REV (extracted with `git archive`
into a temporary folder), "after" the package in this working tree; each runs
in its own process, on the same classes. The table gives the median over the
seeds and, in brackets, the smallest.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# the course the classes answer: its own copy for "before" (set by the parent), whose package
# may not read a later course's data
SOURCE = Path(os.environ.get("REPORT_UTILITY_COURSE", ROOT / "course")) / "source"
MODULE = "alliance"
BEFORE = "cc36d04"  # the last commit before the report's rules were changed for small classes
SIZES = (20, 40, 100)
SEEDS = (1, 2, 3, 4, 5)
MEASURES = (
    ("item rows", "items", 12),
    ("item means", "means", 12),
    ("subscale bands", "bands", 3),
    ("subscale positions", "positions", 3),
    ("total's bands", "total_bands", 1),
    ("scale means and SDs", "moments", 4),
)


# --- in a worker process: the package on PYTHONPATH -----------------------------------


def simulated_class(n: int, seed: int) -> list:  # type: ignore[type-arg]
    """The answer files `coursekit class simulate` would make, as the report reads them."""
    import random

    from coursekit.cohort.summary import StudentAnswers
    from coursekit.content.manifest import load_module
    from coursekit.grading.simulate import COMPLETE, INCOMPLETE, MISSING, plan_class, simulated_answers

    instrument = load_module(SOURCE / MODULE).instrument()
    students = []
    for student in plan_class(MODULE, n, seed):
        if student.answers == MISSING:
            students.append(StudentAnswers(student.id, "missing", {}, "no file"))
            continue
        if student.answers not in (COMPLETE, INCOMPLETE):
            students.append(StudentAnswers(student.id, "malformed", {}, "damaged"))
            continue
        answers = simulated_answers(instrument, student.id, seed)
        if student.answers == INCOMPLETE:
            dropped = random.Random(student.id).sample(sorted(answers), 2)
            answers = {k: v for k, v in answers.items() if k not in dropped}
        students.append(StudentAnswers(student.id, student.answers, answers))
    return students


def measure(n: int, seed: int) -> dict[str, float]:
    from coursekit.cohort.summary import summarise
    from coursekit.content.manifest import load_module

    instrument = load_module(SOURCE / MODULE).instrument()
    students = simulated_class(n, seed)
    start = time.perf_counter()
    summary = summarise(instrument, students, module=MODULE)
    seconds = time.perf_counter() - start
    subscales = [s for s in summary.standings if s.key != "total"]
    total = [s for s in summary.standings if s.key == "total"]
    return {
        "items": sum(row.cells is not None for row in summary.items),
        "means": sum(row.mean is not None for row in summary.items),
        "bands": sum(s.bands.cells is not None for s in subscales),
        "positions": sum(s.position.cells is not None for s in subscales),
        "total_bands": sum(s.bands.cells is not None for s in total),
        "moments": sum(s.mean is not None and s.sd is not None for s in summary.standings),
        "seconds": round(seconds, 2),
    }


def worker(sizes: list[int], seeds: list[int]) -> None:
    print(json.dumps({f"{n}:{seed}": measure(n, seed) for n in sizes for seed in seeds}))


# --- in the parent ---------------------------------------------------------------------


def extract(rev: str, into: Path) -> Path:
    """The package as it was at ``rev``, and its course: src/ and course/ from `git archive`."""
    data = subprocess.run(["git", "archive", rev, "src", "course"], cwd=ROOT, check=True,
                          capture_output=True).stdout
    with tarfile.open(fileobj=BytesIO(data)) as archive:
        archive.extractall(into, filter="data")
    return into / "src"


def run(src: Path, sizes: list[int], seeds: list[int]) -> dict[str, dict[str, float]]:
    env = {**os.environ, "PYTHONPATH": str(src), "REPORT_UTILITY_COURSE": str(src.parent / "course")}
    done = subprocess.run([sys.executable, __file__, "--worker", "--sizes", *map(str, sizes),
                           "--seeds", *map(str, seeds)], env=env, check=True, capture_output=True,
                          text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def cell(results: dict[str, dict[str, float]], n: int, seeds: list[int], key: str) -> str:
    values = [results[f"{n}:{seed}"][key] for seed in seeds]
    return f"{statistics.median(values):g} [{min(values):g}]"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--before", default=BEFORE, help=f"the commit to compare with (default {BEFORE})")
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    parser.add_argument("--seeds", type=int, nargs="+", default=list(SEEDS))
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.sizes, args.seeds)
        return 0
    with tempfile.TemporaryDirectory(prefix="coursekit-utility-") as scratch:
        before = run(extract(args.before, Path(scratch)), args.sizes, args.seeds)
    after = run(ROOT / "src", args.sizes, args.seeds)
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                          text=True).stdout.strip()
    print(f"what a cohort report of '{MODULE}' shows: {len(args.seeds)} simulated classes of each size "
          f"(seeds {', '.join(map(str, args.seeds))}); median [smallest]")
    print(f"before: {args.before}; after: this working tree (HEAD {head}); python "
          f"{sys.version.split()[0]}, load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}\n")
    print("| students | " + " | ".join(f"{name} (of {total})" for name, _, total in MEASURES)
          + " | summarise (s) |")
    print("|---:|" + "---|" * (len(MEASURES) + 1))
    for n in args.sizes:
        cells = [f"{cell(before, n, args.seeds, key)} -> {cell(after, n, args.seeds, key)}"
                 for _, key, _ in MEASURES]
        cells.append(f"{cell(before, n, args.seeds, 'seconds').split()[0]} -> "
                     f"{cell(after, n, args.seeds, 'seconds').split()[0]}")
        print(f"| {n} | " + " | ".join(cells) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
