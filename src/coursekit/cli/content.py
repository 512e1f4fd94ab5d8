"""``coursekit check``, ``sync`` and ``new``: the course's content."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any


def add_commands(commands: Any) -> None:
    from coursekit.cli.options import course_option

    check = commands.add_parser(
        "check", help="validate the course's settings, module manifests and notebooks")
    course_option(check, positional=True)
    check.set_defaults(run=run_check)

    sync = commands.add_parser(
        "sync", help="write the shared cells from the data files, clear outputs, set cell ids")
    course_option(sync, positional=True)
    sync.set_defaults(run=run_sync)

    new = commands.add_parser(
        "new", help="lay out a new module (manifest, reading card, instrument, notebook)",
        description="Make source/NAME/ in the course: a module that passes `coursekit check`, "
        "nbval and nbgrader as it stands. Then edit its module.toml, reading.toml and NAME.json "
        "and run `coursekit sync` (see docs/modules.md).")
    new.add_argument("name", help="the module's id: lower case letters, digits and _")
    new.add_argument("--title", help="the module's title (default: from the name)")
    course_option(new)
    new.set_defaults(run=run_new)


def run_check(args: argparse.Namespace) -> int:
    from coursekit.cli.options import course_of
    from coursekit.content.notebooks import check_course

    course = course_of(args)
    if not Path(course, "source").is_dir():
        print(f"coursekit check: {course} is not a course directory (it has no source/ "
              "folder). Run it from the repository root or name the course folder.",
              file=sys.stderr)
        return 2
    problems = check_course(course)
    notebooks = sorted(Path(course, "source").glob("*/*.ipynb"))
    for problem in problems:
        print(problem)
    if problems:
        print(f"\n{len(problems)} problem(s) in {course}.", file=sys.stderr)
        return 1
    print(f"All {len(notebooks)} module(s) in {course} are valid.")
    return 0


def run_sync(args: argparse.Namespace) -> int:
    from coursekit.cli.options import course_of
    from coursekit.content.notebooks import sync_course

    changed = sync_course(course_of(args))
    for path in changed:
        print(f"rewrote {path}")
    print(f"{len(changed)} file(s) changed.")
    return 0


def run_new(args: argparse.Namespace) -> int:
    from coursekit.cli.options import course_of
    from coursekit.content.scaffold import new_module

    course = course_of(args)
    written = new_module(course, args.name, args.title)
    for path in written:
        print(f"wrote {path}")
    folder = Path(course, "source", args.name)
    print(f"\nThe module '{args.name}' is ready and valid. Next: edit {folder}/module.toml, "
          f"reading.toml and {args.name}.json, then run `coursekit sync` and `coursekit check` "
          "(docs/modules.md explains every field).")
    return 0
