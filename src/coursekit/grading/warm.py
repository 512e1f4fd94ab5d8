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

One fork server per worker process (:func:`fork_server`); a local worker starts
it as soon as it starts itself, so its imports overlap nbgrader's.
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
import threading
import time
import uuid
from typing import Any

from jupyter_client.manager import AsyncKernelManager
from jupyter_client.provisioning.local_provisioner import LocalProvisioner

log = logging.getLogger(__name__)

READY_TIMEOUT = 120.0  # seconds the first kernel waits for the server to finish importing
_BOOT = "import sys; from coursekit.grading.forkserver import main; main(int(sys.argv[1]))"


class ForkServerError(Exception):
    """The fork server did not give a kernel; the reason is in the message."""


class ForkServer:
    """The worker's end of one fork server process."""

    def __init__(self) -> None:
        ours, theirs = socket.socketpair()
        with theirs:
            # Its stdout and stderr are this process's (a worker's: the grading log),
            # and so are the kernels'; stdin is /dev/null, as good as a kernel's closed pipe.
            self.process = subprocess.Popen(
                [sys.executable, "-c", _BOOT, str(theirs.fileno())], pass_fds=(theirs.fileno(),),
                stdin=subprocess.DEVNULL, close_fds=True)
        self.sock = ours
        self.reader = ours.makefile("rb")
        self.lock = threading.Lock()
        self.ready: dict[str, Any] | None = None
        self.forked = 0  # kernels it gave, for tests and the log
        self.kernel_cpu: list[float] = []  # CPU seconds of each kernel that has ended

    def alive(self) -> bool:
        return self.process.poll() is None

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
            self.close()
            raise ForkServerError(f"the fork server did not answer ({exc})") from None
        if not line:
            code = self.process.wait()
            raise ForkServerError(f"the fork server stopped (exit code {code})")
        answer: dict[str, Any] = json.loads(line)
        return answer

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
        """Stop the server; it stops the kernels it still has."""
        if self.alive():
            with contextlib.suppress(OSError):
                self.sock.sendall(b'{"op": "exit"}\n')
        self.reader.close()
        self.sock.close()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


_SERVER: ForkServer | None = None
_SERVER_LOCK = threading.Lock()


def fork_server() -> ForkServer:
    """This process's fork server, started now if it has none or its last one died."""
    global _SERVER
    with _SERVER_LOCK:
        if _SERVER is None or not _SERVER.alive():
            if _SERVER is not None:
                log.warning("coursekit: the fork server stopped (exit code %s); starting another",
                            _SERVER.process.returncode)
                _SERVER.close()
            else:
                atexit.register(stop_fork_server)
            _SERVER = ForkServer()
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
