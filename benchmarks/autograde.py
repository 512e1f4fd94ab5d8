"""Benchmark: `coursekit autograde --jobs N` (warm kernels) against `nbgrader autograde`, the
old cold path and the floor of bare nbclient, in one run.

Run from the project root, on a quiet machine:

    PATH=$PWD/.venv/bin:$PATH .venv/bin/python benchmarks/autograde.py [--students 200] [--jobs 2]
        [--module alliance | --all-modules]

For each module (alliance by default; every module of the course with
``--all-modules``), one class of N students is made once with
``coursekit.grading.simulate.simulate_class`` through nbgrader's real exchange,
and copied four times. Then, one after the other, each timed from start to
finish as an instructor would run it:

1. ``nbgrader autograde MODULE`` (one process);
2. ``coursekit autograde MODULE --jobs N``: warm kernels, the default;
3. ``coursekit autograde MODULE --jobs N --cold``: every kernel started from
   scratch, the path before warm kernels;
4. the floor: the same submitted notebooks, each in a copy of its folder with
   the module's files beside it (as autograde leaves them), executed by bare
   nbclient in N processes (a spawn pool; each process imports nbclient once),
   with no nbgrader and no gradebook at all.

For each it prints the wall time, the time per submission and the CPU time of
everything the run started (kernels included), a fairer figure than wall time
when the machine is shared. The script checks that runs 1, 2 and 3 left the
same gradebook rows (every student, every grade), and that 1 and 2 left the
same autograded notebooks (every output; images compared as decoded pixels),
and exits with status 1 if not. It prints Markdown tables for
benchmarks/README.md, with the load average before and after each run.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import io
import json
import multiprocessing
import os
import platform
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
COURSE = ROOT / "course"
RUNS = ("nbgrader", "warm", "cold", "floor")
LABELS = {"nbgrader": "`nbgrader autograde`", "warm": "`coursekit autograde --jobs {jobs}` (warm)",
          "cold": "`coursekit autograde --jobs {jobs} --cold`",
          "floor": "floor: bare nbclient, {jobs} processes"}


def load() -> str:
    return "/".join(f"{x:.2f}" for x in os.getloadavg())


def cpu_model() -> str:
    with open("/proc/cpuinfo") as handle:
        for line in handle:
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown CPU"


def children_cpu() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def tool_env() -> dict[str, str]:
    from coursekit.grading.tools import tools_path

    env = dict(os.environ)
    env.pop("COURSEKIT_DB_URL", None)  # each copy grades into its own SQLite file
    env["PATH"] = tools_path(env.get("PATH"))
    return env


def make_course(dest: Path, modules: list[str]) -> Path:
    dest.mkdir(parents=True)
    shutil.copy(COURSE / "nbgrader_config.py", dest)
    shutil.copy(COURSE / "coursekit.toml", dest)
    shutil.copytree(COURSE / "source", dest / "source",
                    ignore=shutil.ignore_patterns(".ipynb_checkpoints", "coursekit-responses*"))
    for module in modules:
        subprocess.run(["nbgrader", "generate_assignment", module], cwd=dest, env=tool_env(),
                       check=True, capture_output=True)
    return dest


def make_class(course: Path, module: str, students: int) -> None:
    from coursekit.grading.simulate import simulate_class

    simulate_class(course, module, students, seed=2026, progress=False,
                   say=lambda text: print(text, file=sys.stderr))


@dataclass
class Run:
    seconds: float
    cpu: float
    loads: str
    exit: int = 0


def timed(command: list[str], cwd: Path) -> Run:
    before, cpu = load(), children_cpu()
    started = time.perf_counter()
    result = subprocess.run(command, cwd=cwd, env=tool_env(), capture_output=True, text=True)
    seconds = time.perf_counter() - started
    run = Run(seconds, children_cpu() - cpu, f"{before} -> {load()}", result.returncode)
    print(f"{' '.join(command)}: {seconds:.1f} s, CPU {run.cpu:.1f} s, exit {result.returncode}, "
          f"load {run.loads}", file=sys.stderr)
    if result.returncode:  # all of it: the summary names what failed and why
        print(result.stdout, result.stderr[-4000:], file=sys.stderr)
    return run


def _execute(job: tuple[str, str]) -> None:
    import nbformat
    from nbclient import NotebookClient

    folder, name = job
    path = Path(folder) / f"{name}.ipynb"
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=120, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": folder}}).execute()


def _warm() -> None:
    import nbclient  # noqa: F401
    import nbformat  # noqa: F401


def floor(course: Path, module: str, jobs: int) -> Run:
    """Execute every submitted notebook with bare nbclient in `jobs` processes, each in a
    copy of its folder with the module's own files beside it, as autograde runs it."""
    source = course / "source" / module
    jobs_list = []
    for folder in sorted((course / "submitted").glob(f"*/{module}")):
        notebooks = [p.stem for p in folder.glob("*.ipynb")]
        if not notebooks:
            continue
        dest = course / "floor" / folder.parent.name / module
        shutil.copytree(folder, dest)
        for data in source.iterdir():
            if data.is_file() and data.suffix != ".ipynb":
                shutil.copy(data, dest / data.name)
        jobs_list += [(str(dest), name) for name in notebooks]
    before, cpu = load(), children_cpu()
    started = time.perf_counter()
    with multiprocessing.get_context("spawn").Pool(jobs, initializer=_warm) as pool:
        for _ in pool.imap_unordered(_execute, jobs_list):
            pass
        pool.close()
        pool.join()
    seconds = time.perf_counter() - started
    run = Run(seconds, children_cpu() - cpu, f"{before} -> {load()}")
    print(f"bare nbclient x{jobs}: {seconds:.1f} s, CPU {run.cpu:.1f} s, load {run.loads}",
          file=sys.stderr)
    return run


