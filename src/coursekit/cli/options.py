"""What every command shares: how it is told, or finds, the course."""

from __future__ import annotations

import argparse


def course_option(parser: argparse.ArgumentParser, positional: bool = False) -> None:
    """``--course`` (and, for the commands that always took it so, a COURSE argument)."""
    help_text = ("the nbgrader course directory (default: the course the current folder is in, "
                 "else ./course)")
    if positional:
        parser.add_argument("course_arg", nargs="?", metavar="COURSE", help=help_text)
    parser.add_argument("--course", default=None, help=help_text)


def course_of(args: argparse.Namespace) -> str:
    from coursekit.content.manifest import find_course

    return str(find_course(args.course or getattr(args, "course_arg", None)))
