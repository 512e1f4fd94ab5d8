"""The ``coursekit`` command: one file per command group, each thin over library functions.

    coursekit check [COURSE]     validate the course's settings, manifests and notebooks
    coursekit sync [COURSE]      write the shared cells from the data, clear outputs, fix cell ids
    coursekit new NAME           lay out a new module in the course
    coursekit lab [COURSE]       a student's view of the course in JupyterLab (--instructor: all of it)
    coursekit privacy PATH...    flag likely client identifiers in reflection cells
    coursekit class simulate MODULE --students N [--into FOLDER | --mix]
                                 a simulated class through release, fetch, submit, collect,
                                 in a course folder of its own (COURSE-sim) unless --mix
    coursekit class remove-simulated [--yes]
                                 remove the simulated students from a course
    coursekit autograde MODULE [--jobs N | --scheduler ADDRESS]
                                 grade submissions in parallel, as `nbgrader autograde` would
    coursekit grading-notes MODULE
                                 privacy findings and the comment bank beside each reflection
                                 of the autograded notebooks, for the Formgrader
    coursekit comments MODULE    print a module's comment bank, part by part
    coursekit report MODULE      an anonymous cohort report (HTML and CSV) of the answers
    coursekit grades --format canvas|moodle|csv [--mapping FILE]
                                 the gradebook as a CSV an LMS imports, one column per module
    coursekit hub setup COURSE --graders A,B --students X,Y,Z
                                 a course on a shared JupyterHub server: groups, folders, modes

Every command finds the course the same way (``--course``, else the course the
current folder is in, else ./course: ``coursekit.content.manifest.find_course``),
and exits 0 when all went well, 1 when it ran and found problems, and with the
error's own ``exit_code`` (2) when it could not do what was asked.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from coursekit.cli import content, grade, hub, klass, lab, privacy, report

GROUPS = (content, lab, privacy, klass, grade, report, hub)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="coursekit", description="Tools for a coursekit course: check, author, preview, "
        "grade and report.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for group in GROUPS:
        group.add_commands(commands)
    args = parser.parse_args(argv)
    from coursekit.errors import CoursekitError

    try:
        code: int = args.run(args)
    except CoursekitError as exc:
        print(f"coursekit {args.command}: {exc}", file=sys.stderr)
        return exc.exit_code
    return code


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
