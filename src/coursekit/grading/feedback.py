"""What ``nbgrader generate_feedback`` leaves out of a student's feedback: hidden tests and grading notes.

nbgrader's feedback shows the autograded notebook, in which autograde has put
the hidden tests back, so by design it shows them, and the message of a hidden
assertion that failed (nbgrader issue #917). The course adds
:class:`HideHiddenTests` to ``c.GenerateFeedback.preprocessors`` in its
``nbgrader_config.py``, after nbgrader's own ``GetGrades``, so that every way
of generating feedback goes through it (the command, the Formgrader's button,
nbgrader's API). In each test cell it:

* replaces what stands between ``### BEGIN HIDDEN TESTS`` and ``### END HIDDEN
  TESTS`` with one comment saying that more checks ran;
* keeps the message of a visible check that failed, without the traceback
  (whose lines of context would show the hidden ones), and replaces the error
  of a hidden check, and any output quoting one, with a neutral sentence;
* says, in a line of output, whether the cell passed and its points.

It also leaves out the grading notes (``coursekit.grading.notes``), which are
for graders only. The autograded notebook itself is not changed, so the
Formgrader still shows graders the hidden tests and their results.

Only nbgrader loads this module (by its name in the course's configuration).
"""

from __future__ import annotations

import ast
import re
from typing import Any

from nbconvert.preprocessors import Preprocessor
from traitlets import Bool, Unicode

from coursekit.grading.notes import is_grading_note

#: What a student reads instead of a hidden check's error.
HIDDEN_FAILED = ("A check that runs only when your work is graded did not pass; the check is not "
                 "shown. It tests the task as described above, with other inputs: try your "
                 "function on cases of your own, and ask your instructor if you are stuck.")

#: What replaces any other output that quotes a hidden check.
HIDDEN_QUOTED = "(This output quoted a check that is not shown, so it is left out.)"

_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_CELL_LINE = re.compile(r"Cell In\[(\d*)\], line (\d+)|<cell line: (\d+)>")


class HideHiddenTests(Preprocessor):
    """Feedback without hidden tests: the outcome and the points stay (see the module docstring)."""

    enabled = Bool(True).tag(config=True)
    # nbgrader's defaults (ClearHiddenTests): a course that changes those sets these to match
    begin_test_delimeter = Unicode("BEGIN HIDDEN TESTS").tag(config=True)
    end_test_delimeter = Unicode("END HIDDEN TESTS").tag(config=True)

    def preprocess(self, nb: Any, resources: Any) -> tuple[Any, Any]:
        nb.cells = [cell for cell in nb.cells if not is_grading_note(cell)]
        for cell in nb.cells:
            meta = cell.metadata.get("nbgrader", {})
            if cell.cell_type == "code" and meta.get("grade") and not meta.get("solution"):
                hide_hidden_tests(cell, self.begin_test_delimeter, self.end_test_delimeter)
        return nb, resources


def hide_hidden_tests(cell: Any, begin: str = "BEGIN HIDDEN TESTS",
                      end: str = "END HIDDEN TESTS") -> None:
    """Take the hidden tests out of one autograded test cell, in place (see the module docstring)."""
    lines = cell.source.split("\n")
    hidden: set[int] = set()  # 1-based line numbers, delimiters included
    inside = False
    for number, line in enumerate(lines, 1):
        if begin in line:
            inside = True
        if inside:
            hidden.add(number)
        if end in line:
            inside = False
    if not hidden:
        return
    secrets = _secrets([lines[n - 1] for n in sorted(hidden)])
    kept: list[str] = []
    for number, line in enumerate(lines, 1):
        if number not in hidden:
            kept.append(line)
        elif number - 1 not in hidden:  # the first line of a hidden block
            indent = line[:len(line) - len(line.lstrip())]
            kept.append(f"{indent}# More checks ran here when your work was graded; they are not shown.")
    cell.source = "\n".join(kept).rstrip()
    cell.outputs = [_cleaned(output, hidden, secrets, cell.get("execution_count"))
                    for output in cell.get("outputs", [])]
    cell.outputs.append(_outcome(cell))


def _secrets(hidden_lines: list[str]) -> list[str]:
    """What an output must not quote: each hidden line's code, what each hidden assertion
    tests, and the strings in them."""
    found = [line.strip() for line in hidden_lines if len(line.strip()) > 3 and "HIDDEN TESTS" not in line]
    try:
        tree = ast.parse("\n".join(line.strip() for line in hidden_lines))
    except SyntaxError:
        tree = None
    if tree is not None:
        found += [node.value for node in ast.walk(tree)
                  if isinstance(node, ast.Constant) and isinstance(node.value, str) and len(node.value) > 3]
        found += [ast.unparse(node.test) for node in ast.walk(tree) if isinstance(node, ast.Assert)]
    return found


def _failing_line(output: Any, execution_count: int | None) -> int | None:
    """The line of this cell an error came from, from its traceback (None when it cannot tell)."""
    for entry in output.get("traceback", []):
        for match in _CELL_LINE.finditer(_ANSI.sub("", entry)):
            count, line, old_style = match.groups()
            if old_style:
                return int(old_style)
            if execution_count is None or not count or int(count) == execution_count:
                return int(line)
    return None


def _output(output_type: str, **fields: Any) -> Any:
    """A notebook output (nbformat's constructor, which is untyped)."""
    from nbformat.v4 import new_output

    return new_output(output_type, **fields)  # type: ignore[no-untyped-call]


def _cleaned(output: Any, hidden: set[int], secrets: list[str], execution_count: int | None) -> Any:
    if output.get("output_type") == "error":
        line = _failing_line(output, execution_count)
        ename, evalue = output.get("ename", "Error"), str(output.get("evalue", ""))
        if line is None or line in hidden or any(secret in evalue for secret in secrets):
            return _output("error", ename="AssertionError", evalue=HIDDEN_FAILED,
                              traceback=[HIDDEN_FAILED])
        # a visible check: its message helps, but the traceback's context would show hidden lines
        return _output("error", ename=ename, evalue=evalue,
                          traceback=[f"{ename}: {evalue}" if evalue else ename])
    if any(secret in _text_of(output) for secret in secrets):
        return _output("stream", name="stdout", text=HIDDEN_QUOTED + "\n")
    return output


def _text_of(output: Any) -> str:
    if output.get("output_type") == "stream":
        text = output.get("text", "")
        return "".join(text) if isinstance(text, list) else str(text)
    data = output.get("data", {})
    return "\n".join("".join(v) if isinstance(v, list) else str(v) for v in data.values())


def _outcome(cell: Any) -> Any:
    """One line of output: passed or not, with the points (which GetGrades put in the metadata)."""
    meta = cell.metadata.get("nbgrader", {})
    score, points = meta.get("score"), meta.get("points")
    failed = any(o.get("output_type") == "error" for o in cell.outputs)
    verdict = "Did not pass" if failed else "Passed"
    if score is not None and points is not None:
        verdict += f": {float(score):g} of {float(points):g} points"
    return _output("stream", name="stdout",
                      text=f"{verdict}. This cell's checks include some that ran only when your "
                           "work was graded; they are not shown.\n")
