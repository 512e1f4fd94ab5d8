"""Helpers for the hub test: real Unix users, a real JupyterHub on loopback, their servers.

Everything made here is removed by the context managers' exits, also when a test fails: the
users (and their homes), the groups, the hub with its proxy and every server it spawned, the
temporary folders. Names start with a prefix unique to the run (``ckh`` and four hex digits),
so that nothing of the machine's is touched and what a killed run left is recognised and
removed by the next (``remove_leftovers``).
"""

from __future__ import annotations

import contextlib
import grp
import json
import os
import pwd
import re
import secrets
import shutil
import signal
import socket
import stat
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from browser_support import LAB_SETTINGS

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy" / "hub"
PROXY = ROOT / "node_modules" / ".bin" / "configurable-http-proxy"
PREFIX_STEM = "ckh"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# --- users and groups -------------------------------------------------------------------


@dataclass
class Accounts:
    """The users and groups this run made, to remove them all at the end."""

    prefix: str
    base: Path  # homes and the hub's root live here
    users: dict[str, str] = field(default_factory=dict)  # name -> password
    groups: list[str] = field(default_factory=list)

    def add_user(self, role: str) -> str:
        name = f"{self.prefix}{role}"
        password = secrets.token_urlsafe(12)
        home = self.base / "home" / name
        run(["useradd", "--create-home", "--home-dir", str(home), "--user-group",
             "--shell", "/bin/bash", name])
        self.users[name] = password
        subprocess.run(["chpasswd"], input=f"{name}:{password}\n", text=True, check=True)
        return name

    def group(self, role: str) -> str:
        name = f"{self.prefix}{role}"
        self.groups.append(name)
        return name

    def remove(self) -> list[str]:
        """Remove every user and group made; returns what could not be removed."""
        left = []
        for name in self.users:
            _kill_user_processes(name)
            if subprocess.run(["userdel", "--remove", "--force", name], capture_output=True).returncode:
                with contextlib.suppress(KeyError):
                    pwd.getpwnam(name)
                    left.append(name)
        for name in self.groups:
            with contextlib.suppress(KeyError):
                grp.getgrnam(name)
                if subprocess.run(["groupdel", name], capture_output=True).returncode:
                    left.append(name)
        return left


def _kill_user_processes(name: str) -> None:
    """End what is still running as a user of ours (a kernel the server left), by process id."""
    try:
        uid = pwd.getpwnam(name).pw_uid
    except KeyError:
        return
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            if entry.stat().st_uid == uid:
                os.kill(int(entry.name), signal.SIGKILL)


LEFTOVER = re.compile(rf"^{PREFIX_STEM}[0-9a-f]{{4}}")


def remove_leftovers(min_age: float = 3600) -> list[str]:
    """Remove what an earlier run left when it was killed before its clean-up could run (users,
    groups and folders named by this module's prefix, homes under /tmp only); returns what.

    Only a run whose folder is over an hour old, or gone, counts as left over: a run of this
    test takes minutes, and another one going on at the same time must be left alone."""

    def stale(prefix: str) -> bool:
        base = Path(f"/tmp/{prefix}-hub")
        with contextlib.suppress(FileNotFoundError):
            return time.time() - base.stat().st_mtime > min_age
        return True

    removed = []
    for entry in pwd.getpwall():
        match = LEFTOVER.match(entry.pw_name)
        if match and entry.pw_dir.startswith("/tmp/") and stale(match.group()):
            _kill_user_processes(entry.pw_name)
            subprocess.run(["userdel", "--remove", "--force", entry.pw_name], capture_output=True)
            removed.append(entry.pw_name)
    for group in grp.getgrall():
        match = LEFTOVER.match(group.gr_name)
        if match and not group.gr_mem and stale(match.group()):
            subprocess.run(["groupdel", group.gr_name], capture_output=True)
            removed.append(group.gr_name)
    for folder in Path("/tmp").glob(f"{PREFIX_STEM}????-hub"):
        match = LEFTOVER.match(folder.name)
        if match and stale(match.group()):
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(str(folder))
    return removed


