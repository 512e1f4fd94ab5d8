"""ipywidgets front ends: show an instrument or a set of questions, save to the store.

The forms hold no scoring or storage logic: they read and write through
``coursekit.student.responses.ResponseStore`` and validate through the data modules.
What the student saw as saved is on disk.

The controls are coursekit's own (``coursekit.student.widgets_front``), built
for keyboards and screen readers. Each rating item is one radio group named by
its statement (an item about something that may not have happened has one more
option, labelled with its "did not happen" text, in the same group): Tab moves
from item to item, the arrow keys move the answer within an item, Space chooses
the option in focus. Text boxes are labelled by their question and take typing;
the Save button takes Enter or Space. "Saved", "Unsaved changes" and errors are
announced. Where widgets cannot be drawn, a form shows as text (``as_text``).
"""

from __future__ import annotations

import html
from datetime import datetime
from pathlib import Path
from typing import Any

import ipywidgets as widgets

from coursekit.content.instruments import NOT_APPLICABLE, Answer, Instrument, Item, validate_own_answer
from coursekit.content.manifest import Module
from coursekit.content.questions import QuestionSet
from coursekit.errors import AnswerError, StoreError, UncheckedIdentifiersError
from coursekit.palette import WARNING_TEXT
from coursekit.student.export import export_html, flags_html
from coursekit.student.portfolio import (
    PLAN_PARTS,
    PORTFOLIO,
    gather,
    parse_review_date,
    plan_from,
    save_plan_part_way,
)
from coursekit.student.responses import Responses, ResponseStore
from coursekit.student.widgets_front import ChoiceGroup, FrontControl, LiveRegion, PushButton, TextEntry

# The status tones, coloured by widgets_front.css with palette.WARNING_TEXT and OK_TEXT
# (at least 4.5:1 on the notebook's background); the words always say it too.
WARN, OK = "warn", "ok"


