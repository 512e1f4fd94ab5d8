"""A class on a real JupyterHub: real Unix users, a confidential exchange, grading through the hub.

The test makes Unix users (two instructors of one course, one of another, three students, one
user of the machine in no course), lays out two courses with ``coursekit hub setup`` and starts
JupyterHub with configurable-http-proxy on loopback, configured by deploy/hub/ exactly as a
server would be. The hub (as root) spawns each user's JupyterLab as that user. Then the course
runs: an instructor generates and releases through the Formgrader; the students fetch, answer
and submit through their own servers (one of them in Chromium, the form answered with the
mouse); one student forges a submission in another's name and plants a link to the gradebook;
the other instructor collects; ``coursekit autograde --jobs 2`` grades; an instructor grades
reflections by hand in the Formgrader, in Chromium, inside JupyterLab (the iframe that JupyterHub
4.1's headers break, nbgrader #1870); feedback is released and fetched.

Then every user tries to list, read, write and delete every confidential path (submissions,
answers files, feedback, the course folder, the gradebook, grades, reports, homes), and the
test compares what the kernel allowed with what the layout promises: everything across users
refused, everything the owner and the graders need allowed. The counts are printed.

Screenshots and the hub's log are kept in test-artifacts/hub/.
"""

from __future__ import annotations

import contextlib
import json
import os
import pwd
import re
import shutil
import stat
import sys
import time
import urllib.error
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
import pytest

import hub_support as hs
from browser_support import CHROMIUM, CHROMIUM_ARGS, GROUPS
from conftest import COURSE, ROOT, instrument_of

pytestmark = [pytest.mark.hub, pytest.mark.slow, pytest.mark.kernel, pytest.mark.nbgrader,
              pytest.mark.browser]

ARTIFACTS = ROOT / "test-artifacts" / "hub"
TIMEOUT_MS = 90_000
A, B = "cka", "ckb"  # the two courses
MODULE_A, MODULE_B = "alliance", "craft"
ANSWERS = "coursekit-responses.json"
REFLECTIONS = ["reflection_description", "reflection_feelings", "reflection_evaluation",
               "reflection_analysis", "reflection_conclusion", "reflection_action_plan"]
OPS = ("list", "read", "write", "delete")

SAVE_ANSWERS = """
import json, sys
from pathlib import Path
from coursekit.content.manifest import load_module
from coursekit.student.responses import ResponseStore
folder, answers = Path(sys.argv[1]), json.loads(sys.argv[2])
ResponseStore(folder, "alliance").save_answers(load_module(folder).instrument("alliance"), answers)
"""


def _preconditions() -> None:
    if os.geteuid() != 0:
        pytest.skip("the hub test creates Unix users and runs JupyterHub as root; CI runs as root")
    pytest.importorskip("jupyterhub", reason="pip install jupyterhub (the test extra has it)")
    pytest.importorskip("playwright.sync_api", reason="pip install playwright")
    if not hs.PROXY.exists():
        pytest.skip(f"{hs.PROXY} is missing: run `npm ci` at the repository root "
                    "(scripts/system-deps does)")
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing; scripts/system-deps installs Debian's chromium")
    for tool in ("useradd", "userdel", "groupadd", "groupdel", "usermod", "chpasswd"):
        if shutil.which(tool) is None:
            pytest.skip(f"{tool} is missing (Debian's passwd package)")
    if not Path("/etc/pam.d/login").exists():
        pytest.skip("PAM's login service is missing (/etc/pam.d/login): the hub logs users in with it")
    left = hs.remove_leftovers()
    if left:
        print(f"removed what an earlier, killed run left: {', '.join(left)}")


# --- the notebook a student hands in --------------------------------------------------------


def cell(nb, grade_id):
    return next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)


