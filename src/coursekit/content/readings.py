"""Reading cards: the one source of the reading text a module shows.

A card is a TOML file in a module's folder (``reading.toml``; format documented in
``docs/modules.md``): the citation of an essay, a summary in the course's own
words, a few short attributed quotations, themes and discussion questions.
Notebooks show the card rendered as Markdown (``render_markdown``);
``coursekit check`` fails when a notebook's reading cell and its card drift
apart, and ``coursekit sync`` rewrites the cell from the card.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from coursekit.errors import ReadingCardError

SCHEMA_VERSION = 1
MIN_QUOTATIONS, MAX_QUOTATIONS = 3, 6
# A quotation longer than this stops being a short quotation: summarise instead.
MAX_QUOTATION_WORDS = 40


@dataclass(frozen=True)
class Source:
    author: str
    title: str
    venue: str
    date: str
    note: str = ""


@dataclass(frozen=True)
class Quotation:
    text: str
    attribution: str


@dataclass(frozen=True)
class ReadingCard:
    id: str
    title: str
    source: Source
    summary: str
    quotations: tuple[Quotation, ...]
    themes: tuple[str, ...]
    questions: tuple[str, ...]
    path: str = ""


def load_card(path: str | Path) -> ReadingCard:
    """Load and validate one reading card; raise ReadingCardError naming file and field."""
    path = Path(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ReadingCardError(
            path, "no such reading card.", advice="Check the file name the module's module.toml gives."
        ) from None
    except UnicodeDecodeError as exc:
        raise ReadingCardError(path, f"is not UTF-8 text ({exc.reason}).") from None
    except tomllib.TOMLDecodeError as exc:
        raise ReadingCardError(
            path, f"is not valid TOML: {exc}.", advice="Fix the syntax; see docs/modules.md."
        ) from None
    return _parse(raw, path)


def render_markdown(card: ReadingCard) -> str:
    """The Markdown a module's reading cell shows, rendered from the card."""
    src = card.source
    lines = [f"## Reading: {card.title}", ""]
    citation = f"{src.author} ({src.date}). *{src.title}*. {src.venue}."
    lines += [f"**Source.** {citation}", ""]
    if src.note:
        lines += [f"*{src.note}*", ""]
    lines += ["### In brief", "", card.summary.strip(), ""]
    lines += ["### In the author's words", ""]
    for quote in card.quotations:
        lines += [f"> {quote.text}", ">", f"> — {quote.attribution}", ""]
    lines += ["### Themes", ""]
    lines += [f"- {theme}" for theme in card.themes]
    lines += ["", "### Questions to carry into the module", ""]
    lines += [f"{n}. {question}" for n, question in enumerate(card.questions, 1)]
    return "\n".join(lines).rstrip() + "\n"


# --- validation -----------------------------------------------------------


def _parse(raw: dict[str, Any], path: Path) -> ReadingCard:
    def fail(field: str, problem: str) -> ReadingCardError:
        return ReadingCardError(path, problem, field=field, advice="See docs/modules.md.")

    def text(table: dict[str, Any], key: str, prefix: str = "", required: bool = True) -> str:
        field = f"{prefix}{key}"
        if key not in table:
            if required:
                raise fail(field, "is missing.")
            return ""
        value = table[key]
        if not isinstance(value, str):
            raise fail(field, f"should be text, found {type(value).__name__}.")
        if required and not value.strip():
            raise fail(field, "is empty.")
        return value.strip()

    def text_list(key: str, low: int, high: int) -> tuple[str, ...]:
        value = raw.get(key)
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise fail(key, "should be a list of non-empty texts.")
        if not low <= len(value) <= high:
            raise fail(key, f"has {len(value)} entries; give {low} to {high}.")
        return tuple(v.strip() for v in value)

    version = raw.get("schema_version")
    if version != SCHEMA_VERSION:
        raise fail("schema_version", f"is {version!r}; this coursekit reads version {SCHEMA_VERSION}.")
    card_id = text(raw, "id")
    if not card_id.isidentifier() or not card_id.islower():
        raise fail("id", f"'{card_id}' should be a lower-case name like 'alliance'.")

    source_table = raw.get("source")
    if not isinstance(source_table, dict):
        raise fail("source", "is missing: give author, title, venue and date.")
    source = Source(
        author=text(source_table, "author", "source."),
        title=text(source_table, "title", "source."),
        venue=text(source_table, "venue", "source."),
        date=text(source_table, "date", "source."),
        note=text(source_table, "note", "source.", required=False),
    )

    quotes_raw = raw.get("quotations")
    if not isinstance(quotes_raw, list):
        raise fail("quotations", "is missing: give [[quotations]] tables with text and attribution.")
    if not MIN_QUOTATIONS <= len(quotes_raw) <= MAX_QUOTATIONS:
        raise fail(
            "quotations", f"has {len(quotes_raw)}; give {MIN_QUOTATIONS} to {MAX_QUOTATIONS}."
        )
    quotations = []
    for i, entry in enumerate(quotes_raw):
        prefix = f"quotations[{i}]."
        if not isinstance(entry, dict):
            raise fail(f"quotations[{i}]", "should be a table with text and attribution.")
        quote = Quotation(text(entry, "text", prefix), text(entry, "attribution", prefix))
        words = len(quote.text.split())
        if words > MAX_QUOTATION_WORDS:
            raise fail(
                f"{prefix}text",
                f"is {words} words; quotations stay under {MAX_QUOTATION_WORDS} words "
                "(summarise the rest in our own words).",
            )
        quotations.append(quote)

    summary = text(raw, "summary")
    return ReadingCard(
        id=card_id,
        title=text(raw, "title"),
        source=source,
        summary=summary,
        quotations=tuple(quotations),
        themes=text_list("themes", 2, 8),
        questions=text_list("questions", 2, 6),
        path=str(path),
    )