_MODEL_ID = re.compile(r'"model_id": "[0-9a-f]{32}"')
# The clock time a notebook shows ("Saved at 15:59", "as saved at 16:00"): each run writes
# its autograded notebooks at its own time.
_CLOCK = re.compile(r"\b(?:[01]\d|2[0-3]):[0-5]\d\b")


_PNG_IN_HTML = re.compile(r"data:image/png;base64,([A-Za-z0-9+/=]+)")


def _pixels(png_base64: str) -> list[Any]:
    from PIL import Image

    image = Image.open(io.BytesIO(base64.b64decode(png_base64)))
    return [image.mode, list(image.size), hashlib.sha256(image.tobytes()).hexdigest()]


def _decoded(output: dict[str, Any]) -> dict[str, Any]:
    """An output with each PNG it shows (as image/png, or inside HTML as the course's described
    figures show theirs) replaced by its decoded pixels (mode, size, digest): two renderings
    of the same picture are equal however the files were encoded."""
    data = dict(output.get("data", {}))
    if "image/png" in data:
        data["image/png"] = _pixels(data["image/png"])
    if "data:image/png" in data.get("text/html", ""):
        data["text/html"] = _PNG_IN_HTML.sub(lambda m: "pixels:" + json.dumps(_pixels(m.group(1))),
                                             "".join(data["text/html"]))
    return {**output, "data": data} if data else output


