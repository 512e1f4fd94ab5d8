"""Checking and normalising the course's instructor notebooks.

``check_course`` is what ``coursekit check`` runs: it loads the course
settings and every module's manifest, then validates every notebook in
``course/source`` (nbgrader cell metadata against nbgrader's own schema,
unique grade ids, the manifest's points on every graded cell, solution and
hidden-test markers, no outputs, the shared cells as ``coursekit.content.cells``
makes them, the ``raises-exception`` tag where a cell fails until its exercise
is done) and returns every problem found, each naming the file and the cell.

``normalise`` is what ``coursekit sync`` runs: it writes the shared cells from
the manifest and the course settings (adding those the manifest now calls
for), sets graded cells' points, tags the cells that fail until their
exercise is done ``raises-exception`` (so that a student's Run All goes on past
them), clears outputs and sets deterministic cell ids, so that a committed
notebook is always the same bytes for the same content.
"""

from __future__ import annotations

import fnmatch
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import nbformat

from coursekit.content.cells import (
    BEGIN_SOLUTION,
    NBGRADER_SCHEMA_VERSION,
    RAISES,
    Cell,
    allowed_specs,
    generate,
    may_raise,
    required_specs,
)
from coursekit.content.manifest import (
    COURSE_MODULES,
    MODEL_ANSWERS,
    PRIMER,
    STUDENT_FILES,
    Course,
    Module,
    load_course,
)
from coursekit.errors import CoursekitError, DataFileError

END_SOLUTION = "### END SOLUTION"
BEGIN_HIDDEN, END_HIDDEN = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"


@dataclass(frozen=True)
class Problem:
    path: str
    message: str
    cell: int | None = None  # 1-based, as a person counts cells
    grade_id: str | None = None

    def __str__(self) -> str:
        where = self.path
        if self.cell is not None:
            where += f", cell {self.cell}"
        if self.grade_id:
            where += f" ({self.grade_id})"
        return f"{where}: {self.message}"


def _check_nbgrader_ignore(course_dir: Path, module_ids: Sequence[str]) -> list[Problem]:
    """nbgrader copies every file of a module folder that its CourseDirectory.ignore does not
    name: the course's nbgrader_config.py must name the model answers' file, and must not name
    a module's own folder (nbgrader's default list has 'feedback', which matches a module called
    feedback and then skips every file of it: the students would get the notebook alone)."""
    from traitlets.config.loader import ConfigFileNotFound, PyFileConfigLoader

    config = course_dir / "nbgrader_config.py"
    advice = (f"add {MODEL_ANSWERS!r} to c.CourseDirectory.ignore there (after nbgrader's own "
              "'.ipynb_checkpoints', '*.pyc', '__pycache__'), or nbgrader will give every student "
              "the model answers.")
    try:
        loaded = PyFileConfigLoader(config.name, path=str(course_dir)).load_config()
    except ConfigFileNotFound:
        return [Problem(str(config), f"is missing: nbgrader needs it; write one, and {advice}")]
    except Exception as exc:  # the file is Python: anything it raises is the author's to fix
        return [Problem(str(config), f"could not be read ({type(exc).__name__}: {exc}); fix it, "
                        f"then {advice}")]
    ignored = list(loaded.CourseDirectory.ignore if "ignore" in loaded.CourseDirectory else [])
    problems = []
    if not any(fnmatch.fnmatch(MODEL_ANSWERS, pattern) for pattern in ignored):
        problems.append(Problem(str(config), f"does not keep the model answers from students: {advice}"))
    for module_id in module_ids:
        hit = next((pattern for pattern in ignored if fnmatch.fnmatch(module_id, pattern)), None)
        if hit is not None:
            problems.append(Problem(str(config), (
                f"c.CourseDirectory.ignore holds {hit!r}, which matches the module folder "
                f"'{module_id}': nbgrader would skip every file in it, and release, autograde and "
                f"give feedback on the notebook alone, without its module.toml and data. Remove "
                f"{hit!r} from that list (nbgrader puts 'feedback' there for its own feedback/ "
                "folder, which is never inside a module), or rename the module.")))
    return problems


