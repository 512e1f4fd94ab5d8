"""coursekit.files: whole-or-nothing writes and the lock, on the real filesystem.

The store's and the export's own tests (test_responses, test_durability,
test_portfolio) show what a student sees; these check the promises every
caller relies on.
"""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from coursekit.files import FileLock, atomic_write, temporaries


def test_a_write_replaces_the_file_whole_and_privately(tmp_path):
    target = tmp_path / "notes.json"
    target.write_bytes(b"old")
    os.chmod(target, 0o644)
    atomic_write(target, b"new")
    assert target.read_bytes() == b"new"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.json"]


def test_the_mode_asked_for_is_the_mode_given_whatever_the_umask(tmp_path):
    old = os.umask(0o077)
    try:
        atomic_write(tmp_path / "shared.txt", b"x", mode=0o644)
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "shared.txt").stat().st_mode) == 0o644


def test_a_failed_write_names_the_target_and_leaves_nothing(tmp_path):
    target = tmp_path / "missing" / "page.html"
    with pytest.raises(FileNotFoundError) as caught:
        atomic_write(target, b"x")
    assert caught.value.filename == str(target)
    assert list(tmp_path.iterdir()) == [], "a failed write left a file behind"


def test_a_full_disk_keeps_the_old_file_and_no_temporary(full_folder):
    from conftest import fill

    target = full_folder / "essay.txt"
    atomic_write(target, b"first")
    fill(full_folder)
    with pytest.raises(OSError, match="No space left") as caught:
        atomic_write(target, b"second " * 4096)
    assert caught.value.filename == str(target)
    assert target.read_bytes() == b"first"
    assert list(temporaries(target)) == []


def test_temporaries_finds_what_a_killed_write_leaves(tmp_path):
    target = tmp_path / "a.json"
    left = tmp_path / ".a.json.k3j2.tmp"
    left.write_bytes(b"half")
    (tmp_path / ".b.json.x.tmp").write_bytes(b"another file's")
    assert list(temporaries(target)) == [left]


HOLD = r"""
import sys, time
from coursekit.files import FileLock
FileLock(sys.argv[1]).acquire()
print("held", flush=True)
time.sleep(60)
"""


def test_a_killed_holder_leaves_no_stale_lock(tmp_path):
    path = tmp_path / "x.lock"
    with subprocess.Popen([sys.executable, "-c", HOLD, str(path)], stdout=subprocess.PIPE,
                          text=True) as holder:
        try:
            assert holder.stdout.readline().strip() == "held"
        finally:
            os.kill(holder.pid, signal.SIGKILL)
    started = time.monotonic()
    with FileLock(path):
        assert time.monotonic() - started < 5
    assert path.exists()  # the lock file stays, so every holder locks the same file


def test_the_lock_is_not_followed_through_a_symbolic_link(tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_bytes(b"precious")
    (tmp_path / "x.lock").symlink_to(victim)
    with pytest.raises(OSError):
        FileLock(tmp_path / "x.lock").acquire()
    assert victim.read_bytes() == b"precious"


def test_one_lock_object_refuses_to_be_taken_twice(tmp_path):
    lock = FileLock(tmp_path / "x.lock")
    with lock:
        assert lock.held
        with pytest.raises(RuntimeError, match="already locked"):
            lock.acquire()
    assert not lock.held


def test_an_existing_lock_file_works_on_a_read_only_folder(readonly_folder):
    from conftest import make_readonly

    path = Path(readonly_folder) / "x.lock"
    path.touch()
    make_readonly(readonly_folder)
    with FileLock(path) as lock:
        assert lock.held
    with pytest.raises(OSError, match="Read-only"):
        FileLock(Path(readonly_folder) / "new.lock").acquire()


def test_a_copied_lock_is_the_same_lock(tmp_path):
    """nbgrader's converter deep-copies the resources that carry the gradebook lock; a copy that
    were a second lock would wait for ever on the first, in the same process."""
    import copy

    lock = FileLock(tmp_path / "lock")
    with lock:
        twin = copy.deepcopy({"lock": lock})["lock"]
        assert twin is lock and copy.copy(lock) is lock
        twin.release()
        twin.acquire()  # would block for ever if twin were another lock on the same file
    assert not lock.held
