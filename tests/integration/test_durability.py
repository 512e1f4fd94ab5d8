"""Answers are never lost: real processes, real SIGKILLs, a real lock, real full disks.

The kill test states its invariant in ``check_after_kill``; the figures it
measured are printed (run with ``pytest -s`` to see them).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import COURSE, complete_answers, make_readonly
from coursekit.errors import StoreError
from coursekit.student.responses import FILENAME, LOCKNAME, ResponseStore, read_responses

pytestmark = pytest.mark.slow

# What a save writes, as a function of the revision it makes: the test and the child
# processes that save both run this source, so each knows what the other wrote.
SHARED = r"""
from coursekit.content.instruments import load_instrument

ALLIANCE = load_instrument(ALLIANCE_FILE)
POINTS = ALLIANCE.scale.points


def answers_for(revision):
    # The answers a save writes (to make `revision`, or as the n-th save of a process).
    return {item.id: POINTS[(revision + n) % len(POINTS)] for n, item in enumerate(ALLIANCE.items)}


def essay_for(revision):
    # An essay of about 6 KB, so a write spans pages and a kill can land in the middle.
    return {"revision": revision, "text": f"draft {revision}: " + "reflective practice " * 300}
"""
ALLIANCE_FILE = str(COURSE / "source" / "alliance" / "alliance.json")
SHARED = f"ALLIANCE_FILE = {ALLIANCE_FILE!r}\n" + SHARED
_shared: dict = {}
exec(SHARED, _shared)
ALLIANCE = _shared["ALLIANCE"]
answers_for = _shared["answers_for"]
essay_for = _shared["essay_for"]


# A long-lived helper that imports coursekit once, then forks one saving worker per
# round, so a round costs a fork, not a Python start-up. Protocol on stdin/stdout:
#   parent: "start"      helper: "pid <pid>"; the worker then saves revision n+1, n+2, ...
#                                 writing "ack <n>" (one atomic write) after each save returns
#   parent: "reap <pid>"  helper: "reaped <pid> <status>", written after the worker is dead,
#                                 so every ack the worker managed to write comes before it.
HELPER = SHARED + r"""
import os, sys
from coursekit.student.responses import ResponseStore

folder = sys.argv[1]

def worker():
    store = ResponseStore(folder, "alliance")
    n = store.load().revision
    while True:
        n += 1
        if n % 2:
            saved = store.save_answers(ALLIANCE, answers_for(n))
        else:
            saved = store.save_value("essay", essay_for(n))
        if saved.revision != n:
            os.write(1, f"bad {n} {saved.revision}\n".encode())
            os._exit(3)
        os.write(1, f"ack {n}\n".encode())

for line in sys.stdin:
    command, *rest = line.split()
    if command == "start":
        sys.stdout.flush()
        pid = os.fork()
        if pid == 0:
            try:
                worker()
            except BaseException:
                import traceback
                traceback.print_exc()  # reaches the test's stderr
            finally:
                os._exit(4)
        print(f"pid {pid}", flush=True)
    elif command == "reap":
        _, status = os.waitpid(int(rest[0]), 0)
        print(f"reaped {rest[0]} {status}", flush=True)
