"""Published findings a module sets the student's answers against.

A module that compares what the student says about their own work with what
research found keeps those findings in a data file,
an evidence file in its folder (``evidence.json``, named by its manifest), never in notebook prose or plot
code. Each finding carries its citation, and only the figures its source
gives: a finding with no single effect size (a count of studies, a
"no improvement") has an empty ``effects`` list and says what was found in
``statement``.

Format (``schema_version`` 1)::

    {"schema_version": 1, "id": "relationship", "title": "...", "about": "...",
     "findings": [
       {"id": "empathy", "label": "Empathy",
        "statement": "What was found, in the course's own words.",
        "effects": [{"metric": "r", "value": 0.28, "ci": [0.23, 0.33]},
                    {"metric": "d", "value": 0.58}],
        "studies": {"k": 82, "unit": "samples"},
        "sample": [{"count": 6138, "unit": "clients"}],
        "evidence_grade": "demonstrably effective",
        "secondary": false,
        "note": "anything a reader should know (optional)",
        "citation": {"in_text": "Elliott et al. 2018",
                     "authors": "Elliott, R., Bohart, A. C., Watson, J. C., & Murphy, D.",
                     "year": 2018, "title": "...", "venue": "Psychotherapy",
                     "volume": "55", "issue": "4", "pages": "399-410"}}]}

Rules, each checked on load (an ``EvidenceError`` names the file and the field;
every field is described in ``coursekit/content/schemas/evidence.schema.json``):

* ``id`` and every finding's ``id``: lower case letters, digits and ``_``;
  finding ids are unique;
* ``metric`` is one of ``r`` (a correlation, -1 to 1), ``d`` or ``g``
  (standardised mean differences), or ``percent_variance`` (a share of
  variance in per cent, 0 to 100; say of what in the effect's ``of``);
  ``ci``, when given, is ``[low, high]`` around the value;
* ``studies.unit`` is ``studies``, ``samples`` or ``data sources``;
* ``evidence_grade``, when given, is the task force's grade of a relationship
  element: ``demonstrably effective``, ``probably effective`` or ``promising``;
* ``secondary`` is true for a figure seen only on a secondary source: every
  text made from the finding then says "(secondary)";
* the citation needs ``in_text``, ``authors``, ``year``, ``title`` and
  ``venue``; ``volume``, ``issue`` and ``pages`` are optional.

``Finding.as_r`` puts d and g on the scale of r, r = d / sqrt(d^2 + 4) (the
conversion for two groups of equal size; for g, which is d corrected for
small samples, it is approximate), so that findings in different metrics can
share one axis without a number being made up; ``Finding.as_r_ci`` converts
the interval of the same effect the same way (the conversion is monotonic, so
the bounds stay bounds).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from coursekit.content.schema import validate
from coursekit.errors import EvidenceError

SCHEMA_VERSION = 1
# The rules themselves are in schemas/evidence.schema.json; these name its choices for code and tests.
METRICS = ("r", "d", "g", "percent_variance")
STUDY_UNITS = ("studies", "samples", "data sources")
GRADES = ("demonstrably effective", "probably effective", "promising")


def number_text(value: float, places: int | None = None) -> str:
    """A value as published: no leading zero below 1 (".28", "-.16"), otherwise as given.

    ``places`` fixes the number of decimals (".60" rather than ".6").
    """
    text = format(abs(value), "g" if places is None else f".{places}f")
    if text.startswith("0."):
        text = text[1:]
    return f"-{text}" if value < 0 else text


def _places(value: float) -> int:
    """How many decimals a value was written with (0.256 has 3)."""
    text = repr(float(value))
    return 0 if "e" in text else len(text.partition(".")[2].rstrip("0"))


def r_from_d(d: float) -> float:
    """A standardised mean difference on the scale of r: d / sqrt(d^2 + 4)."""
    return d / math.sqrt(d * d + 4)


@dataclass(frozen=True)
class Effect:
    metric: str
    value: float
    ci: tuple[float, float] | None = None
    of: str = ""

    @property
    def text(self) -> str:
        """"r = .28", "g = .28", "5.1% of outcome variance"."""
        if self.metric == "percent_variance":
            return f"{self.value:g}% of {self.of or 'the variance'}"
        text = f"{self.metric} = {number_text(self.value)}"
        if self.ci:
            # JSON drops trailing zeros (.60 is stored as 0.6): give the bounds the value's precision
            places = max(_places(x) for x in (self.value, *self.ci))
            low, high = (number_text(round(x, places), places) for x in self.ci)
            text += f" [{low}, {high}]"
        return text


@dataclass(frozen=True)
class Citation:
    in_text: str
    authors: str
    year: int
    title: str
    venue: str
    volume: str = ""
    issue: str = ""
    pages: str = ""

    def __str__(self) -> str:
        """The reference-list form (APA, Markdown): authors (year). Title. *Venue*, *volume*(issue), pages."""
        where = f"*{self.venue}*"
        if self.volume:
            where += f", *{self.volume}*" + (f"({self.issue})" if self.issue else "")
        if self.pages:
            where += f", {self.pages}"
        title = self.title if self.title.endswith(("?", "!", ".")) else f"{self.title}."
        return f"{self.authors} ({self.year}). {title} {where}."


@dataclass(frozen=True)
class Finding:
    id: str
    label: str
    statement: str
    citation: Citation
    effects: tuple[Effect, ...] = ()
    k: int | None = None
    k_unit: str = "studies"
    sample: tuple[tuple[int, str], ...] = ()
    secondary: bool = False
    note: str = ""
    grade: str = ""  # the task force's evidence grade, "" where the file gives none

    def effect(self, metric: str) -> Effect | None:
        return next((e for e in self.effects if e.metric == metric), None)

    def as_r(self) -> tuple[float, str] | None:
        """The finding on the scale of r, and the metric it came from.

        A published r is used as it is; otherwise d, then g, is converted
        (``r_from_d``). None when the finding has no such effect size: it is
        then evidence of another kind and must not be drawn as a number.
        """
        for metric in ("r", "d", "g"):
            found = self.effect(metric)
            if found is not None:
                value = found.value if metric == "r" else r_from_d(found.value)
                return value, metric
        return None

    def as_r_ci(self) -> tuple[float, float] | None:
        """The interval of the effect ``as_r`` uses, on the scale of r; None when the source gives none.

        Only that effect's own interval is used: an interval given for d is
        converted with ``r_from_d``, and none is borrowed from another metric.
        """
        used = self.as_r()
        found = self.effect(used[1]) if used else None
        if found is None or found.ci is None:
            return None
        if found.metric == "r":
            return found.ci
        return r_from_d(found.ci[0]), r_from_d(found.ci[1])

    @property
    def k_text(self) -> str:
        """The number of studies in the form a forest plot labels it: "k = 295" ("" when not given)."""
        return f"k = {self.k:,}" if self.k else ""

    @property
    def size_text(self) -> str:
        """How much evidence: "82 samples, 6,138 clients" ("" when the file gives no counts)."""
        size = [f"{self.k:,} {self.k_unit}"] if self.k else []
        size += [f"{count:,} {unit}" for count, unit in self.sample]
        return ", ".join(size)

    @property
    def evidence_text(self) -> str:
        """The effects and the size of the evidence, e.g. "r = .28, d = .58; 82 samples, 6,138 clients"."""
        parts = [", ".join(e.text for e in self.effects)] if self.effects else []
        if self.size_text:
            parts.append(self.size_text)
        text = "; ".join(parts)
        return f"{text} (secondary)" if self.secondary and text else text

    @property
    def source_text(self) -> str:
        """The in-text citation, marked "(secondary)" where the figures are second-hand."""
        return self.citation.in_text + (" (secondary)" if self.secondary else "")


@dataclass(frozen=True)
class EvidenceSet:
    id: str
    title: str
    about: str
    findings: tuple[Finding, ...]

    def finding(self, finding_id: str) -> Finding:
        for found in self.findings:
            if found.id == finding_id:
                return found
        raise KeyError(f"{self.id} has no finding {finding_id!r}; its findings are "
                       f"{', '.join(f.id for f in self.findings)}.")

    @property
    def references(self) -> list[str]:
        """Every citation once, in reference-list form, sorted."""
        return sorted({str(f.citation) for f in self.findings})


def load_evidence(path: str | Path) -> EvidenceSet:
    """A module's findings from its evidence file (a module's manifest names it)."""
    path = Path(path)
    try:
        raw = json.loads(path.read_text(encoding="utf-8"), parse_constant=_not_json)
    except FileNotFoundError:
        raise EvidenceError(path, "no such evidence file.") from None
    except UnicodeDecodeError as exc:
        raise EvidenceError(path, f"is not UTF-8 text ({exc.reason}).") from None
    except json.JSONDecodeError as exc:
        raise EvidenceError(path, f"is not valid JSON ({exc.msg}, line {exc.lineno}).") from None
    except ValueError as exc:  # NaN or Infinity
        raise EvidenceError(path, f"is not valid JSON ({exc}).") from None
    return _parse(raw, path)


# --- validation --------------------------------------------------------------


def _not_json(constant: str) -> float:
    # json.loads takes NaN and Infinity, which are not JSON and are no published figure.
    raise ValueError(f"{constant} is not a number JSON allows")


def _parse(raw: Any, path: Path) -> EvidenceSet:
    # The format is schemas/evidence.schema.json; what follows relates its parts.
    validate(raw, "evidence", path, EvidenceError)
    findings: list[Finding] = []
    for i, entry in enumerate(raw["findings"]):
        effects: list[Effect] = []
        for j, eff in enumerate(entry.get("effects", [])):
            at = f"findings.{i}.effects.{j}"
            metric, value = eff["metric"], float(eff["value"])
            ci = None
            if "ci" in eff:
                low, high = (float(bound) for bound in eff["ci"])
                if not low <= value <= high:
                    raise EvidenceError(path, f"[{low:g}, {high:g}] does not contain the value {value:g}.",
                                        field=f"{at}.ci", advice="Check both against the source.")
                ci = (low, high)
            if any(e.metric == metric for e in effects):
                raise EvidenceError(path, f"{metric} is given twice.", field=f"{at}.metric",
                                    advice="Give each metric once per finding.")
            effects.append(Effect(metric, value, ci, eff.get("of", "")))
        studies = entry.get("studies")
        cite = entry["citation"]
        findings.append(Finding(
            id=entry["id"], label=entry["label"], statement=entry["statement"],
            citation=Citation(cite["in_text"], cite["authors"], cite["year"], cite["title"], cite["venue"],
                              cite.get("volume", ""), cite.get("issue", ""), cite.get("pages", "")),
            effects=tuple(effects),
            k=studies["k"] if studies else None,
            k_unit=studies.get("unit", "studies") if studies else "studies",
            sample=tuple((part["count"], part["unit"]) for part in entry.get("sample", [])),
            secondary=entry.get("secondary", False), note=entry.get("note", ""),
            grade=entry.get("evidence_grade", ""),
        ))

    ids = [f.id for f in findings]
    repeated = sorted({x for x in ids if ids.count(x) > 1})
    if repeated:
        raise EvidenceError(path, f"ids repeat: {', '.join(repeated)}.", field="findings",
                            advice="Give each finding its own id.")
    return EvidenceSet(raw["id"], raw["title"], raw["about"], tuple(findings))