def check_course(course: str | Path) -> list[Problem]:
    """Every problem in the course's settings, manifests and instructor notebooks."""
    course_dir = Path(course)
    source = course_dir / "source"
    if not source.is_dir():
        return [Problem(str(source), "no source folder: is this an nbgrader course directory?")]
    try:
        settings = load_course(course_dir)
    except DataFileError as exc:
        return [Problem(exc.path, _after_path(exc))]
    problems: list[Problem] = _check_nbgrader_ignore(course_dir, settings.module_ids)
    for folder in sorted(p for p in source.iterdir() if p.is_dir() and not p.name.startswith(".")):
        if folder.name not in settings.module_ids:
            problems.append(Problem(str(folder), f"is not one of the course's modules in "
                                    f"{settings.path.name}; add '{folder.name}' to its modules "
                                    "list, or move the folder out of source/."))
    for module_id in settings.module_ids:
        folder = source / module_id
        for pattern in STUDENT_FILES:
            for stray in sorted(folder.glob(pattern)):
                problems.append(Problem(
                    str(stray),
                    "a student's own file in a source folder would be released to every student "
                    "and would overwrite submitted files at autograde; delete it.",
                ))
        try:
            module = settings.module(module_id)
            settings.rubric_for(module)  # the course's criteria name parts this module must have
        except DataFileError as exc:
            problems.append(Problem(exc.path, _after_path(exc)))
            continue
        if not module.notebook.is_file():
            problems.append(Problem(str(module.notebook), "is missing: every module has a notebook "
                                    f"named after it; `coursekit new {module_id}` lays one out."))
            continue
        problems += check_notebook(module.notebook, module, settings)
        try:
            problems += _check_generated_files(module, settings)
        except DataFileError as exc:
            # a portfolio lists the other modules: one of them broken is reported on its own;
            # a missing primer is this module's problem
            if exc.path == str(settings.primer):
                problems.append(Problem(exc.path, _after_path(exc)))
    return problems


def _after_path(exc: DataFileError) -> str:
    where = f"field '{exc.field}': " if exc.field else ""
    return f"{where}{exc.problem} {exc.advice}".strip()


def check_notebook(path: str | Path, module: Module, course: Course) -> list[Problem]:
    path = Path(path)
    name = str(path)
    try:
        nb = nbformat.read(path, as_version=4)  # type: ignore[no-untyped-call]
    except Exception as exc:  # nbformat raises several unrelated types
        return [Problem(name, f"cannot be read as a notebook ({exc}).")]
    problems: list[Problem] = []
    try:
        nbformat.validate(nb)
    except nbformat.ValidationError as exc:
        problems.append(Problem(name, f"is not a valid notebook: {exc.message}"))

    schema = _nbgrader_schema()
    seen: dict[str, int] = {}
    for index, cell in enumerate(nb.cells, 1):
        meta = cell.get("metadata", {})

        def problem(message: str, _index: int = index, _meta: Any = meta) -> None:
            grade_id = _meta.get("nbgrader", {}).get("grade_id") if isinstance(
                _meta.get("nbgrader"), dict) else None
            problems.append(Problem(name, message, _index, grade_id))

        if cell.cell_type == "code" and (cell.get("outputs") or cell.get("execution_count")):
            problem("has outputs or an execution count; run `coursekit sync` to clear them.")
        grader = meta.get("nbgrader")
        if grader is None:
            continue
        for message in _nbgrader_problems(cell, grader, schema):
            problem(message)
        if may_raise(cell.cell_type, grader, cell.source) and RAISES not in meta.get("tags", []):
            problem(f"is not tagged '{RAISES}': until its exercise is done it fails, and a "
                    "student's Run All would stop there; run `coursekit sync` to tag it.")
        grade_id = grader.get("grade_id")
        if grade_id and (grader.get("grade") or grader.get("solution") or grader.get("locked")):
            if grade_id in seen:
                problem(f"grade id '{grade_id}' is used by cell {seen[grade_id]} too; "
                        "grade ids must be unique.")
            seen.setdefault(grade_id, index)
    problems += _generated_problems(name, nb, module, course)
    problems += _points_problems(name, nb, module)
    return problems


def _runs(nb: Any) -> list[tuple[str, int, int]]:
    """The generated runs of a notebook: (spec, first index, end index), in order."""
    runs: list[tuple[str, int, int]] = []
    for index, cell in enumerate(nb.cells):
        spec = cell.get("metadata", {}).get("coursekit", {}).get("generated")
        if not spec:
            continue
        if runs and runs[-1][0] == spec and runs[-1][2] == index:
            runs[-1] = (spec, runs[-1][1], index + 1)
        else:
            runs.append((spec, index, index + 1))
    return runs


def _same(cell: Any, made: Cell) -> bool:
    meta = cell.get("metadata", {})
    return bool(cell.cell_type == made.cell_type and cell.source == made.source
                and meta.get("nbgrader") == made.nbgrader())


