"""The Python primer: one course-level page, released with every module that has a Python exercise."""

from __future__ import annotations

import contextlib
import io
import re
import shutil

import pytest

from conftest import COURSE, MODULES, module_of
from coursekit.content.manifest import PRIMER, load_course
from coursekit.content.notebooks import check_course, sync_course

PAGE = (COURSE / PRIMER).read_text(encoding="utf-8")
EXAMPLES = re.findall(r"```python\n(.*?)```", PAGE, flags=re.S)


def test_every_module_with_code_to_write_carries_the_primer_and_links_it():
    for module_id in MODULES:
        module = module_of(module_id)
        # an exercise in Python is one whose notebook has a solution for the student to write
        writes_code = "### BEGIN SOLUTION" in module.notebook.read_text(encoding="utf-8")
        assert module.has_primer == writes_code, module_id
        if writes_code:
            assert (module.folder / PRIMER).read_text(encoding="utf-8") == PAGE, module_id
            opening = module.notebook.read_text(encoding="utf-8")
            assert f"[Python primer]({PRIMER})" in opening
        else:
            assert not (module.folder / PRIMER).exists(), module_id


@pytest.mark.parametrize("number", range(len(EXAMPLES)))
def test_each_example_runs_on_its_own_and_prints_what_the_page_says(number):
    code = EXAMPLES[number]
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(code, f"{PRIMER}, example {number + 1}", "exec"), {})  # noqa: S102 -- our own page
    promised = [line.removeprefix("# prints ") for line in code.splitlines() if line.startswith("# prints ")]
    out = printed.getvalue().splitlines()
    for line in promised:
        if ", then " in line:  # several lines, said in one
            expected = [part.strip() for part in line.split(", then ")]
            assert out[:len(expected)] == expected
            out = out[len(expected):]
        else:
            assert out and out.pop(0) == line
    assert not out, f"example {number + 1} prints more than it says: {out}"


def test_the_page_reads_without_images_and_with_headings_in_order():
    levels = [len(m.group(1)) for m in re.finditer(r"^(#+) ", PAGE, flags=re.M) if not _in_code(m.start())]
    assert levels[0] == 1 and levels.count(1) == 1
    assert all(b - a <= 1 for a, b in zip(levels, levels[1:], strict=False)), "a heading level is skipped"
    assert "![" not in PAGE and "<img" not in PAGE


def _in_code(position: int) -> bool:
    return PAGE[:position].count("```") % 2 == 1


def test_a_drifted_or_missing_copy_fails_the_check_and_sync_restores_it(tmp_path):
    course = tmp_path / "course"
    shutil.copytree(COURSE, course, ignore=shutil.ignore_patterns("gradebook.db", "exchange"))
    copy = course / "source" / "craft" / PRIMER
    copy.write_text("# old\n", encoding="utf-8")
    assert any(p.path == str(copy) and "coursekit sync" in p.message for p in check_course(course))
    sync_course(course)
    assert copy.read_text(encoding="utf-8") == PAGE and not check_course(course)
    (course / PRIMER).unlink()
    problems = check_course(course)
    assert any(p.path == str(load_course(course).primer) and "primer" in p.message for p in problems)
