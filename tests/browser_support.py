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
import shutil
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
from typing import Any

CHROMIUM = Path("/usr/bin/chromium")
# a form's rating items, one radio group each (coursekit/student/widgets_front.js)
GROUPS = ".ck-choice [role=radiogroup]"
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


# --- what assistive technology gets: Chromium's own accessibility tree, and axe-core ----------

NODE_PACKAGES = Path(__file__).parent / "node"  # package.json: axe-core, installed by `npm ci`
AXE_SCRIPT = NODE_PACKAGES / "node_modules" / "axe-core" / "axe.min.js"
# WCAG 2.0, 2.1 and 2.2, levels A and AA: what the course promises
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def axe_script() -> Path | None:
    """axe-core's script, installed from the npm registry with `npm ci` when missing (None: no npm)."""
    marker = NODE_PACKAGES / "node_modules" / ".package-lock.json"  # what `npm ci` last installed
    lock = NODE_PACKAGES / "package-lock.json"
    if not (AXE_SCRIPT.is_file() and marker.is_file() and marker.stat().st_mtime >= lock.stat().st_mtime):
        npm = shutil.which("npm")
        if npm is None:
            return None
        subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=NODE_PACKAGES,
                       check=True, capture_output=True, timeout=300)
    return AXE_SCRIPT


def axe_violations(page, selector: str) -> list[dict[str, object]]:
    """axe-core's WCAG 2.2 A/AA violations inside every element matching ``selector``."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE_SCRIPT))
    return page.evaluate(
        """async ([selector, tags]) => {
            const include = Array.from(document.querySelectorAll(selector));
            if (!include.length) throw new Error('nothing matches ' + selector);
            const result = await axe.run({include}, {runOnly: {type: 'tag', values: tags}});
            return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 3).map(n => n.html.slice(0, 200) + ' :: ' + n.failureSummary)}));
        }""", [selector, AXE_TAGS])


@dataclass
class AXNode:
    role: str
    name: str
    properties: dict[str, object]
    children: list[AXNode]

    def walk(self) -> Iterator[AXNode]:
        yield self
        for child in self.children:
            yield from child.walk()

    def find(self, role: str) -> list[AXNode]:
        return [node for node in self.walk() if node.role == role]


def accessibility_tree(page, selector: str) -> AXNode:
    """Chromium's accessibility tree under every element matching ``selector``, as a screen
    reader gets it (ignored nodes left out, their children kept), from the DevTools protocol."""
    cdp = page.context.new_cdp_session(page)
    roots: list[AXNode] = []
    try:
        count = page.evaluate("sel => document.querySelectorAll(sel).length", selector)
        if not count:
            raise AssertionError(f"nothing matches {selector}")
        for n in range(count):
            found = cdp.send("Runtime.evaluate",
                             {"expression": f"document.querySelectorAll({json.dumps(selector)})[{n}]"})
            nodes = cdp.send("Accessibility.queryAXTree", {"objectId": found["result"]["objectId"]})["nodes"]
            roots += _ax_forest(nodes)
    finally:
        cdp.detach()
    return AXNode("root", "", {}, roots)


def _ax_forest(nodes: list[dict[str, object]]) -> list[AXNode]:
    by_id: dict[str, dict[str, object]] = {str(node["nodeId"]): node for node in nodes}
    children_of = {node_id: [str(c) for c in node.get("childIds", []) if str(c) in by_id]  # type: ignore[attr-defined]
                   for node_id, node in by_id.items()}
    has_parent = {c for kids in children_of.values() for c in kids}

    def build(node_id: str) -> list[AXNode]:
        node: dict[str, Any] = by_id[node_id]
        kids = [k for c in children_of[node_id] for k in build(c)]
        if node.get("ignored"):
            return kids
        properties = {p["name"]: p["value"].get("value") for p in node.get("properties", [])}
        return [AXNode(node.get("role", {}).get("value", ""), node.get("name", {}).get("value", ""),
                       properties, kids)]

    return [k for node_id in by_id if node_id not in has_parent for k in build(node_id)]
