"""The portfolio as one HTML file the student keeps.

``export_html`` writes ``my-practice-portfolio.html`` next to the portfolio
notebook: the profile figure embedded as a base64 PNG, the practice plan, the
list of modules done and not done, and (unless turned off) the text of the
student's reflections as last saved in each module's notebook. The page has
its styles inline, no scripts, and a content security policy that lets it load
nothing from anywhere, so it opens the same on any machine, offline. It is
written atomically, readable by its owner only (0600). Nothing is sent anywhere.

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
from datetime import date
from pathlib import Path
from typing import Any

from coursekit.errors import StoreError
from coursekit.files import atomic_write
from coursekit.student.portfolio import PLAN_PARTS, PORTFOLIO, STATES, Portfolio

EXPORT_NAME = "my-practice-portfolio.html"
STUB = "YOUR ANSWER HERE"  # what nbgrader leaves in an unanswered Markdown cell
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@dataclass(frozen=True)
class Reflection:
    heading: str
    text: str


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
                include_reflections: bool = True, generated: date | None = None) -> Path:
    """Write the portfolio as one self-contained HTML file (mode 0600); return its path.

    ``figure`` is the profile (a matplotlib Figure, or PNG bytes); ``path``
    defaults to ``my-practice-portfolio.html`` in the portfolio's folder. An
    earlier export there is replaced. Raises StoreError when the file cannot
    be written.
    """
    target = Path(path) if path is not None else portfolio.here / EXPORT_NAME
    reflections: dict[str, tuple[Reflection, ...]] | None = None
    notes: list[str] = []
    if include_reflections:
        reflections, notes = collect_reflections(portfolio)
    page = render_html(portfolio, figure_png=figure_png(figure) if figure is not None else None,
                       reflections=reflections, notes=notes, generated=generated)
    try:
        atomic_write(target, page.encode("utf-8"))
    except OSError as exc:
        raise StoreError(f"Could not write your portfolio to {target}: {exc.strerror or exc}. "
                         "Nothing else was changed; check that the folder exists and is "
                         "writable, then run the cell again.") from exc
    return target


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

STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; line-height: 1.5;
       color: #1a1a1a; background: #fff; margin: 0; }
main { max-width: 50rem; margin: 0 auto; padding: 1.5rem; }
h1 { margin-bottom: 0.2rem; }
.meta { color: #555; margin-top: 0; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; vertical-align: top; padding: 0.35rem 0.5rem;
         border-bottom: 1px solid #ccc; }
.done { color: #006B4F; font-weight: bold; }
.missing { color: #A63D00; font-weight: bold; }
figure { margin: 1rem 0; }
img { max-width: 100%; height: auto; border: 1px solid #ddd; }
dt { font-weight: bold; margin-top: 0.6rem; }
dd { margin-left: 1rem; white-space: pre-wrap; }
.empty { color: #A63D00; font-style: italic; }
blockquote { margin: 0.3rem 0 0.8rem 0; padding-left: 0.8rem; border-left: 3px solid #0072B2; }
footer { margin-top: 2rem; color: #555; font-size: 0.9rem; }
@media print { main { max-width: none; } }
"""

# Loads nothing from anywhere: no scripts, no fonts, no remote images.
CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"


def render_html(portfolio: Portfolio, *, figure_png: bytes | None = None,
                reflections: Mapping[str, Sequence[Reflection]] | None = None,
                notes: Sequence[str] = (), generated: date | None = None) -> str:
    """The page as text. ``reflections`` None means they were left out on purpose."""
    when = generated or date.today()
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<title>My practice portfolio</title>",
        f"<style>{STYLE}</style>",
        "</head>",
        "<body><main>",
        "<h1>My practice portfolio</h1>",
        f'<p class="meta">Made on {when:%d %B %Y} from my answers in the course modules '
        f"({len(portfolio.done)} of {len(portfolio.modules)} done).</p>",
        _modules_section(portfolio),
        _figure_section(portfolio, figure_png),
        _plan_section(portfolio),
        _reflections_section(reflections, notes, portfolio),
        "<footer><p>This file was made on my own computer by coursekit; nothing in it was sent "
        "anywhere. It holds my own answers and reflections and is readable by me only: keep it "
        "somewhere private.</p></footer>",
        "</main></body>",
        "</html>",
    ]
    return "\n".join(parts) + "\n"


