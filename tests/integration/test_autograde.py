"""`coursekit autograde`: parallel grading that records what `nbgrader autograde` records.

The class (``CLASS``) is small and mixed, as real classes are: a complete
submission, an incomplete one, one that edits a locked test, a damaged
notebook and a submission without its notebook. Submissions are written into
``submitted/`` as ``nbgrader collect`` leaves them (with ``timestamp.txt``);
tests/test_pipeline.py covers the exchange itself.

The same class is graded by plain ``nbgrader autograde alliance`` once per
session (:func:`reference`); every parallel grading here, in test_postgres.py
and in test_dask.py must leave the same gradebook rows and the same autograded
notebooks: every output of every cell, images compared as decoded pixels. The
gradings here use warm kernels (forked from a fork server), as
``coursekit autograde`` does by default, and check that they were forked.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import re
import shutil
import threading
import time
from pathlib import Path
from typing import Any

import nbformat
import pytest

from conftest import COURSE, instrument_of, run, tool_env
from coursekit.cli import main
from coursekit.grading.autograde import Outcome, Summary, describe
from coursekit.grading.gradebook import GradebookLock, redacted, snapshot
from coursekit.student.responses import ResponseStore

MODULE = "alliance"
CLASS = {"ada": "complete", "ben": "incomplete", "cleo": "edits-test", "dan": "damaged",
         "eve": "no-notebook"}
# What an instructor expects autograde to give each student that can be graded.
EXPECTED = {
    "ada": {"test_find_rupture": 2.0, "test_find_repair": 2.0, "test_completion": 2.0},
    "ben": {"test_find_rupture": 0.0, "test_find_repair": 0.0, "test_completion": 0.0},
    "cleo": {"test_find_rupture": 2.0, "test_find_repair": 0.0, "test_completion": 0.0},
}
TIMESTAMP = "2026-11-20 10:00:00.000000 UTC"

_SESSION: dict[str, Any] = {}  # made once per session, shared with test_postgres and test_dask


@pytest.fixture(autouse=True)
def _own_sqlite_gradebook(monkeypatch):
    """Tests here grade into each course's own SQLite file, whatever the shell has set."""
    monkeypatch.delenv("COURSEKIT_DB_URL", raising=False)


def sqlite_env() -> dict[str, str]:
    env = tool_env()
    env.pop("COURSEKIT_DB_URL", None)
    return env


# --- a class of submissions --------------------------------------------------------------

def _cell(nb: Any, grade_id: str) -> Any:
    return next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)


def _solution() -> str:
    nb = nbformat.read(COURSE / "source" / MODULE / f"{MODULE}.ipynb", as_version=4)
    return "\n".join(line for line in _cell(nb, "find_rupture_and_repair").source.splitlines()
                     if "### BEGIN SOLUTION" not in line and "### END SOLUTION" not in line)


def submit(course: Path, student: str, kind: str) -> None:
    """One student's submission in submitted/, as `nbgrader collect` leaves it."""
    folder = course / "submitted" / student / MODULE
    folder.mkdir(parents=True)
    (folder / "timestamp.txt").write_text(TIMESTAMP)
    released = course / "release" / MODULE / f"{MODULE}.ipynb"
    instrument = instrument_of(MODULE)
    store = ResponseStore(folder, MODULE)
    if kind == "no-notebook":  # answers saved, notebook left behind
        store.save_answers(instrument, {item.id: 3 for item in instrument.items})
        return
    if kind == "damaged":  # cut off half-way, as an interrupted copy leaves it
        (folder / f"{MODULE}.ipynb").write_text(released.read_text()[:700])
        return
    nb = nbformat.read(released, as_version=4)
    if kind == "complete":
        store.save_answers(instrument, {item.id: 4 for item in instrument.items})
        _cell(nb, "find_rupture_and_repair").source = _solution()
    elif kind == "incomplete":  # half the self-assessment, the exercise untouched
        store.save_answers(instrument, {item.id: 2 for item in instrument.items[:6]})
    elif kind == "edits-test":  # rupture right, repair wrong, nothing saved, completion check rewritten
        _cell(nb, "find_rupture_and_repair").source = _solution().split("def find_repair")[0] + (
            "def find_repair(ratings, rupture):\n    return None\n")
        _cell(nb, "test_completion").source = "print('all done')"
    elif kind == "endless":  # solved, then a loop that never ends
        store.save_answers(instrument, {item.id: 4 for item in instrument.items})
        _cell(nb, "find_rupture_and_repair").source = _solution() + "\n\nwhile True:\n    pass\n"
    elif kind.startswith("kills-kernel-once:"):  # solved; ends its kernel the first time only
        marker = kind.split(":", 1)[1]
        store.save_answers(instrument, {item.id: 4 for item in instrument.items})
        _cell(nb, "find_rupture_and_repair").source = _solution() + (
            f"\n\nimport os, pathlib\nif not pathlib.Path({marker!r}).exists():\n"
            f"    pathlib.Path({marker!r}).touch()\n    os._exit(1)\n")
    elif kind == "kills-kernel":  # solved, then ends the kernel's process
        store.save_answers(instrument, {item.id: 4 for item in instrument.items})
        _cell(nb, "find_rupture_and_repair").source = _solution() + "\n\nimport os\nos._exit(1)\n"
    else:
        raise ValueError(kind)
    nbformat.write(nb, folder / f"{MODULE}.ipynb")


