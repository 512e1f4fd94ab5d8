"""The fork server behind warm kernels: one interpreter that imports, once, what the
course's notebooks import, then forks a fresh kernel process for each notebook.

A kernel started the usual way (``python -m ipykernel_launcher -f FILE``) spends
about a second starting Python and importing ipykernel, and then the notebook
spends seconds more importing matplotlib, ipywidgets, numpy and coursekit and
loading the privacy check's word data. A grading run starts this server once
(its workers connect to it; a Dask worker starts its own); for each notebook
the server forks, and the child becomes the kernel, runs that
one notebook and exits. No notebook ever runs in the server, so every kernel
starts from the same state: libraries imported, nothing of any student's.

What makes a child as good as a freshly started kernel:

- **Forked with one thread, no sockets, no event loop.** Before every fork the
  server checks that it has only its main thread, no ZMQ context, no kernel
  application, no matplotlib figure and no widget (:func:`_check_forkable`). OpenBLAS
  (numpy's and scipy's) starts a thread pool when it loads and stops it in its
  own fork handler, so one throwaway fork after preloading lets it do that.
- **No file handle or lock shared.** The server holds nothing open but its
  standard streams and its sockets (to the process that started it, to each
  worker, and where workers connect); the child closes them all and checks that
  only fds 0, 1 and 2 remain (stdin is /dev/null; stdout and stderr are the
  grading log, as for a kernel a worker starts itself).
- **Fresh random state.** Python's ``random`` reseeds itself after a fork; the
  child also reseeds numpy's global generator and every other ``random.Random``
  a preloaded module holds (:func:`_reseed`).
- **No widget.** No preloaded module makes a widget (ipywidgets' or anywidget's,
  as the forms use) at import; the server checks that none exists, so a kernel
  starts with an empty widget registry and registers its comm targets itself.
  (anywidget would start a file-watching thread only with ``ANYWIDGET_HMR=1``, a
  developer's setting; the thread check then refuses the fork.)
- **Fresh matplotlib state.** pyplot is imported but no figure exists and no
  backend is chosen: the kernel's first figure loads the inline backend, which
  then hooks into that kernel's own shell, exactly as in a fresh kernel.
- **The same process as `python -m ipykernel_launcher` would be.** Same
  interpreter and start-up environment (a request whose environment differs in
  anything read at start-up is refused, and the worker starts that kernel the
  usual way), then the child takes the request's environment, working folder,
  ``sys.argv`` and its own session (``setsid``, so interrupts reach its process
  group only). ``JPY_PARENT_PID`` names the server: the kernel exits when the
  server does; the server exits when the process that started it does, and
  ends a worker's kernels when that worker goes.

Run by :mod:`coursekit.grading.warm`, which speaks its protocol: one JSON object
a line over a socket; the server answers each connection's requests in order.
"""

from __future__ import annotations

import atexit
import contextlib
import gc
import importlib
import importlib.util
import json
import os
import random
import select
import signal
import socket
import sys
import threading
import time
import traceback
from typing import Any, NoReturn

# Imported before the first fork, in this order. Each is what a course notebook
# imports anyway (measured: the modules the six modules' notebooks load in a fresh
# kernel); a name that fails to import is left out, and a kernel that needs it
# fails as a fresh one would. Nothing here may run code that depends on the kernel
# it will serve (its shell, folder or student) at import time.
PRELOAD = (
    "ipykernel.kernelapp",  # IPython, zmq, tornado: imported, no socket or loop made
    # what IPKernelApp.initialize() imports: its debugger (debugpy) alone is 0.4 s
    "ipykernel.debugger", "IPython.core.completerlib", "IPython.extensions.storemagic",
    "sqlite3", "psutil", "tornado.platform.asyncio", "tornado.queues",
    # what a cell's traceback is formatted with
    "IPython.core.ultratb", "stack_data", "pygments.lexers.python", "pygments.formatters.terminal256",
    "pygments.formatters.html", "pygments.styles",
    "numpy", "numpy.random", "scipy.special",  # scipy.special: what coursekit.stats uses
    "matplotlib.pyplot",  # no backend chosen yet: see the module docstring
    "matplotlib.backends.backend_agg", "IPython.core.pylabtools",
    "PIL.Image",
    "ipywidgets",
    "coursekit.student.widgets",  # and the forms' own front end, anywidget (widgets_front)
    "coursekit.student.plots",
    "coursekit.student.displays",
    "coursekit.student.answers",
    "coursekit.student.checks",
    "coursekit.student.portfolio",
    "coursekit.privacy.detector",
    "coursekit.stats.sudden_gains",
    "coursekit.stats.reliable_change",
    "coursekit.stats.dose_effect",
    "coursekit.stats.simulated_clients",
    "coursekit.content.evidence",
)
# Run after the imports: data a notebook would load on first use, loaded once here.
WARM_UPS = (
    "coursekit.privacy.lexicon:load_all",  # the privacy check's word data (its compiled cache)
    "coursekit.content.schema:precompile",  # the data files' validators, about 0.2 s
    "PIL.Image:preinit",  # the image formats matplotlib's first PNG would register
)
# What a kernel's environment may have that the server's did not, or differently:
# variables read while a kernel runs, never while Python or a preloaded module starts.
# Any other difference and the kernel is started the usual way. (A worker puts its own
# scripts folder first on PATH, nbgrader sets NBGRADER_EXECUTION=autograde while it
# grades, for notebooks to read; COLUMNS and LINES are the terminal's size.)
RUNTIME_VARIABLES = frozenset({"PATH", "JPY_PARENT_PID", "JPY_SESSION_NAME", "NBGRADER_EXECUTION",
                               "COLUMNS", "LINES", "PYTEST_CURRENT_TEST", "PWD", "OLDPWD", "_"})