def _modules_section(portfolio: Portfolio) -> str:
    rows = []
    for m in portfolio.modules:
        if m.done:
            state, note = '<span class="done">done</span>', m.summary
        else:
            state = f'<span class="missing">not done yet</span> ({html.escape(STATES[m.state])})'
            note = m.advice
        rows.append(f"<tr><td>{html.escape(m.module)}</td><td>{state}</td>"
                    f"<td>{html.escape(note)}</td></tr>")
    if not rows:
        rows.append('<tr><td colspan="3">No modules were found.</td></tr>')
    return ("<h2>Modules</h2>\n<table>\n<thead><tr><th>module</th><th>state</th><th>notes</th>"
            "</tr></thead>\n<tbody>\n" + "\n".join(rows) + "\n</tbody>\n</table>")


def _figure_section(portfolio: Portfolio, png: bytes | None) -> str:
    if png is None:
        return '<h2>My profile</h2>\n<p class="empty">The profile figure was not included.</p>'
    done = ", ".join(m.module for m in portfolio.done) or "none"
    missing = ", ".join(m.module for m in portfolio.missing) or "none"
    alt = (f"My answers across the course, one panel per module. Done: {done}. "
           f"Not done yet: {missing}.")
    data = base64.b64encode(png).decode("ascii")
    return ("<h2>My profile</h2>\n<figure>"
            f'<img src="data:image/png;base64,{data}" alt="{html.escape(alt)}">'
            "<figcaption>Each panel is one module: my subscale totals and numeric answers, "
            "each drawn within its possible range.</figcaption></figure>")


def _plan_section(portfolio: Portfolio) -> str:
    plan = portfolio.plan
    items = []
    for part in PLAN_PARTS:
        value = getattr(plan, part.id)
        if part.id == "review_date" and plan.review is not None:
            value = f"{plan.review:%d %B %Y}"
        shown = html.escape(value) if value else '<span class="empty">not written yet</span>'
        items.append(f"<dt>{html.escape(part.label)}</dt><dd>{shown}</dd>")
    note = f'<p class="empty">{html.escape(portfolio.plan_note)}</p>' if portfolio.plan_note else ""
    return "<h2>My deliberate-practice plan</h2>\n" + note + "<dl>\n" + "\n".join(items) + "\n</dl>"


def _reflections_section(reflections: Mapping[str, Sequence[Reflection]] | None,
                         notes: Sequence[str], portfolio: Portfolio) -> str:
    out = ["<h2>My reflections</h2>"]
    if reflections is None:
        out.append("<p>My reflections were left out of this copy.</p>")
        return "\n".join(out)
    out.append("<p>As last saved in each module's notebook.</p>")
    order = [*portfolio.names, PORTFOLIO]
    for module in order:
        if module not in reflections:
            continue
        out.append(f"<h3>{html.escape(module.replace('_', ' ').capitalize())}</h3>")
        for item in reflections[module]:
            out.append(f"<h4>{html.escape(item.heading)}</h4>")
            out.append(f"<blockquote>{_paragraphs(item.text)}</blockquote>")
    if not any(module in reflections for module in order):
        out.append('<p class="empty">No written reflections were found beside this folder.</p>')
    out += [f'<p class="empty">{html.escape(note)}</p>' for note in notes]
    return "\n".join(out)


def _paragraphs(text: str) -> str:
    blocks = [b.strip() for b in re.split(r"\n\s*\n", text) if b.strip()]
    return "".join(f"<p>{html.escape(b).replace(chr(10), '<br>')}</p>" for b in blocks)
