"""nbgrader's tools (alembic first of all) come from this environment, whatever PATH says."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

from coursekit.grading.tools import scripts_folder, tools_on_path, tools_path


def decoy_alembic(folder: Path) -> Path:
    """An `alembic` that is not this environment's, as another installation would leave on PATH."""
    folder.mkdir()
    decoy = folder / "alembic"
    decoy.write_text("#!/bin/sh\necho decoy\n", encoding="utf-8")
    decoy.chmod(decoy.stat().st_mode | stat.S_IXUSR)
    return decoy


def test_this_environments_alembic_wins_over_one_earlier_on_path(tmp_path):
    decoy = decoy_alembic(tmp_path / "other-bin")
    path = os.pathsep.join([str(decoy.parent), scripts_folder(), "/usr/bin"])
    assert shutil.which("alembic", path=path) == str(decoy)  # what nbgrader would have run
    fixed = tools_path(path)
    found = shutil.which("alembic", path=fixed)
    assert found == str(Path(sys.executable).parent / "alembic")
    assert "decoy" not in subprocess.run([found, "--help"], capture_output=True, text=True).stdout
    # the rest of PATH is kept, in order, and the scripts folder appears once
    assert fixed.split(os.pathsep) == [scripts_folder(), str(decoy.parent), "/usr/bin"]


def test_tools_path_drops_empty_entries_and_repeats():
    assert tools_path(os.pathsep.join(["", "/usr/bin", scripts_folder() + os.sep, ""])) == \
        os.pathsep.join([scripts_folder(), "/usr/bin"])


def test_tools_on_path_puts_path_back(monkeypatch):
    monkeypatch.setenv("PATH", "/usr/bin")
    with tools_on_path():
        assert os.environ["PATH"] == os.pathsep.join([scripts_folder(), "/usr/bin"])
    assert os.environ["PATH"] == "/usr/bin"
    monkeypatch.delenv("PATH")
    with tools_on_path():
        assert os.environ["PATH"] == scripts_folder()
    assert "PATH" not in os.environ
