"""``coursekit hub``: set up and check the courses of a shared server (JupyterHub)."""

from __future__ import annotations

import argparse
from typing import Any


def add_commands(commands: Any) -> None:
    hub = commands.add_parser("hub", help="set up and check courses on a shared JupyterHub server",
                              description="The courses of a shared server, their exchange and "
                              "their graders group (see deploy/hub/README.md).")
    actions = hub.add_subparsers(dest="hub_command", required=True, metavar="ACTION")
    setup = actions.add_parser(
        "setup", help="make or put right a course's groups, folders and modes (as root)",
        description="Create the course's graders and students groups if missing, add the users "
        "to them, make the course folder and its exchange with the modes that keep submissions "
        "confidential, and copy the course in (--from). Idempotent: run it again after adding "
        "students. The users must exist already (useradd).")
    setup.add_argument("course_id", metavar="COURSE", help="the course id (a folder name)")
    setup.add_argument("--graders", default="", metavar="USER,...", help="the course's instructors")
    setup.add_argument("--students", default="", metavar="USER,...", help="its students")
    setup.add_argument("--graders-group", metavar="GROUP",
                       help="the instructors' Unix group (default COURSE-graders)")
    setup.add_argument("--students-group", metavar="GROUP",
                       help="the enrolled users' Unix group (default COURSE-students)")
    setup.add_argument("--from", dest="source", metavar="FOLDER",
                       help="copy the course (coursekit.toml, source/, nbgrader_config.py) from "
                            "here when the course folder has none yet")
    root_option(setup)
    setup.set_defaults(run=run_setup)
    check = actions.add_parser("check", help="check the layout of every course (or those named)")
    check.add_argument("course_ids", nargs="*", metavar="COURSE")
    root_option(check)
    check.set_defaults(run=run_check)


def root_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--root", default=None, metavar="FOLDER",
                        help="where the courses and the exchange are (default $COURSEKIT_HUB_ROOT, "
                             "else /srv/nbgrader)")


def _layout(args: argparse.Namespace) -> Any:
    from pathlib import Path

    from coursekit.grading.hub import Layout

    return Layout(Path(args.root)) if args.root else Layout.from_env()


def _users(text: str) -> tuple[str, ...]:
    return tuple(u.strip() for u in text.split(",") if u.strip())


def run_setup(args: argparse.Namespace) -> int:
    from pathlib import Path

    from coursekit.grading.hub import CourseSetup, setup_course

    setup = CourseSetup(args.course_id, args.graders_group or f"{args.course_id}-graders",
                        args.students_group or f"{args.course_id}-students",
                        _users(args.graders), _users(args.students))
    setup_course(_layout(args), setup, Path(args.source) if args.source else None)
    return 0


def run_check(args: argparse.Namespace) -> int:
    from coursekit.grading.hub import audit_course

    layout = _layout(args)
    courses = args.course_ids or layout.course_ids()
    if not courses:
        print(f"No courses under {layout.courses}.")
        return 1
    bad = 0
    for course in courses:
        problems = audit_course(layout, course)
        bad += bool(problems)
        print(f"{course}: " + ("as set up" if not problems else "\n  " + "\n  ".join(problems)))
    return 1 if bad else 0
