"""Measure coursekit.privacy.detector against the labelled reflection corpus.

Run: .venv/bin/python benchmarks/privacy_eval.py [CORPUS]

Matching rule: each labelled identifier is located in its passage at every
occurrence of its text (whole words, case-sensitive); each occurrence is one
gold span. A gold span is found when some finding overlaps it (any kind; how
often the kinds also agree is reported separately). A finding is a true
positive when it overlaps some gold span, otherwise a false positive.
Recall is per kind over gold spans; precision is over all findings.

Passages with ids p... were written before the detector and used while
building it; passages h... were written afterwards and held out (evaluated
once, not tuned on). The table is printed for all, then for each part.
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from coursekit.privacy.detector import KINDS, Finding, _words, find_identifiers

CORPUS = Path(__file__).resolve().parent.parent / "tests" / "data" / "privacy_corpus.jsonl"


@dataclass
class Evaluation:
    passages: int = 0
    clean_passages: int = 0
    gold: Counter[str] = field(default_factory=Counter)
    found: Counter[str] = field(default_factory=Counter)
    kind_agrees: int = 0
    unlisted_names: int = 0  # names with no title and no word in the given-name lists
    unlisted_found: int = 0
    findings: int = 0
    true_positives: int = 0
    missed: list[tuple[str, str, str]] = field(default_factory=list)
    false_positives: list[tuple[str, str, str]] = field(default_factory=list)

    def recall(self, kinds: list[str] | None = None) -> float:
        kinds = kinds if kinds is not None else list(self.gold)
        total = sum(self.gold[k] for k in kinds)
        return sum(self.found[k] for k in kinds) / total if total else 1.0

    @property
    def precision(self) -> float:
        return self.true_positives / self.findings if self.findings else 1.0

    @property
    def structured_kinds(self) -> list[str]:
        return [k for k in self.gold if k != "name"]


def gold_spans(text: str, identifiers: list[dict[str, str]]) -> list[tuple[int, int, str]]:
    spans: list[tuple[int, int, str]] = []
    for ident in identifiers:
        pattern = r"(?<!\w)" + re.escape(ident["text"]) + r"(?!\w)"
        matches = list(re.finditer(pattern, text))
        if not matches:
            raise ValueError(f"label {ident['text']!r} not found in passage: {text!r}")
        spans.extend((m.start(), m.end(), ident["kind"]) for m in matches)
    return spans


def listed(name: str) -> bool:
    """Is this name recognisable from the word lists alone (a title or a known given name)?"""
    words = _words()
    known = words["titles"] | words["given_names"] | words["given_names_also_words"]
    return any(part in known for part in re.split(r"[\s.]+", name))


def overlaps(f: Finding, start: int, end: int) -> bool:
    return f.start < end and start < f.end


def evaluate(corpus: Path = CORPUS, prefix: str = "") -> Evaluation:
    """Evaluate on the passages whose id starts with ``prefix`` ("" for all)."""
    ev = Evaluation()
    for line in corpus.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        record = json.loads(line)
        if not record["id"].startswith(prefix):
            continue
        ev.passages += 1
        ev.clean_passages += not record["identifiers"]
        text = record["text"]
        spans = gold_spans(text, record["identifiers"])
        findings = find_identifiers(text)
        for start, end, kind in spans:
            ev.gold[kind] += 1
            hits = [f for f in findings if overlaps(f, start, end)]
            if hits:
                ev.found[kind] += 1
                ev.kind_agrees += any(f.kind == kind for f in hits)
            if kind == "name" and not listed(text[start:end]):
                ev.unlisted_names += 1
                ev.unlisted_found += bool(hits)
            else:
                ev.missed.append((record["id"], kind, text[start:end]))
        for f in findings:
            ev.findings += 1
            if any(overlaps(f, s, e) for s, e, _ in spans):
                ev.true_positives += 1
            else:
                ev.false_positives.append((record["id"], f.kind, f.text))
    return ev


def table(ev: Evaluation) -> str:
    rows = [f"passages: {ev.passages} ({ev.clean_passages} clean), "
            f"labelled identifiers (gold spans): {sum(ev.gold.values())}",
            "",
            f"{'kind':<16}{'gold':>6}{'found':>7}{'recall':>9}"]
    for kind in KINDS:
        if ev.gold[kind]:
            rows.append(f"{kind:<16}{ev.gold[kind]:>6}{ev.found[kind]:>7}"
                        f"{ev.found[kind] / ev.gold[kind]:>9.3f}")
    structured = ev.structured_kinds
    rows += [
        "",
        f"recall, structured kinds (all but name): {ev.recall(structured):.3f}",
        f"recall, names: {ev.recall(['name']):.3f} (names with no title and no listed given"
        f" name, found from context alone: {ev.unlisted_found}/{ev.unlisted_names})",
        f"recall, all: {ev.recall():.3f}",
        f"kind agrees on found spans: {ev.kind_agrees}/{sum(ev.found.values())}",
        f"precision: {ev.precision:.3f} ({ev.true_positives}/{ev.findings} findings;"
        f" {len(ev.false_positives)} false positives)",
    ]
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    files = [a for a in args if not a.startswith("-")]
    corpus = Path(files[0]) if files else CORPUS
    for title, prefix in (("all passages", ""), ("development passages (p...)", "p"),
                          ("held-out passages (h...)", "h")):
        ev = evaluate(corpus, prefix)
        print(f"== {title}\n{table(ev)}\n")
        if "-v" in args and prefix:
            for item in ev.missed:
                print("  missed:", *item)
            for item in ev.false_positives:
                print("  false positive:", *item)
            print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
