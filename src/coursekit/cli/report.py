"""``coursekit report``: the anonymous cohort report of a module's self-assessment."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any


def add_commands(commands: Any) -> None:
    from coursekit.cli.options import course_option

    report = commands.add_parser(
        "report", help="an anonymous cohort report of a module's self-assessment answers",
        description="Read every collected answer file of a module and write an anonymous report: "
        "a self-contained HTML page and a CSV of the numbers. Problems with individual files are "
        "listed here, never in the report.")
    report.add_argument("module", help="the module whose answers to report")
    course_option(report)
    report.add_argument("--out", default=None, help="where to write the report (default: COURSE/reports)")
    report.add_argument("--autograded-fallback", action="store_true",
                        help="read autograded/ for students with no folder in submitted/")
    report.set_defaults(run=run_report)


def run_report(args: argparse.Namespace) -> int:
    """See coursekit.cohort.summary (what is counted) and coursekit.cohort.report (the files)."""
    from coursekit.cli.options import course_of
    from coursekit.cohort.report import write_report
    from coursekit.cohort.summary import STATUSES, load_reference, problems, read_class, summarise
    from coursekit.content.manifest import load_course
    from coursekit.errors import CoursekitError

    course = course_of(args)
    module = load_course(course).module(args.module)
    if module.report is None:
        reportable = [m.id for m in load_course(course).modules() if m.report is not None]
        raise CoursekitError(
            f"'{module.id}' has no [report] in its {module.path.name}, so there is nothing to "
            f"report (its forms save {', '.join(f.kind for f in module.forms) or 'nothing'}). "
            f"Modules with a report: {', '.join(reportable) or 'none'}.")
    instrument = module.instrument(module.report.instrument)
    reference = load_reference(module.folder / module.report.reference
                               if module.report.reference else None, instrument)
    students = read_class(course, module.id, instrument, autograded_fallback=args.autograded_fallback)
    summary = summarise(instrument, students, reference, module=module.id)
    page, table = write_report(summary, Path(args.out) if args.out else Path(course, "reports"))
    counts = {status: sum(1 for s in students if s.status == status) for status in STATUSES}
    print(f"{len(students)} submissions of '{module.id}': "
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
