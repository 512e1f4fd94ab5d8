"""Warm kernels: each notebook gets a new kernel process forked from a fork server that has
imported the course's libraries; nothing passes from one kernel to the next, and a kernel
behaves as one started from scratch would."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import io
import json
import os
import re
import signal
import time
from pathlib import Path
from typing import Any

import nbformat
import pytest
from jupyter_client.manager import AsyncKernelManager
from nbclient import NotebookClient
from nbclient.exceptions import DeadKernelError

from coursekit.grading import warm
from coursekit.grading.warm import WarmKernelManager, fork_server

COURSE = Path(__file__).resolve().parents[3] / "course"

pytestmark = pytest.mark.kernel


@pytest.fixture(autouse=True, scope="module")
def _one_server_for_these_tests():
    yield
    warm.stop_fork_server()


def run(cells: list[str], folder: Path, *, cold: bool = False) -> tuple[list[list[Any]], bool]:
    """Run code cells in a new kernel (warm unless ``cold``) with nbclient, as grading does:
    each cell's outputs, and whether the kernel was forked."""
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    client = NotebookClient(nb, timeout=60, kernel_name="python3", allow_errors=True,
                            resources={"metadata": {"path": str(folder)}},
                            kernel_manager_class=AsyncKernelManager if cold else WarmKernelManager)
    with client.setup_kernel():
        forked = bool(getattr(client.km.provisioner, "forked", False))
        for index, cell in enumerate(nb.cells):
            client.execute_cell(cell, index)
    return [list(cell.outputs) for cell in nb.cells], forked


def printed(outputs: list[Any]) -> Any:
    """What a cell printed as JSON (its last line)."""
    text = "".join(o.get("text", "") for o in outputs if o.output_type == "stream")
    assert text, outputs
    return json.loads(text.strip().splitlines()[-1])


def pixels(outputs: list[Any]) -> list[tuple[str, tuple[int, int], bytes]]:
    """Every PNG a cell showed, decoded: mode, size and pixels, whatever the file's bytes."""
    from PIL import Image

    found = []
    for output in outputs:
        data = output.get("data", {})
        pngs = [data["image/png"]] if "image/png" in data else []
        pngs += re.findall(r"data:image/png;base64,([A-Za-z0-9+/=]+)", data.get("text/html", ""))
        for png in pngs:  # pyplot's own figures, and the course's described figures (in HTML)
            image = Image.open(io.BytesIO(base64.b64decode(png)))
            found.append((image.mode, image.size, image.tobytes()))
    return found


PROCESS = ("import json, os, sys\n"
           "print(json.dumps([os.getpid(), os.getppid(), os.getpgid(0), os.environ['JPY_PARENT_PID'],"
           " os.getcwd(), 'coursekit.privacy.detector' in sys.modules]))")


def test_the_fork_server_imports_everything_listed_and_holds_only_its_socket_open():
    ready = fork_server().wait_ready()
    assert ready["failed"] == []
    assert "coursekit.privacy.lexicon:load_all" in ready["loaded"]
    assert ready["fds"][:3] == [0, 1, 2] and len(ready["fds"]) == 4  # stdio and its socket


def notebook_imports() -> list[str]:
    """Every module a cell of the course's notebooks imports."""
    import ast

    found = set()
    for path in sorted((COURSE / "source").glob("*/*.ipynb")):
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type != "code":
                continue
            with contextlib.suppress(SyntaxError):  # a cell with IPython magic imports nothing
                for node in ast.walk(ast.parse(cell.source)):
                    if isinstance(node, ast.Import):
                        found |= {alias.name for alias in node.names}
                    elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                        found.add(node.module)
    return sorted(found)


def test_a_warm_kernel_has_already_imported_everything_the_course_notebooks_import(tmp_path):
    wanted = notebook_imports()
    assert "coursekit.student.widgets" in wanted and "coursekit.student.displays" in wanted
    outputs, forked = run([f"import json, sys\nprint(json.dumps([m for m in {wanted!r} "
                           "if m not in sys.modules]))"], tmp_path)
    assert forked
    assert printed(outputs[0]) == []  # add what is missing to forkserver.PRELOAD
    anywidget, _ = run(["import json, sys\nprint(json.dumps('anywidget' in sys.modules))"], tmp_path)
    assert printed(anywidget[0]) is True  # the forms' front end, imported by coursekit.student.widgets


