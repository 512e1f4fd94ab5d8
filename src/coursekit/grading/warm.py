"""Warm kernels: each notebook still gets its own new kernel process, forked from a
fork server (:mod:`coursekit.grading.forkserver`) that has already imported
ipykernel, matplotlib, ipywidgets, numpy and coursekit.

The jupyter_client side, so that nbclient and nbgrader run unchanged:

- :class:`WarmKernelManager` is jupyter_client's ``AsyncKernelManager`` with
  :class:`WarmProvisioner` as its kernel provisioner (kernel provisioners are
  jupyter_client's own extension point for how a kernel process is started);
  ``CoursekitExecute`` gives it to nbclient in place of ``AsyncKernelManager``.
- :class:`WarmProvisioner` is jupyter_client's ``LocalProvisioner``, except that
  it asks the fork server for the kernel process instead of running
  ``python -m ipykernel_launcher``; :class:`ForkedKernel` stands for that
  process where the provisioner expects a ``Popen``. Connection file, ports,
  signals, interrupts and shutdown are LocalProvisioner's own.
- When the fork server cannot serve a kernel (another kernel command, an
  environment it was not started with, the server gone), the kernel is started
  the usual way and the reason is logged; a server that has died is started
  again for the next kernel.

``coursekit autograde`` starts one shared fork server for the run before it
starts its workers, so that its imports overlap theirs of nbgrader and are paid
once; each worker connects to it (:func:`use_shared_fork_server`). A process
with no shared server (a Dask worker) starts its own on its first kernel
(:func:`fork_server`).
"""

from __future__ import annotations

import atexit
import contextlib
import json
import logging
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from typing import Any

from jupyter_client.manager import AsyncKernelManager
from jupyter_client.provisioning.local_provisioner import LocalProvisioner

log = logging.getLogger(__name__)

READY_TIMEOUT = 120.0  # seconds the first kernel waits for the server to finish importing
_BOOT = ("import sys; from coursekit.grading.forkserver import main; "
         "main(int(sys.argv[1]), int(sys.argv[2]))")


class ForkServerError(Exception):
    """The fork server did not give a kernel; the reason is in the message."""


class ForkServer:
    """One connection to a fork server: the server's owner (:meth:`start`), or a process
    that connects to a server another started (:meth:`connect`)."""

    def __init__(self, sock: socket.socket, process: subprocess.Popen[bytes] | None = None,
                 path: str | None = None):
        self.sock = sock
        self.reader = sock.makefile("rb")
        self.process = process  # when this process started the server
        self.path = path  # where other processes connect to it, if they can
        self.lock = threading.Lock()
        self.ready: dict[str, Any] | None = None
        self.closed = False
        self.forked = 0  # kernels it gave, for tests and the log
        self.kernel_cpu: list[float] = []  # CPU seconds of each kernel that has ended

    @classmethod
    def start(cls, *, shared: bool = False, output: str | None = None) -> ForkServer:
        """Start a fork server. ``shared``: other processes may connect to it at ``path`` (a
        Unix socket in a folder only this user can open). ``output``: a file for the
        server's and its kernels' stdout and stderr (by default this process's)."""
        ours, theirs = socket.socketpair()
        listener, path = None, None
        if shared:
            path = os.path.join(tempfile.mkdtemp(prefix="coursekit-forks-"), "server")
            listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            listener.bind(path)
            listener.listen(64)
        fds = [theirs.fileno(), *([listener.fileno()] if listener else [])]
        sink = open(output, "ab") if output else None  # noqa: SIM115 - handed to the child
        try:
            # stdin is /dev/null, as good as the closed pipe a kernel started the usual way has
            process = subprocess.Popen(
                [sys.executable, "-c", _BOOT, str(fds[0]), str(fds[1] if listener else -1)],
                pass_fds=fds, stdin=subprocess.DEVNULL, stdout=sink, stderr=sink, close_fds=True)
        finally:
            theirs.close()
            if listener is not None:
                listener.close()
            if sink is not None:
                sink.close()
        return cls(ours, process, path)

    @classmethod
    def connect(cls, path: str) -> ForkServer:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            sock.connect(path)
        except OSError as exc:
            sock.close()
            raise ForkServerError(f"cannot reach the fork server at {path} ({exc})") from None
        return cls(sock, path=path)

    def alive(self) -> bool:
        if self.process is not None:
            return self.process.poll() is None
        return not self.closed

    def wait_ready(self, timeout: float = READY_TIMEOUT) -> dict[str, Any]:
        """What the server preloaded (its first message), waiting for it if need be."""
        with self.lock:
            if self.ready is None:
                self.ready = self._read(timeout)
            return self.ready

    def ask(self, request: dict[str, Any], timeout: float = 10.0) -> dict[str, Any]:
        self.wait_ready()
        with self.lock:
            try:
                self.sock.sendall(json.dumps(request).encode() + b"\n")
            except OSError as exc:
                self._broken()
                raise ForkServerError(f"the fork server is gone ({exc})") from None
            answer = self._read(timeout)
        if "error" in answer:
            raise ForkServerError(str(answer["error"]))
        return answer

    def _read(self, timeout: float) -> dict[str, Any]:
        self.sock.settimeout(timeout)
        try:
            line = self.reader.readline()
        except (OSError, ValueError) as exc:  # a timeout, or the socket closed under us
            self._broken()
            raise ForkServerError(f"the fork server did not answer ({exc})") from None
        if not line:
            self._broken()
            code = f" (exit code {self.process.wait()})" if self.process is not None else ""
            raise ForkServerError(f"the fork server stopped{code}")
        answer: dict[str, Any] = json.loads(line)
        return answer

    def _broken(self) -> None:
        self.closed = True
        if self.process is not None and self.process.poll() is None:
            self.process.kill()  # it did not answer: a new one will be started
            self.process.wait()

    def fork(self, argv: list[str], cwd: str, env: dict[str, str]) -> int:
        pid = int(self.ask({"op": "fork", "argv": argv, "cwd": cwd, "env": env})["pid"])
        self.forked += 1
        return pid

    def poll(self, pid: int) -> int | None:
        answer = self.ask({"op": "poll", "pid": pid})
        code = answer["returncode"]
        if code is not None and answer.get("cpu") is not None:
            self.kernel_cpu.append(float(answer["cpu"]))
        return None if code is None else int(code)

    def close(self) -> None:
        """Close this connection; the server's owner stops it, and it stops its kernels."""
        if self.process is not None and self.alive():
            with contextlib.suppress(OSError):
                self.sock.sendall(b'{"op": "exit"}\n')
        self.closed = True
        self.reader.close()
        self.sock.close()
        if self.process is not None:
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process is not None and self.path:
            with contextlib.suppress(OSError):
                os.unlink(self.path)
                os.rmdir(os.path.dirname(self.path))


