"""Benchmark: a student's "Restart Kernel and Run All" of each module, in a fresh kernel.

Run from the project root:

    .venv/bin/python benchmarks/run_all.py [--repeat 3] [MODULE ...]

Each module's notebook as a student who has finished it has it: the course's
source notebook (exercises solved, reflections written) in a copy of the
module's folder, with a complete answer file saved
(``coursekit.grading.simulate.write_answer_file``). It is run with nbclient in
a kernel started from scratch, as JupyterLab's "Restart Kernel and Run All"
does, and timed in two parts: starting the kernel (until it answers), and
running every cell. Median of ``--repeat`` runs, alternating modules; the
kernel's own CPU time is read at the end of the last cell. Printed as a
Markdown table for benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
COURSE = ROOT / "course"
TARGET = 3.0  # seconds, kernel start included
CPU_PROBE = ("import json, resource\nu = resource.getrusage(resource.RUSAGE_SELF)\n"
             "print(json.dumps(u.ru_utime + u.ru_stime))")


def finished_folder(module_id: str, scratch: Path) -> Path:
    from coursekit.content.manifest import load_module
    from coursekit.grading.simulate import COMPLETE, SimulatedStudent, write_answer_file

    folder = scratch / module_id
    shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(COURSE / "source" / module_id, folder,
                    ignore=shutil.ignore_patterns(".ipynb_checkpoints", "coursekit-responses*"))
    write_answer_file(folder, load_module(folder), SimulatedStudent("student-0001", COMPLETE, "correct"))
    return folder


def run_all(folder: Path, module_id: str) -> tuple[float, float, float, int]:
    """(kernel start, all cells, the kernel's CPU) in seconds, and how many cells errored."""
    nb = nbformat.read(folder / f"{module_id}.ipynb", as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(CPU_PROBE))
    client = NotebookClient(nb, timeout=120, kernel_name="python3", allow_errors=True,
                            resources={"metadata": {"path": str(folder)}})
    started = time.perf_counter()
    with client.setup_kernel():
        client.wait_for_reply(client.kc.kernel_info())
        ready = time.perf_counter()
        for index, cell in enumerate(nb.cells):
            client.execute_cell(cell, index)
        done = time.perf_counter()
    cpu = float(json.loads(nb.cells[-1].outputs[0]["text"]))
    errors = sum(o.output_type == "error" for c in nb.cells[:-1] for o in c.get("outputs", []))
    return ready - started, done - ready, cpu, errors


def main() -> int:
    from coursekit.content.manifest import load_course

    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("modules", nargs="*", help="default: every module of the course")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    modules = args.modules or list(load_course(COURSE).module_ids)
    found: dict[str, list[tuple[float, float, float, int]]] = {m: [] for m in modules}
    with tempfile.TemporaryDirectory(prefix="coursekit-runall-") as scratch:
        for _ in range(args.repeat):
            for module_id in modules:
                folder = finished_folder(module_id, Path(scratch))
                found[module_id].append(run_all(folder, module_id))
                print(module_id, found[module_id][-1], file=sys.stderr)
    print(f"Run All in a fresh kernel, median of {args.repeat}; {date.today()}, python "
          f"{platform.python_version()}, {os.cpu_count()} cores; load {os.getloadavg()[0]:.2f} at the end")
    print()
    print("| module | kernel start (s) | Run All (s) | start + Run All (s) | kernel CPU (s) "
          "| cells with errors |")
    print("|---|---:|---:|---:|---:|---:|")
    for module_id, runs in found.items():
        start = statistics.median(r[0] for r in runs)
        cells = statistics.median(r[1] for r in runs)
        total = statistics.median(r[0] + r[1] for r in runs)
        cpu = statistics.median(r[2] for r in runs)
        print(f"| {module_id} | {start:.2f} | {cells:.2f} | {total:.2f} | {cpu:.2f} | {runs[0][3]} |")
    print()
    print(f"target: start + Run All under {TARGET:g} s per module")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
