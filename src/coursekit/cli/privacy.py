"""``coursekit privacy``: flag likely client identifiers in reflection cells, locally."""

from __future__ import annotations

import argparse
from typing import Any


def add_commands(commands: Any) -> None:
    privacy = commands.add_parser(
        "privacy", help="flag likely client identifiers in reflection cells (runs locally)",
        description="Exit status: 0 nothing found, 1 findings, 2 a file could not be read.")
    privacy.add_argument("paths", nargs="+", metavar="PATH", help="notebooks or folders")
    privacy.set_defaults(run=run_privacy)


def run_privacy(args: argparse.Namespace) -> int:
    from coursekit.privacy.detector import main_privacy

    return main_privacy(args.paths)
