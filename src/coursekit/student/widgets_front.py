"""The forms' controls, drawn by a small front end of our own (widgets_front.js and .css).

ipywidgets' own radio buttons have no shared name and no group: a screen reader
hears "1", "2"... with nothing tying them to the statement, every option is a Tab
stop of its own, and JupyterLab's notebook shortcuts take the arrow keys. These
controls are anywidget widgets whose browser side is plain HTML (no build step):
each rating item is a ``role="radiogroup"`` of native radio buttons sharing one
name, named by its statement, so that Tab reaches the item once, the arrow keys
move the answer within it, and JupyterLab is told to leave those keys alone. Text
boxes are labelled by their question, and the status and error lines are live
regions that screen readers announce.

Python holds every value and all the logic: ``.value`` is read and set as on an
ipywidgets control, and ``observe(..., names="value")`` works, so a form can be
driven and tested without a browser. Each control has a plain-text form
(``as_text``) for front ends that cannot draw widgets.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import anywidget
import traitlets

_HERE = Path(__file__).parent


class FrontControl(anywidget.AnyWidget):
    """What every control shares: one ES module and one stylesheet, a ``kind`` that picks the drawing."""

    _esm = _HERE / "widgets_front.js"
    _css = _HERE / "widgets_front.css"
    kind = traitlets.Unicode("").tag(sync=True)

    def as_text(self) -> str:
        raise NotImplementedError


class ChoiceGroup(FrontControl):
    """One rating item: a group of radio buttons named by the item's statement.

    ``options`` are (label, value) pairs as for ``ipywidgets.RadioButtons``; ``value``
    is the chosen one's value or None. ``poles`` (two statements) are shown at either
    end of the row, for a bipolar item; ``names`` give an option a longer accessible
    name than its visible label (it must contain the label). Options from
    ``extra_from`` on (a "did not happen" choice) are drawn apart from the points,
    in the same group.
    """

    number = traitlets.Unicode("").tag(sync=True)
    text = traitlets.Unicode("").tag(sync=True)
    help = traitlets.Unicode("").tag(sync=True)
    optional = traitlets.Bool(False).tag(sync=True)
    labels = traitlets.List(traitlets.Unicode()).tag(sync=True)
    names = traitlets.List(traitlets.Unicode()).tag(sync=True)
    poles = traitlets.List(traitlets.Unicode()).tag(sync=True)
    extra_from = traitlets.Int(-1).tag(sync=True)
    index = traitlets.Int(None, allow_none=True).tag(sync=True)  # what the browser sees and sets
    value = traitlets.Any(None)  # what Python reads and sets

    def __init__(self, *, options: Sequence[tuple[str, Any]], value: Any = None, text: str,
                 number: str = "", help: str = "", poles: Sequence[str] = (),
                 names: Sequence[str] = (), extra_from: int | None = None, optional: bool = False):
        self._options = tuple((str(label), choice) for label, choice in options)
        if names and any(name and label not in name
                         for (label, _v), name in zip(self._options, names, strict=True)):
            raise ValueError("an option's accessible name must contain its visible label")
        super().__init__(kind="choice", number=number, text=text, help=help, optional=optional,
                         labels=[label for label, _v in self._options], names=list(names),
                         poles=list(poles), extra_from=-1 if extra_from is None else extra_from)
        self.value = value

    @property
    def options(self) -> tuple[tuple[str, Any], ...]:
        return self._options

    def _index_of(self, value: Any) -> int | None:
        if value is None:
            return None
        for index, (_label, choice) in enumerate(self._options):
            # `is` first: the "did not happen" marker is compared by identity, and 1 == True
            if choice is value or (type(choice) is type(value) and choice == value):
                return index
        raise traitlets.TraitError(f"{value!r} is not one of the choices of '{self.text}': "
                                   f"{[choice for _l, choice in self._options]}")

    @traitlets.validate("value")
    def _valid_value(self, proposal: dict[str, Any]) -> Any:
        self._index_of(proposal["value"])
        return proposal["value"]

    @traitlets.observe("value")
    def _value_to_index(self, change: dict[str, Any]) -> None:
        index = self._index_of(change["new"])
        if self.index != index:
            self.index = index

    @traitlets.observe("index")
    def _index_to_value(self, change: dict[str, Any]) -> None:
        index = change["new"]
        if index is not None and not 0 <= index < len(self._options):
            self.index = self._index_of(self.value)  # a stale browser: put its view right
            return
        value = None if index is None else self._options[index][1]
        if self._index_of(self.value) != index:
            self.value = value

    @property
    def label(self) -> str | None:
        """The label of the chosen option (None when nothing is chosen)."""
        return None if self.index is None else self._options[self.index][0]

    def as_text(self) -> str:
        chosen = self.label if self.label is not None else "(not answered)"
        return f"{self.number} {self.text}: {chosen}".strip()


class TextEntry(FrontControl):
    """A text box (``multiline``: a text area) whose label is its question.

    ``error`` is shown under the box and marks it invalid for screen readers
    until it is cleared.
    """

    number = traitlets.Unicode("").tag(sync=True)
    text = traitlets.Unicode("").tag(sync=True)
    help = traitlets.Unicode("").tag(sync=True)
    optional = traitlets.Bool(False).tag(sync=True)
    value = traitlets.Unicode("").tag(sync=True)
    placeholder = traitlets.Unicode("").tag(sync=True)
    multiline = traitlets.Bool(False).tag(sync=True)
    rows = traitlets.Int(3).tag(sync=True)
    width = traitlets.Unicode("").tag(sync=True)
    inputmode = traitlets.Unicode("").tag(sync=True)
    error = traitlets.Unicode("").tag(sync=True)

    def __init__(self, *, text: str, value: str = "", number: str = "", **kwargs: Any):
        super().__init__(kind="text", text=text, value=value, number=number, **kwargs)

    def as_text(self) -> str:
        shown = self.value.strip() or "(empty)"
        return f"{self.number} {self.text}: {shown}".strip()


class LiveRegion(FrontControl):
    """A line that screen readers announce when its text changes.

    ``kind`` is "status" (polite: Saved, Unsaved changes) or "alert" (assertive:
    an error). ``tone`` ("ok" or "warn") colours a status; ``lead`` is a bold first
    word ("Warning:"), ``detail`` a second, smaller line.
    """

    value = traitlets.Unicode("").tag(sync=True)
    tone = traitlets.Unicode("").tag(sync=True)
    lead = traitlets.Unicode("").tag(sync=True)
    detail = traitlets.Unicode("").tag(sync=True)

    def __init__(self, kind: str = "status"):
        if kind not in ("status", "alert"):
            raise ValueError(f"a live region is a 'status' or an 'alert', not {kind!r}")
        super().__init__(kind=kind)

    def show(self, text: str, *, tone: str = "", lead: str = "", detail: str = "") -> None:
        # the text last, in one hold, so the front end redraws (and announces) once
        with self.hold_sync():
            self.tone, self.lead, self.detail, self.value = tone, lead, detail, text

    def clear(self) -> None:
        self.show("")

    def as_text(self) -> str:
        return " ".join(part for part in (self.lead, self.value, self.detail) if part)


class PushButton(FrontControl):
    """A native button; ``on_click`` and ``click()`` as on ``ipywidgets.Button``."""

    label = traitlets.Unicode("").tag(sync=True)
    hint = traitlets.Unicode("").tag(sync=True)  # shown on hover (not DOMWidget.tooltip)
    disabled = traitlets.Bool(False).tag(sync=True)

    def __init__(self, label: str, *, tooltip: str = ""):
        super().__init__(kind="button", label=label, hint=tooltip)
        self._handlers: list[Callable[[PushButton], Any]] = []
        self.on_msg(self._on_front_message)

    def on_click(self, handler: Callable[[PushButton], Any]) -> None:
        self._handlers.append(handler)

    def click(self) -> None:
        for handler in self._handlers:
            handler(self)

    def _on_front_message(self, _widget: Any, content: Any, _buffers: Any) -> None:
        if isinstance(content, dict) and content.get("event") == "click" and not self.disabled:
            self.click()

    def as_text(self) -> str:
        return f"[{self.label}]"
