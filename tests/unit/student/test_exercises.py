"""Unfinished exercises: one sentence instead of a traceback, and still a failure for nbgrader.

The kernel side (the IPython handler, a whole notebook's Run All, autograde's points) is
tested with real kernels in tests/integration/test_run_all.py.
"""

import linecache
import sys

import pytest

from coursekit.errors import NotebookMessage
from coursekit.student.exercises import STUB, NotDoneYet, NotSetYet, done, result_of, stub_message


def cell(code: str, name: str = "<cell>") -> dict:
    """Run code as a notebook cell would (its source known to linecache); its namespace."""
    linecache.cache[name] = (len(code), None, code.splitlines(True), name)
    namespace: dict = {"__name__": "__main__"}
    exec(compile(code, name, "exec"), namespace)
    return namespace


def traceback_of(call):
    try:
        call()
    except NotImplementedError:
        return sys.exc_info()[2]
    raise AssertionError("did not raise")


def test_the_stub_in_a_function_of_the_notebook_is_named_in_one_sentence():
    ns = cell(f"def find_rupture(ratings, drop=5):\n    # YOUR CODE HERE\n    {STUB}\n")
    message = stub_message(traceback_of(lambda: ns["find_rupture"]([1])), ns)
    assert message == ("Not done yet: `find_rupture` still has `raise NotImplementedError()` where "
                       "your code goes. Write your code in its place, run that cell, then run this "
                       "one again.")


def test_the_stub_at_the_top_of_a_cell_says_this_cell():
    code = f"x = 1\n# YOUR CODE HERE\n{STUB}\n"
    linecache.cache["<top>"] = (len(code), None, code.splitlines(True), "<top>")
    ns: dict = {}
    tb = traceback_of(lambda: exec(compile(code, "<top>", "exec"), ns))
    assert stub_message(tb, ns).startswith("Not done yet: this cell still has")


def test_a_library_not_implemented_error_keeps_its_traceback():
    ns = cell(f"def mine():\n    {STUB}\n")
    tb = traceback_of(lambda: ns["mine"]())
    assert stub_message(tb, {}) is None  # raised in code whose globals are not the notebook's
    other = cell("def mine():\n    raise NotImplementedError('not on this platform')\n", "<other>")
    assert stub_message(traceback_of(lambda: other["mine"]()), other) is None


def test_a_value_not_set_yet_says_which_exercise_whatever_the_test_does_with_it():
    flags = NotSetYet("Exercise B")
    for use in (lambda: flags.shape, lambda: len(flags), lambda: flags == 1,
                lambda: 0 < flags,  # noqa: SIM300 -- as a test writes `0 < clients_with_gain`
                lambda: flags + 1, lambda: list(flags), lambda: flags[0], lambda: bool(flags)):
        with pytest.raises(NotDoneYet, match="^Not done yet: Exercise B has not set this value"):
            use()
    assert repr(flags) == "NotSetYet('Exercise B')"  # a notebook can show it
    assert not hasattr(flags, "_repr_html_")  # IPython's display looks for these


def test_not_done_yet_is_a_failure_shown_as_its_message_alone():
    error = NotDoneYet("Not done yet: something.")
    assert isinstance(error, NotImplementedError) and isinstance(error, NotebookMessage)
    assert error._render_traceback_() == ["Not done yet: something."]


def test_displays_ask_whether_the_exercise_is_done():
    ns = cell(f"def d_to_r(d):\n    {STUB}\n", "<d>")
    assert not done(result_of(ns["d_to_r"], 0.5, exercise="d_to_r"))
    assert result_of(lambda d: d / 2, 0.5, exercise="d_to_r") == 0.25
    assert done(1, [2], None) and not done(1, NotSetYet("Exercise C"))
    with pytest.raises(ZeroDivisionError):  # the student's own bug is theirs to see
        result_of(lambda d: d / 0, 0.5, exercise="d_to_r")
