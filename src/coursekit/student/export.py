"""The portfolio as one HTML file the student keeps.

``export_html`` writes ``my-practice-portfolio.html`` next to the portfolio
notebook: the profile figure embedded as a base64 PNG, the practice plan, the
list of modules done and not done, and (unless turned off) the text of the
student's reflections as last saved in each module's notebook. The page has
its styles inline, no scripts, and a content security policy that lets it load
nothing from anywhere, so it opens the same on any machine, offline. It is
written atomically, readable by its owner only (0600). Nothing is sent anywhere.

The copy is a file the student keeps, outside the course, so before writing it
the export runs the privacy check on everything of the student's own writing
it would hold (reflections, plan, their own words in the profile). When it
finds something, nothing is written: ``UncheckedIdentifiersError`` lists the
findings, and the export is written only once the student has fixed them or
says they have checked them (``checked=True``, the panel's second button).
The page is ``templates/portfolio.html``, rendered by Jinja2 with autoescape on,
so whatever the student wrote shows as text and never as markup.

Pure like ``coursekit.student.portfolio``: the figure is passed in (a matplotlib Figure
or PNG bytes), never drawn here.
"""

from __future__ import annotations

import base64
import html
import io
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from coursekit.errors import StoreError, UncheckedIdentifiersError
from coursekit.files import atomic_write
from coursekit.pages import render
from coursekit.student.portfolio import PLAN_PARTS, PORTFOLIO, STATES, Portfolio

EXPORT_NAME = "my-practice-portfolio.html"
STUB = "YOUR ANSWER HERE"  # what nbgrader leaves in an unanswered Markdown cell
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@dataclass(frozen=True)
class Reflection:
    heading: str
    text: str


@dataclass(frozen=True)
class Flag:
    """A likely identifier in what the export would write: where the student finds it, and what."""

    where: str  # "The working alliance: 4. Analysis", "Practice plan: Goal"
    kind: str  # a kind of coursekit.privacy.detector.KINDS, in words
    context: str  # the flagged text in [[ ]] with a few words either side
    suggestion: str


def read_reflections(notebook: str | Path) -> tuple[Reflection, ...]:
    """The written answers (nbgrader's manually graded Markdown cells) of a notebook.

    Each gets the heading of the prompt cell before it. Unanswered cells are
    left out. Raises OSError or ValueError when the notebook cannot be read.
    """
    raw = json.loads(Path(notebook).read_text(encoding="utf-8"))
    cells = raw.get("cells") if isinstance(raw, dict) else None
    if not isinstance(cells, list):
        raise ValueError("it is not a Jupyter notebook (no list of cells)")
    found: list[Reflection] = []
    heading = ""
    for cell in cells:
        if not isinstance(cell, dict):
            continue
        text = _source(cell)
        meta = cell.get("metadata")
        grader = meta.get("nbgrader") if isinstance(meta, dict) else None
        grader = grader if isinstance(grader, dict) else {}
        if cell.get("cell_type") != "markdown":
            continue
        if grader.get("solution") is True:
            answer = text.strip()
            if answer and answer != STUB:
                name = heading or str(grader.get("grade_id", "")).replace("_", " ").capitalize()
                found.append(Reflection(name, answer))
            heading = ""
            continue
        first = next((line for line in text.splitlines() if line.startswith("#")), "")
        heading = re.sub(r"\s*\(\d+ points?\)\s*$", "", first.lstrip("#").strip()) if first else ""
    return tuple(found)


def _source(cell: Mapping[str, Any]) -> str:
    source = cell.get("source", "")
    return "".join(str(s) for s in source) if isinstance(source, list) else str(source)