def _generated_problems(name: str, nb: Any, module: Module, course: Course) -> list[Problem]:
    problems: list[Problem] = []
    wanted = required_specs(module)
    allowed = allowed_specs(module)
    found: dict[str, int] = {}
    for spec, start, end in _runs(nb):
        if spec in found or spec not in allowed:
            why = "appears twice" if spec in found else "is not one this module has"
            problems.append(Problem(name, f"the generated cells '{spec}' {why}; run `coursekit "
                                    "sync` to lay them out from module.toml.", start + 1))
            continue
        found[spec] = start
        try:
            made = generate(spec, module, course, nb)
        except CoursekitError as exc:
            problems.append(Problem(name, f"its '{spec}' cells cannot be made: {exc}", start + 1))
            continue
        cells = nb.cells[start:end]
        if len(cells) != len(made) or not all(_same(c, m) for c, m in zip(cells, made, strict=False)):
            at = next((i for i, (c, m) in enumerate(zip(cells, made, strict=False)) if not _same(c, m)),
                      min(len(cells), len(made)) - 1)
            grade_id = cells[at].get("metadata", {}).get("nbgrader", {}).get("grade_id")
            problems.append(Problem(
                name, f"differs from what module.toml and coursekit.toml make ('{spec}'); run "
                "`coursekit sync` to rewrite it, or edit the data files instead.", start + at + 1,
                grade_id))
    for spec in wanted:
        if spec not in found:
            problems.append(Problem(name, f"has no '{spec}' cells, which module.toml calls for; "
                                    "run `coursekit sync` to add them."))
    return problems


def _points_problems(name: str, nb: Any, module: Module) -> list[Problem]:
    """Every graded cell declared in the manifest, with the manifest's points, and no others."""
    declared = module.graded_cells()
    problems: list[Problem] = []
    present: set[str] = set()
    for index, cell in enumerate(nb.cells, 1):
        grader = cell.get("metadata", {}).get("nbgrader")
        if not isinstance(grader, dict) or not grader.get("grade"):
            continue
        grade_id = str(grader.get("grade_id"))
        present.add(grade_id)
        if grade_id not in declared:
            problems.append(Problem(name, "is graded but module.toml does not declare it; add it to "
                                    "an exercise's cells with its points.", index, grade_id))
        elif grader.get("points") != declared[grade_id]:
            problems.append(Problem(name, f"is worth {grader.get('points')} points here and "
                                    f"{declared[grade_id]:g} in module.toml; run `coursekit sync`.",
                                    index, grade_id))
    for grade_id in declared:
        if grade_id not in present:
            problems.append(Problem(name, f"module.toml declares the graded cell '{grade_id}', which "
                                    "the notebook does not have.", None, grade_id))
    return problems


def _check_generated_files(module: Module, course: Course) -> list[Problem]:
    problems = []
    for path, text in generated_files(module, course).items():
        try:
            current = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            current = None
        if current != text:
            problems.append(Problem(str(path), "is out of date with the course's modules; run "
                                    "`coursekit sync`."))
    return problems


def generated_files(module: Module, course: Course) -> dict[Path, str]:
    """Files sync writes into a module's folder: a portfolio's list of the course's modules, and
    the course's Python primer where an exercise is in Python (nbgrader releases what the folder
    holds, so that is how a student gets it)."""
    files = {}
    if module.has_primer:
        try:
            files[module.folder / PRIMER] = course.primer.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise DataFileError(course.primer, "is missing, but module.toml of "
                                f"'{module.id}' asks for the Python primer.",
                                advice="Restore the primer beside coursekit.toml, or remove "
                                       "primer = true from the module's exercises.") from None
    if module.is_portfolio:
        listed = [{"id": m.id, "title": m.title} for m in course.modules()
                  if not m.is_portfolio and m.id not in (module.portfolio_exclude or ())]
        files[module.folder / COURSE_MODULES] = json.dumps(listed, indent=2, ensure_ascii=False) + "\n"
    return files