def submit_class(course: Path, members: dict[str, str] = CLASS) -> None:
    for student, kind in members.items():
        submit(course, student, kind)


def copy_course(dest: Path) -> Path:
    dest.mkdir(parents=True)
    shutil.copy(COURSE / "nbgrader_config.py", dest)
    shutil.copytree(COURSE / "source", dest / "source",
                    ignore=shutil.ignore_patterns(".ipynb_checkpoints", "coursekit-responses*"))
    return dest


def generated_course(factory: pytest.TempPathFactory) -> Path:
    """The course with the module generated into a SQLite gradebook, made once per session.

    Copy it (:func:`course_with_class`); never change it.
    """
    if "generated" not in _SESSION:
        course = copy_course(factory.mktemp("generated") / "course")
        run(["nbgrader", "generate_assignment", MODULE], cwd=course, env=sqlite_env())
        _SESSION["generated"] = course
    course = _SESSION["generated"]
    assert isinstance(course, Path)
    return course


def course_with_class(factory: pytest.TempPathFactory, dest: Path, db_url: str | None = None,
                      members: dict[str, str] = CLASS) -> Path:
    """A fresh course with the module generated and the class's submissions collected.

    With ``db_url`` (a server), the module is generated into that database.
    """
    if db_url is None:
        shutil.copytree(generated_course(factory), dest)
    else:
        copy_course(dest)
        run(["nbgrader", "generate_assignment", MODULE], cwd=dest,
            env=tool_env(COURSEKIT_DB_URL=db_url))
    submit_class(dest, members)
    return dest


def reference(factory: pytest.TempPathFactory) -> tuple[dict[str, Any], dict[str, Any]]:
    """The class graded by plain `nbgrader autograde MODULE` (once per session):
    the gradebook snapshot and the autograded notebooks."""
    if "reference" not in _SESSION:
        course = course_with_class(factory, factory.mktemp("reference") / "course")
        result = run(["nbgrader", "autograde", MODULE], cwd=course, env=sqlite_env(), ok=False,
                     timeout=600)
        # nbgrader exits 1 because of dan's damaged notebook, after grading the others.
        assert result.returncode == 1, result.stderr[-3000:]
        assert "error processing assignment 'alliance' for student 'dan'" in result.stderr
        _SESSION["reference"] = (sqlite_snapshot(course), autograded(course))
    found: tuple[dict[str, Any], dict[str, Any]] = _SESSION["reference"]
    return found


def sqlite_snapshot(course: Path) -> dict[str, Any]:
    return snapshot(f"sqlite:///{course / 'gradebook.db'}", "coursekit", MODULE)


_MODEL_ID = re.compile(r'"model_id": "[0-9a-f]{32}"')
# The clock time a notebook shows when its answers or the notebook itself were saved ("Saved at
# 15:59", "as saved at 16:00"): the two courses compared are made a moment apart.
_CLOCK = re.compile(r"\b(?:[01]\d|2[0-3]):[0-5]\d\b")


_PNG_IN_HTML = re.compile(r"data:image/png;base64,([A-Za-z0-9+/=]+)")


def _pixels(png_base64: str) -> list[Any]:
    from PIL import Image

    image = Image.open(io.BytesIO(base64.b64decode(png_base64)))
    return [image.mode, list(image.size), hashlib.sha256(image.tobytes()).hexdigest()]


def _decoded(output: Any) -> Any:
    """An output with each PNG it shows (as image/png, or inside HTML as the course's described
    figures show theirs) replaced by its decoded pixels (mode, size, digest): two renderings
    of the same picture are equal however the files were encoded."""
    data = dict(output.get("data", {}))
    if "image/png" in data:
        data["image/png"] = _pixels(data["image/png"])
    if "data:image/png" in data.get("text/html", ""):
        data["text/html"] = _PNG_IN_HTML.sub(lambda m: "pixels:" + json.dumps(_pixels(m.group(1))),
                                             "".join(data["text/html"]))
    return {**output, "data": data} if data else output


