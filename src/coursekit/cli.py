"""The ``coursekit`` command. Each sub-command is a thin wrapper over a library function.

    coursekit check [COURSE]     validate every instructor notebook
    coursekit sync [COURSE]      rewrite generated cells, clear outputs, fix cell ids
    coursekit lab [COURSE]       open the course in JupyterLab with a student preview
    coursekit privacy PATH...    flag likely client identifiers in reflection cells
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

    args = parser.parse_args(argv)
    if args.command == "privacy":
        from coursekit.privacy import main_privacy

        return main_privacy(args.paths)
    if args.command == "check":
        return run_check(args.course, args.seeds)
    if args.command == "sync":
        return run_sync(args.course, args.seeds)
    if args.command == "lab":
        return run_lab(args.course, open_browser=not args.no_browser)
    parser.error(f"unknown command {args.command}")  # pragma: no cover - argparse exits


def run_check(course: str, seeds: str | None = None) -> int:
    from coursekit.notebooks import check_course

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
    from coursekit.notebooks import sync_course

    changed = sync_course(course, seeds)
    for path in changed:
        print(f"rewrote {path}")
    print(f"{len(changed)} notebook(s) changed.")
    return 0


def run_lab(course: str, *, open_browser: bool = True) -> int:
    """Make a student preview of each module (the real released version) and start JupyterLab.

    The preview lives in COURSE/preview/<module>/ and is never overwritten, so
    answers given there are kept between sessions.
    """
    course_dir = Path(course).resolve()
    env = _tool_env()
    preview = course_dir / "preview"
    modules = sorted(p.name for p in (course_dir / "source").iterdir() if p.is_dir())
    for module in modules:
        if (preview / module).exists():
            continue
        print(f"Preparing the student version of '{module}' (nbgrader generate_assignment)...")
        result = subprocess.run(
            ["nbgrader", "generate_assignment", module, "--force"],
            cwd=course_dir, env=env, capture_output=True, text=True,
        )
        if result.returncode != 0:
            print(result.stdout[-3000:], result.stderr[-3000:], file=sys.stderr)
            print(f"coursekit lab: could not prepare '{module}'; see the output above.",
                  file=sys.stderr)
            return 1
        shutil.copytree(course_dir / "release" / module, preview / module)
    first = "preview/alliance/alliance.ipynb" if "alliance" in modules else ""
    command = ["jupyter", "lab", f"--ServerApp.root_dir={course_dir}"]
    if not open_browser:
        command.append("--no-browser")
    if first:
        command.append(first)
    print("Starting JupyterLab. Students' view: preview/; instructor notebooks: source/; "
          "grading: the Formgrader in the Nbgrader menu. Stop with Ctrl-C.")
    return subprocess.call(command, cwd=course_dir, env=env)


def _tool_env() -> dict[str, str]:
    # nbgrader runs `alembic` from PATH; make this environment's scripts come first.
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    return env


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