def collect_reflections(portfolio: Portfolio) -> tuple[dict[str, tuple[Reflection, ...]], list[str]]:
    """Every module's reflections as last saved, and a note for each notebook that could not be read."""
    notebooks = [(m.module, m.folder / f"{m.module}.ipynb") for m in portfolio.modules]
    notebooks.append((PORTFOLIO, portfolio.here / f"{PORTFOLIO}.ipynb"))
    found: dict[str, tuple[Reflection, ...]] = {}
    notes: list[str] = []
    for module, path in notebooks:
        if not path.is_file():
            continue
        try:
            reflections = read_reflections(path)
        except (OSError, ValueError) as exc:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
            notes.append(f"{path} could not be read ({exc}); its reflections are left out.")
            continue
        if reflections:
            found[module] = reflections
    return found, notes


def export_html(portfolio: Portfolio, figure: Any = None, *, path: str | Path | None = None,
                include_reflections: bool = True, generated: date | None = None,
                checked: bool = False) -> Path:
    """Write the portfolio as one self-contained HTML file (mode 0600); return its path.

    ``figure`` is the profile (a matplotlib Figure, or PNG bytes); ``path``
    defaults to ``my-practice-portfolio.html`` in the portfolio's folder. An
    earlier export there is replaced. The privacy check runs first: when it
    flags something and ``checked`` is false, nothing is written and
    UncheckedIdentifiersError lists the findings. Raises StoreError when the
    file cannot be written.
    """
    target = Path(path) if path is not None else portfolio.here / EXPORT_NAME
    reflections: dict[str, tuple[Reflection, ...]] | None = None
    notes: list[str] = []
    if include_reflections:
        reflections, notes = collect_reflections(portfolio)
    flags = privacy_flags(portfolio, reflections or {})
    if flags and not checked:
        listed = "; ".join(f"{flag.where}: {flag.kind} ({flag.context})" for flag in flags)
        raise UncheckedIdentifiersError(
            f"Your portfolio was not saved: the privacy check found {_count(flags)} in what the "
            f"copy would hold: {listed}. Reword them in the notebook named and save it, or, if "
            "you have checked and they identify no one, save with checked=True.", flags)
    page = render_html(portfolio, figure_png=figure_png(figure) if figure is not None else None,
                       reflections=reflections, notes=notes, generated=generated)
    try:
        atomic_write(target, page.encode("utf-8"))
    except OSError as exc:
        raise StoreError(f"Could not write your portfolio to {target}: {exc.strerror or exc}. "
                         "Nothing else was changed; check that the folder exists and is "
                         "writable, then run the cell again.") from exc
    return target


def privacy_flags(portfolio: Portfolio,
                  reflections: Mapping[str, Sequence[Reflection]]) -> list[Flag]:
    """The privacy check on the student's own writing that an export would hold: the
    reflections given, the plan, and the words of their own rated in the profile."""
    from coursekit.privacy.detector import KINDS, find_identifiers

    titles = {m.module: m.title for m in portfolio.modules}
    titles[PORTFOLIO] = "Your practice portfolio"
    texts: list[tuple[str, str]] = []
    for module in [*portfolio.names, PORTFOLIO]:
        texts += [(f"{titles[module]}: {item.heading}", item.text)
                  for item in reflections.get(module, ())]
    texts += [(f"Practice plan: {part.label}", _plan_value(portfolio, part.id))
              for part in PLAN_PARTS if part.id != "review_date"]
    texts += [(f"{m.title}: your own word in the profile", measure.label.removesuffix(OWN_WORD))
              for m in portfolio.modules for measure in m.measures if measure.label.endswith(OWN_WORD)]
    return [Flag(where, KINDS[f.kind], f.context or f.text, f.suggestion)
            for where, text in texts if text for f in find_identifiers(text)]


OWN_WORD = " (your own word)"  # how the profile labels a student's own rated word


def _count(flags: Sequence[Flag]) -> str:
    return f"{len(flags)} possible client identifier{'s' if len(flags) != 1 else ''}"