def solution() -> str:
    nb = nbformat.read(COURSE / "source" / MODULE_A / f"{MODULE_A}.ipynb", as_version=4)
    return "\n".join(line for line in cell(nb, "find_rupture_and_repair").source.splitlines()
                     if "### BEGIN SOLUTION" not in line and "### END SOLUTION" not in line)


def reflection(student: str, grade_id: str) -> str:
    # A phrase of the student's own, to find (or not find) in everyone's feedback later.
    return f"My {grade_id.split('_', 1)[1]}, a de-identified account by {student}."


def work_in(hub: hs.Hub, student: str, reflections: list[str], tamper: bool = False) -> None:
    """Edit the fetched notebook through the student's own server (Jupyter's contents API)."""
    path = f"api/contents/{A}/{MODULE_A}/{MODULE_A}.ipynb"
    nb = nbformat.from_dict(hub.as_user(student, "GET", path + "?content=1")["content"])
    cell(nb, "find_rupture_and_repair").source = solution()
    for grade_id in reflections:
        cell(nb, grade_id).source = reflection(student, grade_id)
    if tamper:  # rewrites the locked completion check, as in test_pipeline's cleo
        cell(nb, "test_completion").source = "print('all done')"
    hub.as_user(student, "PUT", path, {"type": "notebook", "format": "json", "content": nb})


# --- the browser ----------------------------------------------------------------------------


def log_in(context, hub: hs.Hub, accounts: hs.Accounts, user: str):
    page = context.new_page()
    page.goto(f"{hub.url}hub/login?next=/user/{user}/lab")
    if "/hub/login" in page.url:  # not logged in yet in this browser context
        page.fill("#username_input", user)
        page.fill("#password_input", accounts.users[user])
        page.click("#login_submit")
    page.wait_for_url(re.compile(rf"/user/{user}/lab"))
    return page


def menu(page, name: str, item: str) -> None:
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(f"^{name}$")).click()
    page.locator(".lm-Menu-itemLabel", has_text=re.compile(f"^{re.escape(item)}$")).click()


def student_in_browser(context, expect, hub, accounts, student: str) -> dict[str, int]:
    """Fetch in the Assignments panel, answer the form with the mouse, save; returns the answers."""
    instrument = instrument_of("alliance")
    points = instrument.scale.points
    answers = {item.id: points[(2 * n + 1) % len(points)] for n, item in enumerate(instrument.items)}
    page = log_in(context, hub, accounts, student)
    menu(page, "Nbgrader", "Assignment List")
    page.locator("#released_assignments_list").get_by_role("button", name="Fetch").click()
    expect(page.locator("#fetched_assignments_list").get_by_text(MODULE_A).first).to_be_visible()
    page.screenshot(path=ARTIFACTS / "10-student-fetched.png")
    page.goto(f"{hub.url}user/{student}/lab/tree/{A}/{MODULE_A}/{MODULE_A}.ipynb")
    page.get_by_text(re.compile(r"Python 3 \(ipykernel\) \| Idle")).wait_for()
    menu(page, "Run", "Run All Cells")
    page.wait_for_function("([n, groups]) => document.querySelectorAll(groups).length === n",
                           arg=[len(instrument.items), GROUPS])
    form = page.locator(".jp-OutputArea-output", has=page.locator(GROUPS))
    boxes = form.locator(GROUPS)
    for n, item in enumerate(instrument.items):
        boxes.nth(n).get_by_text(instrument.scale.label(answers[item.id]), exact=True).click()
    form.get_by_role("button", name=re.compile("Save answers")).click()
    saved = re.compile(rf"^Saved at .*: {len(answers)} of {len(answers)} items")
    expect(form.get_by_text(saved)).to_be_visible()
    form.evaluate("e => e.scrollIntoView({block: 'start'})")
    page.screenshot(path=ARTIFACTS / "11-student-answered-in-browser.png")
    page.close()
    return answers