def autograded(course: Path) -> dict[str, Any]:
    """Every autograded notebook of the module, comparable across courses and runs:
    the course's own path, widget model ids (random per run) and clock times are blanked,
    images decoded."""
    found: dict[str, Any] = {}
    for folder in sorted((course / "autograded").glob(f"*/{MODULE}")):
        student = folder.parent.name
        files = sorted(p.name for p in folder.iterdir())
        notebooks = {}
        for path in sorted(folder.glob("*.ipynb")):
            nb = nbformat.read(path, as_version=4)
            cells = []
            for cell in nb.cells:
                meta = {k: v for k, v in cell.metadata.items() if k != "execution"}
                outputs = [_CLOCK.sub("HH:MM", _MODEL_ID.sub('"model_id": "-"',
                                                            json.dumps(_decoded(o), sort_keys=True))
                                      .replace(str(course), "<course>")) for o in cell.get("outputs", [])]
                cells.append((cell.cell_type, cell.source, json.dumps(meta, sort_keys=True),
                              cell.get("execution_count"), outputs))
            notebooks[path.name] = {"cells": cells, "kernelspec": nb.metadata.get("kernelspec"),
                                    "language": nb.metadata.get("language_info", {}).get("name")}
        found[student] = {"files": files, "notebooks": notebooks}
    return found


def auto_scores(found: dict[str, Any], student: str) -> dict[str, float]:
    grades = found[student]["notebooks"][MODULE]["grades"]
    return {grade_id: grades[grade_id]["auto_score"] for grade_id in EXPECTED[student]}


def assert_same_as_nbgrader(course: Path, found: dict[str, Any], factory: pytest.TempPathFactory) -> None:
    """What an instructor checks: the grades, then every row and notebook, match plain nbgrader."""
    expected_rows, expected_notebooks = reference(factory)
    for student in EXPECTED:
        assert auto_scores(found, student) == EXPECTED[student], student
    assert sorted(found) == ["ada", "ben", "cleo", "dan"]  # eve had no notebook: no rows
    assert found == expected_rows
    graded = autograded(course)
    assert sorted(graded) == ["ada", "ben", "cleo"]
    assert graded == expected_notebooks
    assert any("pixels:[" in output for nb in graded["ada"]["notebooks"].values()
               for cell in nb["cells"] for output in cell[4])  # the figures were compared, decoded


def assert_kernels_were_forked(course: Path, notebooks: int) -> None:
    """The grading log says each notebook's kernel came from a fork server, none cold."""
    log = (course / ".nbgrader.log").read_text(encoding="utf-8")
    assert log.count("forked from the fork server") == notebooks, log[-3000:]
    assert "started the usual way" not in log


# --- parallel grading on SQLite ----------------------------------------------------------

@pytest.mark.nbgrader
@pytest.mark.kernel
def test_parallel_grading_records_what_nbgrader_autograde_records(tmp_path_factory, tmp_path, capsys):
    course = course_with_class(tmp_path_factory, tmp_path / "course")

    status = main(["autograde", MODULE, "--course", str(course), "--jobs", "2"])
    out = capsys.readouterr()

    assert status == 1, out.out  # two submissions need attention; the rest are graded
    assert "alliance: 3 of 5 submission(s) graded" in out.out
    assert ("dan: submitted/dan/alliance/alliance.ipynb: is not a readable notebook: it is not "
            "valid JSON") in out.out
    assert "eve: submitted/eve/alliance: has no alliance.ipynb" in out.out
    assert "Ask eve to submit alliance again" in out.out
    assert "coursekit autograde alliance --force --student dan eve" in out.out
    assert "grading alliance: 100%" in out.err and "5/5" in out.err  # the progress bar
    assert_same_as_nbgrader(course, sqlite_snapshot(course), tmp_path_factory)
    assert_kernels_were_forked(course, notebooks=3)  # ada, ben, cleo: dan's does not open
    # cleo's rewritten completion check was put back, then failed, as nbgrader does
    cleo = nbformat.read(course / "autograded" / "cleo" / MODULE / f"{MODULE}.ipynb", as_version=4)
    restored = _cell(cleo, "test_completion")
    assert "check_module" in restored.source
    assert any(o.get("ename") == "IncompleteError" for o in restored.outputs)

    # Graded work is skipped unless forced, like nbgrader; --student picks who.
    assert main(["autograde", MODULE, "--course", str(course), "--student", "ada"]) == 0
    assert "1 already graded and skipped (use --force" in capsys.readouterr().out
    assert main(["autograde", MODULE, "--course", str(course), "--student", "ada", "--force",
                 "--jobs", "1"]) == 0
    assert "alliance: 1 of 1 submission(s) graded" in capsys.readouterr().out
    assert auto_scores(sqlite_snapshot(course), "ada") == EXPECTED["ada"]