def autograded(course: Path, module: str) -> dict[str, Any]:
    """Every autograded notebook: each cell's source, metadata, count and outputs (images
    decoded; the course's path, the random widget model ids and clock times blanked)."""
    import nbformat

    found: dict[str, Any] = {}
    for path in sorted((course / "autograded").glob(f"*/{module}/*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        found[str(path.relative_to(course))] = [
            (c.cell_type, c.source, json.dumps({k: v for k, v in c.metadata.items() if k != "execution"},
                                               sort_keys=True), c.get("execution_count"),
             [_CLOCK.sub("HH:MM", _MODEL_ID.sub('"model_id": "-"', json.dumps(_decoded(o), sort_keys=True))
                         .replace(str(course), "<course>")) for o in c.get("outputs", [])])
            for c in nb.cells]
    return found


def first_difference(theirs: dict[str, Any], ours: dict[str, Any]) -> str:
    if sorted(theirs) != sorted(ours):
        return f"notebooks {sorted(set(theirs) ^ set(ours))} are in one run only"
    for path, cells in theirs.items():
        for index, (a, b) in enumerate(zip(cells, ours[path], strict=False)):
            if a != b:
                return f"{path}, cell {index}: nbgrader {str(a)[:600]!r}, coursekit {str(b)[:600]!r}"
        if len(cells) != len(ours[path]):
            return f"{path}: {len(cells)} cells, {len(ours[path])} cells"
    return "?"


@dataclass
class Result:
    module: str
    submitted: int
    graded: int
    points: float
    runs: dict[str, Run] = field(default_factory=dict)
    same_rows: bool = False
    same_notebooks: bool = False


def bench_module(scratch: Path, base: Path, module: str, jobs: int) -> Result:
    from coursekit.grading.gradebook import snapshot

    copies = {name: scratch / f"{module}-{name}" for name in RUNS}
    for dest in copies.values():
        shutil.copytree(base, dest)
    submitted = len(list((base / "submitted").glob(f"*/{module}")))
    runs = {
        "nbgrader": timed(["nbgrader", "autograde", module], copies["nbgrader"]),
        "warm": timed(["coursekit", "autograde", module, "--jobs", str(jobs), "--course", "."],
                      copies["warm"]),
        "cold": timed(["coursekit", "autograde", module, "--jobs", str(jobs), "--course", ".", "--cold"],
                      copies["cold"]),
        "floor": floor(copies["floor"], module, jobs),
    }
    rows = {name: snapshot(f"sqlite:///{copies[name] / 'gradebook.db'}", "coursekit", module)
            for name in ("nbgrader", "warm", "cold")}
    points = sum(g["auto_score"] or 0 for s in rows["nbgrader"].values()
                 for nb in s["notebooks"].values() for g in nb["grades"].values())
    result = Result(module, submitted, len(rows["nbgrader"]), points, runs)
    result.same_rows = rows["nbgrader"] == rows["warm"] == rows["cold"]
    theirs, ours = autograded(copies["nbgrader"], module), autograded(copies["warm"], module)
    result.same_notebooks = theirs == ours
    if not result.same_notebooks:
        print(f"{module}: autograded notebooks differ: {first_difference(theirs, ours)}", file=sys.stderr)
    for dest in copies.values():
        shutil.rmtree(dest, ignore_errors=True)
    return result


def table(results: list[Result], jobs: int) -> list[str]:
    submitted = sum(r.submitted for r in results)
    total = {name: Run(sum(r.runs[name].seconds for r in results), sum(r.runs[name].cpu for r in results),
                       results[0].runs[name].loads if len(results) == 1 else "",
                       max(r.runs[name].exit for r in results)) for name in RUNS}
    lines = ["| run | time (s) | per submission (s) | vs nbgrader | vs floor | CPU (s) | CPU per "
             "submission (s) | load before -> after |", "|---|---:|---:|---:|---:|---:|---:|---|"]
    for name in RUNS:
        run = total[name]
        label = LABELS[name].format(jobs=jobs) + (f" (exit {run.exit})" if name != "floor" else "")
        speedup = total["nbgrader"].seconds / run.seconds
        lines.append(f"| {label} | {run.seconds:.1f} | {run.seconds / submitted:.2f} | {speedup:.2f}x | "
                     f"{run.seconds / total['floor'].seconds:.2f} | {run.cpu:.0f} | "
                     f"{run.cpu / submitted:.2f} | {run.loads} |")
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--students", type=int, default=200)
    parser.add_argument("--jobs", type=int, default=2)
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--module", default="alliance")
    which.add_argument("--all-modules", action="store_true",
                       help="a class doing every module of the course, one module after the other")
    args = parser.parse_args()

    from coursekit.content.manifest import load_course

    modules = list(load_course(COURSE).module_ids) if args.all_modules else [args.module]
    results = []
    with tempfile.TemporaryDirectory(prefix="coursekit-bench-") as scratch:
        base = make_course(Path(scratch, "base"), modules)
        for module in modules:
            make_class(base, module, args.students)
        for module in modules:
            results.append(bench_module(Path(scratch), base, module, args.jobs))

    ok = all(r.same_rows and r.same_notebooks for r in results)
    print(f"autograde: {args.students} simulated students (`coursekit.grading.simulate.simulate_class`, "
          f"seed 2026, through nbgrader's exchange), {args.jobs} jobs")
    print(f"{date.today()}, python {platform.python_version()}, {os.cpu_count()} cores, {cpu_model()}")
    for result in results:
        print()
        print(f"{result.module}: {result.submitted} submissions, {result.graded} graded, "
              f"{result.points:g} automatic points in all")
        print()
        print("\n".join(table([result], args.jobs)))
        print()
        print(f"same gradebook rows (nbgrader, warm, cold): {'yes' if result.same_rows else 'NO'}; "
              f"same autograded notebooks (nbgrader, warm): {'yes' if result.same_notebooks else 'NO'}")
    if len(results) > 1:
        print()
        print(f"all {len(results)} modules, {sum(r.submitted for r in results)} submissions:")
        print()
        print("\n".join(table(results, args.jobs)))
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
