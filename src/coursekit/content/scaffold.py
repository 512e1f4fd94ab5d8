"""``coursekit new NAME``: a working module, laid out in the course's shared shape.

It writes ``source/<NAME>/`` with a manifest, model answers to edit, a reading-card template, an
instrument template and a notebook made only of generated cells (opening,
reading, the self-assessment's items, form and profile, the Gibbs reflection
with the rubric, the submit steps, the privacy check and the completion
check), adds the module to the course's list, and syncs the course. The new
module passes ``coursekit check``, nbval and nbgrader generate/validate as it
stands; the author then edits the four data files (and adds exercise cells in
JupyterLab if the module has any), never notebook JSON.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from coursekit.content.cells import TEMPLATES, new_module_layout
from coursekit.content.manifest import MANIFEST, MODEL_ANSWERS, load_course, load_module
from coursekit.errors import CoursekitError

GIBBS = (
    ("description", "Description", "What happened? Describe the moment briefly and factually: the "
     "context, what was said and done, and what followed. De-identify the client."),
    ("feelings", "Feelings", "What were you feeling and thinking at the time, and afterwards? "
     "Include the feelings you would rather not have had."),
    ("evaluation", "Evaluation", "What went well and what did not, for the client and for you?"),
    ("analysis", "Analysis", "What sense can you make of it? Use the reading and your answers in "
     "this module."),
    ("conclusion", "Conclusion", "What else could you have done? What have you learned about your "
     "own part in it?"),
    ("action_plan", "Action plan", "What will you do differently next time, concretely? How will "
     "you know whether it worked?"),
)
_ID = re.compile(r"^[a-z][a-z0-9_]*$")
NOTEBOOK_METADATA = {
    "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
    "language_info": {"name": "python"},
}


class ScaffoldError(CoursekitError, ValueError):
    """A new module cannot be made here; the message says why and what to do."""


def new_module(course: str | Path, module_id: str, title: str | None = None) -> list[Path]:
    """Make the module ``module_id`` in the course; return the files written."""
    import jinja2
    import nbformat

    from coursekit.content.notebooks import cells_for, normalise, sync_course

    course = Path(course)
    if not _ID.match(module_id):
        raise ScaffoldError(f"'{module_id}' cannot be a module's name: use lower case letters, "
                            "digits and _, starting with a letter (for example 'feedback').")
    settings = load_course(course)  # a course that does not load is not one to add to
    folder = settings.source / module_id
    if folder.exists():
        raise ScaffoldError(f"{folder} exists already; choose another name, or edit that module's "
                            f"{MANIFEST}.")
    title = title or module_id.replace("_", " ").capitalize()
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES / "new"),  # noqa: S701
                             autoescape=False, keep_trailing_newline=True, trim_blocks=True,
                             lstrip_blocks=True, undefined=jinja2.StrictUndefined)
    parts = [{"id": i, "title": t, "prompt": p} for i, t, p in GIBBS]
    files = {MANIFEST: "module.toml.j2", MODEL_ANSWERS: "model-answers.toml.j2",
             "reading.toml": "reading.toml.j2", f"{module_id}.json": "instrument.json.j2"}
    folder.mkdir(parents=True)
    written = []
    for name, template in files.items():
        path = folder / name
        path.write_text(env.get_template(template).render(id=module_id, title=title, parts=parts),
                        encoding="utf-8")
        written.append(path)
    _add_to_course(settings.path, module_id, [m.id for m in settings.modules() if m.is_portfolio])

    settings = load_course(course)
    module = load_module(folder)
    nb = nbformat.v4.new_notebook(metadata=NOTEBOOK_METADATA)  # type: ignore[no-untyped-call]
    for spec in new_module_layout(module):
        nb.cells += cells_for(spec, module, settings)
    nb = normalise(nb, module, settings)
    module.notebook.write_text(nbformat.writes(nb) + "\n", encoding="utf-8")  # type: ignore[no-untyped-call]
    written.append(module.notebook)
    written += [p for p in sync_course(course) if p not in written]
    return written


def _add_to_course(settings: Path, module_id: str, portfolios: list[str]) -> None:
    """Add the module to coursekit.toml's list, before any portfolio (which draws on the rest)."""
    text = settings.read_text(encoding="utf-8")
    modules: list[str] = list(tomllib.loads(text)["modules"])
    at = min((modules.index(p) for p in portfolios if p in modules), default=len(modules))
    modules.insert(at, module_id)
    listed = "modules = [" + ", ".join(f'"{m}"' for m in modules) + "]"
    new, count = re.subn(r"^modules\s*=\s*\[[^\]]*\]", listed, text, count=1, flags=re.M)
    if count != 1:
        raise ScaffoldError(f"{settings}: could not find its modules = [...] list to add "
                            f"'{module_id}' to; add it by hand.")
    settings.write_text(new, encoding="utf-8")


__all__ = ["ScaffoldError", "new_module"]