def test_each_notebook_gets_a_new_process_forked_from_the_server(tmp_path):
    server = fork_server().wait_ready()["pid"]
    first, forked = run([PROCESS], tmp_path)
    second, _ = run([PROCESS], tmp_path)
    pid, parent, group, jpy_parent, cwd, warm_imports = printed(first[0])
    assert forked
    assert parent == server and jpy_parent == str(server)  # it exits when the server does
    assert group == pid  # its own process group: interrupts reach it and its children only
    assert cwd == str(tmp_path)
    assert warm_imports  # the privacy check is already imported...
    assert printed(second[0])[0] != pid  # ...but each notebook has a process of its own
    cold, forked = run([PROCESS], tmp_path, cold=True)
    assert not forked and printed(cold[0])[1] != server and not printed(cold[0])[5]


def test_nothing_one_student_does_reaches_the_next_students_kernel(tmp_path):
    run(["secret = 42\n"
         "import coursekit, matplotlib, random\nimport numpy as np\nimport matplotlib.pyplot as plt\n"
         "coursekit.leak = 1\nmatplotlib.rcParams['lines.linewidth'] = 9\nplt.figure()\n"
         "np.random.seed(0)\nrandom.seed(0)\n"
         "from coursekit.privacy import lexicon\nlexicon.zipf('zyzzyva')\n"
         "from coursekit.student.widgets_front import ChoiceGroup\n"
         "form = ChoiceGroup(options=[('1', 1), ('2', 2)], value=2, text='I felt heard')"], tmp_path)
    probe = ("import json, random, coursekit, matplotlib\nimport numpy as np\n"
             "from ipywidgets.widgets import widget\n"
             "import matplotlib.pyplot as plt\nfrom coursekit.privacy import lexicon\n"
             "print(json.dumps(['secret' in dir(), hasattr(coursekit, 'leak'),"
             " matplotlib.rcParams['lines.linewidth'], plt.get_fignums(),"
             " lexicon.zipf.cache_info().currsize, int(np.random.randint(2**62)),"
             " random.getrandbits(62), len(widget._instances)]))")
    b = printed(run([probe], tmp_path)[0][0])
    c = printed(run([probe], tmp_path)[0][0])
    # no name, no module attribute, no setting, no figure, no cached word (the server
    # itself looked up one word, "the") and no widget of the first kernel
    assert b[:5] == c[:5] == [False, False, 1.5, [], 1]
    assert b[7] == c[7] == 0
    # fresh random state in every kernel: numpy's and random's draws differ
    assert b[5] != c[5] and b[6] != c[6]


def test_a_warm_kernel_holds_none_of_the_servers_files_and_the_server_stays_single_threaded(tmp_path):
    server = fork_server()
    pid = server.wait_ready()["pid"]
    socket_fd = server.wait_ready()["fds"][3]
    theirs = os.readlink(f"/proc/{pid}/fd/{socket_fd}")
    outputs, forked = run(["import json, os\n"
                           "fds = {}\n"
                           "for fd in os.listdir('/proc/self/fd'):\n"
                           "    try: fds[fd] = os.readlink(f'/proc/self/fd/{fd}')\n"
                           "    except OSError: pass\n"
                           "print(json.dumps(fds))"], tmp_path)
    fds = printed(outputs[0])
    assert forked
    assert theirs.startswith("socket:") and theirs not in fds.values()
    assert fds["0"] == os.devnull
    assert len(os.listdir(f"/proc/{pid}/task")) == 1  # it never starts a thread, so forks stay safe


def test_a_kernel_that_dies_is_reported_dead_and_the_next_one_comes_up(tmp_path):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("import os\nos._exit(1)")])
    client = NotebookClient(nb, timeout=60, kernel_name="python3",
                            resources={"metadata": {"path": str(tmp_path)}},
                            kernel_manager_class=WarmKernelManager)
    with pytest.raises(DeadKernelError):
        client.execute()
    outputs, forked = run([PROCESS], tmp_path)
    assert forked and printed(outputs[0])


def test_a_server_that_died_is_replaced_for_the_next_kernel(tmp_path):
    old = fork_server()
    old.wait_ready()
    os.kill(old.process.pid, signal.SIGKILL)
    old.process.wait()
    outputs, forked = run([PROCESS], tmp_path)
    assert forked
    new = fork_server()
    assert new is not old and printed(outputs[0])[1] == new.wait_ready()["pid"]


