"""Reading cards: the one source of the reading text a module shows.

A card is a TOML file in a module's folder (``reading.toml``; format documented in
``docs/modules.md`` and, field by field, in
``coursekit/content/schemas/reading.schema.json``): the citation of an essay,
a summary in the course's own words, a few short attributed quotations, themes
and discussion questions.
Notebooks show the card rendered as Markdown (``render_markdown``);
``coursekit check`` fails when a notebook's reading cell and its card drift
apart, and ``coursekit sync`` rewrites the cell from the card.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from coursekit.content.schema import validate
from coursekit.errors import ReadingCardError

# The rules themselves are in schemas/reading.schema.json; these name them for code and tests.
SCHEMA_VERSION = 1
MIN_QUOTATIONS, MAX_QUOTATIONS = 2, 3
# A quotation longer than this stops being a short quotation: summarise instead.
MAX_QUOTATION_WORDS = 40


@dataclass(frozen=True)
class Source:
    author: str
    title: str
    venue: str
    date: str
    note: str = ""
    words: int | None = None  # the essay's own length, when the card gives it


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
    # The format is schemas/reading.schema.json (and docs/modules.md); a card relates no two parts.
    validate(raw, "reading", path, ReadingCardError)
    src = raw["source"]
    return ReadingCard(
        id=raw["id"],
        title=raw["title"].strip(),
        source=Source(src["author"].strip(), src["title"].strip(), src["venue"].strip(),
                      src["date"].strip(), src.get("note", "").strip(), src.get("words")),
        summary=raw["summary"].strip(),
        quotations=tuple(Quotation(q["text"].strip(), q["attribution"].strip()) for q in raw["quotations"]),
        themes=tuple(theme.strip() for theme in raw["themes"]),
        questions=tuple(question.strip() for question in raw["questions"]),
        path=str(path),
    )
