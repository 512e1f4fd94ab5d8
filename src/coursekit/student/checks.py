"""What autograder test cells call.

These run inside nbgrader's autograde, with the student's autograded
assignment folder as the working directory, where ``nbgrader submit`` carried
the saved answers and autograde restored the module's definitions from
source. A failed check raises ``IncompleteError`` (an AssertionError, so
nbgrader gives the cell no points) with a message the student reads in their
feedback.

``check_module`` is the one call a notebook makes: it checks every form the
module's manifest marks required and prints a sentence for each (the lines
are ``completion_report``'s). The others check one form each. A failure shows
in the notebook as its message alone, without a traceback.
"""

from __future__ import annotations

from pathlib import Path

from coursekit.content.instruments import Score, score
from coursekit.content.manifest import Module
from coursekit.errors import NotebookMessage, ResponseFileError
from coursekit.student.portfolio import PLAN_PARTS, PORTFOLIO, Plan, plan_from
from coursekit.student.responses import Responses, ResponseStore, read_responses


class IncompleteError(NotebookMessage, AssertionError):
    """A required part of a module is not done; the message says what is missing.

    A notebook shows the message alone, not the traceback through this module."""


def _store(module: Module, folder: str | Path | None) -> ResponseStore:
    return ResponseStore(folder, module.id) if folder is not None else ResponseStore.here(module.id)


def _saved(store: ResponseStore, what: str, redo: str) -> Responses | None:
    """What the store holds; an unreadable file fails with what to do."""
    try:
        return read_responses(store.path, store.module)
    except ResponseFileError as exc:
        raise IncompleteError(f"Your saved {what} could not be read: {exc} {redo}") from None


def check_module(module: Module | None = None, folder: str | Path | None = None) -> None:
    """The completion check a notebook's graded cell runs: assert that every required form of
    the module is saved and complete, and say so in a sentence per form.

    It returns nothing, so the cell shows the sentences and no value (nbgrader would read a
    value as partial credit). ``module`` defaults to the one this notebook runs in.
    """
    for line in completion_report(module, folder):
        print(line)


def completion_report(module: Module | None = None, folder: str | Path | None = None) -> list[str]:
    """One sentence per required form of the module, saying it is complete; raises
    IncompleteError at the first that is not."""
    module = module or Module.here()
    lines = []
    for form in module.forms:
        if not form.required:
            continue
        if form.kind == "instrument":
            result = check_completion(module, form.id, folder)
            instrument = module.instrument(form.id)
            # "did not happen" is an answer: the item is done, and said apart
            skipped = (f", {len(result.not_applicable)} of them as did not happen"
                       if result.not_applicable else "")
            lines.append(f"Done: your answers to \u201c{instrument.title}\u201d are saved, all "
                         f"{len(instrument.items)} items answered{skipped}.")
        elif form.kind == "questions":
            qset = module.questions(form.id)
            answers = check_questions(module, form.id, folder)
            lines.append(f"Done: your answers to \u201c{qset.title}\u201d are saved, all "
                         f"{len(answers)} questions answered.")
        else:
            plan = check_plan(folder, module)
            when = f"; you will review it on {plan.review:%d %B %Y}" if plan.review else ""
            lines.append(f"Done: your practice plan is saved with all {len(PLAN_PARTS)} parts{when}.")
    return lines


def check_completion(module: Module, instrument: str | None = None,
                     folder: str | Path | None = None) -> Score:
    """Assert that one of the module's instruments is saved and fully answered.

    An item answered "did not happen" is answered. Returns the score.
    ``folder`` defaults to where the notebook runs (the student's assignment
    folder).
    """
    definition = module.instrument(instrument)
    store = _store(module, folder)
    saved = _saved(store, "answers",
                   "Open the module, answer the self-assessment again and press Save answers.")
    if saved is None or definition.id not in saved.instruments:
        raise IncompleteError(
            f"No saved answers to the {definition.title!r} self-assessment were found "
            f"(looked for {store.path.name} in {store.folder}). Answer it above, press "
            "Save answers, and check that it says Saved before you submit."
        )
    result = score(definition, saved.answers(definition.id))
    if not result.complete:
        numbers = [str(n) for n, item in enumerate(definition.items, 1)
                   if item.id in result.missing]
        raise IncompleteError(
            f"{len(numbers)} of {len(definition.items)} self-assessment items are not answered "
            f"yet (items {', '.join(numbers)}). Answer them and press Save answers."
        )
    return result


def check_questions(module: Module, questions: str | None = None,
                    folder: str | Path | None = None) -> dict[str, int]:
    """Assert that every question of one of the module's question sets is answered and saved.

    Returns the saved answers.
    """
    qset = module.questions(questions)
    store = _store(module, folder)
    saved = _saved(store, "answers", "Answer the questions again and press Save answers.")
    answers = saved.numbers(qset.id) if saved else {}
    missing = [str(n) for n, q in enumerate(qset.questions, 1) if q.id not in answers]
    if not answers:
        raise IncompleteError(
            f"No saved answers to {qset.title!r} were found (looked for {store.path.name} in "
            f"{store.folder}). Answer the questions, press Save answers, and check that it says Saved."
        )
    if missing:
        raise IncompleteError(
            f"{len(missing)} of {len(qset.questions)} questions are not answered yet "
            f"(questions {', '.join(missing)}). Answer them and press Save answers."
        )
    return answers


def check_plan(folder: str | Path | None = None, module: Module | None = None) -> Plan:
    """Assert that the portfolio's practice plan is saved with all four parts.

    Returns the plan. ``folder`` defaults to the portfolio's folder, by the
    rule of ``ResponseStore.here``; ``module`` to the portfolio this runs in.
    """
    if folder is not None:
        store = ResponseStore(folder, module.id if module else PORTFOLIO)
    else:
        store = ResponseStore.here((module or Module.here()).id)
    saved = _saved(store, "plan", "Run the plan form again, write the plan and press Save answers.")
    plan = plan_from(saved)
    if not any(plan.parts().values()):
        raise IncompleteError(
            f"No saved practice plan was found (looked for {store.path.name} in {store.folder}). "
            "Write it in the plan form, press Save answers, and check that it says Saved."
        )
    if plan.missing:
        names = [f"{PLAN_PARTS.index(part) + 1} ({part.label.lower()})" for part in plan.missing]
        raise IncompleteError(
            f"{len(names)} of {len(PLAN_PARTS)} parts of your plan are not written yet "
            f"(part {', '.join(names)}). Write them and press Save answers."
        )
    return plan