def test_one_shared_server_serves_every_worker_and_ends_the_kernels_of_one_that_goes(tmp_path,
                                                                                    monkeypatch):
    owner = warm.ForkServer.start(shared=True)
    try:
        assert owner.path and os.stat(os.path.dirname(owner.path)).st_mode & 0o077 == 0  # ours only
        monkeypatch.setattr(warm, "_SERVER", None)
        warm.use_shared_fork_server(owner.path)  # as each grading worker does
        monkeypatch.setattr(warm, "_SHARED", owner.path)
        server = owner.wait_ready()["pid"]
        outputs, forked = run([PROCESS], tmp_path)
        assert forked and printed(outputs[0])[1] == server

        km = WarmKernelManager(kernel_name="python3")  # a kernel left running when its worker goes
        asyncio.run(km.start_kernel(cwd=str(tmp_path)))
        pid = int(km.provisioner.pid)
        fds = {os.readlink(f"/proc/{server}/fd/{fd}") for fd in os.listdir(f"/proc/{server}/fd")}
        kernel_fds = set()
        for fd in os.listdir(f"/proc/{pid}/fd"):
            with contextlib.suppress(OSError):
                kernel_fds.add(os.readlink(f"/proc/{pid}/fd/{fd}"))
        assert not {f for f in fds if f.startswith("socket:")} & kernel_fds
        warm.stop_fork_server()  # the worker's connection closes...
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and _running(pid):
            time.sleep(0.1)
        assert not _running(pid)  # ...and the server ends that worker's kernel
        assert owner.alive()  # but keeps serving the others
        assert not asyncio.run(km.is_alive())  # and the kernel's manager sees it gone
        asyncio.run(km.shutdown_kernel(now=True))
    finally:
        owner.close()
    assert not os.path.exists(owner.path)


def _running(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(")")[1].split()[0] != "Z"
    except OSError:
        return False


def test_a_kernel_whose_environment_the_server_was_not_started_with_is_started_cold(tmp_path):
    async def start() -> tuple[bool, str]:
        km = WarmKernelManager(kernel_name="python3")
        await km.start_kernel(cwd=str(tmp_path), env={**os.environ, "PYTHONHASHSEED": "7"})
        kc = km.client()
        kc.start_channels()
        try:
            await kc.wait_for_ready(timeout=60)
            seen: list[str] = []
            await kc.execute_interactive(
                "import os; print(os.environ['PYTHONHASHSEED'])", timeout=60,
                output_hook=lambda m: seen.append(m["content"].get("text", "")))
            return bool(km.provisioner.forked), "".join(seen).strip()
        finally:
            kc.stop_channels()
            await km.shutdown_kernel()

    forked, seed = asyncio.run(start())
    assert not forked  # the hash seed is read when Python starts: a fork would not have it
    assert seed == "7"


def test_a_warm_kernel_ends_as_python_would_its_exit_handlers_and_open_files_finished(tmp_path):
    started = time.monotonic()
    run(["left = open('left-open.txt', 'w')\nleft.write('written, never closed')\n"
         "import atexit\natexit.register(lambda: open('at-exit.txt', 'w').write('ran'))"], tmp_path)
    assert time.monotonic() - started < 30
    assert (tmp_path / "left-open.txt").read_text() == "written, never closed"
    assert (tmp_path / "at-exit.txt").read_text() == "ran"


def test_figures_come_out_pixel_for_pixel_as_in_a_kernel_started_from_scratch(tmp_path):
    cells = ["import matplotlib.pyplot as plt\nplt.plot([3, 1, 2])",  # pyplot's own, shown at the end
             "from coursekit.student.plots import alliance_series\n"
             "alliance_series([31, 33, 27, None, 30, 35], rupture=3, repair=6)"]
    warm_out, forked = run(cells, tmp_path)
    cold_out, _ = run(cells, tmp_path, cold=True)
    assert forked
    for warm_cell, cold_cell in zip(warm_out, cold_out, strict=True):
        assert len(pixels(warm_cell)) == 1
        assert pixels(warm_cell) == pixels(cold_cell)


def test_an_unfinished_exercise_reads_as_one_sentence_in_a_warm_kernel_as_in_a_fresh_one(tmp_path):
    """coursekit.student sets up the one-sentence message when it is imported in a kernel; in a
    warm kernel it was imported before any kernel existed, so the fork server sets it up then."""
    cells = ["import coursekit.student",
             "def find_rupture(ratings):\n    # YOUR CODE HERE\n    raise NotImplementedError()",
             "find_rupture([30, 22])"]
    shown = {}
    for cold in (False, True):
        outputs, forked = run(cells, tmp_path, cold=cold)
        assert forked is not cold
        (error,) = outputs[2]
        assert error.output_type == "error" and error.ename == "NotImplementedError"
        shown[cold] = error.traceback
    assert shown[False] == shown[True]
    assert len(shown[False]) == 1 and shown[False][0].startswith("Not done yet: `find_rupture`")
