"""Exercises a student has not done yet: one sentence says so, and the notebook runs on.

nbgrader releases an exercise with its solution replaced by nbgrader's own
stub, ``raise NotImplementedError()`` (course/nbgrader_config.py; the Python
primer tells students to write their code in its place). Until they do:

- the stub, when it runs in the notebook's own code, shows one sentence ("Not
  done yet: ...") instead of a traceback: an IPython custom exception handler,
  set up when ``coursekit.student`` is imported in a kernel (``install``);
- a value that an exercise sets at the notebook's top level starts as
  ``NotSetYet("Exercise B")``; using it raises ``NotDoneYet``, one sentence too;
- a display that draws what the student's code found asks ``done`` first, or
  calls the student's function through ``result_of``, and says what is missing
  instead of failing.

Both are still errors, on purpose: the cell's output is an error, so nbgrader's
autograde gives a test cell that meets one no points. Run All goes on past
them because test cells and top-level exercise cells are tagged
``raises-exception`` (``coursekit sync`` tags them; see
``coursekit.content.notebooks``), which JupyterLab and nbclient honour.

Nothing here imports IPython: in a kernel it is loaded already.
"""

from __future__ import annotations

import linecache
import sys
from collections.abc import Callable
from types import TracebackType
from typing import Any, NoReturn

from coursekit.errors import NotebookMessage

STUB = "raise NotImplementedError()"


class NotDoneYet(NotebookMessage, NotImplementedError):
    """Part of an exercise is not written yet; the message says which and what to do."""


class NotSetYet:
    """Stands for a value an exercise cell sets, until the student's code sets it.

    Any use of it (an attribute, its length, a comparison, arithmetic) raises
    ``NotDoneYet`` naming the exercise. ``repr`` is safe, so a notebook can show it.
    """

    __slots__ = ("exercise",)

    def __init__(self, exercise: str):
        self.exercise = exercise

    def __repr__(self) -> str:
        return f"NotSetYet({self.exercise!r})"

    def _fail(self, *_args: object, **_kwargs: object) -> NoReturn:
        raise NotDoneYet(
            f"Not done yet: {self.exercise} has not set this value. Write the code of "
            f"{self.exercise} in place of `{STUB}`, run its cell, then run this one again.")

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):  # IPython and numpy look for _repr_html_, __array__ ...
            raise AttributeError(name)
        self._fail()

    __len__ = __iter__ = __getitem__ = __contains__ = __bool__ = __float__ = __int__ = _fail
    __index__ = __call__ = __lt__ = __le__ = __gt__ = __ge__ = __eq__ = __ne__ = _fail
    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = _fail
    __truediv__ = __rtruediv__ = __floordiv__ = __mod__ = __pow__ = __neg__ = __abs__ = _fail
    __hash__ = None  # type: ignore[assignment]


def done(*values: object) -> bool:
    """True when none of ``values`` is still ``NotSetYet``."""
    return not any(isinstance(value, NotSetYet) for value in values)


def result_of(function: Callable[..., Any], *args: Any, exercise: str) -> Any:
    """``function(*args)``, or ``NotSetYet(exercise)`` while the function is not written yet
    (it, or one it calls, still raises NotImplementedError). Other errors are the student's
    to see and go through."""
    try:
        return function(*args)
    except NotImplementedError:
        return NotSetYet(exercise)


# --- the stub, shown as one sentence ---------------------------------------------


def stub_message(tb: TracebackType | None, namespace: dict[str, Any] | None) -> str | None:
    """The sentence for a NotImplementedError raised by the stub in the notebook's own code
    (a cell, or a function defined in one), or None when it came from anywhere else."""
    if tb is None:
        return None
    while tb.tb_next is not None:
        tb = tb.tb_next
    frame = tb.tb_frame
    if namespace is not None and frame.f_globals is not namespace:
        return None  # a library's own `raise NotImplementedError()` keeps its traceback
    if linecache.getline(frame.f_code.co_filename, tb.tb_lineno).strip() != STUB:
        return None
    name = frame.f_code.co_name
    if name == "<module>":
        return (f"Not done yet: this cell still has `{STUB}` where your code goes. "
                "Write your code in its place and run the cell again.")
    return (f"Not done yet: `{name}` still has `{STUB}` where your code goes. Write your "
            "code in its place, run that cell, then run this one again.")


def _handler(shell: Any, etype: type[BaseException], value: BaseException,
             tb: TracebackType | None, tb_offset: int | None = None) -> list[str] | None:
    message = None if value.args else stub_message(tb, shell.user_ns)
    if message is None:
        # IPython's own display, which honours NotebookMessage's one-sentence form
        shell.showtraceback((etype, value, tb), tb_offset=tb_offset, running_compiled_code=True)
        return None
    # An error output (not a print): the kernel replies "error", autograde gives no points.
    shell._showtraceback(etype, value, [message])
    return None


def install() -> bool:
    """Show the stub as one sentence in this IPython kernel; True once it is set up.

    Does nothing outside IPython, or where another custom handler is set already.
    """
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    if shell is None:
        return False
    if getattr(shell, "_coursekit_stub_handler", False):
        return True
    if shell.custom_exceptions:  # someone else's handler: leave it be
        return False
    shell.set_custom_exc((NotImplementedError,), _handler)
    shell._coursekit_stub_handler = True
    return True