LAUNCHER = "ipykernel_launcher"
INLINE_BACKEND = "module://matplotlib_inline.backend_inline"


class _BecomeKernel(BaseException):
    """Raised in a forked child to leave the server's loop; main() then runs the kernel."""

    def __init__(self, request: dict[str, Any]):
        super().__init__()
        self.request = request


def main(fd: int, listen_fd: int = -1) -> None:
    """The server's entry point: ``python -c ... main(FD, LISTEN_FD)``. FD is its socket to
    the process that started it (the server ends when that closes), LISTEN_FD (optional)
    a listening Unix socket where more processes (a run's grading workers) connect."""
    # As ipykernel_launcher does: the folder this started in is no import source.
    if sys.path and sys.path[0] in ("", os.getcwd()):
        del sys.path[0]
    started_env = dict(os.environ)
    request = None
    try:
        _serve(socket.socket(fileno=fd), socket.socket(fileno=listen_fd) if listen_fd >= 0 else None,
               started_env)
    except _BecomeKernel as child:  # only ever in a forked child
        request = child.request  # the server's frames go with the exception
    except KeyboardInterrupt:  # Ctrl+C in the instructor's terminal reaches us too
        return
    if request is not None:
        _run_kernel(request)


class _Client:
    """One connected process: what it has sent of its next request, the kernels it asked for."""

    def __init__(self, sock: socket.socket):
        self.sock = sock
        self.pending = b""
        self.children: set[int] = set()


class _Kernels:
    """Every kernel the server forked: the environment it started with, exit codes and CPU."""

    def __init__(self, started_env: dict[str, str]):
        self.started_env = started_env
        self.ended: dict[int, int] = {}
        self.cpu: dict[int, float] = {}  # seconds of CPU each ended kernel used, for the benchmark


def _serve(owner: socket.socket, listener: socket.socket | None, started_env: dict[str, str]) -> None:
    gc.disable()  # until each fork: fewer holes in shared pages (see gc.freeze)
    loaded, failed = _preload()
    _let_blas_stop()
    ready = {"ready": True, "pid": os.getpid(), "loaded": loaded, "failed": failed}
    kernels = _Kernels(started_env)
    clients = {owner: _Client(owner)}
    server = os.getpid()
    try:
        _reply(owner, {**ready, "fds": _open_fds()})
        while owner in clients:
            waiting = [*clients, *([listener] if listener is not None else [])]
            for sock in select.select(waiting, [], [])[0]:
                if sock is listener:
                    conn, _ = listener.accept()
                    clients[conn] = _Client(conn)
                    _reply(conn, {**ready, "fds": _open_fds()})
                    continue
                client = clients[sock]
                data = sock.recv(1 << 16)
                if not data:  # that process is gone: so are the kernels it asked for
                    _end_children(client.children)
                    del clients[sock]
                    sock.close()
                    continue
                client.pending += data
                while b"\n" in client.pending:
                    line, client.pending = client.pending.split(b"\n", 1)
                    answer = _answer(json.loads(line), client, kernels, client.sock is owner)
                    if answer is None:
                        return
                    _reply(sock, answer)
    finally:
        if os.getpid() == server:  # not in a child leaving this loop to become a kernel
            for client in clients.values():
                _end_children(client.children)
        for sock in [*clients, *([listener] if listener is not None else [])]:
            sock.close()  # in a child too: a kernel holds none of the server's sockets


