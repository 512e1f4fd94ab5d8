"""``coursekit class simulate`` and ``remove-simulated``: a simulated class to rehearse with,
kept apart from the real students, and taken away again."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any


def add_commands(commands: Any) -> None:
    from coursekit.cli.options import course_option

    klass = commands.add_parser("class", help="work with a whole class (simulate one to rehearse)")
    actions = klass.add_subparsers(dest="class_command", required=True, metavar="ACTION")
    simulate = actions.add_parser(
        "simulate", help="simulated students take a module through release, fetch, submit, collect",
        description="Create N simulated students (sim-0001...) with varied answers and take them "
        "through nbgrader's real exchange: release (if needed), fetch, submit, collect. They go "
        "into a course folder of their own (a copy of the course's settings, config and source, "
        "with its own gradebook and exchange: COURSE-sim beside the course, or --into), never "
        "among the real students unless --mix is given.")
    simulate.add_argument("module", help="the module (one of the course's modules)")
    simulate.add_argument("--students", type=int, required=True, metavar="N", help="class size")
    course_option(simulate)
    where = simulate.add_mutually_exclusive_group()
    where.add_argument("--into", default=None, metavar="FOLDER",
                       help="the simulated class's course folder (default: COURSE-sim beside the "
                            "course); made, or refreshed, from the course")
    where.add_argument("--mix", action="store_true",
                       help="simulate into the course itself, beside its real students")
    simulate.add_argument("--seed", type=int, default=2026, help="same seed, same class (default 2026)")
    simulate.add_argument("--exchange", default=None,
                          help="with --mix: the exchange folder (default: Exchange.root of the "
                               "course's config)")
    simulate.set_defaults(run=run_simulate)

    remove = actions.add_parser(
        "remove-simulated", help="remove the simulated students (sim-0001...) from a course",
        description="Delete every simulated student's submitted/, autograded/ and feedback/ "
        "folders, their submissions and released feedback in the exchange, and their rows in "
        "the gradebook. Real students are never touched: only ids sim- followed by digits. "
        "Says what it found and asks first (--yes to skip the question).")
    course_option(remove)
    remove.add_argument("--yes", "-y", action="store_true", help="remove without asking")
    remove.set_defaults(run=run_remove)


def shown(folder: Path) -> str:
    """A folder as the user would type it from here: relative when that is short."""
    relative = os.path.relpath(folder)
    return relative if relative.count("..") <= 2 else str(folder)


def course_flag(folder: Path) -> str:
    """`` --course FOLDER``, or nothing when the commands would find that course from here."""
    from coursekit.content.manifest import find_course

    return "" if find_course() == folder.resolve() else f" --course {shown(folder)}"


def run_simulate(args: argparse.Namespace) -> int:
    from coursekit.cli.options import course_of
    from coursekit.content.manifest import load_course
    from coursekit.errors import DataFileError, SimulationError, UsageError
    from coursekit.grading.simulate import simulate_class
    from coursekit.grading.simulated import simulation_course

    if args.exchange is not None and not args.mix:
        raise UsageError("--exchange goes with --mix only: a simulated class's own course folder "
                         "keeps an exchange of its own.")
    course = course_of(args)
    try:  # before anything is copied
        load_course(course).module(args.module)
    except DataFileError as exc:
        raise SimulationError(f"{exc} Name the course folder with --course.") from None
    target, steps = simulation_course(course, into=args.into, mix=args.mix)
    result = simulate_class(target, args.module, args.students, seed=args.seed,
                            exchange=args.exchange)
    for step in [*steps, *result.steps]:
        print(f"- {step}")
    print(result.describe())
    flag = course_flag(target)
    report = f"; coursekit report {args.module}{flag}" if result.reportable else ""
    print(f"The simulated class is in {shown(target)}; remove it with "
          f"`coursekit class remove-simulated{flag}`.")
    print(f"Next: coursekit autograde {args.module}{flag}{report}.")
    return 0


def run_remove(args: argparse.Namespace) -> int:
    from coursekit.cli.options import course_of
    from coursekit.grading.simulated import default_folder, find_simulated, is_simulation, remove_simulated

    course = Path(course_of(args))
    found = find_simulated(course)
    if not found:
        print(f"No simulated students in {course}.")
        apart = default_folder(course)
        if not is_simulation(course) and is_simulation(apart):
            print(f"Simulated classes made apart from the course are in {shown(apart)}: "
                  f"`coursekit class remove-simulated --course {shown(apart)}`, or delete that folder.")
        return 0
    print(f"Found {found.describe()}")
    if not args.yes:
        if not sys.stdin.isatty():
            print("Nothing removed: add --yes to remove them without being asked.", file=sys.stderr)
            return 1
        if input("Remove them? [y/N] ").strip().lower() not in ("y", "yes"):
            print("Nothing removed.")
            return 1
    remove_simulated(found)
    print(f"Removed {len(found.students)} simulated students from {course}. Run `coursekit report` "
          "again if a cohort report included them.")
    return 0
