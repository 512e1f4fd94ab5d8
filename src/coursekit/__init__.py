"""coursekit: helper code for a Jupyter course on reflective practice in psychotherapy.

Importing this package is cheap: it loads neither matplotlib nor ipywidgets.
Plots live in ``coursekit.student.plots`` and widgets in ``coursekit.student.widgets``; import
those where they are needed.
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
