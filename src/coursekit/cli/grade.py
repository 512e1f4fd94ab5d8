"""``coursekit autograde``, ``grading-notes`` and ``comments``: grading, and what graders read beside it."""

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

    notes = commands.add_parser(
        "grading-notes", help="write the privacy findings and the comment bank beside each "
        "reflection of the autograded notebooks, for the Formgrader",
        description="For each autograded notebook of MODULE, write one note for the grader just "
        "before each reflection answer: what the privacy check flagged in it, and the comment "
        "bank for that part. Students never see the notes (the course's feedback leaves them "
        "out) and they change no grade. Run it after `coursekit autograde` or `nbgrader autograde` "
        "(which leave the autograded notebooks exactly as nbgrader makes them), and again after "
        "grading again with --force. Exit status: 0 nothing flagged, 1 something flagged.")
    notes.add_argument("module", help="the module whose autograded notebooks to annotate")
    course_option(notes)
    notes.add_argument("--student", dest="students", nargs="+", action="extend", metavar="ID",
                       help="only these students")
    notes.set_defaults(run=run_grading_notes)

    comments = commands.add_parser(
        "comments", help="print a module's comment bank, part by part",
        description="The standard comments for grading a module's reflection: the module's own "
        "([[reflection.comments]] in its module.toml) and the course's ([[rubric.comments]] in "
        "coursekit.toml), for each part they apply to. Copy one into the Formgrader's comment box.")
    comments.add_argument("module", help="the module")
    course_option(comments)
    comments.set_defaults(run=run_comments)


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
    if summary.graded:
        print(f"Next, for the Formgrader: coursekit grading-notes {args.module} writes the privacy "
              "check's findings and the comment bank beside each reflection.")
    return 1 if summary.problems else 0


def run_grading_notes(args: argparse.Namespace) -> int:
    from coursekit.cli.options import course_of
    from coursekit.content.manifest import load_course
    from coursekit.grading.notes import annotate, describe

    course = course_of(args)
    if load_course(course).module(args.module).reflection is None:
        print(f"{args.module} has no reflection: there are no grading notes to write.")
        return 0
    found = annotate(course, args.module, args.students)
    print(describe(found, args.module))
    return 1 if any(notes.flagged for notes in found) else 0


def run_comments(args: argparse.Namespace) -> int:
    from coursekit.cli.options import course_of
    from coursekit.content.manifest import load_course
    from coursekit.grading.notes import format_bank

    course = load_course(course_of(args))
    print(format_bank(course, course.module(args.module)))
    return 0
