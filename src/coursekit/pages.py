"""HTML pages from Jinja2 templates, with autoescape on, as nbgrader renders its own pages.

Every value a template shows is escaped by Jinja2 unless the template marks it
``|safe``, which coursekit's templates do only for SVG that
``coursekit.cohort.charts`` wrote and escaped itself. Templates live in a
``templates/`` folder beside the module that renders them and ship as
package data.

Jinja2 is imported only when a page is rendered, so the modules that render
pages (the portfolio export among them) stay cheap to import.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any


def render(folder: str | Path, name: str, **context: Any) -> str:
    """The template ``name`` in ``folder``, filled in with ``context``.

    A name the template uses but ``context`` lacks is an error, not an empty string.
    """
    return str(_environment(str(folder)).get_template(name).render(**context))


@functools.cache
def _environment(folder: str) -> Any:
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(folder),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        # Block tags on lines of their own leave no blank lines behind.
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
