"""``coursekit autograde`` (grade a module's submissions in parallel, as nbgrader would),
``grading-notes`` and ``comments`` (what graders read beside it) and ``coursekit grades``
(the gradebook as a file an LMS imports)."""

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

    grades = commands.add_parser(
        "grades", help="export the gradebook for an LMS: one row per student, one column per module",
        description="Write every student's score on every module from the course's gradebook, one "
        "column per module, in the CSV that Canvas's or Moodle's grade import reads (or a plain "
        "CSV), keyed by the LMS's ids from a mapping file. Nothing is written when the folder has no "
        "course or no grades. Exit status: 0 written, 1 written but some scores still wait for "
        "manual grading or students were left out, 2 nothing written.")
    grades.add_argument("--format", required=True, choices=("canvas", "moodle", "csv"),
                        help="canvas: Gradebook > Import; moodle: Grades > Import > CSV file; csv: plain")
    grades.add_argument("--mapping", metavar="FILE",
                        help="CSV with a column nbgrader_id and the LMS's ids: name, canvas_id, "
                             "sis_user_id, sis_login_id, section (Canvas), email, idnumber, username "
                             "(Moodle); needed for canvas and moodle")
    course_option(grades)
    grades.add_argument("--out", metavar="FILE", default=None,
                        help="where to write (default: COURSE/grades-FORMAT.csv)")
    grades.add_argument("--module", dest="modules", nargs="+", action="extend", metavar="MODULE",
                        help="only these modules (default: every module in the gradebook)")
    grades.add_argument("--column", dest="columns", action="append", default=[], metavar="MODULE=NAME",
                        help="the LMS's name for a module's column, e.g. 'alliance=Alliance (1234)'")
    grades.add_argument("--moodle-id", default="email", choices=("email", "idnumber", "username"),
                        help="the user field Moodle finds students by (default: email)")
    grades.add_argument("--missing", default="zero", choices=("zero", "blank"),
                        help="a module a student did not submit: 0 as nbgrader export gives (default), "
                             "or blank, which the LMS leaves as it is")
    grades.add_argument("--allow-unmapped", action="store_true",
                        help="leave out students who are not in the mapping file instead of stopping")
    grades.set_defaults(run=run_grades)

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


def run_grades(args: argparse.Namespace) -> int:
    """0 when written, 1 when written with scores still to grade by hand or students left out,
    2 when nothing was written (raised as a CoursekitError)."""
    from pathlib import Path

    from coursekit.cli.options import course_of
    from coursekit.errors import UsageError
    from coursekit.grading.lms import describe, export_grades, load_mapping, read_gradebook

    columns = {}
    for given in args.columns:
        module, sep, name = given.partition("=")
        if not sep or not module.strip() or not name.strip():
            raise UsageError(f"--column takes MODULE=NAME, for example 'alliance=Alliance', not {given!r}.")
        columns[module.strip()] = name.strip()
    course = course_of(args)
    mapping = load_mapping(args.mapping) if args.mapping else None
    gradebook = read_gradebook(course, args.modules)
    out = Path(args.out) if args.out else Path(course, f"grades-{args.format}.csv")
    export = export_grades(gradebook, args.format, out, mapping, allow_unmapped=args.allow_unmapped,
                           columns=columns, moodle_id=args.moodle_id, missing=args.missing)
    print(describe(export, gradebook))
    return 1 if export.ungraded or export.left_out else 0


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
