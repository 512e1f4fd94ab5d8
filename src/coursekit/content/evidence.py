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
        "secondary": false,
        "note": "anything a reader should know (optional)",
        "citation": {"in_text": "Elliott et al. 2018",
                     "authors": "Elliott, R., Bohart, A. C., Watson, J. C., & Murphy, D.",
                     "year": 2018, "title": "...", "venue": "Psychotherapy",
                     "volume": "55", "issue": "4", "pages": "399-410"}}]}

Rules, each checked on load (an ``EvidenceError`` names the file and the field):

* ``id`` and every finding's ``id``: lower case letters, digits and ``_``;
  finding ids are unique;
* ``metric`` is one of ``r`` (a correlation, -1 to 1), ``d`` or ``g``
  (standardised mean differences), or ``percent_variance`` (a share of
  variance in per cent, 0 to 100; say of what in the effect's ``of``);
  ``ci``, when given, is ``[low, high]`` around the value;
* ``studies.unit`` is ``studies``, ``samples`` or ``data sources``;
* ``secondary`` is true for a figure seen only on a secondary source: every
  text made from the finding then says "(secondary)";
* the citation needs ``in_text``, ``authors``, ``year``, ``title`` and
  ``venue``; ``volume``, ``issue`` and ``pages`` are optional.

``Finding.as_r`` puts d and g on the scale of r, r = d / sqrt(d^2 + 4) (the
conversion for two groups of equal size; for g, which is d corrected for
small samples, it is approximate), so that findings in different metrics can
share one axis without a number being made up.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from coursekit.errors import EvidenceError

SCHEMA_VERSION = 1
METRICS = ("r", "d", "g", "percent_variance")
STUDY_UNITS = ("studies", "samples", "data sources")
_ID = re.compile(r"^[a-z][a-z0-9_]*$")


def number_text(value: float) -> str:
    """A value as published: no leading zero below 1 (".28", "-.16"), otherwise as given."""
    text = format(abs(value), "g")
    if text.startswith("0."):
        text = text[1:]
    return f"-{text}" if value < 0 else text


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
            text += f" [{number_text(self.ci[0])}, {number_text(self.ci[1])}]"
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
        """The reference-list form: authors (year). Title. Venue, volume(issue), pages."""
        where = self.venue
        if self.volume:
            where += f", {self.volume}" + (f"({self.issue})" if self.issue else "")
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
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise EvidenceError(path, "no such evidence file.") from None
    except UnicodeDecodeError as exc:
        raise EvidenceError(path, f"is not UTF-8 text ({exc.reason}).") from None
    except json.JSONDecodeError as exc:
        raise EvidenceError(path, f"is not valid JSON ({exc.msg}, line {exc.lineno}).") from None
    return _parse(raw, path)


# --- validation --------------------------------------------------------------


def _parse(raw: Any, path: Path) -> EvidenceSet:
    def fail(field: str, problem: str) -> EvidenceError:
        return EvidenceError(path, problem, field=field,
                             advice="See the format in coursekit/evidence.py.")

    def text(table: dict[str, Any], key: str, field: str, required: bool = True) -> str:
        value = table.get(key, None if required else "")
        if not isinstance(value, str) or (required and not value.strip()):
            raise fail(field, "should be a non-empty text." if required else "should be a text.")
        return value

    def number(value: Any, field: str) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            raise fail(field, f"{value!r} is not a number.")
        return float(value)

    def whole(value: Any, field: str) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise fail(field, f"{value!r} should be a whole number from 1.")
        return value

    def identifier(table: dict[str, Any], field: str) -> str:
        value = text(table, "id", field)
        if not _ID.match(value):
            raise fail(field, f"'{value}' should be lower case letters, digits and _ (like 'empathy').")
        return value

    if not isinstance(raw, dict):
        raise fail("(top level)", "should be a JSON object.")
    if raw.get("schema_version") != SCHEMA_VERSION:
        raise fail("schema_version",
                   f"is {raw.get('schema_version')!r}; this coursekit reads version {SCHEMA_VERSION}.")
    set_id = identifier(raw, "id")
    title = text(raw, "title", "title")
    about = text(raw, "about", "about")
    items = raw.get("findings")
    if not isinstance(items, list) or not items:
        raise fail("findings", "should be a non-empty list.")

    findings: list[Finding] = []
    for i, entry in enumerate(items):
        where = f"findings[{i}]"
        if not isinstance(entry, dict):
            raise fail(where, "should be an object with id, label, statement and citation.")
        finding_id = identifier(entry, f"{where}.id")

        effects: list[Effect] = []
        effects_raw = entry.get("effects", [])
        if not isinstance(effects_raw, list):
            raise fail(f"{where}.effects", "should be a list (empty when the source gives no effect size).")
        for j, eff in enumerate(effects_raw):
            at = f"{where}.effects[{j}]"
            if not isinstance(eff, dict):
                raise fail(at, "should be an object with metric and value.")
            metric = eff.get("metric")
            if metric not in METRICS:
                raise fail(f"{at}.metric", f"{metric!r} is not one of {', '.join(METRICS)}.")
            value = number(eff.get("value"), f"{at}.value")
            if metric == "r" and not -1 <= value <= 1:
                raise fail(f"{at}.value", f"a correlation must lie from -1 to 1, not {value:g}.")
            if metric == "percent_variance" and not 0 <= value <= 100:
                raise fail(f"{at}.value", f"a share of variance must lie from 0 to 100, not {value:g}.")
            ci = None
            if "ci" in eff:
                bounds = eff["ci"]
                if not (isinstance(bounds, list) and len(bounds) == 2):
                    raise fail(f"{at}.ci", "should be [low, high].")
                low, high = number(bounds[0], f"{at}.ci[0]"), number(bounds[1], f"{at}.ci[1]")
                if not low <= value <= high:
                    raise fail(f"{at}.ci", f"[{low:g}, {high:g}] does not contain the value {value:g}.")
                ci = (low, high)
            of = text(eff, "of", f"{at}.of", required=metric == "percent_variance")
            if any(e.metric == metric for e in effects):
                raise fail(f"{at}.metric", f"{metric} is given twice.")
            effects.append(Effect(metric, value, ci, of))

        k, k_unit = None, "studies"
        if "studies" in entry:
            studies = entry["studies"]
            if not isinstance(studies, dict):
                raise fail(f"{where}.studies", "should be an object with k and unit.")
            k = whole(studies.get("k"), f"{where}.studies.k")
            k_unit = studies.get("unit", "studies")
            if k_unit not in STUDY_UNITS:
                raise fail(f"{where}.studies.unit", f"{k_unit!r} is not one of {', '.join(STUDY_UNITS)}.")

        sample: list[tuple[int, str]] = []
        sample_raw = entry.get("sample", [])
        if not isinstance(sample_raw, list):
            raise fail(f"{where}.sample", "should be a list of {count, unit}.")
        for j, part in enumerate(sample_raw):
            at = f"{where}.sample[{j}]"
            if not isinstance(part, dict):
                raise fail(at, "should be an object with count and unit (\"clients\", \"therapists\").")
            sample.append((whole(part.get("count"), f"{at}.count"), text(part, "unit", f"{at}.unit")))

        secondary = entry.get("secondary", False)
        if not isinstance(secondary, bool):
            raise fail(f"{where}.secondary", "should be true or false.")

        cite = entry.get("citation")
        if not isinstance(cite, dict):
            raise fail(f"{where}.citation", "is missing: every finding names its source.")
        at = f"{where}.citation"
        year = cite.get("year")
        if isinstance(year, bool) or not isinstance(year, int) or not 1900 <= year <= 2100:
            raise fail(f"{at}.year", f"{year!r} should be a year such as 2018.")
        citation = Citation(
            text(cite, "in_text", f"{at}.in_text"), text(cite, "authors", f"{at}.authors"), year,
            text(cite, "title", f"{at}.title"), text(cite, "venue", f"{at}.venue"),
            text(cite, "volume", f"{at}.volume", required=False),
            text(cite, "issue", f"{at}.issue", required=False),
            text(cite, "pages", f"{at}.pages", required=False),
        )
        findings.append(Finding(
            id=finding_id, label=text(entry, "label", f"{where}.label"),
            statement=text(entry, "statement", f"{where}.statement"), citation=citation,
            effects=tuple(effects), k=k, k_unit=k_unit, sample=tuple(sample),
            secondary=secondary, note=text(entry, "note", f"{where}.note", required=False),
        ))

    ids = [f.id for f in findings]
    repeated = sorted({x for x in ids if ids.count(x) > 1})
    if repeated:
        raise fail("findings", f"ids repeat: {', '.join(repeated)}.")
    return EvidenceSet(set_id, title, about, tuple(findings))
