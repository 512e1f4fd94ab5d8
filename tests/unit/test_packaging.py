"""pyproject.toml as setuptools reads it: no deprecation box when the package is built."""

import tomllib

from conftest import ROOT


def test_the_licence_is_an_spdx_expression_not_a_deprecated_table():
    """setuptools >= 77 prints a deprecation box for ``license = {text = ...}`` and for licence
    classifiers; a bare SPDX expression (core metadata's License-Expression) is what it wants."""
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    project = pyproject["project"]
    assert project["license"] == "MIT"
    assert not [c for c in project.get("classifiers", []) if c.startswith("License ::")]
    assert "setuptools>=77" in pyproject["build-system"]["requires"]  # the first to take it
