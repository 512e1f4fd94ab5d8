"""Benchmark: `coursekit autograde --jobs N` against `nbgrader autograde`, and against the floor.

Run from the project root, on a quiet machine:

    PATH=$PWD/.venv/bin:$PATH .venv/bin/python benchmarks/autograde.py [--students 200] [--jobs 2]

One class of N students of the alliance module is made once (with
``coursekit.grading.simulate.simulate_class`` through nbgrader's real exchange when
that module is present, else written straight into ``submitted/`` as
``nbgrader collect`` leaves it) and copied three times. Then, one after the
other, each timed from start to finish as an instructor would run it:

1. ``nbgrader autograde alliance`` (one process);
2. ``coursekit autograde alliance --jobs N`` (the command, start-up included);
3. the floor: the same submitted notebooks executed by bare nbclient in N
   processes (a spawn pool; each process imports nbclient once), with no
   nbgrader and no gradebook at all.

The script checks that runs 1 and 2 left the same gradebook rows (every
student, every grade) and exits with status 1 if they differ. It prints a
Markdown table for benchmarks/README.md, with the load average before and
after each run.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import platform
import random
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COURSE = ROOT / "course"
MODULE = "alliance"


def load() -> str:
    return "/".join(f"{x:.2f}" for x in os.getloadavg())


def cpu_model() -> str:
    with open("/proc/cpuinfo") as handle:
        for line in handle:
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown CPU"


def tool_env() -> dict[str, str]:
    from coursekit.grading.tools import tools_path

    env = dict(os.environ)
    env.pop("COURSEKIT_DB_URL", None)  # each copy grades into its own SQLite file
    env["PATH"] = tools_path(env.get("PATH"))
    return env


def make_course(dest: Path) -> Path:
    dest.mkdir(parents=True)
    shutil.copy(COURSE / "nbgrader_config.py", dest)
    shutil.copy(COURSE / "coursekit.toml", dest)
    shutil.copytree(COURSE / "source", dest / "source",
                    ignore=shutil.ignore_patterns(".ipynb_checkpoints", "coursekit-responses*"))
    subprocess.run(["nbgrader", "generate_assignment", MODULE], cwd=dest, env=tool_env(),
                   check=True, capture_output=True)
    return dest


def make_class(course: Path, students: int) -> str:
    """N submissions of the module in course/submitted/; says how they were made."""
    try:
        from coursekit.grading.simulate import simulate_class
    except ImportError:
        write_class(course, students)
        return "written into submitted/ by this script"
    simulate_class(course, MODULE, students, seed=2026, progress=False,
                   say=lambda text: print(text, file=sys.stderr))
    return "`coursekit.grading.simulate.simulate_class` (seed 2026) through nbgrader's exchange"


def write_class(course: Path, students: int) -> None:
    """A varied class written as collect leaves it: 70% complete, 15% incomplete answers,
    15% a wrong exercise (used only where coursekit.grading.simulate is not available)."""
    import nbformat

    from coursekit.content.manifest import load_module
    from coursekit.student.responses import ResponseStore

    instrument = load_module(course / "source" / MODULE).instrument()
    released = nbformat.read(course / "release" / MODULE / f"{MODULE}.ipynb", as_version=4)
    source = nbformat.read(course / "source" / MODULE / f"{MODULE}.ipynb", as_version=4)
    exercise = next(i for i, c in enumerate(source.cells)
                    if c.metadata.get("nbgrader", {}).get("grade_id") == "find_rupture_and_repair")
    solved = "\n".join(line for line in source.cells[exercise].source.splitlines()
                       if "SOLUTION" not in line)
    wrong = "def find_rupture(ratings, drop=5):\n    return None\n\n\ndef find_repair(ratings, rupture):\n" \
            "    return None\n"
    chance = random.Random(2026)
    for n in range(students):
        folder = course / "submitted" / f"student-{n:04d}" / MODULE
        folder.mkdir(parents=True)
        (folder / "timestamp.txt").write_text("2026-11-20 10:00:00.000000 UTC")
        roll = chance.random()
        items = instrument.items if roll >= 0.15 else instrument.items[:6]
        ResponseStore(folder, MODULE).save_answers(instrument, {i.id: chance.randint(1, 5) for i in items})
        nb = nbformat.from_dict(released)
        nb.cells[exercise].source = wrong if roll >= 0.85 else solved
        nbformat.write(nb, folder / f"{MODULE}.ipynb")


def timed(command: list[str], cwd: Path) -> tuple[float, str, int]:
    before = load()
    started = time.perf_counter()
    result = subprocess.run(command, cwd=cwd, env=tool_env(), capture_output=True, text=True)
    seconds = time.perf_counter() - started
    print(f"{' '.join(command)}: {seconds:.1f} s, exit {result.returncode}, load {before} -> {load()}",
          file=sys.stderr)
    if result.returncode:  # all of it: the summary names what failed and why
        print(result.stdout, result.stderr[-4000:], file=sys.stderr)
    return seconds, f"{before} -> {load()}", result.returncode


def _execute(folder: str) -> None:
    import nbformat
    from nbclient import NotebookClient

    path = Path(folder) / f"{MODULE}.ipynb"
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=120, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": folder}}).execute()


def _warm() -> None:
    import nbclient  # noqa: F401
    import nbformat  # noqa: F401


def floor(course: Path, jobs: int) -> tuple[float, str]:
    """Execute every submitted notebook with bare nbclient in `jobs` processes."""
    folders = sorted(str(p) for p in (course / "submitted").glob(f"*/{MODULE}")
                     if (p / f"{MODULE}.ipynb").is_file())
    before = load()
    started = time.perf_counter()
    with multiprocessing.get_context("spawn").Pool(jobs, initializer=_warm) as pool:
        for _ in pool.imap_unordered(_execute, folders):
            pass
    seconds = time.perf_counter() - started
    print(f"bare nbclient x{jobs}: {seconds:.1f} s, load {before} -> {load()}", file=sys.stderr)
    return seconds, f"{before} -> {load()}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=200)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()

    from coursekit.grading.gradebook import snapshot

    with tempfile.TemporaryDirectory(prefix="coursekit-bench-") as scratch:
        base = make_course(Path(scratch, "base"))
        made = make_class(base, args.students)
        copies = {name: Path(scratch, name) for name in ("plain", "parallel", "floor")}
        for dest in copies.values():
            shutil.copytree(base, dest)
        submitted = len(list((base / "submitted").glob(f"*/{MODULE}")))

        plain, plain_load, plain_exit = timed(["nbgrader", "autograde", MODULE], copies["plain"])
        ours, ours_load, ours_exit = timed(
            ["coursekit", "autograde", MODULE, "--jobs", str(args.jobs), "--course", "."],
            copies["parallel"])
        bare, bare_load = floor(copies["floor"], args.jobs)

        rows = {name: snapshot(f"sqlite:///{copies[name] / 'gradebook.db'}", "coursekit", MODULE)
                for name in ("plain", "parallel")}
        same = rows["plain"] == rows["parallel"]
        graded = len(rows["plain"])
        points = sum(g["auto_score"] or 0 for s in rows["plain"].values()
                     for nb in s["notebooks"].values() for g in nb["grades"].values())

    print(f"autograde: {submitted} submissions of '{MODULE}' ({made}); {graded} graded, "
          f"{points:g} automatic points in all")
    print(f"{date.today()}, python {platform.python_version()}, {os.cpu_count()} cores, {cpu_model()}")
    print()
    print("| run | time (s) | per submission (s) | vs nbgrader | vs floor | load before -> after |")
    print("|---|---:|---:|---:|---:|---|")
    for name, seconds, loads in [(f"`nbgrader autograde` (exit {plain_exit})", plain, plain_load),
                                 (f"`coursekit autograde --jobs {args.jobs}` (exit {ours_exit})",
                                  ours, ours_load),
                                 (f"floor: bare nbclient, {args.jobs} processes", bare, bare_load)]:
        print(f"| {name} | {seconds:.1f} | {seconds / submitted:.2f} | {plain / seconds:.2f}x "
              f"| {seconds / bare:.2f} | {loads} |")
    print()
    print(f"same gradebook rows: {'yes' if same else 'NO'}")
    return 0 if same else 1


if __name__ == "__main__":
    raise SystemExit(main())
