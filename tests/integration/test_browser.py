"""A student's self-assessment in a real JupyterLab, driven in a real Chromium.

For every module whose notebook shows a self-assessment form (calls ``assess(``):
nbgrader makes the student version, JupyterLab serves a student's home on
loopback (each module folder its own small tmpfs), and Playwright opens the
notebook, runs all cells, answers every item (most with the mouse, some with
the keyboard alone), saves, and checks the file on disk. Then the kernel is
restarted and the form must show the saved answers; then the module's folder is
remounted read-only and a save must fail in plain view, leaving the file as it was.

Along the way it checks what a screen reader gets, in Chromium's own accessibility
tree (axe-core alone reported no violation while the forms were unusable by screen
reader): every item is a radio group named by its statement, every option is named
by its label, every text box by its question, the statements are read once, Save
is announced through a live region, and every plot has a text alternative. axe-core
(from the npm registry, tests/node/package.json) checks WCAG 2.2 A and AA on top.
A second test uses the keyboard alone: one Tab per item, the arrow keys move the
answer within an item and never leave it or fold a section of the notebook.

Screenshots of each step are kept in test-artifacts/browser/<module>/.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import stat
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from browser_support import (
    CHROMIUM,
    CHROMIUM_ARGS,
    GROUPS,
    AXNode,
    Lab,
    accessibility_tree,
    axe_script,
    axe_violations,
    lab_server,
)
from conftest import COURSE, ROOT, instrument_of, make_readonly, module_of, run, small_mount, tool_env
from conftest import MODULES as COURSE_MODULES
from coursekit.content.instruments import Instrument
from coursekit.content.manifest import Module
from coursekit.student.responses import FILENAME

# It starts kernels and runs nbgrader too, so `make quick` (not kernel, not nbgrader) leaves it out.
pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.kernel, pytest.mark.nbgrader]

ARTIFACTS = ROOT / "test-artifacts" / "browser"
# what coursekit draws in the notebook: its widgets, and its figures (images, tables); not the
# notebook's own text or error outputs, which JupyterLab draws
OUTPUTS = (".jp-Notebook .jp-OutputArea-output:has(.coursekit-form), "
           '.jp-Notebook .jp-OutputArea-output[data-mime-type="text/html"]')
TIMEOUT_MS = 60_000
KEYBOARD_HOME = "keyboard"  # a folder of its own for the keyboard test


def forms_in_course() -> list[tuple[str, str]]:
    """(module, instrument id) for every module whose manifest declares an instrument (its first)."""
    found = []
    for module_id in COURSE_MODULES:
        instruments = module_of(module_id).forms_of("instrument")
        if instruments:
            found.append((module_id, instruments[0].id))
    return found


FORMS = forms_in_course()
MODULES = [module for module, _ in FORMS]


def test_the_course_has_forms_to_test():
    # Guards the parametrisation below: an empty list would silently test nothing.
    assert ("alliance", "alliance") in FORMS


# --- fixtures: one nbgrader run, one JupyterLab, one Chromium for the whole file ----------


@pytest.fixture(scope="module")
def playwright_api():
    sync_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright")
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing; scripts/system-deps installs Debian's chromium")
    # expect() waits 5 s by default; a loaded CI machine may need longer for a kernel round trip.
    sync_api.expect.set_options(timeout=TIMEOUT_MS)
    return sync_api


@pytest.fixture(scope="module")
def axe(playwright_api) -> Path:
    script = axe_script()
    if script is None:
        pytest.skip("npm is missing, so axe-core cannot be installed (tests/node/package.json)")
    return script


@pytest.fixture(scope="module")
def released(tmp_path_factory) -> Path:
    """The student versions of every module with a form, as nbgrader releases them."""
    course = tmp_path_factory.mktemp("course")
    shutil.copy(COURSE / "nbgrader_config.py", course)
    for module in MODULES:
        shutil.copytree(COURSE / "source" / module, course / "source" / module,
                        ignore=shutil.ignore_patterns(".ipynb_checkpoints", "coursekit-responses*"))
    # One nbgrader process for all of them (its start-up costs more than a notebook does), and
    # no gradebook: --no-db halves the time and the released notebooks are byte for byte the same.
    run(["nbgrader", "generate_assignment", "*", "--no-db"], cwd=course)
    for module in MODULES:
        assert (course / "release" / module / f"{module}.ipynb").is_file(), module
    return course / "release"


@dataclass
class Student:
    home: Path
    lab: Lab


@pytest.fixture(scope="module")
def student(released, tmp_path_factory, playwright_api) -> Iterator[Student]:
    """A student's home: each released module in its own tmpfs (so it can be made read-only),
    served by one JupyterLab on loopback."""
    home = tmp_path_factory.mktemp("student")
    with contextlib.ExitStack() as stack:
        for module in MODULES:
            folder = stack.enter_context(small_mount(home / module, "8m"))
            for item in (released / module).iterdir():
                shutil.copy2(item, folder / item.name)
        shutil.copytree(released / MODULES[0], home / KEYBOARD_HOME / MODULES[0])
        lab = stack.enter_context(lab_server(home, home, tool_env(), ARTIFACTS / "jupyterlab.log"))
        yield Student(home, lab)


@pytest.fixture(scope="module")
def browser_context(playwright_api, student):
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        # One context for every page, so JupyterLab's scripts come from the cache after the first.
        context = browser.new_context(viewport={"width": 1280, "height": 1800})
        context.set_default_timeout(TIMEOUT_MS)
        yield context
        context.close()
        browser.close()


# --- the page, as a student would name its parts ---------------------------------------------


class Notebook:
    def __init__(self, page, lab: Lab, shots: Path):
        self.page = page
        self.lab = lab
        self.shots = shots
        shots.mkdir(parents=True, exist_ok=True)

    def open(self, path: str) -> None:
        self.page.goto(self.lab.page_url(path, workspace=re.sub(r"\W", "-", path)))
        self.kernel_idle()

    def kernel_idle(self) -> None:
        self.page.get_by_text(re.compile(r"Python 3 \(ipykernel\) \| Idle")).wait_for()

    def menu(self, menu: str, item: str) -> None:
        self.page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(f"^{menu}$")).click()
        self.page.locator(".lm-Menu-itemLabel", has_text=re.compile(f"^{re.escape(item)}")).click()

    def run_all(self) -> None:
        self.menu("Run", "Run All Cells")

    def restart_and_run_all(self) -> None:
        # Mark the form now shown, so we wait for the one the new kernel draws.
        self.page.evaluate(
            "document.querySelectorAll(GROUPS).forEach(e => e.dataset.stale = '1')".replace(
                "GROUPS", repr(GROUPS)))
        self.menu("Kernel", "Restart Kernel and Run All Cells")
        self.page.locator(".jp-Dialog .jp-mod-accept", has_text="Restart").click()

    def form(self, n_groups: int):
        """The rendered form (the output holding the radio groups), once all are drawn and
        the run is over (when it ends, JupyterLab moves the focus to the active cell, which
        would take it from a radio button the test had just focused)."""
        self.page.wait_for_function(
            """([n, groups]) => document.querySelectorAll(groups + ':not([data-stale])').length === n
                   && document.querySelectorAll(groups + '[data-stale]').length === 0""",
            arg=[n_groups, GROUPS])
        self.page.wait_for_function(
            """() => !Array.from(document.querySelectorAll('.jp-InputArea-prompt'))
                          .some(p => p.textContent.includes('*'))""")
        self.kernel_idle()
        return self.page.locator(".jp-OutputArea-output", has=self.page.locator(GROUPS))

    def shot(self, name: str, form) -> Path:
        form.evaluate("e => e.scrollIntoView({block: 'start'})")
        path = self.shots / f"{name}.png"
        self.page.screenshot(path=path, full_page=True)
        return path

    def focused(self) -> tuple[int | None, int | None]:
        """(group index, option index) of the focused radio button, or (None, None)."""
        return tuple(self.page.evaluate(
            """groups => { const a = document.activeElement;
                       const box = a && a.closest(groups);
                       if (!box || a.type !== 'radio') return [null, null];
                       const boxes = Array.from(document.querySelectorAll(groups));
                       return [boxes.indexOf(box), Number(a.value)]; }""", GROUPS))

    def describe_focus(self) -> str:
        return self.page.evaluate("() => (document.activeElement.outerHTML || '').slice(0, 300)")

    def checked(self) -> list[int | None]:
        """The checked option of every radio group, as the page shows it."""
        return self.page.evaluate(
            """groups => Array.from(document.querySelectorAll(groups)).map(box => {
                   const on = Array.from(box.querySelectorAll('input[type=radio]'))
                                   .filter(i => i.checked).map(i => Number(i.value));
                   return on.length === 1 ? on[0] : (on.length ? on : null); })""", GROUPS)

    def notebook_view(self) -> dict[str, object]:
        """What the notebook's own keys change: the active cell, and which cells are folded away."""
        return self.page.evaluate(
            """() => { const cells = Array.from(document.querySelectorAll('.jp-Notebook .jp-Notebook-cell'));
                       return {active: cells.findIndex(c => c.classList.contains('jp-mod-active')),
                               hidden: cells.map((c, i) => c.classList.contains('lm-mod-hidden') ? i : -1)
                                            .filter(i => i >= 0),
                               folded: document.querySelectorAll(
                                   '.jp-collapseHeadingButton[data-jp-collapsed="true"]').length}; }""")

    def shut_down_kernels(self) -> None:
        """Leave the server as we found it (no kernel left running for the next test)."""
        self.page.evaluate("""async token => {
            const headers = {Authorization: 'token ' + token};
            const sessions = await (await fetch('/api/sessions', {headers})).json();
            for (const s of sessions) await fetch('/api/sessions/' + s.id, {method: 'DELETE', headers});
        }""", self.lab.token)


