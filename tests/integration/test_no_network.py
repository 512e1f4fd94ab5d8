"""Nothing leaves the machine: every module notebook runs with the network cut off and watched.

Two layers, both real:

* a ``sitecustomize`` module put on the kernel's PYTHONPATH installs an audit hook
  (``sys.addaudithook``) that records every attempt to resolve or reach a
  non-loopback address (``socket.connect``/``getaddrinfo``/``sendto``/...,
  ``urllib.Request``, ``http.client.connect``, ``webbrowser.open``...) to a log
  file, and refuses it;
* when we are root, the whole run happens in a new network namespace
  (``unshare --net``) with loopback and a dead-end default route, so that code the
  hook cannot see (C libraries, subprocesses) cannot reach out either, and any
  attempt it makes is counted as a packet that had nowhere to go.

The notebooks must run without error, the log must stay empty and no packet may
try to leave. A control notebook shows that both layers catch a real attempt (to
192.0.2.1, TEST-NET-1, an address reserved for documentation that no host has).
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import time
from functools import cache
from pathlib import Path

import nbformat
import pytest
from test_pipeline import save_complete_answers

from conftest import COURSE, tool_env
from coursekit.student.responses import FILENAME, FOLDER_ENV

pytestmark = [pytest.mark.kernel, pytest.mark.slow]

LOG_ENV = "COURSEKIT_NETWORK_LOG"

GUARD = r'''
"""coursekit's no-network test: record and refuse every attempt to reach past loopback."""
import errno
import ipaddress
import json
import os
import socket
import sys
import traceback
import urllib.parse

GUARD_ACTIVE = True
_LOG = os.environ["COURSEKIT_NETWORK_LOG"]
_LOCAL_NAMES = {"", "localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"}


def _local(host):
    if host is None:
        return True  # getaddrinfo(None, port): the local machine
    if isinstance(host, bytes):
        host = host.decode(errors="replace")
    host = str(host).strip("[]").split("%")[0]
    if host.lower() in _LOCAL_NAMES:
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False  # a name to resolve: that is already an attempt to go out
    return address.is_loopback or address.is_unspecified


def _refuse(event, target):
    with open(_LOG, "a", encoding="utf-8") as log:
        log.write(json.dumps({"event": event, "target": repr(target), "pid": os.getpid(),
                              "argv": sys.argv[:3],
                              "stack": traceback.format_stack(limit=10)[:-2]}) + "\n")
    raise OSError(errno.ENETUNREACH, f"no-network test: {event} to {target!r} refused")


def _url_host(url):
    url = getattr(url, "full_url", url)
    return urllib.parse.urlsplit(str(url)).hostname


def _hook(event, args):
    if event in ("socket.connect", "socket.sendto", "socket.sendmsg"):
        sock, address = args[0], args[1]
        if (address is not None and sock.family in (socket.AF_INET, socket.AF_INET6)
                and not _local(address[0])):
            _refuse(event, address)
    elif event in ("socket.getaddrinfo", "socket.gethostbyname", "socket.gethostbyname_ex",
                   "socket.gethostbyaddr"):
        if not _local(args[0]):
            _refuse(event, args[0])
    elif event == "socket.getnameinfo":
        if not _local(args[0][0]):
            _refuse(event, args[0])
    elif event in ("http.client.connect", "ftplib.connect", "smtplib.connect", "poplib.connect",
                   "imaplib.open", "nntplib.connect", "telnetlib.Telnet.open"):
        if not _local(args[1]):
            _refuse(event, args[1])
    elif event in ("urllib.Request", "webbrowser.open"):
        host = _url_host(args[0])
        if host is not None and not _local(host):
            _refuse(event, args[0])