class SavingForm(widgets.VBox):  # type: ignore[misc]  # ipywidgets is untyped
    """What every form shares: a Save button, a saved/unsaved status, an error line.

    Subclasses build ``self.controls`` (one widget per answer, value None when
    unanswered) and implement ``_saved_answers`` and ``_store_answers``.
    """

    noun = "items"

    def __init__(self, title: str, instructions: str, rows: list[widgets.Widget],
                 store: ResponseStore, saved: Responses):
        self.store = store
        self.title, self.instructions = title, instructions
        self.save_button = PushButton("Save answers",
                                      tooltip="Save your answers into this assignment folder")
        self.save_button.on_click(lambda _button: self.save())
        self.status = LiveRegion("status")  # Saved / Unsaved changes, announced politely
        self.message = LiveRegion("alert")  # errors, announced at once
        header = widgets.HTML(f"<h3>{html.escape(title)}</h3><p>{html.escape(instructions)}</p>")
        footer = widgets.HBox([self.save_button, self.status],
                              layout=widgets.Layout(align_items="center", grid_gap="12px"))
        super().__init__([header, *rows, footer, self.message])
        for control in self.controls.values():
            control.observe(self._on_change, names="value")
        self._saved = self._saved_answers(saved)
        self._show_saved(saved)
        self._show_store_notice()

    controls: dict[str, Any]

    def _saved_answers(self, saved: Responses) -> dict[str, Any]:
        raise NotImplementedError

    def _store_answers(self, answers: dict[str, Any]) -> Responses:
        raise NotImplementedError

    def _saved_at(self, saved: Responses) -> str:
        return saved.saved_at or ""

    def answers(self) -> dict[str, Any]:
        """The answers currently in the form (unanswered ones left out).

        Raises AnswerError when a control holds something that is no answer.
        """
        values = {key: self._value(key, c) for key, c in self.controls.items()}
        return {key: v for key, v in values.items() if v is not None}

    def _value(self, key: str, control: Any) -> Any:
        return control.value

    @property
    def dirty(self) -> bool:
        try:
            return self.answers() != self._saved
        except AnswerError:
            return True

    def save(self) -> bool:
        """Save the answers in the form; True when they are safely on disk."""
        try:
            saved = self._store_answers(self.answers())
        except (StoreError, AnswerError) as exc:
            self._warn(str(exc))  # says everything the store's notice would
            self.store.notice = None
            self.status.show("Not saved", tone=WARN)
            return False
        self._saved = self._saved_answers(saved)
        self.message.clear()
        self._show_saved(saved)
        self._show_store_notice()  # e.g. a damaged file found and set aside during this save
        return True

    def _show_store_notice(self) -> None:
        if self.store.notice:
            self._warn(self.store.notice)
            self.store.notice = None

    def _on_change(self, _change: object) -> None:
        if self.dirty:
            self.status.show("Unsaved changes: press Save answers to keep them", tone=WARN)
        else:
            self._show_saved(None)

    def _show_saved(self, saved: Responses | None) -> None:
        keys = list(self.controls)
        if not self._saved:
            self.status.show("Nothing saved yet", tone=WARN)
            return
        when = ""
        stamp_text = self._saved_at(saved) if saved else ""
        if stamp_text:
            stamp = datetime.fromisoformat(stamp_text).astimezone()
            when = f" at {stamp:%H:%M} on {stamp:%d %b}"
        text = f"Saved{when}: {len(self._saved)} of {len(keys)} {self.noun} answered"
        skipped = sum(1 for value in self._saved.values() if value is NOT_APPLICABLE)
        if skipped:
            text += f", {skipped} of them as did not happen"
        missing = [str(n) for n, key in enumerate(keys, 1) if key not in self._saved]
        if missing:
            text += f" (still open: {', '.join(missing)})"
        self.status.show(text, tone=OK if not missing else WARN)

    def _warn(self, text: str) -> None:
        self.message.show(text, lead="Warning:")

    def as_text(self) -> str:
        """The form as plain text: what a front end without widgets shows instead."""
        lines = [self.title, self.instructions, ""]
        lines += [control.as_text() for control in self._front_controls()]
        lines += ["", self.status.as_text()]
        if self.message.value:
            lines.append(self.message.as_text())
        lines.append("(The form itself needs JupyterLab with its widgets; run this cell there to answer.)")
        return "\n".join(lines)

    def _front_controls(self) -> list[FrontControl]:
        return [c for c in self.controls.values() if isinstance(c, FrontControl)]

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        # The widget for JupyterLab, and the form as text (not the widget's repr) for
        # front ends that cannot draw it: nbconvert, a static viewer, a broken extension.
        bundle = super()._repr_mimebundle_(**kwargs)
        if isinstance(bundle, dict):
            bundle["text/plain"] = self.as_text()
        return bundle


OWN_ITEM_NOTE = ("In a word or two: name a feeling, not a person. It stays in your own answers "
                 "file and never appears in class reports.")