def _answer(request: dict[str, Any], client: _Client, kernels: _Kernels,
            owner: bool) -> dict[str, Any] | None:
    """The answer to one request; None to stop the server (its owner's "exit")."""
    op = request.get("op")
    if op == "fork":
        return _fork(request, kernels.started_env, client.children)
    if op == "poll":
        pid = int(request["pid"])
        code = _poll(pid, client.children, kernels.ended, kernels.cpu)
        return {"returncode": code, "cpu": kernels.cpu.get(pid)}
    if op == "exit" and owner:
        return None
    return {"error": f"unknown request {op!r}"}


def _reply(sock: socket.socket, answer: dict[str, Any]) -> None:
    sock.sendall(json.dumps(answer).encode() + b"\n")


def _preload() -> tuple[list[str], list[str]]:
    # Set as ipykernel sets it before any notebook runs, so that matplotlib reads
    # the same backend name at import as it would in a fresh kernel.
    if not os.environ.get("MPLBACKEND"):
        os.environ["MPLBACKEND"] = INLINE_BACKEND
    loaded, failed = [], []
    for name in PRELOAD:
        try:
            importlib.import_module(name)
            loaded.append(name)
        except Exception as exc:
            failed.append(f"{name}: {type(exc).__name__}: {exc}")
    for target in WARM_UPS:
        module, _, function = target.partition(":")
        try:
            getattr(importlib.import_module(module), function)()
            loaded.append(target)
        except Exception as exc:
            failed.append(f"{target}: {type(exc).__name__}: {exc}")
    gc.collect()
    return loaded, failed


def _let_blas_stop() -> None:
    """Fork once and throw the child away: OpenBLAS stops its thread pool before a fork
    (its pthread_atfork handler) and starts it again only when next used, which this
    process never does. Every fork after this one is made with one thread."""
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    os.waitpid(pid, 0)


def _threads() -> int:
    try:
        return len(os.listdir("/proc/self/task"))
    except OSError:  # not Linux: count what Python knows
        import threading

        return threading.active_count()


def _open_fds() -> list[int]:
    """This process's open file descriptors (not the one listing them, closed by then)."""
    try:
        listed = [int(fd) for fd in os.listdir("/proc/self/fd")]
    except OSError:  # not Linux
        return []
    found = []
    for fd in sorted(listed):
        try:
            os.fstat(fd)
        except OSError:
            continue
        found.append(fd)
    return found


def _check_forkable() -> str:
    """Why this process must not fork a kernel now, or ""."""
    threads = _threads()
    if threads != 1:
        return f"the fork server has {threads} threads"
    zmq = sys.modules.get("zmq")
    if zmq is not None and getattr(zmq.Context, "_instance", None) is not None:
        return "the fork server has a ZMQ context"
    kernelapp = sys.modules.get("ipykernel.kernelapp")
    if kernelapp is not None and kernelapp.IPKernelApp.initialized():
        return "the fork server has a kernel application"
    helpers = sys.modules.get("matplotlib._pylab_helpers")
    if helpers is not None and helpers.Gcf.figs:
        return "the fork server has matplotlib figures"
    widget = sys.modules.get("ipywidgets.widgets.widget")
    if widget is not None and getattr(widget, "_instances", None):  # a kernel would inherit them
        return "the fork server has widgets"
    return ""


def _refusal(request: dict[str, Any], started_env: dict[str, str]) -> str:
    """Why this kernel must be started the usual way, or ""."""
    argv = request.get("argv") or []
    if len(argv) < 5 or argv[1:3] != ["-m", LAUNCHER] or argv[3] != "-f":
        return f"the kernel command is not `python -m {LAUNCHER} -f FILE`: {argv}"
    if os.path.realpath(argv[0]) != os.path.realpath(sys.executable):
        return f"the kernel runs {argv[0]}, the fork server {sys.executable}"
    env = request.get("env") or {}
    differ = sorted(key for key in set(env) | set(started_env)
                    if env.get(key) != started_env.get(key) and key not in RUNTIME_VARIABLES)
    if differ:
        return f"the kernel's environment differs in {', '.join(differ)}"
    return _check_forkable()


def _fork(request: dict[str, Any], started_env: dict[str, str], children: set[int]) -> dict[str, Any]:
    refused = _refusal(request, started_env)
    if refused:
        return {"error": refused}
    gc.freeze()  # what is here now is shared; the child's collections leave it alone
    pid = os.fork()
    if pid == 0:
        raise _BecomeKernel(request)  # unwinds _serve (closing the socket) up to main()
    gc.unfreeze()
    children.add(pid)
    return {"pid": pid}