sys.addaudithook(_hook)
'''

# Runs inside the namespace: executes each notebook with nbclient (a real kernel,
# which inherits the guard through PYTHONPATH) and reports what happened.
DRIVER = r"""
import json, os, sys
import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

results = []
for job in json.loads(sys.argv[1]):
    nb = nbformat.read(job["notebook"], as_version=4)
    for source in job["extra"]:
        nb.cells.append(nbformat.v4.new_code_cell(source))
    client = NotebookClient(nb, timeout=180, kernel_name="python3",
                            resources={"metadata": {"path": job["workdir"]}})
    try:
        # Each kernel logs to its own file, so every attempt is traced to its notebook.
        client.execute(env={**os.environ, "COURSEKIT_NETWORK_LOG": job["log"]})
        results.append({"notebook": job["notebook"], "ok": True})
    except CellExecutionError as exc:
        results.append({"notebook": job["notebook"], "ok": False, "error": str(exc)[-4000:]})
    nbformat.write(nb, job["out"])
print(json.dumps(results))
"""

GUARD_IS_ON = """\
# added by the no-network test: the guard is installed in this kernel
import sys
assert getattr(sys.modules.get("sitecustomize"), "GUARD_ACTIVE", False), "no guard in the kernel"
"""

SAVE_THE_FORMS = """\
# added by the no-network test: press Save on every form the notebook showed
import json
from coursekit.student.widgets import SavingForm
forms = [v for v in list(globals().values()) if isinstance(v, SavingForm)]
for f in forms:
    f.save_button.click()
    assert "Saved" in f.status.value, (f.status.value, f.message.value)
print(json.dumps({"forms": [type(f).__name__ for f in forms]}))
"""


# The namespace: loopback, plus a veth pair whose far end is in the same namespace and
# answers nothing. The default route points at it, so an attempt by any code to reach any
# IPv4 address past loopback leaves a packet there (counted, then dropped) instead of
# failing unseen; IPv6 has no route at all. Nothing can leave: no interface leads out.
NAMESPACE_SETUP = r"""
set -e
ip link set lo up
ip link add out0 type veth peer name out1
for dev in out0 out1; do echo 1 > /proc/sys/net/ipv6/conf/$dev/disable_ipv6; done
ip link set out1 up
ip link set out0 up
ip route add default dev out0
set +e
"$@"
status=$?
ip -j -s link show out0 > "$COURSEKIT_OUTBOUND_COUNT"
exit $status
"""
COUNT_ENV = "COURSEKIT_OUTBOUND_COUNT"


@cache
def network_namespace() -> list[str]:
    """The command prefix that runs a command in such a namespace, or [] where we cannot
    (not root, or no unshare/ip/veth here): the audit hook then works alone."""
    if os.geteuid() != 0 or not shutil.which("unshare") or not shutil.which("ip"):
        return []
    prefix = ["unshare", "--net", "--", "sh", "-c", NAMESPACE_SETUP, "sh"]
    with tempfile.NamedTemporaryFile(suffix=".json") as count:
        probe = subprocess.run([*prefix, "ip", "-o", "route"], capture_output=True, text=True,
                               env={**os.environ, COUNT_ENV: count.name})
        if probe.returncode != 0 or probe.stdout.split()[:3] != ["default", "dev", "out0"]:
            return []
    return prefix


def outbound_packets(count_file: Path) -> int:
    """Packets that tried to leave through the namespace's default route."""
    return int(json.loads(count_file.read_text())[0]["stats64"]["tx"]["packets"])


def read_log(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def revision(path: Path) -> int:
    return json.loads(path.read_text())["revision"] if path.exists() else 0


CONTROL_CELLS = [
    """\
import errno, json, socket, subprocess, sys, urllib.request
outcome = {}
def attempt(name, action):
    try:
        action()
        outcome[name] = "connected"
    except OSError as exc:
        outcome[name] = f"{type(exc).__name__}: {exc}"
""",
    'attempt("create_connection", lambda: socket.create_connection(("192.0.2.1", 80), timeout=3))',
    'tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)\n'
    'attempt("connect", lambda: tcp.connect(("192.0.2.1", 443)))',
    'udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n'
    'attempt("sendto", lambda: udp.sendto(b"x", ("192.0.2.1", 53)))',
    'attempt("urlopen", lambda: urllib.request.urlopen("http://192.0.2.1/", timeout=3))',
    """\
# Loopback stays open: the kernel itself talks to Jupyter over it.
server = socket.create_server(("127.0.0.1", 0))
client = socket.create_connection(server.getsockname(), timeout=3)
outcome["loopback"] = "connected"
client.close(); server.close()
""",
    """\
# Code the audit hook cannot see: a Python started with -I ignores PYTHONPATH, so no guard.
unguarded = subprocess.run(
    [sys.executable, "-I", "-c",
     "import socket; socket.create_connection(('192.0.2.1', 80), timeout=15)"],
    capture_output=True, text=True, timeout=30)
outcome["unguarded subprocess"] = unguarded.stderr.strip().splitlines()[-1]
print(json.dumps(outcome))
""",
]


@pytest.fixture(scope="module")
def guarded_run(tmp_path_factory) -> dict:
    """Every module notebook, then the control notebook, executed once under both layers.

    Module notebooks run from a copy of their folder, with COURSEKIT_RESPONSES_DIR at
    a scratch folder holding complete saved answers; two cells are added at the end:
    one checks the guard is installed in the kernel, one presses Save on every form.
    """
    root = tmp_path_factory.mktemp("no-network")
    base = root / "assignments"
    save_complete_answers(base)
    # Loosen the saved files as `nbgrader submit` does (0644): a save by the notebook must
    # leave them owner-only again, not keep whatever mode it found.
    for path in base.glob(f"*/{FILENAME}"):
        path.chmod(0o644)

    jobs = []
    for notebook in sorted((COURSE / "source").glob("*/*.ipynb")):
        module = notebook.parent.name
        workdir = root / "work" / module
        shutil.copytree(notebook.parent, workdir,
                        ignore=shutil.ignore_patterns(".ipynb_checkpoints", "coursekit-responses*"))
        jobs.append({"name": module, "notebook": str(workdir / notebook.name),
                     "workdir": str(workdir), "extra": [GUARD_IS_ON, SAVE_THE_FORMS],
                     "before": revision(base / module / FILENAME)})
    control = root / "control.ipynb"
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell(source) for source in CONTROL_CELLS]
    nbformat.write(nb, control)
    jobs.append({"name": "control", "notebook": str(control), "workdir": str(root),
                 "extra": [GUARD_IS_ON]})
    for job in jobs:
        job["out"] = str(root / f"executed-{job['name']}.ipynb")
        job["log"] = str(root / f"network-attempts-{job['name']}.jsonl")

    guard = root / "guard"
    guard.mkdir()
    (guard / "sitecustomize.py").write_text(GUARD)
    driver_log = root / "network-attempts-driver.jsonl"
    env = tool_env(**{FOLDER_ENV: str(base), LOG_ENV: str(driver_log)})
    env["PYTHONPATH"] = os.pathsep.join(p for p in [str(guard), env.get("PYTHONPATH", "")] if p)
    started = time.monotonic()
    # The module notebooks shared between two drivers (this is a 2-core machine), the control
    # in a third: each driver in a namespace of its own, so each has its own packet count.
    modules = [job for job in jobs if job["name"] != "control"]
    shares = [modules[0::2], modules[1::2], [jobs[-1]]]
    drivers = []
    for k, share in enumerate(shares):
        count = root / f"outbound-{k}.json"
        for job in share:
            job["outbound"] = str(count)
        drivers.append(subprocess.Popen(
            [*network_namespace(), sys.executable, "-c", DRIVER, json.dumps(share)],
            cwd=root, env={**env, COUNT_ENV: str(count)}, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True))
    results = {}
    for share, driver in zip(shares, drivers, strict=True):
        out, err = driver.communicate(timeout=600)
        assert driver.returncode == 0, err[-4000:]
        results.update({job["name"]: outcome
                        for job, outcome in zip(share, json.loads(out.splitlines()[-1]), strict=True)})
    return {"jobs": {job["name"]: job for job in jobs}, "results": results, "base": base,
            "driver_attempts": read_log(driver_log), "seconds": time.monotonic() - started}


def test_every_module_notebook_runs_without_reaching_the_network(guarded_run):
    jobs = {name: job for name, job in guarded_run["jobs"].items() if name != "control"}
    results = guarded_run["results"]
    assert jobs, "no notebooks in course/source"
    failed = {name: results[name]["error"] for name in jobs if not results[name]["ok"]}
    assert not failed, "\n\n".join(f"{name}:\n{error}" for name, error in failed.items())
    for name, job in jobs.items():
        attempts = read_log(Path(job["log"]))
        assert attempts == [], f"{name}: network attempts {json.dumps(attempts, indent=1)[:4000]}"
    assert guarded_run["driver_attempts"] == []
    if network_namespace():  # and nothing the hook cannot see tried either
        counts = {outbound_packets(Path(job["outbound"])) for job in jobs.values()}
        assert counts == {0}, f"packets tried to leave the namespace: {counts}"

    # Each notebook's forms saved (through their own Save buttons) into the answers folder...
    base = guarded_run["base"]
    saving = []
    for name, job in jobs.items():
        executed = nbformat.read(job["out"], as_version=4)
        if json.loads(executed.cells[-1].outputs[-1]["text"])["forms"]:
            saving.append(name)
            assert revision(base / name / FILENAME) > job["before"], f"{name}: nothing saved"
    assert "alliance" in saving
    # ...and every file there is readable by its owner only.
    modes = {str(p.relative_to(base)): oct(stat.S_IMODE(p.stat().st_mode))
             for p in base.rglob("*") if p.is_file()}
    assert set(modes.values()) == {"0o600"}, modes
    assert not list((COURSE / "source").rglob("coursekit-responses*")), "a notebook wrote into source/"
    print(f"\nno-network run: {len(jobs)} notebooks ({', '.join(jobs)}), forms saved in "
          f"{', '.join(saving)}, no attempt logged"
          + ("; no packet left loopback in the namespaces" if network_namespace()
             else "; no network namespace (needs root): audit hook only")
          + f"; {guarded_run['seconds']:.1f} s with the control")


def test_the_guard_records_and_refuses_a_real_attempt(guarded_run):
    job = guarded_run["jobs"]["control"]
    assert guarded_run["results"]["control"]["ok"], guarded_run["results"]["control"].get("error")
    executed = nbformat.read(job["out"], as_version=4)
    outcome = json.loads(executed.cells[len(CONTROL_CELLS) - 1].outputs[0]["text"])
    attempts = read_log(Path(job["log"]))

    for name in ["create_connection", "connect", "sendto", "urlopen"]:
        assert "no-network test" in outcome[name] and "192.0.2.1" in outcome[name], outcome
    assert outcome["loopback"] == "connected"
    events = sorted(a["event"] for a in attempts)
    assert events == sorted(["socket.getaddrinfo", "socket.connect", "socket.sendto",
                             "urllib.Request"]), attempts
    assert all("192.0.2.1" in a["target"] for a in attempts)
    assert len({a["pid"] for a in attempts}) == 1, "all from the kernel"
    sent = None
    if network_namespace():
        # What the hook never saw, the namespace saw: the unguarded attempt failed, and its
        # packets (ARP for 192.0.2.1) went to the dead-end interface, not out.
        assert "No route to host" in outcome["unguarded subprocess"], outcome
        sent = outbound_packets(Path(job["outbound"]))
        assert sent > 0
    print(f"\ncontrol: {len(attempts)} attempts recorded and refused by the hook; unguarded "
          f"subprocess: {outcome['unguarded subprocess']} ({sent} packets caught in the namespace)")
