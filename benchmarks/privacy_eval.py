"""Measure coursekit.privacy.detector against a labelled reflection corpus.

Run: .venv/bin/python benchmarks/privacy_eval.py [CORPUS] [-v]

CORPUS defaults to the project's corpus (tests/data/privacy_corpus.jsonl); the
held-out corpus is benchmarks/data/heldout_corpus.jsonl. Each line is one
passage: {"id", "text", "identifiers": [{"kind", "text"}]}.

Matching rule: each labelled identifier is located in its passage at every
occurrence of its text (whole words, case-sensitive); each occurrence is one
gold span. A gold span is found when some finding overlaps it (any kind; how
often the kinds also agree is reported separately). A finding is a true
positive when it overlaps some gold span, otherwise a false positive.
Recall is per kind over gold spans; precision is over all findings, and per
kind over the findings of that kind. A clean passage (no labels) is flagged
when the detector finds anything in it.

In the project's corpus, ids p... were written before the detector and used
while building it; ids h... were written afterwards; the table is printed for
all, then for each part that exists.
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from coursekit.privacy.detector import KINDS, Finding, find_identifiers

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "data" / "privacy_corpus.jsonl"
HELDOUT = ROOT / "benchmarks" / "data" / "heldout_corpus.jsonl"

#: The kinds the issue's targets group apart from the structured ones.
PERSON_KINDS = ("name",)
NEW_KINDS = ("place", "institution", "initials")


@dataclass
class Evaluation:
    passages: int = 0
    clean_passages: int = 0
    clean_flagged: int = 0
    gold: Counter[str] = field(default_factory=Counter)
    found: Counter[str] = field(default_factory=Counter)
    kind_agrees: int = 0
    findings_by_kind: Counter[str] = field(default_factory=Counter)
    false_by_kind: Counter[str] = field(default_factory=Counter)
    missed: list[tuple[str, str, str]] = field(default_factory=list)
    false_positives: list[tuple[str, str, str]] = field(default_factory=list)

    def recall(self, kinds: list[str] | tuple[str, ...] | None = None) -> float:
        kinds = kinds if kinds is not None else list(self.gold)
        total = sum(self.gold[k] for k in kinds)
        return sum(self.found[k] for k in kinds) / total if total else 1.0

    @property
    def findings(self) -> int:
        return sum(self.findings_by_kind.values())

    @property
    def true_positives(self) -> int:
        return self.findings - len(self.false_positives)

    @property
    def precision(self) -> float:
        return self.true_positives / self.findings if self.findings else 1.0

    @property
    def structured_kinds(self) -> list[str]:
        return [k for k in self.gold if k not in PERSON_KINDS + NEW_KINDS]

    @property
    def new_kinds(self) -> list[str]:
        return [k for k in self.gold if k in NEW_KINDS]


def gold_spans(text: str, identifiers: list[dict[str, str]]) -> list[tuple[int, int, str]]:
    spans: list[tuple[int, int, str]] = []
    for ident in identifiers:
        pattern = r"(?<!\w)" + re.escape(ident["text"]) + r"(?!\w)"
        matches = list(re.finditer(pattern, text))
        if not matches:
            raise ValueError(f"label {ident['text']!r} not found in passage: {text!r}")
        spans.extend((m.start(), m.end(), ident["kind"]) for m in matches)
    return spans


def overlaps(f: Finding, start: int, end: int) -> bool:
    return f.start < end and start < f.end


def records(corpus: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in corpus.read_text(encoding="utf-8").splitlines()
            if line.strip()]


def evaluate(corpus: Path = CORPUS, prefix: str = "") -> Evaluation:
    """Evaluate on the passages whose id starts with ``prefix`` ("" for all)."""
    ev = Evaluation()
    for record in records(corpus):
        rid, text, labels = str(record["id"]), str(record["text"]), record["identifiers"]
        if not rid.startswith(prefix):
            continue
        assert isinstance(labels, list)
        ev.passages += 1
        spans = gold_spans(text, labels)
        findings = find_identifiers(text)
        if not labels:
            ev.clean_passages += 1
            ev.clean_flagged += bool(findings)
        for start, end, kind in spans:
            ev.gold[kind] += 1
            hits = [f for f in findings if overlaps(f, start, end)]
            if hits:
                ev.found[kind] += 1
                ev.kind_agrees += any(f.kind == kind for f in hits)
            else:
                ev.missed.append((rid, kind, text[start:end]))
        for f in findings:
            ev.findings_by_kind[f.kind] += 1
            if not any(overlaps(f, s, e) for s, e, _ in spans):
                ev.false_by_kind[f.kind] += 1
                ev.false_positives.append((rid, f.kind, f.text))
    return ev


def _ratio(part: int, whole: int) -> str:
    return f"{part / whole:.3f}" if whole else "-"


def table(ev: Evaluation) -> str:
    rows = [f"passages: {ev.passages} ({ev.clean_passages} clean), "
            f"labelled identifiers (gold spans): {sum(ev.gold.values())}",
            "",
            f"{'kind':<16}{'gold':>6}{'found':>7}{'recall':>9}{'flagged':>9}{'false':>7}"
            f"{'precision':>11}"]
    kinds = [*KINDS, *(k for k in NEW_KINDS if k not in KINDS),
             *sorted(k for k in ev.gold if k not in KINDS and k not in NEW_KINDS)]
    for kind in kinds:
        gold, found = ev.gold[kind], ev.found[kind]
        flagged, false = ev.findings_by_kind[kind], ev.false_by_kind[kind]
        if gold or flagged:
            rows.append(f"{kind:<16}{gold:>6}{found:>7}{_ratio(found, gold):>9}{flagged:>9}"
                        f"{false:>7}{_ratio(flagged - false, flagged):>11}")
    structured = ev.structured_kinds
    rows += [
        "",
        f"recall, names: {ev.recall(['name']):.3f}"
        f" ({ev.found['name']}/{ev.gold['name']})",
        f"recall, structured kinds (all but name, place, institution, initials):"
        f" {ev.recall(structured):.3f}"
        f" ({sum(ev.found[k] for k in structured)}/{sum(ev.gold[k] for k in structured)})",
    ]
    if ev.new_kinds:
        rows.append(f"recall, place + institution + initials: {ev.recall(ev.new_kinds):.3f}"
                    f" ({sum(ev.found[k] for k in ev.new_kinds)}"
                    f"/{sum(ev.gold[k] for k in ev.new_kinds)})")
    rows += [
        f"recall, all: {ev.recall():.3f}",
        f"kind agrees on found spans: {ev.kind_agrees}/{sum(ev.found.values())}",
        f"precision: {ev.precision:.3f} ({ev.true_positives}/{ev.findings} findings;"
        f" {len(ev.false_positives)} false positives)",
        f"clean passages flagged: {ev.clean_flagged}/{ev.clean_passages}"
        f" = {_ratio(ev.clean_flagged, ev.clean_passages)}",
    ]
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    files = [a for a in args if not a.startswith("-")]
    corpus = Path(files[0]) if files else CORPUS
    ids = [str(r["id"]) for r in records(corpus)]
    parts = [("all passages", "")]
    if any(i.startswith("p") for i in ids) and any(i.startswith("h") for i in ids):
        parts += [("development passages (p...)", "p"), ("held-out passages (h...)", "h")]
    for title, prefix in parts:
        ev = evaluate(corpus, prefix)
        print(f"== {corpus.name}: {title}\n{table(ev)}\n")
        if "-v" in args and (prefix or len(parts) == 1):
            for item in ev.missed:
                print("  missed:", *item)
            for item in ev.false_positives:
                print("  false positive:", *item)
            print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
