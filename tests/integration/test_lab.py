"""`coursekit lab` as a new student meets it, in a real JupyterLab in a real Chromium.

The command runs as the README's `make lab` runs it, in a home of its own; the
browser it opens is a script that writes down the address, and Chromium goes
there. What the student must find: the first module's notebook open (not the
Launcher), only the modules in the file browser (no solutions, gradebook or
nbgrader settings), the notebook neither unsaved nor untrusted, no news
pop-up, no instructor panels. Then Run All, in JupyterLab itself: the cells
of unfinished exercises, tagged ``raises-exception``, say "Not done yet" and the
run goes on to the plots and the completion check (alliance, and breakthroughs,
where an untagged stub used to stop every plot).

Screenshots are kept in test-artifacts/browser/lab/.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from browser_support import CHROMIUM, CHROMIUM_ARGS
from conftest import MODULES, ROOT, tool_env

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.kernel, pytest.mark.nbgrader]

ARTIFACTS = ROOT / "test-artifacts" / "browser" / "lab"
TIMEOUT_MS = 90_000
FIRST = MODULES[0]
PANEL = ".jp-NotebookPanel:not(.lm-mod-hidden)"  # the notebook on show


@pytest.fixture(scope="module")
def playwright_api():
    sync_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright")
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing; scripts/system-deps installs Debian's chromium")
    sync_api.expect.set_options(timeout=TIMEOUT_MS)
    return sync_api


@dataclass
class Lab:
    opened: str  # the address `coursekit lab` sent its browser to
    token: str
    course: Path


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """`coursekit lab COURSE` running, as `make lab` runs it."""
    from conftest import copy_course

    base = tmp_path_factory.mktemp("lab")
    course = copy_course(base / "course")
    home = base / "home"
    home.mkdir()
    opened = base / "opened-url"
    browser = base / "browser"
    browser.write_text(f"#!/bin/sh\nprintf '%s' \"$1\" > {opened}\n")
    browser.chmod(0o755)
    env = tool_env(
        HOME=str(home), BROWSER=str(browser),
        # JupyterLab's state and settings in this home only, nothing of the machine's
        JUPYTER_CONFIG_DIR=str(home / ".jupyter"), JUPYTER_DATA_DIR=str(home / ".local/share/jupyter"),
        JUPYTERLAB_SETTINGS_DIR=str(home / ".jupyter/lab/user-settings"),
        JUPYTERLAB_WORKSPACES_DIR=str(home / ".jupyter/lab/workspaces"))
    env.pop("JUPYTER_CONFIG_PATH", None)
    env.pop("COURSEKIT_DB_URL", None)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    log = ARTIFACTS / "coursekit-lab.log"
    with open(log, "wb") as out:
        process = subprocess.Popen([sys.executable, "-m", "coursekit", "lab", str(course)],
                                   cwd=base, env=env, stdout=out, stderr=subprocess.STDOUT,
                                   start_new_session=True)
    try:
        deadline = time.monotonic() + 600  # six nbgrader runs first, on a busy machine
        while not opened.exists() or not opened.read_text():
            if process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"coursekit lab opened no browser:\n{log.read_text()[-4000:]}")
            time.sleep(0.5)
        address = opened.read_text()
        # The page it opens forwards to JupyterLab with the server's token; API calls need it.
        page_text = Path(address.removeprefix("file://")).read_text() if address.startswith("file://") \
            else address
        token = re.search(r"token=([0-9a-f]+)", page_text)
        assert token, page_text
        yield Lab(address, token.group(1), course)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)  # our own session: coursekit, JupyterLab, kernels
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(5)


@pytest.fixture(scope="module")
def page(playwright_api, lab):
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        context.set_default_timeout(TIMEOUT_MS)
        yield context.new_page()
        context.close()
        browser.close()


def kernel_idle(page) -> None:
    page.get_by_text(re.compile(r"Python 3 \(ipykernel\) \| Idle")).wait_for()


def run_all(page) -> None:
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile("^Run$")).click()
    page.locator(".lm-Menu-itemLabel", has_text=re.compile("^Run All Cells")).click()
    # Run All is over when no cell waits or runs ("[*]") and every code cell has a number.
    page.wait_for_function("""() => {
        const prompts = Array.from(document.querySelectorAll('.jp-CodeCell .jp-InputArea-prompt'));
        return prompts.length > 0 && prompts.every(p => /\\[\\d+\\]/.test(p.textContent));
    }""", timeout=300_000)
    kernel_idle(page)


def cell_outputs(page) -> list[tuple[str, str]]:
    """(the code's first line, the output's text) of each code cell, in order. textContent:
    JupyterLab leaves cells out of view unrendered, so their innerText is empty."""
    return [tuple(pair) for pair in page.evaluate("""panel =>
        Array.from(document.querySelectorAll(panel + ' .jp-CodeCell')).map(cell => [
            (cell.querySelector('.jp-InputArea-editor .cm-line')?.textContent || '').trim(),
            cell.querySelector('.jp-OutputArea')?.textContent || ''])""", PANEL)]


def shoot(page, text: str, path: Path) -> None:
    """A screenshot of the first output that says ``text``, scrolled into view."""
    output = page.locator(f"{PANEL} .jp-OutputArea-output", has_text=text).first
    for _ in range(3):  # each scroll draws the cells now in view, which moves the target again
        output.evaluate("e => e.scrollIntoView({block: 'center'})")
        page.wait_for_timeout(800)
    page.screenshot(path=path)


def test_a_student_lands_in_the_first_module_with_nothing_else_to_see(lab, page):
    page.goto(lab.opened)  # the page the command opened, forwarding to JupyterLab
    kernel_idle(page)
    time.sleep(5)  # the news question, if it came, comes once the page is restored
    page.screenshot(path=ARTIFACTS / "01-opened.png")

    assert re.search(rf"/lab/tree/{FIRST}/{FIRST}\.ipynb", page.url), page.url
    tab = page.locator(".lm-TabBar-tab.jp-mod-current", has_text=f"{FIRST}.ipynb")
    assert tab.count() == 1, "the first module's notebook is not the open tab"
    assert page.locator(".jp-Launcher").count() == 0, "the Launcher is showing"
    # opened as released: not unsaved, trusted
    assert "jp-mod-dirty" not in (tab.get_attribute("class") or ""), "the notebook shows as unsaved"
    trust = page.evaluate("""() => Array.from(document.querySelectorAll('[title]'))
        .map(e => e.title).filter(t => /trusted/.test(t))""")
    assert trust and all(t.startswith("Notebook trusted") for t in trust), trust
    # no news question, no instructor panel
    assert page.get_by_text("Would you like to get notified").count() == 0
    assert page.get_by_text("Create Assignment").count() == 0

    # The file browser's top folder holds the modules and nothing else.
    page.locator(".jp-BreadCrumbs-home").click()
    page.wait_for_function(
        "n => document.querySelectorAll('.jp-DirListing-item').length === n", arg=len(MODULES))
    listed = page.evaluate("""() => Array.from(document.querySelectorAll(
        '.jp-DirListing-item .jp-DirListing-itemText')).map(e => e.textContent.trim())""")
    page.screenshot(path=ARTIFACTS / "02-file-browser-root.png")
    assert sorted(listed) == sorted(MODULES), listed
    assert (lab.course / "source").is_dir() and (lab.course / "nbgrader_config.py").is_file()


def test_run_all_in_jupyterlab_goes_past_unfinished_exercises(lab, page):
    """What this JupyterLab does with the raises-exception tag, seen in the browser."""
    if not page.url.startswith("http"):
        page.goto(lab.opened)  # a file that forwards to the server: wait until it has
        page.wait_for_url(re.compile(r"^http://"))
    base = page.url.split("/lab")[0]
    page.on("dialog", lambda dialog: dialog.accept())  # leave a page with unsaved outputs
    for module in (FIRST, "breakthroughs"):
        # a workspace of its own, so the notebook open before is not reopened beside it
        page.goto(f"{base}/lab/workspaces/{module}/tree/{module}/{module}.ipynb?reset&token={lab.token}")
        kernel_idle(page)
        run_all(page)
        outputs = cell_outputs(page)
        said = "\n".join(text for _code, text in outputs)
        assert "Not done yet:" in said, said[:2000]
        assert "Traceback" not in said and "most recent call last" not in said, said[:3000]
        shoot(page, "Not done yet:", ARTIFACTS / f"03-{module}-not-done-yet.png")
        if module == "breakthroughs":  # a display waiting for the student's results
            shoot(page, "four clients", ARTIFACTS / "03-breakthroughs-a-plot-waits-for-exercise-b.png")
        completion = [text for code, text in outputs if code.startswith("from coursekit.student.checks")]
        assert len(completion) == 1 and completion[0].startswith("No saved "), completion
        shoot(page, "No saved ", ARTIFACTS / f"04-{module}-run-all-reached-the-end.png")
        images = page.locator(f"{PANEL} .jp-OutputArea-output img").count()
        assert images >= 4, f"{module}: {images} figures shown"
        page.evaluate("""async token => {  // leave no kernel running for the next page
            const headers = {Authorization: 'token ' + token};
            for (const s of await (await fetch('/api/sessions', {headers})).json())
                await fetch('/api/sessions/' + s.id, {method: 'DELETE', headers}); }""", lab.token)