@contextlib.contextmanager
def accounts() -> Iterator[Accounts]:
    prefix = f"{PREFIX_STEM}{secrets.token_hex(2)}"
    base = Path(f"/tmp/{prefix}-hub")
    base.mkdir(mode=0o755)
    (base / "home").mkdir(mode=0o755)
    made = Accounts(prefix, base)

    def clean_up() -> list[str]:
        left = made.remove()
        shutil.rmtree(base, ignore_errors=True)
        return left

    try:
        yield made
    except BaseException:
        clean_up()  # the test's own failure is the one to report
        raise
    left = clean_up()
    assert not left, f"could not remove users or groups: {left}"


@contextlib.contextmanager
def reachable_by_everyone(paths: list[Path]) -> Iterator[None]:
    """Let other users traverse (o+x, not list) the folders above ``paths`` that forbid it
    (a checkout under /root, say), so the test users can run this Python and this code; the
    modes are put back afterwards."""
    changed: dict[Path, int] = {}
    try:
        for path in paths:
            for folder in [*reversed(path.resolve().parents), path.resolve()]:
                mode = stat.S_IMODE(folder.stat().st_mode)
                if folder.is_dir() and not mode & stat.S_IXOTH and folder not in changed:
                    changed[folder] = mode
                    os.chmod(folder, mode | stat.S_IXOTH)
        yield
    finally:
        for folder, mode in changed.items():
            with contextlib.suppress(OSError):
                os.chmod(folder, mode)


def as_user(user: str, cmd: list[str], env: dict[str, str], cwd: Path | str | None = None,
            umask: int = 0o077, input: str | None = None, ok: bool = True,
            timeout: float = 600) -> subprocess.CompletedProcess[str]:
    """Run ``cmd`` as the Unix user (uid, gid and every group they are in), as runuser would."""
    entry = pwd.getpwnam(user)
    env = {**env, "HOME": entry.pw_dir, "USER": user, "LOGNAME": user}
    result = subprocess.run(cmd, cwd=cwd or entry.pw_dir, env=env, user=entry.pw_uid,
                            group=entry.pw_gid, extra_groups=os.getgrouplist(user, entry.pw_gid),
                            umask=umask, input=input, capture_output=True, text=True,
                            timeout=timeout)
    if ok and result.returncode != 0:
        raise AssertionError(f"as {user}: {' '.join(cmd)} failed ({result.returncode}):\n"
                             f"{result.stdout[-4000:]}\n{result.stderr[-4000:]}")
    return result


