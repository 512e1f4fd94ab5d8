"""The saved answers of one form, as a static table: what an instructor reads in the Formgrader.

A form is a widget, and a widget's output is empty once the notebook is no
longer live: in the autograded notebook, in the Formgrader and in the feedback,
which nbgrader renders without the widgets' state. So each generated form cell
also shows ``saved_answers(FORM)``, a plain HTML table (and text) of what the
answers file holds. Autograde runs the cell with the submitted answers file
beside it, so the autograded notebook carries the table of what was graded.

It reads the file and changes nothing (``read_responses``). The table shows
what was saved when the cell ran: after pressing Save, run the cell again to
see it updated. Pure apart from reading the file: no widgets, no plotting.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from coursekit.content.instruments import NOT_APPLICABLE, Instrument
from coursekit.content.manifest import Module
from coursekit.content.questions import QuestionSet
from coursekit.errors import ResponseFileError
from coursekit.student.portfolio import PLAN_PARTS, plan_from
from coursekit.student.responses import Responses, ResponseStore, read_responses


@dataclass(frozen=True)
class SavedAnswers:
    """A form's saved answers as rows (number, question, answer), shown as HTML or as text."""

    title: str
    rows: tuple[tuple[str, str, str], ...]
    summary: str  # "12 of 12 items answered, saved 21 November 2026 at 10:00"
    problem: str = ""  # why nothing could be shown (a damaged file)

    def _repr_html_(self) -> str:
        head = (f"<summary><b>Saved answers: {html.escape(self.title)}</b> "
                f"({html.escape(self.summary)}; what your instructor sees)</summary>")
        if self.problem or not self.rows:
            problem = f"<p>{html.escape(self.problem)}</p>" if self.problem else ""
            return f'<details open class="coursekit-saved">{head}{problem}</details>'
        body = "".join(f"<tr><td>{html.escape(n)}</td><td>{html.escape(q)}</td>"
                       f"<td>{html.escape(a)}</td></tr>" for n, q, a in self.rows)
        return (f'<details open class="coursekit-saved">{head}<table>'
                '<thead><tr><th scope="col">#</th><th scope="col">question</th>'
                f'<th scope="col">saved answer</th></tr></thead><tbody>{body}</tbody></table></details>')

    def __repr__(self) -> str:
        lines = [f"Saved answers: {self.title} ({self.summary})"]
        lines += [f"{n}. {q}: {a}" for n, q, a in self.rows]
        if self.problem:
            lines.append(self.problem)
        return "\n".join(lines)


def saved_answers(form_id: str, *, module: Module | None = None,
                  folder: str | Path | None = None) -> SavedAnswers:
    """The saved answers of one of the module's forms. ``module`` defaults to the one this
    notebook runs in; ``folder`` to its answers folder (``ResponseStore.here``)."""
    module = module or Module.here()
    form = module.form(form_id)
    store = ResponseStore(folder, module.id) if folder is not None else ResponseStore.here(module.id)
    title = {"instrument": lambda: module.instrument(form.id).title,
             "questions": lambda: module.questions(form.id).title}.get(form.kind, lambda: "Practice plan")()
    try:
        saved = read_responses(store.path, module.id)
    except ResponseFileError as exc:
        return SavedAnswers(title, (), "could not be read",
                            f"The answers file could not be read: {exc.problem}")
    if form.kind == "instrument":
        return _instrument(module.instrument(form.id), saved)
    if form.kind == "questions":
        return _questions(module.questions(form.id), saved)
    return _plan(title, saved)


def _when(saved_at: str | None) -> str:
    if not saved_at:
        return ""
    try:
        moment = datetime.fromisoformat(saved_at).astimezone()  # shown in local time
    except ValueError:
        return ""
    return f", saved {moment.day} {moment:%B %Y} at {moment:%H:%M}"


NOTHING = "nothing saved yet: press Save answers, then run this cell again"


def _instrument(instrument: Instrument, saved: Responses | None) -> SavedAnswers:
    entry = saved.instruments.get(instrument.id) if saved else None
    answers = saved.answers(instrument.id) if saved else {}
    rows = []
    for n, item in enumerate(instrument.items, 1):
        answer = answers.get(item.id)
        if answer is None:
            shown = "not answered"
        elif answer is NOT_APPLICABLE:
            shown = f"did not happen ({item.not_applicable})" if item.not_applicable else "did not happen"
        else:
            label = instrument.scale.label(answer)
            shown = f"{answer} ({label})" if label != str(answer) else str(answer)
        text = item.text
        if item.anchors:  # paired statements: the number means nothing without its two ends
            scale = instrument.scale
            text += f" ({scale.min}: {item.anchors[0]}; {scale.max}: {item.anchors[1]})"
        rows.append((str(n), text, shown))
    own = saved.own_answer(instrument) if saved else None
    if instrument.own_item is not None and own is not None:
        rows.append((str(len(instrument.items) + 1), f"{instrument.own_item.text}: {own['name']}",
                     str(own["rating"])))
    if entry is None:  # no rows: a row per item saying "not answered" would repeat the form
        return SavedAnswers(instrument.title, (), NOTHING)
    answered = sum(1 for item in instrument.items if item.id in answers)
    return SavedAnswers(instrument.title, tuple(rows),
                        f"{answered} of {len(instrument.items)} items answered{_when(entry.saved_at)}")


def _questions(qset: QuestionSet, saved: Responses | None) -> SavedAnswers:
    numbers = saved.numbers(qset.id) if saved else {}
    rows = tuple((str(n), q.text, f"{numbers[q.id]} {q.unit}".strip() if q.id in numbers else "not answered")
                 for n, q in enumerate(qset.questions, 1))
    if not numbers:
        return SavedAnswers(qset.title, (), NOTHING)
    when = _when(saved.saved_at if saved else None)
    return SavedAnswers(qset.title, rows, f"{len(numbers)} of {len(qset.questions)} answered{when}")


def _plan(title: str, saved: Responses | None) -> SavedAnswers:
    plan = plan_from(saved)
    parts = plan.parts()
    rows = tuple((str(n), part.label, parts[part.id] or "not written yet")
                 for n, part in enumerate(PLAN_PARTS, 1))
    if not any(parts.values()):
        return SavedAnswers(title, (), NOTHING)
    written = sum(1 for value in parts.values() if value)
    when = _when(saved.saved_at if saved else None)
    return SavedAnswers(title, rows, f"{written} of {len(PLAN_PARTS)} parts written{when}")
