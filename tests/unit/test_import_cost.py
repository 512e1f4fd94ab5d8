"""`import coursekit` and the pure modules stay cheap: no plotting or widget libraries."""

import json
import subprocess
import sys

import pytest

HEAVY = ["matplotlib", "ipywidgets", "IPython", "nbgrader", "nbformat"]


STATS = ["coursekit.stats", "coursekit.stats.scores", "coursekit.stats.sudden_gains",
         "coursekit.stats.reliable_change", "coursekit.stats.dose_effect",
         "coursekit.stats.simulated_clients"]


def loaded_by(module: str) -> list[str]:
    code = f"import json, sys, {module}; print(json.dumps(sorted(sys.modules)))"
    return json.loads(subprocess.check_output([sys.executable, "-c", code], text=True))


@pytest.mark.parametrize(
    "module",
    ["coursekit", "coursekit.content.instruments", "coursekit.student.responses",
     "coursekit.content.readings",     "coursekit.student.checks", "coursekit.errors", *STATS],
)
def test_importing_loads_no_heavy_library(module):
    assert [name for name in HEAVY if name in loaded_by(module)] == []


@pytest.mark.parametrize("module", STATS)
def test_the_statistics_load_scipy_only_when_a_function_needs_it(module):
    assert "scipy" not in loaded_by(module)