def run(cmd: list[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(cmd, capture_output=True, text=True, **kwargs)
    if result.returncode != 0:
        raise AssertionError(f"{' '.join(cmd)} failed ({result.returncode}):\n{result.stderr[-3000:]}")
    return result


def quiet_lab_settings(user: str) -> None:
    """The JupyterLab settings of the browser test (no autosave, no news) in the user's home."""
    entry = pwd.getpwnam(user)
    settings = Path(entry.pw_dir) / ".jupyter" / "lab" / "user-settings"
    for name, value in LAB_SETTINGS.items():
        path = settings / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(value))
    for dirpath, _, filenames in os.walk(Path(entry.pw_dir) / ".jupyter"):
        os.chown(dirpath, entry.pw_uid, entry.pw_gid)
        for name in filenames:
            os.chown(os.path.join(dirpath, name), entry.pw_uid, entry.pw_gid)


# --- the hub ------------------------------------------------------------------------------


@dataclass
class Hub:
    url: str  # http://127.0.0.1:PORT/
    token: str  # the test's service token (admin)
    log: Path
    process: subprocess.Popen[bytes]
    tokens: dict[str, str] = field(default_factory=dict)  # user -> API token

    def request(self, method: str, path: str, body: Any = None, token: str | None = None,
                timeout: float = 600, raw: bool = False) -> Any:
        data = json.dumps(body).encode() if body is not None else (b"" if method in ("POST", "PUT") else None)
        req = urllib.request.Request(self.url + path.lstrip("/"), data=data, method=method,
                                     headers={"Authorization": f"token {token or self.token}",
                                              "Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=timeout) as response:
            payload = response.read()
            if raw:
                return response.status, dict(response.headers), payload
        return json.loads(payload) if payload.strip() else None

    def token_for(self, user: str) -> str:
        if user not in self.tokens:
            reply = self.request("POST", f"hub/api/users/{user}/tokens",
                                 {"expires_in": 3600, "note": "coursekit hub test"})
            self.tokens[user] = reply["token"]
        return self.tokens[user]

    def as_user(self, user: str, method: str, path: str, body: Any = None, **kwargs: Any) -> Any:
        """A request to the user's own server, through the hub's proxy, with the user's token."""
        return self.request(method, f"user/{user}/{path.lstrip('/')}", body,
                            token=self.token_for(user), **kwargs)

    def spawn(self, users: list[str], timeout: float = 240) -> None:
        """Start the users' servers (the hub starts them side by side) and wait until all answer."""
        known = {u["name"] for u in self.request("GET", "hub/api/users")}
        if set(users) - known:
            self.request("POST", "hub/api/users", {"usernames": sorted(set(users) - known)})
        for user in users:
            with contextlib.suppress(urllib.error.HTTPError):  # 400: already running
                self.request("POST", f"hub/api/users/{user}/server")
        deadline = time.monotonic() + timeout
        waiting = set(users)
        while waiting and time.monotonic() < deadline:
            for user in sorted(waiting):
                model = self.request("GET", f"hub/api/users/{user}")
                server = model.get("servers", {}).get("", {})
                if server.get("ready"):
                    waiting.discard(user)
            if self.process.poll() is not None:
                raise AssertionError(f"the hub exited:\n{self.log_tail()}")
            time.sleep(0.5)
        if waiting:
            raise AssertionError(f"servers of {sorted(waiting)} not ready in {timeout} s:\n{self.log_tail()}")

    def log_tail(self) -> str:
        return self.log.read_text(errors="replace")[-6000:]


TEST_CONFIG = """\
c = get_config()  # noqa: F821
load_subconfig({deploy!r})  # noqa: F821 -- the deployment's own configuration, as it is
# What only the test needs: its own ports, and a service token to drive the hub's API.
c.JupyterHub.hub_bind_url = "http://127.0.0.1:{hub_port}"
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{proxy_api_port}"
c.JupyterHub.services = [{{"name": "coursekit-test", "api_token": {token!r}}}]
c.JupyterHub.load_roles = [{{"name": "coursekit-test", "services": ["coursekit-test"],
                             "scopes": ["admin:users", "admin:servers", "tokens", "list:users"]}}]
c.JupyterHub.tornado_settings = {{"slow_spawn_timeout": 0}}  # spawn requests return at once
c.Spawner.start_timeout = 180
c.Spawner.http_timeout = 180
c.JupyterHub.log_level = "INFO"
"""


@contextlib.contextmanager
def jupyterhub(state: Path, env: dict[str, str], log: Path, timeout: float = 90) -> Iterator[Hub]:
    """JupyterHub (as root, with its proxy) on a free loopback port, configured by
    deploy/hub/jupyterhub_config.py; stopped, with every server it spawned, at the end."""
    state.mkdir(mode=0o700, parents=True, exist_ok=True)
    port, token = free_port(), secrets.token_hex(32)
    config = state / "jupyterhub_test_config.py"
    config.write_text(TEST_CONFIG.format(deploy=str(DEPLOY / "jupyterhub_config.py"), hub_port=free_port(),
                                         proxy_api_port=free_port(), token=token))
    env = {**env, "COURSEKIT_HUB_URL": f"http://127.0.0.1:{port}", "COURSEKIT_HUB_STATE": str(state)}
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "wb") as out:
        process = subprocess.Popen([sys.executable, "-m", "jupyterhub", "-f", str(config)], cwd=state,
                                   env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    hub = Hub(f"http://127.0.0.1:{port}/", token, log, process)
    try:
        _wait_for_hub(hub, timeout)
        yield hub
    finally:
        _stop_hub(hub)


def _wait_for_hub(hub: Hub, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if hub.process.poll() is not None:
            raise AssertionError(f"JupyterHub exited ({hub.process.returncode}):\n{hub.log_tail()}")
        with contextlib.suppress(OSError, urllib.error.URLError):
            hub.request("GET", "hub/api/", timeout=2)
            return
        time.sleep(0.3)
    raise AssertionError(f"JupyterHub did not answer within {timeout} s:\n{hub.log_tail()}")


def _stop_hub(hub: Hub) -> None:
    """Stop the hub: on SIGTERM it stops every server it spawned (all at once), then its proxy."""
    if hub.process.poll() is None:
        hub.process.send_signal(signal.SIGTERM)
        try:
            hub.process.wait(60)
        except subprocess.TimeoutExpired:
            os.killpg(hub.process.pid, signal.SIGKILL)
            hub.process.wait(10)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(hub.process.pid, signal.SIGKILL)  # the proxy, if it outlived the hub