def submit_in_browser(context, expect, hub, accounts, student: str) -> None:
    page = log_in(context, hub, accounts, student)
    menu(page, "Nbgrader", "Assignment List")
    fetched = page.locator("#fetched_assignments_list")
    fetched.get_by_role("button", name="Submit").click()
    submitted = page.locator("#submitted_assignments_list")
    expect(submitted.get_by_text(MODULE_A).first).to_be_visible()
    page.screenshot(path=ARTIFACTS / "12-student-submitted-in-browser.png")
    page.close()


def grade_in_formgrader(context, expect, hub, accounts, grader: str, student: str,
                        points: int) -> None:
    """Nbgrader menu > Formgrader (JupyterLab's iframe), Manual Grading, score each reflection."""
    page = log_in(context, hub, accounts, grader)
    menu(page, "Nbgrader", "Formgrader")
    frame = page.frame_locator("#formgrader-iframe iframe")
    # Manual Grading > the module > its notebook > the student's submission; each link by where
    # it leads, since the breadcrumbs repeat the names and a page may still be loading.
    frame.get_by_role("link", name="Manual Grading").click()
    frame.locator(f'a[href$="/formgrader/gradebook/{MODULE_A}"]').last.click()
    frame.locator(f'a[href$="/formgrader/gradebook/{MODULE_A}/{MODULE_A}"]').last.click()
    frame.locator("tr", has_text=student).get_by_role("link", name=re.compile("Submission")).click()
    frame.locator(f"input.score#{REFLECTIONS[0]}").wait_for()
    # The page loads its grades after it shows: a score typed before that is overwritten.
    page.frame(url=re.compile(r"/formgrader/submissions/")).wait_for_load_state("networkidle")
    notebooks = hub.as_user(grader, "GET", f"formgrader/api/submitted_notebooks/{MODULE_A}/{MODULE_A}")
    submission = next(nb["id"] for nb in notebooks if nb["student"] == student)

    def saved() -> dict[str, float | None]:
        grades = hub.as_user(grader, "GET", f"formgrader/api/grades?submission_id={submission}")
        return {g["name"]: g["manual_score"] for g in grades if g["name"] in REFLECTIONS}

    wanted = dict.fromkeys(REFLECTIONS, points)
    for _ in range(2):  # a second pass for a score the page had not taken yet
        for grade_id in [g for g, score in saved().items() if score != points]:
            score = frame.locator(f"input.score#{grade_id}")
            score.fill(str(points))
            score.press("Tab")  # the Formgrader saves a score when its field loses focus
        # Each score is saved by a request of its own: wait until the gradebook has them all.
        deadline = time.monotonic() + 20
        while saved() != wanted and time.monotonic() < deadline:
            time.sleep(0.5)
        if saved() == wanted:
            break
    assert saved() == wanted, saved()
    page.screenshot(path=ARTIFACTS / "20-formgrader-in-jupyterlab-iframe.png")
    page.close()


# --- the test -----------------------------------------------------------------------------