class InstrumentForm(SavingForm):
    """A labelled rating form for one instrument, saving to a response store.

    When the instrument has an own item, the form ends with a text box for the
    student's own word and a rating for it (``own_name``, ``own_rating``),
    saved in the same write as the items.

    >>> form = InstrumentForm(Module.here().instrument("alliance"),   # doctest: +SKIP
    ...                       ResponseStore.here("alliance"))
    """

    own_name: TextEntry | None = None
    own_rating: ChoiceGroup | None = None

    def __init__(self, instrument: Instrument, store: ResponseStore):
        self.instrument = instrument
        saved = store.load()
        answers = saved.answers(instrument.id)
        options: list[tuple[str, Answer]] = [(instrument.scale.label(v), v)
                                             for v in instrument.scale.points]
        self.controls = {}
        rows: list[widgets.Widget] = []
        for number, item in enumerate(instrument.items, 1):
            control = self._item_control(item, f"{number}.", options, answers.get(item.id))
            self.controls[item.id] = control
            rows.append(control)
        own = instrument.own_item
        if own is not None:
            number = len(instrument.items) + 1
            mine = saved.own_answer(instrument) or {}
            self.own_name = TextEntry(
                text=own.text, number=f"{number}.", optional=True, help=OWN_ITEM_NOTE,
                value=mine.get("name", ""), placeholder=own.placeholder, width="24em")
            self.own_rating = ChoiceGroup(
                options=options, value=mine.get("rating"),
                text=f"Your rating for item {number}, your own word")
            rows += [self.own_name, self.own_rating]
        super().__init__(instrument.title, instrument.instructions, rows, store, saved)
        for extra in (self.own_name, self.own_rating):
            if extra is not None:
                extra.observe(self._on_change, names="value")

    def _item_control(self, item: Item, number: str, options: list[tuple[str, Answer]],
                      value: Answer | None) -> ChoiceGroup:
        # "did not happen" is one more option of the item's own group, labelled with its
        # text, so it is chosen, read out and saved like any answer
        choices = [*options, (item.not_applicable, NOT_APPLICABLE)] if item.not_applicable else options
        extra_from = len(options) if item.not_applicable else None
        if not item.anchors:
            return ChoiceGroup(options=choices, value=value, text=item.text, number=number,
                               extra_from=extra_from)
        # A pair of statements: one at each end of the row, the numbers between them; the
        # end and middle points say in words what they mean (as the instructions do).
        scale = self.instrument.scale
        meaning = {scale.min: "the first statement, completely",
                   scale.max: "the second statement, completely"}
        if (scale.min + scale.max) % 2 == 0:
            meaning[(scale.min + scale.max) // 2] = "both equally"
        names = [f"{label}: {meaning[v]}" if isinstance(v, int) and v in meaning else ""
                 for label, v in choices]
        return ChoiceGroup(options=choices, value=value, text=item.text, number=number,
                           poles=item.anchors, names=names, extra_from=extra_from)

    def own_answer(self) -> dict[str, Any] | None:
        """The own item as it stands in the form (None if empty); AnswerError if half-done."""
        if self.own_name is None or self.own_rating is None:
            return None
        return validate_own_answer(self.instrument, self.own_name.value, self.own_rating.value)

    @property
    def dirty(self) -> bool:
        if super().dirty:
            return True
        if self.own_name is None:
            return False
        try:
            return self.own_answer() != self._saved_own
        except AnswerError:
            return True

    def _saved_answers(self, saved: Responses) -> dict[str, Any]:
        self._saved_own = saved.own_answer(self.instrument)
        return saved.answers(self.instrument.id)

    def _show_saved(self, saved: Responses | None) -> None:
        if not self._saved and self._saved_own:  # only the own word is saved so far
            self.status.show(f"Saved: your own word only; 0 of {len(self.controls)} {self.noun} answered",
                             tone=WARN)
            return
        super()._show_saved(saved)

    def _store_answers(self, answers: dict[str, Any]) -> Responses:
        own = self.instrument.own_item
        values = {own.id: self.own_answer()} if own is not None else None
        return self.store.save_answers(self.instrument, answers, values=values)

    def _saved_at(self, saved: Responses) -> str:
        entry = saved.instruments.get(self.instrument.id)
        return entry.saved_at if entry else ""

    def _front_controls(self) -> list[FrontControl]:
        return [*super()._front_controls(), *(c for c in (self.own_name, self.own_rating) if c is not None)]


class QuestionForm(SavingForm):
    """Number boxes for a set of numeric questions (predictions, inventories).

    A box left empty is unanswered; a number outside the question's range is
    refused with a message and nothing is saved.
    """

    noun = "questions"

    def __init__(self, qset: QuestionSet, store: ResponseStore):
        self.qset = qset
        saved = store.load()
        answers = saved.numbers(qset.id)
        self.controls = {}
        rows: list[widgets.Widget] = []
        for number, q in enumerate(qset.questions, 1):
            # A text box, not IntText: an empty box must mean "not answered"
            # (IntText makes it 0), and a bounded box would silently clamp what
            # was typed; out-of-range or non-numbers get a message instead.
            saved_value = answers.get(q.id)
            unit = f"{q.min} to {q.max} {q.unit}".rstrip()
            control = TextEntry(
                text=q.text, number=f"{number}.", help=f"A whole number, {unit}.",
                value="" if saved_value is None else str(saved_value),
                placeholder=f"{q.min} to {q.max}", inputmode="numeric", width="14em")
            self.controls[q.id] = control
            rows.append(control)
        super().__init__(qset.title, qset.instructions, rows, store, saved)

    def _value(self, key: str, control: Any) -> int | None:
        text = str(control.value).strip()
        control.error = ""
        if not text:
            return None
        try:
            return int(text)
        except ValueError:
            # said under the box too, which is then marked invalid for screen readers
            control.error = "Not a whole number: type digits only, or leave the box empty."
            number = list(self.controls).index(key) + 1
            raise AnswerError(f"Question {number}: '{text}' is not a whole number; "
                              "type digits only, or leave the box empty.") from None

    def _saved_answers(self, saved: Responses) -> dict[str, Any]:
        return saved.numbers(self.qset.id)

    def _store_answers(self, answers: dict[str, Any]) -> Responses:
        return self.store.save_numbers(self.qset, answers)


def assess(form: str, *, module: Module | None = None) -> InstrumentForm:
    """The rating form for one of the module's instruments, saving next to the notebook.

    ``module`` defaults to the module whose folder the notebook runs in.

    >>> assess("alliance")   # in the alliance notebook   # doctest: +SKIP
    """
    module = module or Module.here()
    return InstrumentForm(module.instrument(form), ResponseStore.here(module.id))


def ask(form: str, *, module: Module | None = None) -> QuestionForm:
    """The number form for one of the module's question sets, saving next to the notebook.

    >>> ask("breakthroughs_prediction")   # doctest: +SKIP
    """
    module = module or Module.here()
    return QuestionForm(module.questions(form), ResponseStore.here(module.id))


class PlanForm(SavingForm):
    """The deliberate-practice plan: three short texts and a review date.

    A part left empty is unwritten (the plan may be saved part-way); a part
    that cannot be saved (a review date that is not a real date) is refused
    with a message, keeping what was saved of it before, and the other parts
    are saved. The texts stay in the student's own answers file.
    """

    noun = "parts of the plan"
    _refused: dict[str, str]  # the parts the last save refused, with why

    def __init__(self, store: ResponseStore):
        saved = store.load()
        plan = plan_from(saved)
        self.controls = {}
        rows: list[widgets.Widget] = []
        for number, part in enumerate(PLAN_PARTS, 1):
            value = getattr(plan, part.id)
            if part.id == "review_date":
                control = TextEntry(text=part.label, number=f"{number}.", help=part.prompt, value=value,
                                    placeholder="YYYY-MM-DD", width="16em")
                control.observe(self._check_date, names="value")
            else:
                control = TextEntry(text=part.label, number=f"{number}.", help=part.prompt, value=value,
                                    multiline=True, rows=3)
            self.controls[part.id] = control
            rows.append(control)
        super().__init__("My deliberate-practice plan",
                         "Write each part in a sentence or two, then press Save answers. You can "
                         "save part-way and come back; all four parts count for completion.",
                         rows, store, saved)

    def _value(self, key: str, control: Any) -> Any:
        text = str(control.value).strip()
        if not text:
            return None
        if key == "review_date":
            try:
                return parse_review_date(text).isoformat()
            except AnswerError:
                return text  # saving refuses this part alone, and says why
        return text

    def _check_date(self, change: Any) -> None:
        # Said at once when a whole date has been typed, not at every keystroke.
        text = str(change["new"]).strip()
        box = change["owner"]
        try:
            if len(text) >= 10:
                parse_review_date(text)
        except AnswerError as exc:
            self._warn(str(exc))
            box.error = "Not a real date yet: see the warning under the form."  # and marked invalid
            return
        box.error = ""
        if "Review date" in self.message.value:
            self.message.clear()

    def _saved_answers(self, saved: Responses) -> dict[str, Any]:
        return {key: value for key, value in plan_from(saved).parts().items() if value}

    def _store_answers(self, answers: dict[str, Any]) -> Responses:
        saved, self._refused = save_plan_part_way(self.store, answers)
        return saved

    def save(self) -> bool:
        self._refused = {}
        if not super().save():
            return False
        if self._refused:
            kept = [part.label.lower() for part in PLAN_PARTS
                    if part.id in self._refused and part.id in self._saved]
            self._warn(" ".join(self._refused.values()) + " The other parts are saved"
                       + (f"; the {', '.join(kept)} saved before is kept" if kept else "")
                       + ". Correct it and press Save answers again.")
        return True


def plan_form(*, module: Module | None = None) -> PlanForm:
    """The practice-plan form, saving in the portfolio's folder.

    >>> plan_form()   # in the portfolio notebook   # doctest: +SKIP
    """
    return PlanForm(ResponseStore.here((module or Module.here()).id))


class ExportPanel(widgets.VBox):  # type: ignore[misc]  # ipywidgets is untyped
    """A button that saves the portfolio as one web page the student keeps.

    Nothing is written until the button is pressed, so running the notebook
    (nbval, nbgrader validate, autograde) never leaves a copy behind. Each
    press gathers the answers afresh, so the copy has the latest plan, and runs
    the privacy check on what the copy would hold: when it finds something, the
    findings are listed and nothing is written until the student fixes them and
    presses again, or presses the second button, "I have checked; save anyway".
    ``base`` and ``here`` are passed to ``coursekit.student.portfolio.gather``.
    """

    def __init__(self, *, include_reflections: bool = True, base: str | Path | None = None,
                 here: str | Path | None = None):
        self.base, self.here = base, here
        self.include_reflections = widgets.Checkbox(
            value=include_reflections, description="Include the text of my reflections",
            indent=False)
        self.button = PushButton("Save my portfolio",
                                 tooltip="Write my-practice-portfolio.html into this folder")
        self.button.on_click(lambda _button: self.export())
        # shown only after the privacy check found something
        self.anyway = PushButton("I have checked; save anyway",
                                 tooltip="Write the copy with the findings listed below as they are")
        self.anyway.layout.display = "none"
        self.anyway.on_click(lambda _button: self.export(checked=True))
        self.status = LiveRegion("status")
        self.message = LiveRegion("alert")
        self.findings = widgets.HTML()  # the list the alert points to: each finding and the ways on
        super().__init__([self.include_reflections, widgets.HBox([self.button, self.anyway]),
                          self.status, self.message, self.findings])

    def export(self, checked: bool = False) -> Path | None:
        """Write the page; return its path, or None (with a message) when the privacy check
        found something not yet checked, or the page could not be written."""
        from coursekit.student.plots import portfolio_profile

        mine = gather(self.base, here=self.here)
        try:
            path = export_html(mine, portfolio_profile(mine), checked=checked,
                               include_reflections=bool(self.include_reflections.value))
        except UncheckedIdentifiersError as exc:
            self.anyway.layout.display = None
            found = len(exc.findings)
            self.status.show("Not saved yet", tone=WARN)
            self.message.show(
                f"the privacy check found {found} possible client identifier{'s' * (found != 1)} "
                "in what your copy would hold. Each is listed below, with what to do.",
                lead="Not saved yet:")
            self.findings.value = (
                f'<div style="border-left: 4px solid {WARNING_TEXT}; padding: 4px 8px;">'
                f'{flags_html(exc.findings, mine.here / f"{PORTFOLIO}.ipynb")}</div>')
            return None
        except StoreError as exc:
            self.status.show("Not saved", tone=WARN)
            self.message.show(str(exc), lead="Not saved:")
            return None
        self.anyway.layout.display = "none"
        self.findings.value = ""
        plan = "complete" if mine.plan.complete else f"{len(mine.plan.missing)} part(s) still open"
        with_text = "with" if self.include_reflections.value else "without"
        self.message.clear()
        self.status.show(
            f"Saved at {datetime.now():%H:%M}: {path}", tone=OK,
            detail=(f"{len(mine.done)} of {len(mine.modules)} modules done; plan {plan}; {with_text} "
                    "your reflections. Readable only by you; nothing was sent anywhere."))
        return path


def export_portfolio(include_reflections: bool = True) -> ExportPanel:
    """The button that saves the portfolio page next to the notebook.

    >>> export_portfolio()   # in the portfolio notebook   # doctest: +SKIP
    """
    return ExportPanel(include_reflections=include_reflections)
