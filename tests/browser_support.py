"""Helpers for the real-browser test: a JupyterLab server on loopback and a headless Chromium.

Nothing here talks to anything but 127.0.0.1: the server is told not to fetch
news or check for updates, the extension manager is read-only, and Chromium is
started with its background networking switched off.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
# Debian's Chromium, driven by Playwright without Playwright's own browser download.
CHROMIUM_ARGS = [
    "--no-sandbox",  # we run as root in CI
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]

# JupyterLab settings for a quiet, deterministic session: no autosave (the test
# makes the folder read-only and must not be interrupted by a failed autosave
# dialog), no news and no update checks.
LAB_SETTINGS = {
    "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosave": False},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "checkForUpdates": False, "fetchNews": "false"},
}


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Lab:
    url: str
    token: str
    root: Path
    log: Path
    process: subprocess.Popen[bytes]

    def page_url(self, path: str, workspace: str) -> str:
        """The notebook at ``path`` in a fresh workspace of its own: JupyterLab would otherwise
        reopen (and start kernels for) every notebook an earlier page had open."""
        return f"{self.url}lab/workspaces/{workspace}/tree/{path}?reset&token={self.token}"


def lab_command(root: Path, port: int, token: str) -> list[str]:
    return [
        sys.executable, "-m", "jupyterlab",
        "--ip=127.0.0.1", f"--port={port}", "--port-retries=0",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={root}",
        "--ServerApp.open_browser=False",
        "--LabApp.news_url=None",
        "--LabApp.check_for_updates_class=jupyterlab.handlers.announcements.NeverCheckForUpdate",
        "--LabApp.extension_manager=readonly",
        *(["--allow-root"] if os.geteuid() == 0 else []),  # CI runs as root
    ]


@contextlib.contextmanager
def lab_server(root: Path, home: Path, env: dict[str, str], log: Path,
               timeout: float = 60) -> Iterator[Lab]:
    """JupyterLab serving ``root`` on a free loopback port, with ``home`` as HOME.

    Settings and workspaces live in ``home`` so nothing of the machine's own
    JupyterLab state leaks in.
    """
    settings = home / ".jupyter" / "lab" / "user-settings"
    for name, value in LAB_SETTINGS.items():
        (settings / name).parent.mkdir(parents=True, exist_ok=True)
        (settings / name).write_text(json.dumps(value))
    env = {**env, "HOME": str(home), "JUPYTERLAB_SETTINGS_DIR": str(settings),
           "JUPYTERLAB_WORKSPACES_DIR": str(home / ".jupyter" / "lab" / "workspaces"),
           "JUPYTER_CONFIG_DIR": str(home / ".jupyter")}
    port, token = free_port(), secrets.token_hex(16)
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "wb") as out:
        process = subprocess.Popen(lab_command(root, port, token), cwd=root, env=env,
                                   stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    lab = Lab(f"http://127.0.0.1:{port}/", token, root, log, process)
    try:
        _wait_until_ready(lab, timeout)
        yield lab
    finally:
        _stop(process)


def _wait_until_ready(lab: Lab, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    status = f"{lab.url}api/status?token={lab.token}"
    while time.monotonic() < deadline:
        if lab.process.poll() is not None:
            raise AssertionError(f"JupyterLab exited ({lab.process.returncode}):\n"
                                 f"{lab.log.read_text(errors='replace')[-4000:]}")
        try:
            with urllib.request.urlopen(status, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    raise AssertionError(f"JupyterLab did not answer within {timeout} s:\n"
                         f"{lab.log.read_text(errors='replace')[-4000:]}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Stop the server we started (it shuts its kernels down on SIGTERM)."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            # Our own process group: the server and the kernels it started.
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(5)
