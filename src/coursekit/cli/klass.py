"""``coursekit class simulate``: a simulated class, to rehearse the round trip with."""

from __future__ import annotations

import argparse
from typing import Any


def add_commands(commands: Any) -> None:
    from coursekit.cli.options import course_option

    klass = commands.add_parser("class", help="work with a whole class (simulate one to rehearse)")
    actions = klass.add_subparsers(dest="class_command", required=True, metavar="ACTION")
    simulate = actions.add_parser(
        "simulate", help="simulated students take a module through release, fetch, submit, collect",
        description="Create N simulated students (sim-0001...) with varied answers and take them "
        "through nbgrader's real exchange: release (if needed), fetch, submit, collect.")
    simulate.add_argument("module", help="the module (one of the course's modules)")
    simulate.add_argument("--students", type=int, required=True, metavar="N", help="class size")
    course_option(simulate)
    simulate.add_argument("--seed", type=int, default=2026, help="same seed, same class (default 2026)")
    simulate.add_argument("--exchange", default=None,
                          help="the exchange folder (default: Exchange.root of the course's config)")
    simulate.set_defaults(run=run_simulate)


def run_simulate(args: argparse.Namespace) -> int:
    from coursekit.cli.options import course_of
    from coursekit.grading.simulate import simulate_class

    result = simulate_class(course_of(args), args.module, args.students, seed=args.seed,
                            exchange=args.exchange)
    for step in result.steps:
        print(f"- {step}")
    print(result.describe())
    report = f"; coursekit report {args.module}" if result.reportable else ""
    print(f"Next, from the course folder: coursekit autograde {args.module}{report}.")
    return 0
