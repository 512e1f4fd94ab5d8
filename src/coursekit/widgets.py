"""ipywidgets front ends: show an instrument, save the answers to the store.

The form holds no scoring or storage logic: it reads and writes through
``coursekit.responses.ResponseStore`` and validates through
``coursekit.instruments``. What the student saw as saved is on disk.

Keyboard use: each item is a group of native radio buttons (Tab moves between
items, the arrow keys choose an answer), and the Save button takes Enter or
Space.
"""

from __future__ import annotations

import html
from datetime import datetime

import ipywidgets as widgets

from coursekit.errors import AnswerError, StoreError
from coursekit.instruments import Instrument, load_instrument
from coursekit.responses import Responses, ResponseStore

WARNING_COLOUR = "#D55E00"  # Okabe-Ito vermillion; never the only cue
OK_COLOUR = "#009E73"  # Okabe-Ito bluish green


class InstrumentForm(widgets.VBox):
    """A labelled form for one instrument, saving to a response store.

    >>> form = InstrumentForm(load_instrument("alliance"), ResponseStore.here("alliance"))
    >>> form  # in a notebook: shows the form   # doctest: +SKIP
    """

    def __init__(self, instrument: Instrument, store: ResponseStore):
        self.instrument = instrument
        self.store = store
        saved = store.load()
        answers = saved.answers(instrument.id)

        self.controls: dict[str, widgets.RadioButtons] = {}
        rows: list[widgets.Widget] = []
        options = [(instrument.scale.label(v), v) for v in instrument.scale.points]
        for number, item in enumerate(instrument.items, 1):
            control = widgets.RadioButtons(
                options=options,
                value=answers.get(item.id),
                orientation="horizontal",
                description=f"{number}.",
                tooltip=item.text,
                layout=widgets.Layout(width="auto"),
            )
            control.observe(self._on_change, names="value")
            self.controls[item.id] = control
            label = f"<b>{number}.</b> {html.escape(item.text)}"
            if item.anchors:
                low, high = (html.escape(a) for a in item.anchors)
                label += f"<br><small>{instrument.scale.min} = {low}; {instrument.scale.max} = {high}</small>"
            rows.append(widgets.VBox([widgets.HTML(label), control],
                                     layout=widgets.Layout(margin="0 0 8px 0")))

        self.save_button = widgets.Button(
            description="Save answers",
            button_style="primary",
            icon="save",
            tooltip="Save your answers into this assignment folder",
        )
        self.save_button.on_click(lambda _button: self.save())
        self.status = widgets.HTML()
        self.message = widgets.HTML()
        header = widgets.HTML(
            f"<h3>{html.escape(instrument.title)}</h3><p>{html.escape(instrument.instructions)}</p>"
        )
        super().__init__([header, *rows, widgets.HBox([self.save_button, self.status]),
                          self.message])
        self._saved = dict(answers)
        self._show_saved(saved)
        if store.notice:
            self._warn(store.notice)

    def answers(self) -> dict[str, int]:
        """The answers currently selected in the form (unanswered items left out)."""
        return {key: c.value for key, c in self.controls.items() if c.value is not None}

    @property
    def dirty(self) -> bool:
        return self.answers() != self._saved

    def save(self) -> bool:
        """Save the selected answers; True when they are safely on disk."""
        try:
            saved = self.store.save_answers(self.instrument, self.answers())
        except (StoreError, AnswerError) as exc:
            self._warn(str(exc))
            self.status.value = self._badge("Not saved", WARNING_COLOUR)
            return False
        self._saved = saved.answers(self.instrument.id)
        self.message.value = ""
        self._show_saved(saved)
        return True

    # --- display -----------------------------------------------------------

    def _on_change(self, _change: object) -> None:
        if self.dirty:
            self.status.value = self._badge(
                "Unsaved changes: press Save answers to keep them", WARNING_COLOUR
            )
        else:
            self._show_saved(None)

    def _show_saved(self, saved: Responses | None) -> None:
        n_items = len(self.instrument.items)
        n_saved = len(self._saved)
        if n_saved == 0:
            self.status.value = self._badge("Nothing saved yet", WARNING_COLOUR)
            return
        when = ""
        entry = saved.instruments.get(self.instrument.id) if saved else None
        if entry and entry.saved_at:
            stamp = datetime.fromisoformat(entry.saved_at).astimezone()
            when = f" at {stamp:%H:%M} on {stamp:%d %b}"
        text = f"Saved{when}: {n_saved} of {n_items} items answered"
        missing = [str(n) for n, item in enumerate(self.instrument.items, 1)
                   if item.id not in self._saved]
        if missing:
            text += f" (still open: {', '.join(missing)})"
        self.status.value = self._badge(text, OK_COLOUR if not missing else WARNING_COLOUR)

    def _warn(self, text: str) -> None:
        self.message.value = (
            f'<div role="alert" style="border-left: 4px solid {WARNING_COLOUR}; '
            f'padding: 4px 8px;"><b>Warning:</b> {html.escape(text)}</div>'
        )

    @staticmethod
    def _badge(text: str, colour: str) -> str:
        return f'<span style="color: {colour}; font-weight: bold;">{html.escape(text)}</span>'


def assess(module: str, instrument: str | None = None) -> InstrumentForm:
    """The form for a module's instrument, saving next to the notebook.

    >>> assess("alliance")   # in the alliance notebook   # doctest: +SKIP
    """
    return InstrumentForm(load_instrument(instrument or module), ResponseStore.here(module))
