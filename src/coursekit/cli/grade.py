"""``coursekit autograde``: grade a module's submissions in parallel, as nbgrader would."""

from __future__ import annotations

import argparse
import sys
from typing import Any


def add_commands(commands: Any) -> None:
    from coursekit.cli.options import course_option

    grade = commands.add_parser(
        "autograde", help="grade a module's submissions in parallel, as `nbgrader autograde` would",
        description="Grade every submission of a module in parallel worker processes (or on a Dask "
        "cluster) with nbgrader's own autograder: the gradebook and autograded/ end up as "
        "`nbgrader autograde MODULE` leaves them. Submissions that cannot be graded are listed "
        "with the reason; all the others are graded. Exit status: 0 all graded, 1 some need "
        "attention, 2 nothing could be graded.")
    grade.add_argument("module", help="the module to grade (generate_assignment must have run)")
    course_option(grade)
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
    grade.add_argument("--cold", action="store_true",
                       help="start every kernel from scratch, as nbgrader does, instead of forking "
                            "it from a warm fork server (slower; for comparison or trouble)")
    grade.set_defaults(run=run_autograde)


def run_autograde(args: argparse.Namespace) -> int:
    """0 when every submission was graded, 1 when some need attention, 2 when nothing could be
    graded (the course, gradebook or cluster is not usable)."""
    from coursekit.cli.options import course_of
    from coursekit.errors import UsageError
    from coursekit.grading.autograde import DEFAULT_TIMEOUT, autograde, describe

    if args.jobs is not None and args.jobs < 1:
        raise UsageError(f"--jobs must be 1 or more, not {args.jobs}.")
    if args.jobs is not None and args.scheduler:
        raise UsageError("give --jobs (processes on this machine) or --scheduler (a Dask "
                         "cluster), not both.")
    course = course_of(args)
    try:
        summary = autograde(args.module, course=course, jobs=args.jobs,
                            timeout=DEFAULT_TIMEOUT if args.timeout is None else args.timeout,
                            students=args.students, scheduler=args.scheduler, force=args.force,
                            warm=not args.cold)
    except KeyboardInterrupt:
        print("\ncoursekit autograde: interrupted. Run it again to grade the rest: submissions "
              "already graded are skipped (add --force to grade them again).", file=sys.stderr)
        return 130
    print(describe(summary, course))
    return 1 if summary.problems else 0
