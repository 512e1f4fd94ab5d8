"""Shared fixtures: scratch answer folders, real read-only and full folders, nbgrader runs."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from coursekit.content.evidence import EvidenceSet
from coursekit.content.instruments import Instrument
from coursekit.content.manifest import Module, load_course, load_module
from coursekit.content.questions import QuestionSet
from coursekit.grading.tools import tools_path
from coursekit.student.responses import FOLDER_ENV

ROOT = Path(__file__).resolve().parent.parent
COURSE = ROOT / "course"
MODULES = list(load_course(COURSE).module_ids)


def module_of(module_id: str) -> Module:
    """A module of the real course, as its manifest declares it."""
    return load_module(COURSE / "source" / module_id)


def _form_module(form_id: str) -> Module:
    return next(m for m in map(module_of, MODULES) if any(f.id == form_id for f in m.forms))


def instrument_of(form_id: str) -> Instrument:
    """An instrument of the real course, by its form id ("alliance")."""
    return _form_module(form_id).instrument(form_id)


def questions_of(form_id: str) -> QuestionSet:
    """A question set of the real course, by its form id ("craft_practice")."""
    return _form_module(form_id).questions(form_id)


def evidence_of(module_id: str) -> EvidenceSet:
    return module_of(module_id).evidence_set()


@pytest.fixture
def alliance() -> Instrument:
    return instrument_of("alliance")


@pytest.fixture
def answers_base(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A scratch assignments folder that ResponseStore.here() saves into."""
    base = tmp_path / "assignments"
    base.mkdir()
    monkeypatch.setenv(FOLDER_ENV, str(base))
    return base


def complete_answers(instrument: Instrument, value: int = 4) -> dict[str, int]:
    return {item.id: value for item in instrument.items}


def _mount(*args: str) -> bool:
    return subprocess.run(["mount", *args], capture_output=True).returncode == 0


@contextlib.contextmanager
def small_mount(path: Path, size: str = "64k") -> Iterator[Path]:
    """A real, tiny tmpfs mounted at ``path`` (needs root, as in CI)."""
    path.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0 or not _mount("-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs", str(path)):
        pytest.skip("mounting a tmpfs needs root; CI runs as root")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False)


@pytest.fixture
def readonly_folder(tmp_path: Path) -> Iterator[Path]:
    """A folder the kernel itself refuses to write to (a read-only mount).

    Mode bits mean nothing to root, so a chmod would not test anything here.
    The test may put files in it before calling ``make_readonly``.
    """
    folder = tmp_path / f"ro-{uuid.uuid4().hex[:6]}"
    with small_mount(folder, "1m"):
        yield folder


def make_readonly(folder: Path) -> None:
    assert _mount("-o", "remount,ro", str(folder)), "could not remount read-only"


@pytest.fixture
def full_folder(tmp_path: Path) -> Iterator[Path]:
    """A folder on a 64 KiB filesystem; the test fills it to make the disk full."""
    folder = tmp_path / f"full-{uuid.uuid4().hex[:6]}"
    with small_mount(folder, "64k"):
        yield folder


def fill(folder: Path) -> None:
    fd = os.open(folder / "ballast", os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        with contextlib.suppress(OSError):
            while True:
                os.write(fd, b"x" * 4096)
    finally:
        os.close(fd)


def tool_env(**extra: str) -> dict[str, str]:
    """The environment for nbgrader and jupyter commands: this venv's scripts on PATH
    (nbgrader runs `alembic` from PATH)."""
    env = dict(os.environ)
    env.pop(FOLDER_ENV, None)
    env["PATH"] = tools_path(env.get("PATH"))
    env.update(extra)
    return env


def run(cmd: list[str], cwd: Path, env: dict[str, str] | None = None, ok: bool = True,
        timeout: float = 300) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(cmd, cwd=cwd, env=env or tool_env(), capture_output=True,
                            text=True, timeout=timeout)
    if ok and result.returncode != 0:
        raise AssertionError(
            f"{' '.join(cmd)} failed ({result.returncode}) in {cwd}:\n"
            f"{result.stdout[-4000:]}\n{result.stderr[-4000:]}"
        )
    return result


def copy_course(dest: Path) -> Path:
    """The course's settings, config, Python primer and source copied into ``dest`` (made if needed)."""
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copy(COURSE / "nbgrader_config.py", dest)
    shutil.copy(COURSE / "coursekit.toml", dest)
    shutil.copy(COURSE / "python-primer.md", dest)
    shutil.copytree(COURSE / "source", dest / "source", dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns(".ipynb_checkpoints", "coursekit-responses*"))
    return dest


def strictly_run_copy(source: Path, dest: Path) -> Path:
    """A copy of a folder of module folders with no cell tagged ``raises-exception``.

    The tag lets a student's Run All go past an unfinished exercise; nbval honours it too,
    and would then let an instructor's solution that fails its own tests pass. Run the
    copy, where every error fails.
    """
    import nbformat

    shutil.copytree(source, dest, ignore=shutil.ignore_patterns(".ipynb_checkpoints",
                                                                 "coursekit-responses*"))
    for path in dest.rglob("*.ipynb"):
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            tags = cell.metadata.get("tags")
            if tags and "raises-exception" in tags:
                cell.metadata["tags"] = [tag for tag in tags if tag != "raises-exception"]
        nbformat.write(nb, path)
    return dest


@pytest.fixture
def course_copy(tmp_path: Path) -> Path:
    """A fresh copy of the course directory (config and source only)."""
    return copy_course(tmp_path / "course")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):  # type: ignore[no-untyped-def]
    """In CI a skipped test is a failure: a green run must not hide a missing browser or server."""
    outcome = yield
    report = outcome.get_result()
    if os.environ.get("CI") and report.skipped and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        report.longrepr = f"skipped in CI, where everything must run: {report.longrepr}"


PLAN = {"goal": "Name a withdrawal in the session it happens.",
        "practice": "Twice a week, replay a recorded moment, name it three ways.",
        "feedback": "My supervisor, from recordings.",
        "review_date": "2030-01-31"}


def save_complete_answers(base: Path, course: Path = COURSE) -> None:
    """Every module's forms answered and saved, as a diligent student would: read from the
    manifests, so a module added to the course is answered too."""
    from coursekit.student.portfolio import save_plan
    from coursekit.student.responses import ResponseStore

    for module in load_course(course).modules():
        (base / module.id).mkdir(parents=True, exist_ok=True)
        store = ResponseStore(base / module.id, module.id)
        for instrument in module.instruments.values():
            store.save_answers(instrument, complete_answers(instrument))
        for qset in module.question_sets.values():
            store.save_numbers(qset, {q.id: q.min for q in qset.questions})
        if module.forms_of("plan"):
            save_plan(store, PLAN)
