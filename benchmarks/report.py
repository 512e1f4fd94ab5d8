"""Benchmark: `coursekit report` on a large class against just loading its answer files.

Run from the project root:

    .venv/bin/python benchmarks/report.py [n_students]

Writes a class of simulated students (default 10,000) straight into the
``submitted/<student>/alliance/coursekit-responses.json`` layout that
``nbgrader collect`` leaves, in the response store's file format, with the
same mix as ``coursekit class simulate`` (76% complete, 10% incomplete, 9%
malformed, 5% without a file). Then, alternating, in fresh processes:

* the floor: a script that finds every answer file and ``json.loads`` it, and
  nothing else;
* ``coursekit report alliance``: reads and checks every file, aggregates,
  suppresses, draws three SVG charts and writes the HTML page and the CSV.

Each is timed as the wall time and the CPU time (user + system) of the whole
process (interpreter start-up included, for both), median of the runs; CPU
time is less disturbed by other work on the machine. A breakdown of the
report's own steps, timed in this process, follows. Target: the report within
3x the floor (wall time).
"""

from __future__ import annotations

import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from coursekit.content.manifest import load_module
from coursekit.grading.simulate import (
    INCOMPLETE,
    INVALID_JSON,
    MISSING,
    NON_INTEGER,
    WRONG_MODULE,
    plan_class,
    simulated_answers,
)
from coursekit.student.responses import FILENAME, SCHEMA_VERSION, InstrumentAnswers, Responses

N_STUDENTS = 10_000
RUNS = 5
MODULE = "alliance"
SOURCE = Path(__file__).resolve().parent.parent / "course" / "source"
SAVED_AT = "2026-11-21T10:00:00+00:00"

FLOOR = """
import json, os, sys
root = sys.argv[1]
loaded = 0
with os.scandir(root) as entries:
    for entry in entries:
        try:
            with open(os.path.join(entry.path, "alliance", "coursekit-responses.json"), "rb") as f:
                data = f.read()
        except FileNotFoundError:
            continue
        try:
            json.loads(data)
        except ValueError:
            pass
        loaded += 1
print(loaded)
"""


def write_class(course: Path, n: int) -> None:
    """The submitted/ layout of n students, written directly (no exchange, no fsync)."""
    instrument = load_module(SOURCE / MODULE).instrument()
    for student in plan_class(MODULE, n):
        folder = course / "submitted" / student.id / MODULE
        folder.mkdir(parents=True)
        (folder / f"{MODULE}.ipynb").write_text("{}\n")
        if student.answers == MISSING:
            continue
        answers = simulated_answers(instrument, student.id)
        if student.answers == INCOMPLETE:
            answers = dict(list(answers.items())[: -1 - int(student.id[-1]) % 3])
        module = "stuck" if student.answers == WRONG_MODULE else MODULE
        responses = Responses(module, 1, SAVED_AT, {
            instrument.id: InstrumentAnswers(answers, instrument.version, SAVED_AT)})
        raw = responses.to_json()
        assert raw["schema_version"] == SCHEMA_VERSION
        if student.answers == NON_INTEGER:
            raw["instruments"][instrument.id]["answers"]["bond_1"] = 3.5
        text = json.dumps(raw, indent=2, sort_keys=True) + "\n"
        if student.answers == INVALID_JSON:
            text = text[: len(text) // 2]
        (folder / FILENAME).write_text(text)


def timed(command: list[str]) -> tuple[float, float]:
    """Wall time and CPU time (user + system) of one fresh process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def breakdown(course: Path, out: Path) -> list[tuple[str, float, float]]:
    """(step, wall, CPU) of the report's steps, run in this process."""
    from coursekit.cohort.summary import load_reference, read_class, summarise

    steps = []

    def step(name: str, start: tuple[float, float]) -> None:
        steps.append((name, time.perf_counter() - start[0], time.process_time() - start[1]))

    def now() -> tuple[float, float]:
        return time.perf_counter(), time.process_time()

    start = now()
    instrument = load_module(SOURCE / MODULE).instrument()
    students = read_class(course, MODULE, instrument)
    step("read and check every file", start)
    start = now()
    summary = summarise(instrument, students, load_reference(SOURCE / MODULE / "reference.json", instrument),
                        module=MODULE)
    step("aggregate and suppress", start)
    start = now()
    from coursekit.cohort.report import write_report

    write_report(summary, out)
    step("draw three SVG charts, write HTML and CSV", start)
    return steps


def main() -> int:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else N_STUDENTS
    coursekit = str(Path(sys.executable).with_name("coursekit"))
    with tempfile.TemporaryDirectory(prefix="coursekit-report-bench-") as scratch:
        course = Path(scratch, "course")
        # the report reads the module's manifest and definitions from the course, as in a real one
        shutil.copytree(SOURCE, course / "source")
        shutil.copy(SOURCE.parent / "coursekit.toml", course)
        start = time.perf_counter()
        write_class(course, n)
        made = time.perf_counter() - start
        floor_cmd = [sys.executable, "-c", FLOOR, str(course / "submitted")]
        report_cmd = [coursekit, "report", MODULE, "--course", str(course),
                      "--out", str(Path(scratch, "out"))]
        floors, reports = [], []
        timed(floor_cmd)  # warm the page cache and the interpreter's own files
        for _ in range(RUNS):
            floors.append(timed(floor_cmd))
            reports.append(timed(report_cmd))
        steps = breakdown(course, Path(scratch, "out-inprocess"))
        page = Path(scratch, "out", f"{MODULE}-cohort.html").stat().st_size
    floor, report = (statistics.median(t[0] for t in floors), statistics.median(t[0] for t in reports))
    floor_cpu, report_cpu = (statistics.median(t[1] for t in floors),
                             statistics.median(t[1] for t in reports))
    ratio, ratio_cpu = report / floor, report_cpu / floor_cpu
    load = os.getloadavg()
    print(f"coursekit report: {n:,} students ({MODULE}), median of {RUNS} fresh processes each")
    print(f"python {platform.python_version()}, {os.cpu_count()} cores, {platform.machine()}; "
          f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    print(f"class written in {made:.1f} s; HTML page {page / 1024:.0f} KiB\n")
    print("| what | wall (s) | wall, each run (s) | CPU (s) | wall vs floor | CPU vs floor |")
    print("|---|---:|---|---:|---:|---:|")
    print(f"| floor: find and json.loads every answer file | {floor:.2f} | "
          f"{' '.join(f'{t[0]:.2f}' for t in floors)} | {floor_cpu:.2f} | 1.0x | 1.0x |")
    print(f"| `coursekit report {MODULE}` | {report:.2f} | "
          f"{' '.join(f'{t[0]:.2f}' for t in reports)} | {report_cpu:.2f} | {ratio:.1f}x | "
          f"{ratio_cpu:.1f}x |")
    print("\nthe report's steps, in one process:\n")
    print("| step | wall (s) | CPU (s) |")
    print("|---|---:|---:|")
    for name, wall, cpu in steps:
        print(f"| {name} | {wall:.2f} | {cpu:.2f} |")
    print(f"\ntarget: within 3x of the floor: {'met' if ratio <= 3 else 'NOT met'} "
          f"({ratio:.1f}x wall, {ratio_cpu:.1f}x CPU)")
    return 0 if ratio <= 3 else 1


if __name__ == "__main__":
    raise SystemExit(main())