"""


def check_after_kill(path: Path, acknowledged: int) -> int:
    """The invariant, checked after every kill. Returns the revision on disk.

    The file exists and is a valid response file (it parses, and its format and
    fields validate); its revision R is the last acknowledged one A, or A + 1
    (the save in flight when the kill came had renamed its file but not yet
    acknowledged); and its content is exactly what the saves up to R wrote: the
    essay of the last even revision <= R and the answers of the last odd one
    (none before revision 3). So a save that returned is never lost, and no half-written file is ever seen.
    """
    saved = read_responses(path, "alliance")
    assert saved is not None, "the response file disappeared"
    revision = saved.revision
    assert revision in (acknowledged, acknowledged + 1), (
        f"on disk: revision {revision}; last acknowledged save: {acknowledged}")
    last_even = revision if revision % 2 == 0 else revision - 1
    last_odd = revision if revision % 2 else revision - 1
    # The test's own set-up made revisions 1 (no essay) and 2 (essay 2); the workers start at 3.
    assert saved.values.get("essay") == essay_for(last_even)
    assert saved.answers("alliance") == (answers_for(last_odd) if last_odd >= 3 else {})
    return revision


def read_line(stream) -> list[str]:
    line = stream.readline()
    assert line, "the helper process died"
    return line.split()


def test_sigkill_at_random_moments_never_loses_an_acknowledged_save(tmp_path):
    folder = tmp_path / "alliance"
    folder.mkdir()
    path = folder / FILENAME
    ResponseStore(folder, "alliance").save_value("essay", None)  # revision 1: a file exists
    # A save lands on an odd revision, so start from an even one: 1 -> 2.
    ResponseStore(folder, "alliance").save_value("essay", essay_for(2))
    rng = random.Random(20261121)
    kills = saves = in_flight_landed = no_ack_rounds = 0
    on_disk = 2
    started = time.monotonic()
    with subprocess.Popen([sys.executable, "-c", HELPER, str(folder)], stdin=subprocess.PIPE,
                          stdout=subprocess.PIPE, text=True, bufsize=1) as helper:
        worker = None
        try:
            while saves < 520 or kills < 150:
                assert time.monotonic() - started < 50, f"too slow: {saves} saves, {kills} kills"
                helper.stdin.write("start\n")
                kind, pid = read_line(helper.stdout)
                assert kind == "pid"
                worker = int(pid)
                # Most kills land anywhere in a run of saves; one in five within the first
                # milliseconds (while the worker opens the store and reads the file).
                time.sleep(rng.uniform(0, 0.004) if rng.random() < 0.2 else rng.uniform(0, 0.1))
                os.kill(worker, signal.SIGKILL)
                kills += 1
                helper.stdin.write(f"reap {pid}\n")
                acks = []
                while True:
                    words = read_line(helper.stdout)
                    assert words[0] in ("ack", "reaped"), f"the worker said {words}"
                    if words[0] == "reaped":
                        worker = None
                        assert os.WIFSIGNALED(int(words[2])), "the worker ended by itself"
                        break
                    acks.append(int(words[1]))
                assert acks == list(range(on_disk + 1, on_disk + 1 + len(acks))), "acks out of order"
                saves += len(acks)
                acknowledged = acks[-1] if acks else on_disk
                no_ack_rounds += not acks
                on_disk = check_after_kill(path, acknowledged)
                in_flight_landed += on_disk == acknowledged + 1
        finally:
            if worker is not None:  # a failed check left our worker running: end it
                with contextlib.suppress(ProcessLookupError):
                    os.kill(worker, signal.SIGKILL)
    elapsed = time.monotonic() - started
    leftovers = sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))
    assert not list(folder.glob("coursekit-responses.corrupt-*")), "a kill made the file look corrupt"
    assert ResponseStore(folder, "alliance").load().revision == on_disk
    print(f"\nSIGKILL test: {kills} kills, {saves} acknowledged saves all survived, "
          f"{in_flight_landed} kills landed after the rename and before the ack "
          f"(file one revision ahead), {no_ack_rounds} rounds killed before their first ack; "
          f"final revision {on_disk}; {len(leftovers)} temporary files left by killed saves; "
          f"{elapsed:.1f} s")
    assert saves >= 500 and kills >= 150
    # Kills hit both sides of the rename; otherwise the test has not shown much.
    assert 0 < in_flight_landed < kills
    # Temporaries of killed saves would travel with nbgrader submit: the next save clears them.
    ResponseStore(folder, "alliance").save_value("after-the-kills", True)
    assert not list(folder.glob("*.tmp")), "a save left the temporaries of killed saves behind"


# --- two processes at once -----------------------------------------------------------

SAVER = SHARED + r"""
import json, os, sys
from coursekit.student.responses import ResponseStore