@pytest.mark.nbgrader
@pytest.mark.kernel
def test_notebooks_that_never_finish_or_kill_their_kernel_are_reported_and_the_rest_graded(
        tmp_path_factory, tmp_path, capsys):
    course = course_with_class(tmp_path_factory, tmp_path / "course",
                               members={"ada": "complete", "kim": "kills-kernel", "lou": "endless"})
    started = time.monotonic()
    # 45 s: ada's whole notebook takes 3 s on a quiet machine, and over 12 s on a busy one.
    status = main(["autograde", MODULE, "--course", str(course), "--jobs", "2", "--timeout", "45"])
    took = time.monotonic() - started
    out = capsys.readouterr().out

    assert status == 1
    assert "alliance: 1 of 3 submission(s) graded" in out
    assert ("lou: submitted/lou/alliance/alliance.ipynb: did not finish within the 45 s allowed "
            "for one notebook") in out
    assert "kim: submitted/kim/alliance/alliance.ipynb: the kernel running it died" in out
    assert "It failed the same way when graded a second time." in out
    # The course's per-cell limit is 120 s; the notebook limit must cut lou's notebook short
    # (the whole run also starts workers and the fork server, seconds more on a busy machine).
    lou = re.search(r"alliance, lou: failed in ([\d.]+) s", (course / ".nbgrader.log").read_text())
    assert lou and float(lou.group(1)) < 115
    assert took < 240
    found = sqlite_snapshot(course)
    assert auto_scores(found, "ada") == EXPECTED["ada"]
    for student in ["kim", "lou"]:  # as nbgrader leaves a failure: no autograded notebook
        assert not (course / "autograded" / student / MODULE).exists()


@pytest.mark.nbgrader
@pytest.mark.kernel
def test_a_kernel_that_dies_once_is_given_a_second_try(tmp_path_factory, tmp_path, capsys):
    """A kernel can die for the machine's reasons (it failed to start, memory ran short);
    such a submission is graded again once, and the summary says so."""
    marker = str(tmp_path / "died-once")
    course = course_with_class(tmp_path_factory, tmp_path / "course",
                               members={"ada": "complete", "pat": f"kills-kernel-once:{marker}"})
    status = main(["autograde", MODULE, "--course", str(course), "--jobs", "2"])
    out = capsys.readouterr().out
    assert status == 0, out
    assert Path(marker).exists()  # the first run did end its kernel
    assert "alliance: 2 of 2 submission(s) graded" in out
    assert "pat: submitted/pat/alliance/alliance.ipynb was graded on the second try; the first " \
           "failed: the kernel running it died" in out
    found = sqlite_snapshot(course)
    pat = found["pat"]["notebooks"][MODULE]["grades"]
    assert {grade_id: pat[grade_id]["auto_score"] for grade_id in EXPECTED["ada"]} == EXPECTED["ada"]


@pytest.mark.nbgrader
def test_a_module_the_gradebook_does_not_have_is_refused_with_what_to_run(tmp_path_factory, tmp_path,
                                                                          capsys):
    course = tmp_path / "course"
    shutil.copytree(generated_course(tmp_path_factory), course)

    assert main(["autograde", "aliance", "--course", str(course), "--jobs", "1"]) == 2
    err = capsys.readouterr().err
    assert "has no module 'aliance' (it has: alliance). Check the spelling" in err
    assert "nbgrader generate_assignment aliance" in err


def test_a_course_with_no_gradebook_yet_is_refused_with_what_to_run(tmp_path, capsys):
    course = copy_course(tmp_path / "course")
    assert main(["autograde", MODULE, "--course", str(course)]) == 2
    err = capsys.readouterr().err
    assert f"There is no gradebook at {course / 'gradebook.db'} yet" in err
    assert "nbgrader generate_assignment alliance" in err
    assert not (course / "gradebook.db").exists()