def test_a_class_on_a_real_hub():
    _preconditions()
    started = time.monotonic()
    phases: dict[str, float] = {}

    def phase(name: str) -> None:
        phases[name] = time.monotonic() - started - sum(phases.values())

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    python = Path(sys.executable)
    reachable = [python.resolve(), Path(sys.base_prefix), Path(sys.prefix), ROOT]
    with contextlib.ExitStack() as stack:
        stack.enter_context(hs.reachable_by_everyone(reachable))
        accounts = stack.enter_context(hs.accounts())
        i1, i2, j1 = (accounts.add_user(r) for r in ("i1", "i2", "j1"))
        s1, s2, s3 = (accounts.add_user(r) for r in ("s1", "s2", "s3"))
        x1 = accounts.add_user("x1")  # a user of the machine in no course
        ga, sa, gb, sb = (accounts.group(r) for r in ("ga", "sa", "gb", "sb"))
        root = accounts.base / "srv"
        env = {"PATH": f"{python.parent}:/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin",
               "PYTHONPATH": str(ROOT / "src"), "LANG": "C.UTF-8", "COURSEKIT_HUB_ROOT": str(root)}
        coursekit = [str(python), "-m", "coursekit"]
        for course, graders, students, g, s in ((A, [i1, i2], [s1, s2, s3], ga, sa),
                                                (B, [j1], [s1], gb, sb)):
            hs.run([*coursekit, "hub", "setup", course, "--root", str(root), "--graders",
                    ",".join(graders), "--students", ",".join(students), "--graders-group", g,
                    "--students-group", s, "--from", str(COURSE)], env=env)
        checked = hs.run([*coursekit, "hub", "check", "--root", str(root)], env=env)
        assert checked.stdout.count("as set up") == 2, checked.stdout
        for user in (s3, i1):
            hs.quiet_lab_settings(user)
        course_a, _course_b = root / "courses" / A, root / "courses" / B
        exchange_a = root / "exchange" / A
        phase("users and courses")

        hub = stack.enter_context(hs.jupyterhub(accounts.base / "state", env, ARTIFACTS / "jupyterhub.log"))
        hub.spawn([i1, i2, j1, s1, s2, s3])
        phase("hub and six servers")

        def cli(user, cmd, cwd=None, ok=True):
            role = "grader" if user in (i1, i2, j1) else "student"
            user_env = {**env, "JUPYTER_CONFIG_PATH": os.pathsep.join(
                [str(hs.DEPLOY / "jupyter" / role), str(hs.DEPLOY / "jupyter" / "common")])}
            # Graders work with umask 007 (their servers' terminals have it), students 077.
            return hs.as_user(user, cmd, user_env, cwd=cwd, ok=ok,
                              umask=0o007 if role == "grader" else 0o077)

        def formgrader(user, method, path, body=None):
            reply = hub.as_user(user, method, f"formgrader/api/{path}", body)
            return reply

        # Who gets what: the Formgrader and a frameable server for graders only.
        for user, formgrader_status, frame_ancestors in ((i1, 200, "'self'"), (s1, 404, "'none'")):
            try:
                status = hub.as_user(user, "GET", "formgrader/api/status", raw=True)[0]
            except urllib.error.HTTPError as exc:
                status = exc.code
            _, headers, page = hub.as_user(user, "GET", "lab", raw=True)
            assert status == formgrader_status, (user, status)
            assert headers.get("content-security-policy") == f"frame-ancestors {frame_ancestors}", headers
            # ...and JupyterLab's Formgrader and Create Assignment for graders only
            page_config = json.loads(re.search(rb'id="jupyter-config-data"[^>]*>(.*?)</script>',
                                               page, re.S).group(1))
            hidden = {"@jupyter/nbgrader:formgrader", "@jupyter/nbgrader:create-assignment"}
            disabled = set(page_config.get("disabledExtensions", []))
            assert (hidden <= disabled) == (user == s1), (user, disabled)

        # 1. Release, each course by its own instructor, through the Formgrader's API.
        def release(user, module):
            for action in ("assign", "release"):
                reply = formgrader(user, "POST", f"assignment/{module}/{action}")
                assert reply["success"], reply.get("log", reply)[-3000:]

        side_by_side(lambda: release(i1, MODULE_A), lambda: release(j1, MODULE_B))
        phase("generate and release")

        # 2. Two courses: a student in both sees both, a student in one sees one.
        def released(user):
            reply = hub.as_user(user, "GET", "assignments?course_id=")
            assert reply["success"], reply
            return {(a["course_id"], a["assignment_id"]) for a in reply["value"]}

        assert released(s1) == {(A, MODULE_A), (B, MODULE_B)}
        assert released(s2) == {(A, MODULE_A)}

        # 3. Students fetch and work: s1 and s2 through their servers' REST API, s3 in Chromium.
        answers: dict[str, dict[str, int]] = {}
        for student in (s1, s2):
            reply = hub.as_user(student, "POST", "assignments/fetch",
                                {"course_id": A, "assignment_id": MODULE_A})
            assert reply["success"], reply
        instrument = instrument_of("alliance")
        answers[s1] = {item.id: 4 for item in instrument.items}
        work_in(hub, s1, REFLECTIONS)
        work_in(hub, s2, REFLECTIONS[:3], tamper=True)  # and saves no answers
        folder = lambda user: Path(pwd.getpwnam(user).pw_dir) / A / MODULE_A  # noqa: E731
        cli(s1, [str(python), "-c", SAVE_ANSWERS, str(folder(s1)), json.dumps(answers[s1])])
        assert stat.S_IMODE((folder(s1) / ANSWERS).stat().st_mode) == 0o600

        sync_api = pytest.importorskip("playwright.sync_api")
        expect = sync_api.expect
        expect.set_options(timeout=TIMEOUT_MS)
        playwright = stack.enter_context(sync_api.sync_playwright())
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS,
                                             headless=True)
        stack.callback(browser.close)
        student_context = browser.new_context(viewport={"width": 1280, "height": 1400})
        student_context.set_default_timeout(TIMEOUT_MS)
        answers[s3] = student_in_browser(student_context, expect, hub, accounts, s3)
        on_disk = json.loads((folder(s3) / ANSWERS).read_text())
        assert on_disk["instruments"]["alliance"]["answers"] == answers[s3]
        work_in(hub, s3, REFLECTIONS)
        phase("students fetch and work")

        for student in (s1, s2):
            reply = hub.as_user(student, "POST", "assignments/submit",
                                {"course_id": A, "assignment_id": MODULE_A})
            assert reply["success"], reply
        submit_in_browser(student_context, expect, hub, accounts, s3)
        student_context.close()
        # s2 forges a submission in s1's name (newer, so nbgrader would take it), and plants in
        # its own submission a link to the gradebook, hoping the grader copies it for them.
        forged = exchange_a / "inbound" / f"{s1}+{MODULE_A}+2030-01-01 00:00:00.000000 UTC+forged"
        cli(s2, ["mkdir", str(forged)])
        own = next((exchange_a / "inbound").glob(f"{s2}+{MODULE_A}+*"))
        cli(s2, ["ln", "-s", str(course_a / "gradebook.db"), str(own / "notes.db")])
        # ...and cannot submit as someone else.
        refused = cli(s2, ["nbgrader", "submit", MODULE_A, f"--course={A}", f"--student={s1}"], ok=False)
        assert refused.returncode != 0 and "you submit as yourself" in refused.stdout + refused.stderr
        phase("submit")

        # 4. The other instructor collects: the forgery and the link are refused and reported.
        reply = formgrader(i2, "POST", f"assignment/{MODULE_A}/collect")
        assert reply["success"], reply
        assert "a forgery" in reply["log"] and "forged" in reply["log"], reply["log"]
        assert "notes.db (a symbolic link)" in reply["log"], reply["log"]
        for student in (s1, s2, s3):
            assert (course_a / "submitted" / student / MODULE_A / f"{MODULE_A}.ipynb").is_file()
        assert not (course_a / "submitted" / s2 / MODULE_A / "notes.db").exists()
        s1_nb = (course_a / "submitted" / s1 / MODULE_A / f"{MODULE_A}.ipynb").read_text()
        assert reflection(s1, REFLECTIONS[0]) in s1_nb, "s1's genuine submission was not the one collected"
        phase("collect")

        # 5. Autograde, as the first instructor, with coursekit and two workers.
        graded = cli(i1, [*coursekit, "autograde", MODULE_A, "--jobs", "2"], cwd=course_a, ok=False)
        assert graded.returncode in (0, 1), graded.stdout + graded.stderr
        assert "3 of 3 submission(s) graded" in graded.stdout, graded.stdout + graded.stderr
        restored = nbformat.read(course_a / "autograded" / s2 / MODULE_A / f"{MODULE_A}.ipynb", 4)
        assert "check_module" in cell(restored, "test_completion").source  # s2's edit undone
        phase("autograde")

        # 6. Grading by hand: i1 in the Formgrader in Chromium; i2 through its API.
        grader_context = browser.new_context(viewport={"width": 1400, "height": 1100})
        grader_context.set_default_timeout(TIMEOUT_MS)
        grade_in_formgrader(grader_context, expect, hub, accounts, i1, s1, 2)
        grader_context.close()
        notebooks = formgrader(i2, "GET", f"submitted_notebooks/{MODULE_A}/{MODULE_A}")
        by_student = {nb["student"]: nb["id"] for nb in notebooks}
        for student, points, parts in ((s2, 1, REFLECTIONS[:3]), (s3, 1, REFLECTIONS)):
            grades = {g["name"]: g
                      for g in formgrader(i2, "GET", f"grades?submission_id={by_student[student]}")}
            for grade_id in REFLECTIONS:
                formgrader(i2, "PUT", f"grade/{grades[grade_id]['id']}",
                           {"manual_score": points if grade_id in parts else 0})
        scores = {sub["student"]: sub["score"] for sub in formgrader(i2, "GET", f"submissions/{MODULE_A}")}
        # s1: exercise 4 + completion 2 + reflections 6 x 2 (by hand, in the browser); s2: the
        # exercise, no answers saved (and its rewritten check undone), 3 reflections x 1; s3:
        # exercise, the form answered in the browser, 6 x 1.
        assert scores == {s1: 18.0, s2: 7.0, s3: 12.0}, scores
        phase("grade by hand")

        # 7. Feedback: generated and released by i2, fetched by each student from their server.
        for action in ("generate_feedback", "release_feedback"):
            reply = formgrader(i2, "POST", f"assignment/{MODULE_A}/{action}")
            assert reply["success"], reply.get("log", reply)
        for student in (s1, s2, s3):
            reply = hub.as_user(student, "POST", "assignments/fetch_feedback",
                                {"course_id": A, "assignment_id": MODULE_A})
            assert reply["success"], reply
            fetched = list((folder(student) / "feedback").glob(f"*/{MODULE_A}.html"))
            assert len(fetched) == 1, (student, fetched)
            text = fetched[0].read_text()
            assert reflection(student, REFLECTIONS[0]) in text
            others = [other for other in (s1, s2, s3) if other != student]
            assert not any(reflection(other, REFLECTIONS[0]) in text for other in others)
        listed = hub.as_user(s1, "GET", f"assignments?course_id={A}")["value"]
        submitted = next(a for a in listed if a["status"] == "submitted")["submissions"][-1]
        assert submitted["has_local_feedback"] and not submitted["feedback_updated"], submitted
        phase("feedback")

        # 8. Grades and the cohort report, as an instructor would export them; and (9.) two
        # courses: neither course's instructors can grade the other's (side by side: each
        # command is mostly nbgrader's start-up).
        trespass = [(user, cmd) for user, module, course in ((j1, MODULE_A, A), (i1, MODULE_B, B))
                    for cmd in ([*coursekit, "autograde", module, "--course", str(root / "courses" / course)],
                                ["nbgrader", "collect", module, f"--course={course}"])]
        export, report, *attempts = side_by_side(
            lambda: cli(i1, ["nbgrader", "export", "--to", "grades.csv"], cwd=course_a),
            lambda: cli(i2, [*coursekit, "report", MODULE_A], cwd=course_a, ok=False),
            *(lambda user=user, cmd=cmd: cli(user, cmd, ok=False) for user, cmd in trespass))
        assert report.returncode in (0, 1), report.stdout + report.stderr
        reports = sorted((course_a / "reports").glob(f"{MODULE_A}-cohort.*"))
        assert reports, report.stdout + report.stderr
        for (user, cmd), attempt in zip(trespass, attempts, strict=True):
            said = attempt.stdout + attempt.stderr
            assert attempt.returncode != 0, (user, cmd, said)
            if cmd[0] == "nbgrader":
                assert "not enrolled" in said, said
        phase("export, report, two courses")

        # 10. The answers files, all the way through: for the student alone, or the graders.
        gid_a = os.stat(course_a).st_gid
        answer_files = [p for base in (root, accounts.base / "home") for p in base.rglob(ANSWERS)]
        stations = Counter()
        for path in answer_files:
            st = path.stat()
            mode = stat.S_IMODE(st.st_mode)
            assert not mode & 0o007 and (not mode & 0o070 or st.st_gid == gid_a), (path, oct(mode))
            stations[_station(path, root)] += 1
        # two answered (s1 via the API, s3 in the browser): in their folders, the exchange,
        # submitted/, autograded/ and feedback/, and the students' own submission caches
        assert stations == {"home": 2, "cache": 2, "inbound": 2, "submitted": 2, "autograded": 2,
                            "feedback": 2}, stations
        for path in (course_a / "gradebook.db", course_a / "grades.csv", *reports):
            assert not stat.S_IMODE(path.stat().st_mode) & 0o007, (path, oct(path.stat().st_mode))

        # 11. The measurement: every user, every confidential path, every operation.
        targets = _targets(root, accounts, i1, i2, j1, (s1, s2, s3), x1)
        missing = [t["path"] for t in targets if not os.path.lexists(t["path"])]
        assert not missing, missing
        users = [i1, i2, j1, s1, s2, s3, x1]
        tally = Counter()
        wrong = []
        probe = str(Path(hs.__file__).with_name("hub_probe.py"))
        for user in users:
            paths = json.dumps([t["path"] for t in targets])
            result = hs.as_user(user, [str(python), probe], env, input=paths)
            for target, outcome in zip(targets, json.loads(result.stdout), strict=True):
                for op in OPS:
                    allowed = outcome[op] is None
                    expected = user in target[op]
                    kind = "own" if expected else "cross"
                    tally[(kind, "allowed" if allowed else "refused")] += 1
                    if allowed != expected:
                        wrong.append(f"{user} {op} {target['path']}: "
                                     f"{'allowed' if allowed else outcome[op]}, expected "
                                     f"{'allowed' if expected else 'refused'}")
        phase("permission matrix")
        attempts = sum(tally.values())
        cross = tally[("cross", "refused")] + tally[("cross", "allowed")]
        own = tally[("own", "allowed")] + tally[("own", "refused")]
        summary = (f"{attempts} attempts ({len(users)} users x {len(targets)} paths x {len(OPS)} "
                   f"operations): {cross} by users with no business there, "
                   f"{tally[('cross', 'refused')]} refused; {own} by owners and graders, "
                   f"{tally[('own', 'allowed')]} allowed")
        (ARTIFACTS / "permission-matrix.txt").write_text(summary + "\n" + "\n".join(wrong) + "\n")
        assert not wrong, summary + "\n" + "\n".join(wrong[:60])
        print(f"\nhub test: {summary}")
    phase("clean up")
    print("hub test: " + ", ".join(f"{name} {seconds:.0f} s" for name, seconds in phases.items())
          + f"; {time.monotonic() - started:.0f} s in all")