folder, name, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
store = ResponseStore(folder, "alliance")
sys.stdin.readline()  # start together
log = []
for i in range(count):
    if i % 5 == 4:
        saved = store.save_answers(ALLIANCE, answers_for(i + (name == "b")))
        kind = "answers"
    else:
        saved = store.save_value(f"{name}-{i}", i)
        kind = "value"
    # "seed" is only in a file that descends from the test's first save (see the corruption test)
    log.append([kind, i, saved.revision, "seed" in saved.values])
print(json.dumps({"log": log, "notice": store.notice}))
"""


def start_savers(folder: Path, names: list[str], count: int) -> list[subprocess.Popen[str]]:
    procs = [subprocess.Popen([sys.executable, "-c", SAVER, str(folder), name, str(count)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
             for name in names]
    for proc in procs:  # imports done or not, release them together
        proc.stdin.write("go\n")
        proc.stdin.flush()
    return procs


def finish(procs: list[subprocess.Popen[str]]) -> list[dict]:
    results = []
    for proc in procs:
        out, _ = proc.communicate(timeout=60)
        assert proc.returncode == 0, out
        results.append(json.loads(out))
    return results


def test_two_processes_saving_hundreds_of_times_lose_no_update(tmp_path):
    count = 250
    results = finish(start_savers(tmp_path, ["a", "b"], count))
    saved = ResponseStore(tmp_path, "alliance").load()

    # Every save got its own revision: the lock serialised all 500 of them.
    by_revision = {}
    for name, result in zip("ab", results, strict=True):
        for kind, i, revision, _ in result["log"]:
            assert revision not in by_revision, f"two saves made revision {revision}"
            by_revision[revision] = (name, kind, i)
    assert sorted(by_revision) == list(range(1, 2 * count + 1))
    assert saved.revision == 2 * count

    # No update lost: every value is there, and the answers are those of the last answer save.
    expected = {f"{name}-{i}": i for name in "ab" for i in range(count) if i % 5 != 4}
    assert saved.values == expected
    last_answers = max(r for r, (_, kind, _) in by_revision.items() if kind == "answers")
    name, _, i = by_revision[last_answers]
    assert saved.answers("alliance") == answers_for(i + (name == "b"))

    # The two really did run at the same time (the order switches between them often).
    order = [by_revision[r][0] for r in sorted(by_revision)]
    switches = sum(1 for x, y in zip(order, order[1:], strict=False) if x != y)
    print(f"\ntwo savers: {2 * count} saves, writer changed {switches} times, none lost")
    assert switches >= 20, f"the processes hardly overlapped ({switches} switches)"


# --- a disk that fills up between two saves ------------------------------------------


def free_bytes(folder: Path) -> int:
    st = os.statvfs(folder)
    return st.f_bavail * st.f_frsize


def test_the_disk_filling_up_between_two_saves_of_an_essay_keeps_the_first(full_folder):
    store = ResponseStore(full_folder, "alliance")
    first = "first draft " * 1000  # 12 KB
    store.save_value("essay", first)
    before = store.path.read_bytes()
    # Something else fills the disk until only 8 KB are free: not enough for the
    # temporary copy of a 24 KB second draft, which fails part-way through.
    with open(full_folder / "ballast", "wb") as ballast:
        while free_bytes(full_folder) > 8192:
            ballast.write(b"\0" * 4096)
            ballast.flush()
    with pytest.raises(StoreError, match="the disk is full") as caught:
        store.save_value("essay", "second draft " * 2000)
    assert "previously saved answers are unchanged" in str(caught.value)
    assert store.path.read_bytes() == before
    assert ResponseStore(full_folder, "alliance").load().values["essay"] == first
    assert not list(full_folder.glob("*.tmp")), "the failed save left its partial copy behind"
    # Once space is freed, the same save goes through.
    (full_folder / "ballast").unlink()
    store.save_value("essay", "second draft " * 2000)
    assert ResponseStore(full_folder, "alliance").load().values["essay"] == "second draft " * 2000


# --- corruption found while another process saves ------------------------------------

GARBAGE = b'{"format": "coursekit-responses", "schema_version": 1, "module": "alli'


def test_corruption_found_while_another_process_saves_is_kept_aside_once(tmp_path):
    """Two processes save; between two of their saves the file is damaged (written under
    the store's own lock, as a failing disk or a sync tool might leave it). Exactly one
    save finds it, moves it aside intact and reports it; no later save is lost."""
    ResponseStore(tmp_path, "alliance").save_value("seed", 0)
    path = tmp_path / FILENAME
    count = 150
    procs = start_savers(tmp_path, ["a", "b"], count)
    # Wait until the savers are well under way, then damage the file between two saves.
    deadline = time.monotonic() + 30
    while (read_responses(path, "alliance").revision < 60):
        assert time.monotonic() < deadline, "the savers did not get going"
        time.sleep(0.01)
    fd = os.open(tmp_path / LOCKNAME, os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        damaged_at = read_responses(path, "alliance").revision
        path.write_bytes(GARBAGE)
    finally:
        os.close(fd)
    results = finish(procs)

    kept = list(tmp_path.glob("coursekit-responses.corrupt-*.json"))
    assert len(kept) == 1, f"expected one file kept aside, found {kept}"
    assert kept[0].read_bytes() == GARBAGE, "the damaged file was changed"
    notices = [r["notice"] for r in results if r["notice"]]
    assert len(notices) == 1, notices
    assert kept[0].name in notices[0] and "not valid JSON" in notices[0]

    # Before the damage: revisions 2..damaged_at, one per save, each file holding the first
    # save's "seed". After it: a new file, from revision 1, holding every later save.
    before, after = [], []
    for name, result in zip("ab", results, strict=True):
        for kind, i, revision, old_file in result["log"]:
            if old_file:
                before.append(revision)
            else:
                after.append((revision, name, kind, i))
    assert sorted(before) == list(range(2, damaged_at + 1))
    assert sorted(r for r, *_ in after) == list(range(1, len(after) + 1))
    saved = read_responses(path, "alliance")
    assert saved.revision == len(after) == 2 * count - (damaged_at - 1)
    assert saved.values == {f"{name}-{i}": i for _, name, kind, i in after if kind == "value"}
    print(f"\ncorruption during saves: damaged at revision {damaged_at}, kept aside once, "
          f"{len(after)} later saves all in the new file")


def test_a_form_whose_save_finds_a_damaged_file_tells_the_student(tmp_path):
    from coursekit.student.widgets import InstrumentForm
    store = ResponseStore(tmp_path, "alliance")
    form = InstrumentForm(ALLIANCE, store)
    for key, value in complete_answers(ALLIANCE, 3).items():
        form.controls[key].value = value
    assert form.save()
    # Another process's save was interrupted by a failing disk: the file is damaged.
    (tmp_path / FILENAME).write_bytes(GARBAGE)
    form.controls["bond_1"].value = 5
    assert form.save()
    kept = list(tmp_path.glob("coursekit-responses.corrupt-*.json"))
    assert len(kept) == 1 and kept[0].read_bytes() == GARBAGE
    assert kept[0].name in form.message.value, "the student was not told"


def test_a_damaged_file_in_a_read_only_folder_is_reported_not_a_traceback(readonly_folder):
    (readonly_folder / FILENAME).write_bytes(GARBAGE)
    make_readonly(readonly_folder)
    store = ResponseStore(readonly_folder, "alliance")
    saved = store.load()
    assert saved.answers("alliance") == {}
    assert store.notice and "not valid JSON" in store.notice and "not writable" in store.notice
    assert (readonly_folder / FILENAME).read_bytes() == GARBAGE
    with pytest.raises(StoreError, match="damaged and could not be set aside"):
        store.save_answers(ALLIANCE, {"bond_1": 3})
    assert (readonly_folder / FILENAME).read_bytes() == GARBAGE
