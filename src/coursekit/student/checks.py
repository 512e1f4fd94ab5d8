"""What autograder test cells call.

These run inside nbgrader's autograde, with the student's autograded
assignment folder as the working directory, where ``nbgrader submit`` carried
the saved answers. A failed check raises ``IncompleteError`` (an
AssertionError, so nbgrader gives the cell no points) with a message the
student reads in their feedback.
"""

from __future__ import annotations

from pathlib import Path

from coursekit.content.instruments import Score, load_instrument, score
from coursekit.errors import CoursekitError, ResponseFileError
from coursekit.student.portfolio import PLAN_PARTS, PORTFOLIO, Plan, plan_from
from coursekit.student.responses import Responses, ResponseStore, read_responses


class IncompleteError(CoursekitError, AssertionError):
    """A required part of a module is not done; the message says what is missing."""


def _saved(module: str, folder: str | Path | None, what: str,
           redo: str) -> tuple[ResponseStore, Responses | None]:
    """The module's store and what it holds; an unreadable file fails with what to do."""
    store = ResponseStore(folder, module) if folder is not None else ResponseStore.here(module)
    try:
        return store, read_responses(store.path, module)
    except ResponseFileError as exc:
        raise IncompleteError(f"Your saved {what} could not be read: {exc} {redo}") from None


def check_completion(
    module: str, instrument: str | None = None, folder: str | Path | None = None
) -> Score:
    """Assert that the module's self-assessment is saved and fully answered.

    Returns the score so the cell can show it. ``folder`` defaults to where
    the notebook runs (the student's assignment folder).
    """
    definition = load_instrument(instrument or module)
    store, saved = _saved(module, folder, "answers",
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


def check_questions(module: str, questions: str, folder: str | Path | None = None) -> dict[str, int]:
    """Assert that every question of a numeric question set is answered and saved.

    Returns the saved answers so the cell can show them.
    """
    from coursekit.content.questions import load_questions

    qset = load_questions(questions)
    store, saved = _saved(module, folder, "answers",
                          "Answer the questions again and press Save answers.")
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


def check_plan(folder: str | Path | None = None) -> Plan:
    """Assert that the portfolio's practice plan is saved with all four parts.

    Returns the plan so the cell can show it. ``folder`` defaults to the
    portfolio's folder, by the rule of ``ResponseStore.here``.
    """
    store, saved = _saved(PORTFOLIO, folder, "plan",
                          "Run the plan form again, write the plan and press Save answers.")
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
