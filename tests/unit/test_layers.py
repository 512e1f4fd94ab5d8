"""The package's layers, as its folders show them: every import (at module level or inside a
function) points down the stack, so there are no cycles between subpackages."""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

import coursekit

PACKAGE = Path(coursekit.__file__).parent
# Each layer may import the layers listed after it (and itself), never those before it.
LAYERS = ["cli", ("grading", "cohort"), "student", ("content", "privacy", "stats"),
          ("errors", "palette", "files", "pages")]


def layer_of(name: str) -> int:
    part = name.split(".")[1] if "." in name else ""
    for index, layer in enumerate(LAYERS):
        if part in (layer if isinstance(layer, tuple) else (layer,)):
            return index
    raise AssertionError(f"{name}: not in any layer; add its subpackage to LAYERS")


@cache
def imports() -> dict[str, set[str]]:
    """Every coursekit module's coursekit imports."""
    found: dict[str, set[str]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        targets = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("coursekit"):
                for alias in node.names:  # `from coursekit.cli import content` imports a module
                    sub = PACKAGE.parent / f"{node.module}.{alias.name}".replace(".", "/")
                    is_module = sub.is_dir() or sub.with_suffix(".py").is_file()
                    targets.add(f"{node.module}.{alias.name}" if is_module else node.module)
            elif isinstance(node, ast.Import):
                targets |= {a.name for a in node.names if a.name.startswith("coursekit.")}
        found[name] = targets - {name}
    return found


def test_every_import_points_down_the_layers():
    wrong = []
    for module, targets in imports().items():
        if module == "coursekit" or module.endswith("__main__"):
            continue
        for target in targets:
            if target == "coursekit":
                continue
            if layer_of(target) < layer_of(module):
                wrong.append(f"{module} imports {target}")
    assert wrong == []


def test_there_are_no_import_cycles_between_modules():
    found = imports()
    graph = {m: {t for t in ts if t in found} for m, ts in found.items()}
    visiting: list[str] = []
    done: set[str] = set()
    cycles = []

    def visit(node: str) -> None:
        if node in done:
            return
        if node in visiting:
            cycles.append(visiting[visiting.index(node):] + [node])
            return
        visiting.append(node)
        for target in sorted(graph.get(node, ())):
            if target.startswith(node + "."):  # a package importing its own modules
                continue
            visit(target)
        visiting.pop()
        done.add(node)

    for module in sorted(graph):
        visit(module)
    assert cycles == []