_SERVER: ForkServer | None = None
_SHARED: str | None = None  # a fork server another process started, for this one to use
_SERVER_LOCK = threading.Lock()


def use_shared_fork_server(path: str) -> None:
    """Take kernels from the fork server at ``path`` (a grading run's, started by the
    ``coursekit autograde`` process) rather than start one for this process."""
    global _SHARED
    _SHARED = path


def fork_server() -> ForkServer:
    """This process's fork server: the shared one if there is one, else its own, started
    now if it has none or its last one died."""
    global _SERVER
    with _SERVER_LOCK:
        if _SERVER is None or not _SERVER.alive():
            if _SERVER is not None:
                log.warning("coursekit: the fork server stopped; starting another")
                _SERVER.close()
            else:
                atexit.register(stop_fork_server)
            _SERVER = None
            if _SHARED is not None:
                try:
                    _SERVER = ForkServer.connect(_SHARED)
                except ForkServerError as exc:
                    log.warning("coursekit: %s; starting one for this process", exc)
            if _SERVER is None:
                _SERVER = ForkServer.start()
        return _SERVER


def stop_fork_server() -> None:
    global _SERVER
    with _SERVER_LOCK:
        if _SERVER is not None:
            _SERVER.close()
            _SERVER = None


class ForkedKernel:
    """A kernel process the fork server forked, with the parts of ``Popen`` that
    LocalProvisioner uses. Its exit code comes from the server, its parent."""

    stdin = stdout = stderr = None

    def __init__(self, pid: int, server: ForkServer):
        self.pid = pid
        self.server = server
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            try:
                self.returncode = self.server.poll(self.pid)
            except ForkServerError:
                # Its parent is gone, so it is going too (its parent poller ends it); make sure.
                self._signal(signal.SIGKILL)
                self.returncode = -signal.SIGKILL
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while (code := self.poll()) is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(str(self.pid), timeout or 0)
            time.sleep(0.01)
        return code

    def send_signal(self, signum: int) -> None:
        if self.returncode is None:  # not yet reaped, so the pid is still this kernel's
            self._signal(signum)

    def _signal(self, signum: int) -> None:
        with contextlib.suppress(OSError):
            os.killpg(self.pid, signum)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)


class WarmProvisioner(LocalProvisioner):
    """LocalProvisioner, with the kernel process forked by the fork server when it can be."""

    forked = False

    async def launch_kernel(self, cmd: list[str], **kwargs: Any) -> Any:
        launch = LocalProvisioner._scrub_kwargs(kwargs)
        other = sorted(set(launch) - {"env", "cwd"})
        if other:  # stdin, stdout... asked for: a Popen it is
            log.info("coursekit: kernel started the usual way: it was asked for %s", other)
            return await super().launch_kernel(cmd, **kwargs)
        cwd = str(launch.get("cwd") or os.getcwd())
        env = dict(launch.get("env") or os.environ)
        try:
            server = fork_server()
            pid = server.fork(list(cmd), cwd, env)  # at most a few ms, once the server is ready
        except ForkServerError as exc:
            log.warning("coursekit: kernel started the usual way, not forked: %s", exc)
            return await super().launch_kernel(cmd, **kwargs)
        self.process = ForkedKernel(pid, server)  # type: ignore[assignment]  # Popen enough
        self.pid = self.pgid = pid  # the child is its own session and process group
        self.cwd = cwd
        self.forked = True
        log.info("coursekit: kernel %d forked from the fork server %s", pid,
                 server.wait_ready().get("pid"))
        return self.connection_info


class WarmKernelManager(AsyncKernelManager):
    """AsyncKernelManager whose kernels come from the fork server (see the module docstring)."""

    async def _async_pre_start_kernel(self, **kw: Any) -> Any:
        spec = self.kernel_spec
        if self.provisioner is None and spec is not None and "kernel_provisioner" not in spec.metadata:
            self.kernel_id = self.kernel_id or kw.pop("kernel_id", str(uuid.uuid4()))
            self.provisioner = WarmProvisioner(kernel_id=self.kernel_id, kernel_spec=spec, parent=self)
        return await super()._async_pre_start_kernel(**kw)

    async def _async_finish_shutdown(self, waittime: float | None = None, pollinterval: float = 0.1,
                                     restart: bool = False) -> None:
        # A forked kernel is asked whether it has exited through a socket, cheaply:
        # look every 10 ms rather than every 100 ms, so that no worker waits for nothing.
        await super()._async_finish_shutdown(waittime, min(pollinterval, 0.01), restart)
