"""`import coursekit` and the pure modules stay cheap: no plotting or widget libraries."""

import json
import subprocess
import sys

import pytest

HEAVY = ["matplotlib", "ipywidgets", "IPython", "nbgrader", "nbformat"]


@pytest.mark.parametrize(
    "module",
    ["coursekit", "coursekit.content.instruments", "coursekit.student.responses",
     "coursekit.content.readings",     "coursekit.student.checks", "coursekit.errors"],
)
def test_importing_loads_no_heavy_library(module):
    code = f"import json, sys, {module}; print(json.dumps(sorted(sys.modules)))"
    loaded = json.loads(subprocess.check_output([sys.executable, "-c", code], text=True))
    assert [name for name in HEAVY if name in loaded] == []