def planned_answers(instrument: Instrument) -> dict[str, int]:
    """A varied answer sheet, touching both ends of the scale."""
    points = instrument.scale.points
    return {item.id: points[(3 * n + 1) % len(points)] for n, item in enumerate(instrument.items)}


def by_keyboard(n: int) -> bool:
    """Items answered with the keyboard alone: the third of every four, after a clicked one."""
    return n % 4 == 2


# --- what a screen reader gets --------------------------------------------------------------


def expected_groups(instrument: Instrument) -> list[tuple[str, list[str]]]:
    """(group name, option names) for every radio group of the form, as a screen reader should
    hear them: the group named by its statement, each option by its label ("did not happen"
    included); a pair of statements' end and middle points say what they mean."""
    scale = instrument.scale
    groups = []
    for number, item in enumerate(instrument.items, 1):
        names = [scale.label(v) for v in scale.points]
        if item.anchors:
            meaning = {scale.min: "the first statement, completely",
                       scale.max: "the second statement, completely"}
            if (scale.min + scale.max) % 2 == 0:
                meaning[(scale.min + scale.max) // 2] = "both equally"
            names = [f"{name}: {meaning[v]}" if v in meaning else name
                     for name, v in zip(names, scale.points, strict=True)]
        if item.not_applicable:
            names.append(item.not_applicable)
        groups.append((f"{number}. {item.text}", names))
    if instrument.own_item is not None:
        groups.append((f"Your rating for item {len(instrument.items) + 1}, your own word",
                       [scale.label(v) for v in scale.points]))
    return groups


def expected_text_boxes(module: Module, instrument: Instrument) -> list[str]:
    """The names of the text boxes the module's notebook shows: each its own question."""
    boxes = []
    if instrument.own_item is not None:
        boxes.append(f"{len(instrument.items) + 1}. {instrument.own_item.text} (optional)")
    for form in module.forms_of("questions"):
        boxes += [f"{n}. {q.text}" for n, q in enumerate(module.questions(form.id).questions, 1)]
    return boxes


def check_what_a_screen_reader_gets(page, instrument: Instrument, module: Module) -> AXNode:
    """The notebook's outputs, as Chromium's accessibility tree gives them to a screen reader."""
    tree = accessibility_tree(page, OUTPUTS)
    groups = tree.find("radiogroup")
    heard = [(g.name, [r.name for r in g.find("radio")]) for g in groups]
    assert heard == expected_groups(instrument)
    assert len(tree.find("radio")) == sum(len(names) for _name, names in heard), "a radio outside a group"
    # each statement is heard once, as its group's name, not again as loose text
    texts = [node.name for node in tree.walk() if node.role == "StaticText"]
    for item in instrument.items:
        assert not [t for t in texts if item.text in t], f"'{item.text}' is read twice"
    boxes = [box.name for box in tree.find("textbox")]
    assert [b for b in boxes if b in expected_text_boxes(module, instrument)] == \
        expected_text_boxes(module, instrument)
    assert not [b for b in boxes if re.fullmatch(r"\d+\.?|", b)], f"text boxes without a name: {boxes}"
    statuses, alerts = tree.find("status"), tree.find("alert")
    assert statuses and all(s.properties.get("live") == "polite" for s in statuses)
    assert alerts and all(a.properties.get("live") == "assertive" for a in alerts)
    return tree


def check_every_plot_is_described(page) -> list[str]:
    """Every image coursekit drew has a text alternative, and is shown unscaled (its text about
    14 px on screen, not shrunk to fit)."""
    images = page.evaluate(
        """() => Array.from(document.querySelectorAll('.jp-Notebook .jp-OutputArea-output img')).map(i => ({
                alt: i.getAttribute('alt'), shown: i.clientWidth,
                width: Number(i.getAttribute('width'))}))""")
    assert images, "no plot was drawn"
    for image in images:
        assert image["alt"] and image["alt"].strip(), f"an image without alt text: {image}"
        assert image["width"] and image["shown"] >= 0.95 * image["width"], f"an image scaled down: {image}"
    return [image["alt"] for image in images]


def check_poles_at_either_end(form) -> None:
    """A pair of statements: the first at the left end of its row, the second at the right."""
    rows = form.locator(".ck-bipolar")
    assert rows.count()
    for n in range(rows.count()):
        row = rows.nth(n)
        low, high = row.locator(".ck-pole-low").bounding_box(), row.locator(".ck-pole-high").bounding_box()
        points = row.locator(".ck-points").bounding_box()
        assert low["x"] + low["width"] <= points["x"] + 1 and points["x"] + points["width"] <= high["x"] + 1
        for pole in (low, high):  # on the same line as the points, not above them
            assert pole["y"] < points["y"] + points["height"] and points["y"] < pole["y"] + pole["height"]
        assert min(low["height"], high["height"]) > 0


@pytest.mark.parametrize(("module", "instrument_id"), FORMS, ids=MODULES)
def test_a_student_answers_saves_and_comes_back(playwright_api, student, browser_context, axe,
                                                module, instrument_id):
    started = time.monotonic()
    expect = playwright_api.expect
    instrument = instrument_of(instrument_id)
    items, points, label = instrument.items, instrument.scale.points, instrument.scale.label
    own = instrument.own_item
    groups = len(items) + (own is not None)  # the own item has a rating of its own
    plan = planned_answers(instrument)
    plan_index = [points.index(plan[item.id]) for item in items]
    own_answer = {"name": "weariness", "rating": points[-2]} if own else None
    folder = student.home / module
    saved_file = folder / FILENAME
    requests: list[str] = []
    page = browser_context.new_page()
    page.on("request", lambda request: requests.append(request.url))
    nb = Notebook(page, student.lab, ARTIFACTS / module)
    phases: dict[str, float] = {}

    def phase(name: str) -> None:
        phases[name] = time.monotonic() - started - sum(phases.values())

    try:
        # 1. Open the notebook, run everything: the form appears (widgets, not text), and a
        #    screen reader gets a named group per item; axe-core finds nothing to fault.
        nb.open(f"{module}/{module}.ipynb")
        nb.run_all()
        form = nb.form(groups)
        expect(form.get_by_text("Nothing saved yet")).to_be_visible()
        assert nb.checked() == [None] * groups
        nb.shot("01-form-rendered", form)
        check_what_a_screen_reader_gets(page, instrument, module_of(module))
        (nb.shots / "01-form-aria-snapshot.yaml").write_text(form.aria_snapshot())
        if any(item.anchors for item in items):
            check_poles_at_either_end(form)
        violations = axe_violations(page, OUTPUTS)
        assert not violations, json.dumps(violations, indent=1)
        phase("open, run and check")

        # 2. Answer every item: mostly with the mouse, some with the keyboard alone.
        boxes = form.locator(GROUPS)
        for n, item in enumerate(items):
            option = plan_index[n]
            if not by_keyboard(n):
                boxes.nth(n).get_by_text(label(plan[item.id]), exact=True).click()
            else:
                # From the answer just clicked, one Tab reaches this item; the arrow keys move
                # to the answer (each press chooses the option it lands on), or Space chooses
                # the first.
                assert nb.focused()[0] == n - 1, "the answer just clicked should hold the focus"
                page.keyboard.press("Tab")
                assert nb.focused() == (n, 0), f"one Tab should reach item {n + 1}: {nb.describe_focus()}"
                for _ in range(option):
                    page.keyboard.press("ArrowRight")
                if not option:
                    page.keyboard.press("Space")
                assert nb.focused() == (n, option), nb.describe_focus()
            expect(boxes.nth(n).locator("input").nth(option)).to_be_checked()
        if own:
            form.locator("input[type=text]").fill(own_answer["name"])
            boxes.nth(len(items)).get_by_text(label(own_answer["rating"]), exact=True).click()
        expect(form.get_by_text("Unsaved changes")).to_be_visible()
        assert nb.checked() == plan_index + ([points.index(own_answer["rating"])] if own else [])

        # Save: the status line is a live region that stays in the page and changes its text,
        # so a screen reader announces it.
        status = form.get_by_role("status")
        status.evaluate("e => e.dataset.before = '1'")
        form.get_by_role("button", name=re.compile("Save answers")).click()
        saved_status = re.compile(rf"^Saved at .*: {len(items)} of {len(items)} items answered$")
        expect(form.get_by_text(saved_status)).to_be_visible()
        expect(form.locator("[role=status][aria-live=polite][data-before]")).to_have_text(saved_status)
        announced = [node.name or " ".join(n.name for n in node.walk() if n.role == "StaticText")
                     for node in accessibility_tree(page, OUTPUTS).find("status")]
        assert any(saved_status.match(text) for text in announced), announced
        nb.shot("02-answered-and-saved", form)
        phase("answer and save")

        on_disk = json.loads(saved_file.read_text())
        assert on_disk["module"] == module and on_disk["revision"] == 1
        assert on_disk["instruments"][instrument.id]["answers"] == plan
        if own:
            assert on_disk["values"][own.id] == own_answer
        assert stat.S_IMODE(os.stat(saved_file).st_mode) == 0o600
        first_save = saved_file.read_bytes()

        # 3. Restart the kernel and run everything again: the form shows what was saved, and
        #    the plots drawn from it are described in words.
        nb.restart_and_run_all()
        form = nb.form(groups)
        expect(form.get_by_text(saved_status)).to_be_visible()
        assert nb.checked() == plan_index + ([points.index(own_answer["rating"])] if own else [])
        if own:
            expect(form.locator("input[type=text]")).to_have_value(own_answer["name"])
        nb.shot("03-after-restart-shows-saved-answers", form)
        alts = check_every_plot_is_described(page)
        first_plot = page.locator(".jp-Notebook .jp-OutputArea-output img").first
        nb.shot("05-first-plot-with-saved-answers", first_plot)
        (nb.shots / "05-plot-alt-texts.txt").write_text("\n\n".join(alts))
        violations = axe_violations(page, OUTPUTS)
        assert not violations, json.dumps(violations, indent=1)
        phase("restart and run")

        # 4. The folder becomes read-only: a save fails in plain view and loses nothing.
        make_readonly(folder)
        other = next(v for v in points if v != plan[items[0].id])
        form.locator(GROUPS).nth(0).get_by_text(label(other), exact=True).click()
        form.get_by_role("button", name=re.compile("Save answers")).click()
        alert = form.get_by_role("alert")
        expect(alert).to_contain_text("not writable")
        expect(alert).to_contain_text("previously saved answers are unchanged")
        expect(form.get_by_text("Not saved", exact=True)).to_be_visible()
        nb.shot("04-read-only-folder-error-shown", form)
        assert saved_file.read_bytes() == first_save
        phase("read-only save")
    finally:
        with contextlib.suppress(Exception):
            nb.shut_down_kernels()
        page.close()

    # Everything the page asked for came from our own server on loopback.
    foreign = [url for url in requests if urllib.parse.urlsplit(url).hostname != "127.0.0.1"
               and urllib.parse.urlsplit(url).scheme not in ("data", "blob")]
    assert requests and not foreign, foreign[:10]
    print(f"\nbrowser test for {module}: {time.monotonic() - started:.1f} s in the page ("
          + ", ".join(f"{name} {seconds:.1f} s" for name, seconds in phases.items())
          + f"); {len(requests)} requests, all to 127.0.0.1")


def test_one_tab_per_item_and_the_arrow_keys_stay_in_it(playwright_api, student, browser_context):
    """What widgets.py promises keyboard users: Tab moves from item to item (once each), the
    arrow keys move the answer within an item, never out of it, and JupyterLab's notebook
    shortcuts (in command mode: arrow keys move between cells or fold a section away, Enter
    opens a cell's editor) do not take them; Enter on Save saves."""
    expect = playwright_api.expect
    module = MODULES[0]
    instrument = instrument_of(dict(FORMS)[module])
    n_groups = len(instrument.items) + (instrument.own_item is not None)
    page = browser_context.new_page()
    nb = Notebook(page, student.lab, ARTIFACTS / KEYBOARD_HOME)
    try:
        nb.open(f"{KEYBOARD_HOME}/{module}/{module}.ipynb")
        nb.run_all()
        form = nb.form(n_groups)
        boxes = form.locator(GROUPS)
        boxes.nth(0).locator("input").nth(0).focus()  # on the first item, nothing chosen yet
        stops = []
        for _ in range(n_groups + 2):
            page.keyboard.press("Tab")
            stops.append(nb.focused()[0])
            if stops[-1] is None:
                break
        assert stops == [*range(1, n_groups), None], f"Tab stops, by item: {stops}"
        expect(form.get_by_role("button", name="Save answers")).to_be_focused()
        page.keyboard.press("Shift+Tab")
        assert nb.focused()[0] == n_groups - 1, nb.describe_focus()

        # The arrow keys, on the second item: each moves the answer within it (wrapping round at
        # the ends, as radio buttons do), and the notebook stays as it was.
        boxes.nth(1).locator("input").nth(0).focus()
        before = nb.notebook_view()
        n_options = boxes.nth(1).locator("input").count()
        moves = {"ArrowRight": 1, "ArrowDown": 1, "ArrowLeft": -1, "ArrowUp": -1}
        where = 0
        for key, step in [*moves.items(), *[("ArrowRight", 1)] * n_options, *[("ArrowLeft", -1)] * 2]:
            page.keyboard.press(key)
            where = (where + step) % n_options
            assert nb.focused() == (1, where), f"{key} went to {nb.focused()}: {nb.describe_focus()}"
            assert nb.checked()[1] == where, f"{key} did not choose the option it moved to"
            assert nb.notebook_view() == before, f"{key} changed the notebook: {nb.notebook_view()}"
        nb.shot("90-arrow-keys-within-an-item", form)
        assert nb.checked()[0] is None and nb.checked()[2] is None  # the other items untouched

        # Enter on the Save button saves, and the live region says so.
        form.get_by_role("button", name="Save answers").focus()
        page.keyboard.press("Enter")
        expect(form.locator("[role=status][aria-live=polite]")).to_have_text(
            re.compile(rf"^Saved at .*: 1 of {len(instrument.items)} items answered"))
        assert nb.notebook_view() == before, "Enter on Save opened a cell's editor"
    finally:
        with contextlib.suppress(Exception):
            nb.shut_down_kernels()
        page.close()
