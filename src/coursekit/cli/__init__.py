"""The ``coursekit`` command. Each sub-command is a thin wrapper over a library function.

    coursekit check [COURSE]     validate every instructor notebook
    coursekit sync [COURSE]      rewrite generated cells, clear outputs, fix cell ids
    coursekit lab [COURSE]       open the course in JupyterLab with a student preview
    coursekit privacy PATH...    flag likely client identifiers in reflection cells
    coursekit class simulate MODULE --students N
                                 a simulated class through release, fetch, submit, collect
    coursekit report MODULE      an anonymous cohort report (HTML and CSV) of the answers
    coursekit autograde MODULE [--jobs N | --scheduler ADDRESS]
                                 grade submissions in parallel, as `nbgrader autograde` would
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

DEFAULT_COURSE = "course"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="coursekit", description="Tools for the coursekit reflective-practice course."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    check = commands.add_parser("check", help="validate every instructor notebook of a course")
    check.add_argument("course", nargs="?", default=DEFAULT_COURSE,
                       help="the nbgrader course directory (default: ./course)")
    check.add_argument("--seeds", help="the reading cards folder (default: COURSE/../seeds)")

    sync = commands.add_parser(
        "sync", help="rewrite generated cells from their data, clear outputs, set cell ids")
    sync.add_argument("course", nargs="?", default=DEFAULT_COURSE)
    sync.add_argument("--seeds")

    lab = commands.add_parser(
        "lab", help="open the course in JupyterLab, with a student preview of every module")
    lab.add_argument("course", nargs="?", default=DEFAULT_COURSE)
    lab.add_argument("--no-browser", action="store_true", help="do not open a browser")

    privacy = commands.add_parser(
        "privacy", help="flag likely client identifiers in reflection cells (runs locally)")
    privacy.add_argument("paths", nargs="+", metavar="PATH", help="notebooks or folders")

    # --- class simulate and report (cohort tools) ---
    klass = commands.add_parser("class", help="work with a whole class (simulate one to rehearse)")
    class_commands = klass.add_subparsers(dest="class_command", required=True, metavar="ACTION")
    simulate = class_commands.add_parser(
        "simulate", help="simulated students take a module through release, fetch, submit, collect",
        description="Create N simulated students (sim-0001...) with varied answers and take them "
        "through nbgrader's real exchange: release (if needed), fetch, submit, collect.")
    simulate.add_argument("module", help="the module (a folder in COURSE/source)")
    simulate.add_argument("--students", type=int, required=True, metavar="N", help="class size")
    simulate.add_argument("--course", default=None, help=COURSE_HELP)
    simulate.add_argument("--seed", type=int, default=2026, help="same seed, same class (default 2026)")
    simulate.add_argument("--exchange", default=None,
                          help="the exchange folder (default: Exchange.root of the course's config)")
    report = commands.add_parser(
        "report", help="an anonymous cohort report of a module's self-assessment answers",
        description="Read every collected answer file of a module and write an anonymous report: "
        "a self-contained HTML page and a CSV of the numbers. Problems with individual files are "
        "listed here, never in the report.")
    report.add_argument("module", help="the module whose answers to report")
    report.add_argument("--course", default=None, help=COURSE_HELP)
    report.add_argument("--out", default=None, help="where to write the report (default: COURSE/reports)")
    report.add_argument("--autograded-fallback", action="store_true",
                        help="read autograded/ for students with no folder in submitted/")
    # --- end of class simulate and report ---

    # --- autograde (coursekit.grading.autograde) ---
    grade = commands.add_parser(
        "autograde", help="grade a module's submissions in parallel, as `nbgrader autograde` would",
        description="Grade every submission of a module in parallel worker processes (or on a Dask "
        "cluster) with nbgrader's own autograder: the gradebook and autograded/ end up as "
        "`nbgrader autograde MODULE` leaves them. Submissions that cannot be graded are listed "
        "with the reason; all the others are graded. Exit status: 0 all graded, 1 some need "
        "attention, 2 nothing could be graded.")
    grade.add_argument("module", help="the module to grade (generate_assignment must have run)")
    grade.add_argument("--course", default=None,
                       help="the nbgrader course directory (default: ./course, or the current "
                            "folder if it is one)")
    grade.add_argument("--jobs", "-j", type=int, default=None, metavar="N",
                       help="worker processes on this machine (default: one per CPU)")
    grade.add_argument("--timeout", type=float, default=None, metavar="S",
                       help="seconds one notebook may run in all (default 600, 0 for no limit); "
                            "the course's per-cell limit still applies")
    grade.add_argument("--student", dest="students", nargs="+", action="extend", metavar="ID",
                       help="grade only these students")
    grade.add_argument("--scheduler", metavar="ADDRESS",
                       help="grade on the Dask cluster at ADDRESS (tcp://host:8786) instead; needs "
                            "a PostgreSQL gradebook and the course folder on shared storage")
    grade.add_argument("--force", action="store_true",
                       help="grade again submissions that are already in autograded/")
    # --- end of autograde ---

    args = parser.parse_args(argv)
    if args.command == "class" and args.class_command == "simulate":
        return run_class_simulate(args.module, args.students, _course_arg(args.course),
                                  seed=args.seed, exchange=args.exchange)
    if args.command == "report":
        return run_report(args.module, _course_arg(args.course), args.out,
                          autograded_fallback=args.autograded_fallback)
    if args.command == "autograde":
        from coursekit.grading.autograde import autograde_command

        return autograde_command(args.module, course=args.course, jobs=args.jobs,
                                 timeout=args.timeout, students=args.students,
                                 scheduler=args.scheduler, force=args.force)
    if args.command == "privacy":
        from coursekit.privacy.detector import main_privacy

        return main_privacy(args.paths)
    if args.command == "check":
        return run_check(args.course, args.seeds)
    if args.command == "sync":
        return run_sync(args.course, args.seeds)
    if args.command == "lab":
        return run_lab(args.course, open_browser=not args.no_browser)
    parser.error(f"unknown command {args.command}")  # pragma: no cover - argparse exits


def run_check(course: str, seeds: str | None = None) -> int:
    from coursekit.content.notebooks import check_course

    if not Path(course, "source").is_dir():
        print(f"coursekit check: {course} is not a course directory (it has no source/ "
              "folder). Run it from the repository root or name the course folder.",
              file=sys.stderr)
        return 2
    problems = check_course(course, seeds)
    notebooks = sorted(Path(course, "source").glob("*/*.ipynb"))
    for problem in problems:
        print(problem)
    if problems:
        print(f"\n{len(problems)} problem(s) in {len(notebooks)} notebook(s).", file=sys.stderr)
        return 1
    print(f"All {len(notebooks)} notebook(s) in {course}/source are valid.")
    return 0


def run_sync(course: str, seeds: str | None = None) -> int:
    from coursekit.content.notebooks import sync_course

    changed = sync_course(course, seeds)
    for path in changed:
        print(f"rewrote {path}")
    print(f"{len(changed)} notebook(s) changed.")
    return 0


# Nothing leaves the machine: no news feed, no update check, no extension
# manager that searches a package index.
LAB_PRIVATE_FLAGS = (
    "--LabApp.news_url=None",
    "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    "--LabApp.extension_manager=readonly",
    "--ServerApp.ip=127.0.0.1",
)


def run_lab(course: str, *, open_browser: bool = True) -> int:
    """Make a student preview of each module (the real released version) and start JupyterLab."""
    course_dir = Path(course).resolve()
    env = _tool_env()
    try:
        modules = prepare_preview(course_dir, env)
    except RuntimeError as exc:
        print(f"coursekit lab: {exc}", file=sys.stderr)
        return 1
    first = "preview/alliance/alliance.ipynb" if "alliance" in modules else ""
    command = ["jupyter", "lab", f"--ServerApp.root_dir={course_dir}", *LAB_PRIVATE_FLAGS]
    if os.name == "posix" and os.geteuid() == 0:
        # JupyterLab refuses root unless told; containers and CI often run as root.
        command.append("--allow-root")
    if not open_browser:
        command.append("--no-browser")
    if first:
        command.append(first)
    print("Starting JupyterLab. Students' view: preview/; instructor notebooks: source/; "
          "grading: the Formgrader in the Nbgrader menu. Stop with Ctrl-C.")
    return subprocess.call(command, cwd=course_dir, env=env)


# --- class simulate and report ------------------------------------------------

COURSE_HELP = ("the nbgrader course directory (default: the current folder if it is one, "
               "else ./course)")


def _course_arg(course: str | None) -> str:
    if course is not None:
        return course
    here = Path.cwd()
    return "." if (here / "nbgrader_config.py").is_file() and (here / "source").is_dir() else DEFAULT_COURSE


def run_class_simulate(module: str, students: int, course: str, *, seed: int = 2026,
                       exchange: str | None = None) -> int:
    """`coursekit class simulate`: see coursekit.grading.simulate."""
    from coursekit.errors import CoursekitError
    from coursekit.grading.simulate import simulate_class

    try:
        result = simulate_class(course, module, students, seed=seed, exchange=exchange)
    except CoursekitError as exc:
        print(f"coursekit class simulate: {exc}", file=sys.stderr)
        return 1
    for step in result.steps:
        print(f"- {step}")
    print(result.describe())
    report = f"; coursekit report {module}" if result.reportable else ""
    print(f"Next, from the course folder: nbgrader autograde {module}{report}.")
    return 0


def run_report(module: str, course: str, out: str | None = None, *,
               autograded_fallback: bool = False) -> int:
    """`coursekit report`: see coursekit.cohort.summary (what is counted), coursekit.cohort.report (files)."""
    from coursekit.cohort.summary import STATUSES, load_reference, problems, read_class, summarise
    from coursekit.content.instruments import bundled_instruments, load_instrument
    from coursekit.errors import CoursekitError

    reportable = bundled_instruments()
    if module not in reportable:
        why = ("has no self-assessment of rated items to report on (its forms save other things: "
               "numbers, a plan)" if Path(course, "source", module).is_dir() else
               f"is not a module of the course in {course} with a self-assessment")
        print(f"coursekit report: '{module}' {why}. Choose one of: {', '.join(reportable)}.",
              file=sys.stderr)
        return 1
    try:
        instrument = load_instrument(module)
        reference = load_reference(module, instrument)
        students = read_class(course, module, instrument, autograded_fallback=autograded_fallback)
    except CoursekitError as exc:
        print(f"coursekit report: {exc}", file=sys.stderr)
        return 1
    summary = summarise(instrument, students, reference, module=module)
    from coursekit.cohort.report import write_report

    page, table = write_report(summary, Path(out) if out else Path(course, "reports"))
    counts = {status: sum(1 for s in students if s.status == status) for status in STATUSES}
    print(f"{len(students)} submissions of '{module}': "
          + ", ".join(f"{counts[status]} {status}" for status in STATUSES) + ".")
    trouble = problems(students)
    if trouble:
        # Named here for the instructor only; the report files never hold ids.
        print(f"Answer files that could not be used ({len(trouble)}; counted, not in the figures):")
        for student in trouble:
            print(f"  {student.student}: {student.status}: {student.reason}")
    withheld = [row.label for row in (summary.completion, *summary.items) if row.withheld]
    withheld += [s.label for s in summary.standings if s.mean is None]
    if withheld:
        print("Withheld from the report (fewer than five students, or small counts that could "
              f"not be protected): {', '.join(withheld)}.")
    print(f"Wrote {page}")
    print(f"  and {table}")
    return 0


def prepare_preview(course_dir: Path, env: dict[str, str] | None = None) -> list[str]:
    """Copy the released (student) version of every module into COURSE/preview/<module>/.

    A module already in preview/ is left alone, so answers given there are kept
    between sessions; delete its folder to start it afresh. Returns the modules.
    """
    preview = course_dir / "preview"
    modules = sorted(p.name for p in (course_dir / "source").iterdir() if p.is_dir())
    for module in modules:
        if (preview / module).exists():
            continue
        print(f"Preparing the student version of '{module}' (nbgrader generate_assignment)...")
        result = subprocess.run(
            ["nbgrader", "generate_assignment", module, "--force"],
            cwd=course_dir, env=env or _tool_env(), capture_output=True, text=True,
        )
        if result.returncode != 0:
            print(result.stdout[-3000:], result.stderr[-3000:], file=sys.stderr)
            raise RuntimeError(f"could not prepare '{module}'; see nbgrader's output above.")
        shutil.copytree(course_dir / "release" / module, preview / module)
    return modules


def _tool_env() -> dict[str, str]:
    # nbgrader runs `alembic` from PATH; make this environment's scripts come first.
    from coursekit.grading.tools import tools_path

    return {**os.environ, "PATH": tools_path()}


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