def _poll(pid: int, children: set[int], ended: dict[int, int], cpu: dict[int, float]) -> int | None:
    """The child's exit code (negative: the signal that ended it), or None while it runs.
    A child is reaped only here, when asked: until then its pid cannot be reused, so the
    worker can signal it safely."""
    if pid in ended:
        return ended[pid]
    if pid not in children:
        return -signal.SIGKILL  # not ours, or long gone: report it dead
    done, status, usage = os.wait4(pid, os.WNOHANG)
    if done == 0:
        return None
    children.discard(pid)
    cpu[pid] = usage.ru_utime + usage.ru_stime
    ended[pid] = os.waitstatus_to_exitcode(status)
    return ended[pid]


def _end_children(children: set[int]) -> None:
    """The worker is gone: so are the kernels it asked for."""
    for pid in children:
        with contextlib.suppress(OSError):
            os.killpg(pid, signal.SIGTERM)


# --- in a forked child ------------------------------------------------------------------

def _run_kernel(request: dict[str, Any]) -> None:
    """Become the kernel `python -m ipykernel_launcher -f FILE` would have started."""
    try:
        os.setsid()
        _check_fds()
        os.environ.clear()
        os.environ.update(request["env"])
        os.environ["JPY_PARENT_PID"] = str(os.getppid())
        os.chdir(request["cwd"] or os.getcwd())
        time.tzset()
        argv = list(request["argv"])
        launcher = importlib.util.find_spec(LAUNCHER)  # its path, as `-m` sets argv[0]
        sys.argv = [str(launcher.origin if launcher else LAUNCHER), *argv[3:]]
        sys.orig_argv = argv
        _reseed()
        gc.enable()
        from ipykernel.kernelapp import IPKernelApp

        app = IPKernelApp.instance()
        app.parent_handle = os.getppid()  # the class read JPY_PARENT_PID in the server
        app.initialize()  # type: ignore[no-untyped-call]
        _imported_in_kernel()
    except BaseException:
        traceback.print_exc()
        sys.stderr.flush()
        os._exit(1)
    code: object = 0
    try:
        app.start()  # type: ignore[no-untyped-call]  # until the kernel is shut down
    except SystemExit as stop:
        code = stop.code
    except BaseException:
        traceback.print_exc()
        code = 1
    _exit(code)


def _exit(code: object) -> NoReturn:
    """End the kernel as the interpreter ends a fresh one, but for freeing its memory.

    As Python does on exit: wait for the student's threads, run every exit handler
    (IPython's clears the student's namespace, so their files are closed; ipykernel's
    closes its sockets and removes the connection file), flush the output. What it
    would do next, free every object, is most of what ending a kernel costs here
    (about 0.3 s of CPU, much of it copying pages shared with the server) and
    changes nothing anyone can see, so the child skips it.
    """
    shutdown = getattr(threading, "_shutdown", None)  # what Py_Finalize calls first
    if shutdown is not None:
        shutdown()
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    if code is None:
        code = 0
    elif not isinstance(code, int):  # sys.exit("message"), as Python reports it
        print(code, file=sys.stderr)
        code = 1
    os._exit(code & 0xFF)


def _check_fds() -> None:
    extra = [fd for fd in _open_fds() if fd > 2]
    if extra:  # nothing should be left after _serve closed its socket: close, but say so
        print(f"coursekit fork server: kernel {os.getpid()} closed inherited fds {extra}",
              file=sys.stderr)
        for fd in extra:
            with contextlib.suppress(OSError):
                os.close(fd)


def _reseed() -> None:
    """New random state from the operating system, for every generator the server made."""
    numpy_random = sys.modules.get("numpy.random")
    if numpy_random is not None:
        numpy_random.seed()
    seen: set[int] = set()
    for module in list(sys.modules.values()):
        for value in list(getattr(module, "__dict__", {}).values()):
            kind = type(value)  # not isinstance(): a lazy proxy's __class__ may import things
            if issubclass(kind, random.Random) and not issubclass(kind, random.SystemRandom) \
                    and id(value) not in seen:
                seen.add(id(value))
                value.seed()


def _imported_in_kernel() -> None:
    """What preloaded modules do at import when a kernel is running, done now that one is."""
    ipywidgets = sys.modules.get("ipywidgets")
    if ipywidgets is not None:  # registers the widget comm targets with this kernel
        ipywidgets._handle_ipython()
    exercises = sys.modules.get("coursekit.student.exercises")
    if exercises is not None:  # an unfinished exercise's stub, shown as one sentence
        exercises.install()