@pytest.mark.nbgrader
def test_the_faster_metadata_check_accepts_and_refuses_exactly_what_nbgraders_does(tmp_path_factory):
    import copy

    from nbgrader.nbgraderformat import MetadataValidator

    from coursekit.grading.nbgrader_glue import _converter_class

    ours = _converter_class().metadata_validator
    released = nbformat.read(generated_course(tmp_path_factory) / "release" / MODULE / f"{MODULE}.ipynb",
                             as_version=4)
    changes = {
        "as released": lambda meta: None,
        "points not a number": lambda meta: meta.update(points="two"),
        "grade not a boolean": lambda meta: meta.update(grade="yes"),
        "no grade_id": lambda meta: meta.pop("grade_id"),
        "an unknown key": lambda meta: meta.update(colour="red"),
        "an old schema": lambda meta: meta.update(schema_version=1),
    }
    for name, change in changes.items():
        outcomes = []
        for validator in (MetadataValidator, ours):
            nb = copy.deepcopy(released)
            change(_cell(nb, "test_find_repair").metadata.nbgrader)
            try:
                validator().validate_nb(nb)
                outcomes.append("valid")
            except Exception as exc:  # nbgrader raises KeyError for a missing grade_id
                outcomes.append(f"{type(exc).__name__}: {exc}")
        assert outcomes[0] == outcomes[1], name
        assert (outcomes[0] == "valid") == (name == "as released"), name


# --- without kernels ---------------------------------------------------------------------

def test_a_cluster_needs_a_gradebook_server_not_a_sqlite_file(tmp_path, capsys):
    course = copy_course(tmp_path / "course")
    assert main(["autograde", MODULE, "--course", str(course), "--scheduler", "tcp://127.0.0.1:1"]) == 2
    err = capsys.readouterr().err
    assert "is a SQLite file" in err and "COURSEKIT_DB_URL=postgresql+psycopg2://" in err


def test_bad_arguments_and_a_folder_that_is_not_a_course_are_refused(tmp_path, capsys):
    assert main(["autograde", MODULE, "--course", str(tmp_path), "--jobs", "2"]) == 2
    assert "is not a course folder (it has no nbgrader_config.py)" in capsys.readouterr().err
    assert main(["autograde", MODULE, "--course", str(tmp_path), "--jobs", "0"]) == 2
    assert "--jobs must be 1 or more" in capsys.readouterr().err
    assert main(["autograde", MODULE, "--jobs", "2", "--scheduler", "tcp://127.0.0.1:1"]) == 2
    assert "not both" in capsys.readouterr().err


def test_the_summary_names_each_problem_and_how_to_grade_again():
    summary = Summary("alliance", 2, "postgresql+psycopg2://grader:secret@db.example.edu/course",
                      seconds=125.0, outcomes=[
                          Outcome("ada", "graded", 3.0),
                          Outcome("zed", "failed", 1.0, "submitted/zed/alliance/alliance.ipynb",
                                  "is not a readable notebook."),
                          Outcome("bo", "skipped", 0.1)])
    text = describe(summary, "course")
    assert text.splitlines()[0] == ("alliance: 1 of 3 submission(s) graded in 2 min 5 s with "
                                    "2 worker(s) (0.01 graded per second).")
    assert "1 already graded and skipped" in text
    assert "  zed: submitted/zed/alliance/alliance.ipynb: is not a readable notebook." in text
    assert "coursekit autograde alliance --force --student zed" in text
    assert "secret" not in text and "grader:***@db.example.edu" in text


def test_redacted_hides_passwords_only():
    assert redacted("postgresql+psycopg2://u:pw@h:5432/d") == "postgresql+psycopg2://u:***@h:5432/d"
    assert redacted("sqlite:////srv/course/gradebook.db") == "sqlite:////srv/course/gradebook.db"


def test_the_gradebook_lock_lets_one_holder_in_at_a_time(tmp_path):
    first, second = GradebookLock(tmp_path / "g.lock"), GradebookLock(tmp_path / "g.lock")
    order: list[str] = []
    first.acquire()

    def contender() -> None:
        with second:
            order.append("second")

    thread = threading.Thread(target=contender)
    thread.start()
    time.sleep(0.3)
    order.append("first releases")
    first.release()
    thread.join(timeout=10)
    assert order == ["first releases", "second"]


def test_each_sqlite_file_has_its_own_lock_and_a_server_needs_none(tmp_path):
    one = GradebookLock.for_url(f"sqlite:///{tmp_path}/a/gradebook.db")
    same = GradebookLock.for_url(f"sqlite:///{tmp_path}/a/../a/gradebook.db")
    other = GradebookLock.for_url(f"sqlite:///{tmp_path}/b/gradebook.db")
    assert isinstance(one, GradebookLock) and isinstance(other, GradebookLock)
    assert isinstance(same, GradebookLock) and one.path == same.path != other.path
    assert not isinstance(GradebookLock.for_url("postgresql+psycopg2://h/d"), GradebookLock)