def side_by_side(*calls):
    """Run the calls in threads (each waits on a server or a subprocess); their results, in order."""
    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return [future.result() for future in [pool.submit(call) for call in calls]]


def _station(path: Path, root: Path) -> str:
    parts = path.parts
    for station in ("inbound", "submitted", "autograded", "feedback"):
        if station in parts:
            return station
    return "cache" if "nbgrader_cache" in parts else "home"


def _targets(root: Path, accounts: hs.Accounts, i1: str, i2: str, j1: str,
             students: tuple[str, ...], outsider: str) -> list[dict]:
    """Every confidential path of the class, and who may do what to it (the layout's promise)."""
    graders_a, everyone_a = {i1, i2}, {i1, i2, *students}
    nobody: set[str] = set()
    s1 = students[0]
    course_a, course_b = root / "courses" / A, root / "courses" / B
    exchange_a, exchange_b = root / "exchange" / A, root / "exchange" / B
    targets = []

    def add(path, list_=nobody, read=None, write=nobody, delete=nobody):
        targets.append({"path": str(path), "list": set(list_),
                        "read": set(read if read is not None else list_),
                        "write": set(write), "delete": set(delete)})

    for student in students:
        home = Path(pwd.getpwnam(student).pw_dir)
        mine = {student}
        sub = next(p for p in (exchange_a / "inbound").glob(f"{student}+{MODULE_A}+*")
                   if not p.name.endswith("forged"))
        add(sub, mine | graders_a, write=mine, delete=mine)  # sticky inbound: graders cannot delete
        add(sub / f"{MODULE_A}.ipynb", mine | graders_a, write=mine, delete=mine)
        add(sub / "submission_secret.txt", mine | graders_a, write=mine, delete=mine)
        feedback = exchange_a / "feedback" / student
        add(feedback, mine | graders_a, write=mine | graders_a, delete=mine)
        for html in feedback.glob("*.html"):  # released by i2: 0644 in the student's folder
            add(html, mine | graders_a, write={i2}, delete=mine | graders_a)
        for station in ("submitted", "autograded", "feedback"):
            add(course_a / station / student, graders_a, write=graders_a, delete=graders_a)
            for path in sorted((course_a / station / student / MODULE_A).iterdir()):
                if path.is_file() and path.suffix in (".ipynb", ".json", ".html"):
                    add(path, graders_a, write=graders_a, delete=graders_a)
        add(home, mine, write=mine)
        add(home / A / MODULE_A, mine, write=mine, delete=mine)
        add(home / A / MODULE_A / f"{MODULE_A}.ipynb", mine, write=mine, delete=mine)
        for path in [home / A / MODULE_A / ANSWERS, *(home / A / MODULE_A / "feedback").glob("*/*.html"),
                     home / ".local" / "share" / "jupyter" / "nbgrader_cache" / A]:
            if path.exists():
                add(path, mine, write=mine, delete=mine)
        if student == s1:
            sub_answers = sub / ANSWERS
            add(sub_answers, mine | graders_a, write=mine, delete=mine)
    # The course's shared places.
    add(exchange_a, everyone_a)
    add(exchange_a / "inbound", graders_a, write=everyone_a)
    add(exchange_a / "feedback", graders_a, write=everyone_a)
    add(exchange_a / "outbound" / MODULE_A, everyone_a, write=graders_a, delete=graders_a)
    add(exchange_a / "outbound" / MODULE_A / f"{MODULE_A}.ipynb", everyone_a, write=graders_a,
        delete=graders_a)
    add(course_a, graders_a, write=graders_a)
    for name in ("gradebook.db", "grades.csv", ".nbgrader.log", "source", "release"):
        add(course_a / name, graders_a, write=graders_a, delete=graders_a)
    for path in sorted((course_a / "reports").iterdir()):
        add(path, graders_a, write=graders_a, delete=graders_a)
    add(course_a / "reports", graders_a, write=graders_a, delete=graders_a)
    # The other course: its instructor, and the one student enrolled in both.
    add(exchange_b, {j1, s1})
    add(exchange_b / "outbound" / MODULE_B / f"{MODULE_B}.ipynb", {j1, s1}, write={j1}, delete={j1})
    add(course_b, {j1}, write={j1})
    add(course_b / "gradebook.db", {j1}, write={j1}, delete={j1})
    del accounts, outsider  # the outsider may do nothing anywhere: in no set above
    return targets
