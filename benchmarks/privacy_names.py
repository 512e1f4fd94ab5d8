"""Compare the sources of first names considered for the privacy check.

Run: .venv/bin/python benchmarks/privacy_names.py

For each candidate package that is installed (the others are listed as such):

1. in a fresh interpreter, the time to read its first names and the memory they
   take: resident set added, and peak over the interpreter before reading;
2. in this process, the detector with those names in place of Faker's, on both
   corpora: names recall, precision over all findings and clean passages flagged
   (``privacy_eval.evaluate``, the figures the targets are set on).

Each source gives the first names as written and how common each is in Great
Britain, Ireland and the USA on the scale of ``lexicon.english_name_frequency``
(10 is 2% of people, each step down halves it). The project's own names are added
to every source as the check adds them to Faker's. A source whose popularity figure
is another quantity is put on that scale with one constant, measured once on the
names it shares with gender-guesser's dictionary, where the scale comes from, so
that the median difference is half a step, as for Faker's US weights (0.55):
nomquamgender's counts (all its sources pooled) +2.0, names-dataset's rank
13.4 - log2(rank).
"""

from __future__ import annotations

import gzip
import importlib.util
import json
import math
import pickle
import re
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from coursekit.privacy import detector, lexicon

HERE = Path(__file__).resolve().parent
spec = importlib.util.spec_from_file_location("privacy_eval", HERE / "privacy_eval.py")
assert spec is not None and spec.loader is not None
privacy_eval = importlib.util.module_from_spec(spec)
sys.modules["privacy_eval"] = privacy_eval
spec.loader.exec_module(privacy_eval)

Names = tuple[frozenset[str], dict[str, float]]
_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")


def _folder(package: str) -> Path:
    found = importlib.util.find_spec(package)  # finds the package without importing it
    assert found is not None and found.origin is not None
    return Path(found.origin).parent


def _with_own(names: set[str], english: dict[str, float]) -> Names:
    for name in lexicon.words()["given_names"]:
        names.add(name)
        english[name] = max(english.get(name, 0.0), 2.0)
    return frozenset(names), english


_CHECKS_OWN = lexicon._names.__wrapped__  # kept before main() puts the others in its place


def faker() -> Names:
    """What the check uses: lexicon._names, uncached."""
    return _CHECKS_OWN()


def gender_guesser() -> Names:
    """nam_dict.txt, read as the check read it up to 2026-12 (the GB, IE, USA columns)."""
    english: dict[str, float] = {}
    with (_folder("gender_guesser") / "data" / "nam_dict.txt").open(encoding="utf-8") as lines:
        for line in lines:
            if line[:1] in "#=" or len(line) < 34:
                continue
            name = line.split()[1].replace("+", "-")
            freq = max((int(c, 16) for c in line[30:33] if c.strip()), default=0)
            english[name] = max(english.get(name, 0), freq)
    return _with_own(set(english), english)


def nomquamgender() -> Names:
    """name_data.json: lower-case names (accents removed) with how many of its sources list
    each and how many people they count. Names only one source lists are left out: they are
    mostly not names ("the", "table", "canadian"); counts are pooled over all countries."""
    data = json.loads((_folder("nomquamgender") / "name_data.json").read_text(encoding="utf-8"))
    total = sum(v[1] for v in data.values())
    names: set[str] = set()
    english: dict[str, float] = {}
    for key, (sources, count, *_) in data.items():
        if sources < 2 or not re.fullmatch(r"[a-z]+(?:-[a-z]+)*", key):
            continue
        name = "-".join(p.capitalize() for p in key.split("-"))
        names.add(name)
        if count:
            english[name] = max(1.0, min(13.0, math.log2(count / total * 100) + 9 + 2.0))
    return _with_own(names, english)


def names_dataset() -> Names:
    """v3/first_names.pkl.gz: names as written with their rank in each country."""
    with gzip.open(_folder("names_dataset") / "v3" / "first_names.pkl.gz", "rb") as f:
        data = pickle.load(f)
    names: set[str] = set()
    english: dict[str, float] = {}
    for name, info in data.items():
        if not _WORD.fullmatch(name):
            continue
        names.add(name)
        ranks = [r for country, r in (info.get("rank") or {}).items() if country in ("GB", "IE", "US")]
        if ranks:
            english[name] = max(1.0, min(13.0, 13.4 - math.log2(min(ranks))))
    return _with_own(names, english)


def mimesis() -> Names:
    """datasets/*/person.json: the first names of 49 locales, with no frequencies."""
    names: set[str] = set()
    for path in (_folder("mimesis") / "datasets").glob("*/person.json"):
        data = json.loads(path.read_text(encoding="utf-8"))
        for listed in data.get("names", {}).values():
            names.update(n for n in listed if _WORD.fullmatch(n))
    return _with_own(names, {})


def own_list() -> Names:
    return _with_own(set(), {})


CANDIDATES: dict[str, tuple[str | None, Callable[[], Names]]] = {
    "faker (used)": ("faker", faker),
    "gender-guesser (before)": ("gender_guesser", gender_guesser),
    "nomquamgender": ("nomquamgender", nomquamgender),
    "names-dataset": ("names_dataset", names_dataset),
    "mimesis": ("mimesis", mimesis),
    "project list alone": (None, own_list),
}


def _status(field: str) -> float:
    """VmRSS or VmHWM (peak) of this process, in MB (Linux)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    raise LookupError(field)


def load_in_this_process(label: str) -> None:
    lexicon.words()
    before = _status("VmRSS")
    start = time.perf_counter()
    names, english = CANDIDATES[label][1]()
    seconds = time.perf_counter() - start
    print(json.dumps({"seconds": seconds, "added_mb": _status("VmRSS") - before,
                      "peak_mb": _status("VmHWM") - before, "names": len(names),
                      "english": sum(1 for f in english.values() if f >= 2)}))


def use(names: Names) -> None:
    lexicon._names = lambda: names  # type: ignore[assignment]
    reset()


def reset() -> None:
    for cached in (lexicon._geography, lexicon.english_names, lexicon.peoples_and_languages):
        cached.cache_clear()
    detector._given_cache.clear()
    detector._ordinary_cache.clear()


def main(argv: list[str]) -> int:
    if argv[:1] == ["--load"]:
        load_in_this_process(argv[1])
        return 0
    original = lexicon._names
    print(f"{'source':<26}{'names':>8}{'english':>8}{'load':>8}{'memory':>9}{'peak':>9}"
          "   corpus    names recall     precision  clean flagged")
    for label, (package, loader) in CANDIDATES.items():
        if package is not None and importlib.util.find_spec(package) is None:
            print(f"{label:<26} not installed")
            continue
        out = subprocess.run([sys.executable, __file__, "--load", label], capture_output=True,
                             text=True, check=True).stdout
        cost = json.loads(out)
        use(loader())
        for k, (corpus_name, corpus) in enumerate((("project", privacy_eval.CORPUS),
                                                   ("held-out", privacy_eval.HELDOUT))):
            ev = privacy_eval.evaluate(corpus)
            head = (f"{label:<26}{cost['names']:>8}{cost['english']:>8}{cost['seconds']:>7.2f}s"
                    f"{cost['added_mb']:>6.0f} MB{cost['peak_mb']:>6.0f} MB" if k == 0 else " " * 68)
            print(f"{head}   {corpus_name:<9} {ev.found['name']:>3}/{ev.gold['name']} = "
                  f"{ev.recall(['name']):.3f}  {ev.precision:.3f} ({len(ev.false_positives)} false)"
                  f"  {ev.clean_flagged}/{ev.clean_passages}")
    lexicon._names = original
    reset()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
