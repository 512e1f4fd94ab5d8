"""The environment in which coursekit runs nbgrader and Jupyter's own commands."""

from __future__ import annotations

import os
import sys
from pathlib import Path


def tool_env(base: dict[str, str] | None = None) -> dict[str, str]:
    """``base`` (default: this process's environment) with this Python's scripts first on PATH.

    nbgrader runs ``alembic`` from PATH to set up its gradebook, so the
    environment coursekit is installed in must come first.
    """
    env = dict(os.environ if base is None else base)
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    return env
