"""In-text citations and the full references they point to.

A module cites in the author-year style: "(Gibbs 1988)", "(Norcross & Lambert
2018; Flückiger et al. 2018)", "Schön (1983)", "Chow and colleagues (2015)",
"Bordin's (1979)", "Hayes et al. 2018". Each citation is reduced to a *key*,
the first author's surname and the year, and so is a full reference in APA
form ("Gibbs, G. (1988). *Learning by doing* ..."). A module's reference list
holds a reference for every key its text cites: ``coursekit.content.cells``
uses the keys to pick the course's shared references (``coursekit.toml``) a
module needs, and the tests use them to check that nothing cited is missing.

Only a run of capitalised names followed by a four-digit year counts:
"(2 points)", "(0 to 100 clients)" and "(May/June 2020)" are not citations.
"""

from __future__ import annotations

import re

Key = tuple[str, int]  # (the first author's surname, casefolded; the year)

_PARTICLES = frozenset({"van", "von", "de", "del", "der", "di", "da", "du", "le", "la", "ten", "ter"})
_WORD = r"[^\W\d_][\w'’\-]*"  # letters of any script, then hyphens and apostrophes too
_JOIN = r"(?:\s*,\s*(?:&\s+|and\s+)?|\s+&\s+|\s+and\s+|\s+)"
_AUTHORS = rf"{_WORD}(?:{_JOIN}{_WORD})*?"
_YEAR = r"(?:1[5-9]|20)\d\d"
_TAIL = r"(?:\s+et\s+al\.|\s+and\s+colleagues)?(?:'s|’s|'|’)?"
# "Schön (1983)", "Gibbs's (1988)", "Chow and colleagues' (2015)", "Tryon, Birch and Verkuilen (2018)"
_NARRATIVE = re.compile(rf"(?P<authors>{_AUTHORS}){_TAIL}\s+\((?P<year>{_YEAR})[a-z]?\)")
# "Flückiger et al. 2018" and "Norcross & Lambert 2018" in running text
_BARE = re.compile(rf"(?P<authors>{_WORD}\s+et\s+al\.|{_AUTHORS}\s+&\s+{_WORD}),?"
                   rf"\s+(?P<year>{_YEAR})[a-z]?\b")
_PARENS = re.compile(r"\(([^()]*)\)")
# one citation inside parentheses: "Gibbs 1988", "e.g., Ericsson, Krampe, & Tesch-Romer, 1993"
_INSIDE = re.compile(rf"^(?:(?:e\.g\.|i\.e\.|see|cf\.)[,\s]+)?(?P<authors>{_AUTHORS})(?:\s+et\s+al\.)?,?"
                     rf"\s+(?P<years>{_YEAR}[a-z]?(?:\s*,\s*{_YEAR}[a-z]?)*)$")
# capitalised words that can stand before a year without being anyone's name
_NOT_NAMES = frozenset({
    "january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
    "november", "december", "spring", "summer", "autumn", "fall", "winter", "part", "session",
    "sessions", "figure", "table", "version", "edition", "in", "since", "by", "from", "until", "the",
    "a", "an", "and", "or", "of", "on", "at", "to", "for", "year", "first", "second", "third"})
_FILLERS = frozenset({"et", "al.", "colleagues", "&", "and"})


def _surname(authors: str) -> str | None:
    """The first author of the run of names that ends ``authors``, or None if it ends in no name.

    A match can start at a word before the names ("relationships, Hayes and
    colleagues (2018)"): only the names at the end, back to the first word that
    is no name, are the authors.
    """
    words = [w for w in re.split(r"[\s,]+", authors.strip()) if w and w not in _FILLERS]
    run: list[str] = []
    for word in reversed(words):
        bare = re.sub(r"(?:'s|’s|'|’)$", "", word)
        if bare.casefold() in _PARTICLES and run:
            run.insert(0, bare)
            continue
        if not bare[:1].isupper() or bare.casefold() in _NOT_NAMES:
            break
        run.insert(0, bare)
    if not run:
        return None
    first = run[0]
    if first.casefold() in _PARTICLES and len(run) > 1:
        first = f"{first} {run[1]}"
    return first.casefold()


def cited(text: str) -> set[Key]:
    """Every work ``text`` cites, as (first author's surname, year)."""
    found: set[Key] = set()
    for pattern in (_NARRATIVE, _BARE):
        for match in pattern.finditer(text):
            surname = _surname(match["authors"])
            if surname:
                found.add((surname, int(match["year"])))
    for group in _PARENS.finditer(text):
        for part in group[1].split(";"):
            inside = _INSIDE.match(part.strip())
            surname = _surname(inside["authors"]) if inside else None
            if inside and surname:
                found |= {(surname, int(year)) for year in re.findall(_YEAR, inside["years"])}
    return found


def reference_key(reference: str) -> Key | None:
    """The key of a full reference: "Gibbs, G. (1988). ..." gives ("gibbs", 1988).

    The authors are what comes before the first parenthesis; the surname is the
    part before their first comma ("Gibbs, G."), or their last word when there
    is no comma ("Jonathan Shedler"). None when the date holds no year ("(undated)").
    """
    head, paren, rest = reference.partition("(")
    year = re.match(rf"[^)]*?({_YEAR})", rest) if paren else None
    authors = head.strip().rstrip(".").strip()
    if not year or not authors:
        return None
    surname = authors.split(",")[0].strip() if "," in authors else authors.split()[-1]
    return surname.casefold(), int(year[1])


__all__ = ["Key", "cited", "reference_key"]