def flags_html(flags: Sequence[Flag], notebook: str | Path | None = None) -> str:
    """What the export panel shows when the check found something (HTML, escaped):
    each finding, where to fix it, and the two ways on. ``notebook`` (the
    portfolio's, which the student is editing) is named with the time it was saved."""
    items = "".join(
        f"<li><b>{html.escape(flag.where)}</b>: {html.escape(flag.kind)}: "
        f"&ldquo;{html.escape(flag.context)}&rdquo;. Suggestion: {html.escape(flag.suggestion)}.</li>"
        for flag in flags)
    when = ""
    if notebook is not None and Path(notebook).is_file():
        saved = datetime.fromtimestamp(Path(notebook).stat().st_mtime)
        when = f"; {html.escape(Path(notebook).name)} was saved at {saved:%H:%M}"
    return (f"<p><b>Not saved yet.</b> The privacy check found {_count(flags)} in what your copy "
            f"would hold (your notebooks as last saved{when}):</p><ul>{items}</ul>"
            "<p>Reword them in the notebook named, save it (Ctrl+S) and press <b>Save my "
            "portfolio</b> again. If you have read them and they identify no one, press <b>I have "
            "checked; save anyway</b>. You can also untick <i>Include the text of my "
            "reflections</i>. This check is an aid, not a guarantee.</p>")


def figure_png(figure: Any) -> bytes:
    """PNG bytes of a matplotlib Figure (or the bytes themselves, checked)."""
    if isinstance(figure, bytes | bytearray):
        data = bytes(figure)
    else:
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", dpi=110, bbox_inches="tight",
                       metadata={"Software": None})
        data = buffer.getvalue()
    if not data.startswith(PNG_SIGNATURE):
        raise ValueError("the profile figure is not a PNG image.")
    return data


# --- the page --------------------------------------------------------------------

TEMPLATES = Path(__file__).parent / "templates"


def render_html(portfolio: Portfolio, *, figure_png: bytes | None = None,
                reflections: Mapping[str, Sequence[Reflection]] | None = None,
                notes: Sequence[str] = (), generated: date | None = None) -> str:
    """The page as text (templates/portfolio.html, escaped by Jinja2's autoescape).

    ``reflections`` None means they were left out on purpose.
    """
    return render(
        TEMPLATES, "portfolio.html",
        made_on=f"{generated or date.today():%d %B %Y}",
        done=len(portfolio.done),
        modules=[{"name": m.module, "done": m.done, "state": STATES[m.state],
                  "note": m.summary if m.done else m.advice} for m in portfolio.modules],
        figure=_figure(portfolio, figure_png),
        plan_note=portfolio.plan_note,
        plan=[(part.label, _plan_value(portfolio, part.id)) for part in PLAN_PARTS],
        reflections=None if reflections is None else [
            {"heading": module.replace("_", " ").capitalize(),
             "written": [{"heading": item.heading, "paragraphs": _paragraphs(item.text)}
                       for item in reflections[module]]}
            for module in [*portfolio.names, PORTFOLIO] if module in reflections],
        notes=notes,
    )


def _figure(portfolio: Portfolio, png: bytes | None) -> dict[str, str] | None:
    if png is None:
        return None
    done = ", ".join(m.module for m in portfolio.done) or "none"
    missing = ", ".join(m.module for m in portfolio.missing) or "none"
    return {"png_base64": base64.b64encode(png).decode("ascii"),
            "alt": (f"My answers across the course, one panel per module. Done: {done}. "
                    f"Not done yet: {missing}.")}


def _plan_value(portfolio: Portfolio, part: str) -> str:
    plan = portfolio.plan
    if part == "review_date" and plan.review is not None:
        return f"{plan.review:%d %B %Y}"
    return plan.parts()[part]


def _paragraphs(text: str) -> list[list[str]]:
    """The text's paragraphs (split at blank lines), each as its lines."""
    return [block.strip().split("\n") for block in re.split(r"\n\s*\n", text) if block.strip()]