def _nbgrader_problems(cell: Any, meta: Any, schema: dict[str, Any]) -> list[str]:
    import jsonschema

    if not isinstance(meta, dict):
        return ["nbgrader metadata should be an object."]
    found = []
    validator = jsonschema.Draft4Validator(schema)
    for error in sorted(validator.iter_errors(meta), key=lambda e: list(e.path)):
        field = ".".join(str(p) for p in error.path) or "(metadata)"
        found.append(f"nbgrader metadata {field}: {error.message}")
    if found:
        return found
    if meta["schema_version"] != NBGRADER_SCHEMA_VERSION:
        found.append(f"nbgrader schema_version is {meta['schema_version']}, expected 3.")
    grade, solution, locked = meta["grade"], meta["solution"], meta["locked"]
    if (grade or solution or locked) and not meta.get("grade_id"):
        found.append("nbgrader cell has no grade_id.")
    if grade and not meta.get("points", 0) > 0:
        found.append("a graded cell should be worth more than 0 points.")
    if not grade and "points" in meta:
        found.append("points are set on a cell that is not graded.")
    if "checksum" in meta or "cell_type" in meta:
        found.append("carries a checksum or cell_type: those belong to released versions only.")
    if cell.cell_type == "markdown" and grade != solution and not meta.get("task"):
        found.append("a Markdown answer cell must be both graded and a solution (manually graded).")
    source = cell.source
    unbalanced = source.count(BEGIN_SOLUTION) != source.count(END_SOLUTION)
    if cell.cell_type == "code" and solution and (unbalanced or BEGIN_SOLUTION not in source):
        found.append(f"a code solution cell needs matching '{BEGIN_SOLUTION}' and "
                         f"'{END_SOLUTION}' lines, or the solution is released to students.")
    if source.count(BEGIN_HIDDEN) != source.count(END_HIDDEN):
        found.append(f"'{BEGIN_HIDDEN}' and '{END_HIDDEN}' do not match.")
    if cell.cell_type == "code" and grade and not solution and not re.search(
            r"\bassert\b|check_|raise\b", source):
        found.append("an autograder test cell that asserts nothing always gives full points.")
    return found


def normalise(nb: Any, module: Module, course: Course) -> Any:
    """Generated cells from the data, graded cells' points from the manifest, no outputs,
    deterministic cell ids. Generated cells the manifest now calls for are added after the
    one before them in `coursekit new`'s order; those it no longer calls for are removed."""
    wanted = required_specs(module)
    allowed = allowed_specs(module)
    runs = {spec: (start, end) for spec, start, end in reversed(_runs(nb))}
    cells = list(nb.cells)
    out: list[Any] = []
    placed: set[str] = set()
    index = 0
    while index < len(cells):
        spec = cells[index].get("metadata", {}).get("coursekit", {}).get("generated")
        if not spec:
            out.append(cells[index])
            index += 1
            continue
        start, end = runs.get(spec, (index, index + 1))
        if start != index or spec not in allowed or spec in placed:
            index += 1  # a stray or repeated generated cell: dropped
            continue
        out += cells_for(spec, module, course, nb)
        placed.add(spec)
        index = end
    for position, spec in enumerate(wanted):
        if spec in placed:
            continue
        before = [s for s in wanted[:position] if s in placed]
        at = 0
        if before:
            last = before[-1]
            at = max(i for i, c in enumerate(out)
                     if c.get("metadata", {}).get("coursekit", {}).get("generated") == last) + 1
        out[at:at] = cells_for(spec, module, course, nb)
        placed.add(spec)
    nb.cells = out
    declared = module.graded_cells()
    used: set[str] = set()
    for index, cell in enumerate(nb.cells, 1):
        grader = cell.get("metadata", {}).get("nbgrader", {})
        grade_id = grader.get("grade_id")
        if grader.get("grade") and grade_id in declared:
            grader["points"] = declared[grade_id]
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
        tags = cell.metadata.get("tags", [])
        if may_raise(cell.cell_type, grader, cell.source) and RAISES not in tags:
            cell.metadata["tags"] = [*tags, RAISES]  # Run All goes on past an unfinished exercise
        cell_id = grade_id or f"{module.id}-{index:02d}"
        while cell_id in used:
            cell_id += "-x"
        used.add(cell_id)
        cell.id = cell_id
    return nb


def cells_for(spec: str, module: Module, course: Course, notebook: Any = None) -> list[Any]:
    """The notebook cells (nbformat nodes) a spec stands for; ``notebook`` as for ``cells.generate``."""
    return [nbformat.from_dict(cell.as_notebook_cell())  # type: ignore[no-untyped-call]
            for cell in generate(spec, module, course, notebook)]


def sync_course(course: str | Path) -> list[Path]:
    """Normalise every module's notebook in place and write the files sync owns; return what changed."""
    settings = load_course(course)
    changed = []
    for module in settings.modules():
        for path, text in generated_files(module, settings).items():
            if not path.is_file() or path.read_text(encoding="utf-8") != text:
                path.write_text(text, encoding="utf-8")
                changed.append(path)
        path = module.notebook
        before = path.read_text(encoding="utf-8")
        nb = normalise(nbformat.reads(before, as_version=4), module, settings)  # type: ignore[no-untyped-call]
        after = nbformat.writes(nb) + "\n"  # type: ignore[no-untyped-call]
        if after != before:
            path.write_text(after, encoding="utf-8")
            changed.append(path)
    return changed


def _nbgrader_schema() -> dict[str, Any]:
    schema_file = resources.files("nbgrader") / "nbgraderformat" / "v3.json"
    schema: dict[str, Any] = json.loads(schema_file.read_text(encoding="utf-8"))
    return schema
