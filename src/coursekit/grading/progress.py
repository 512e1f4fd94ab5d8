"""The progress bar of long grading runs: tqdm's, drawn even where the terminal reports no size.

Some terminals (CI runners, JupyterHub's web terminal before its first resize,
``docker exec -t``) are real terminals that report a size of 0 columns by 0
rows. tqdm asks the terminal for its size on every refresh and, given 0 x 0,
draws nothing at all: the instructor sees no bar and no counts. :class:`ProgressBar`
takes a size of 0 as unknown: it draws at the width Python's
``shutil.get_terminal_size`` gives (``COLUMNS`` when it is set, else 80) and
with tqdm's own default height.

Imports tqdm: import this module only where a bar is drawn.
"""

from __future__ import annotations

import shutil

from tqdm import tqdm

FALLBACK_COLUMNS = 80


def fallback_width() -> int:
    """The width to draw at when the terminal reports none: COLUMNS if set, else 80."""
    return shutil.get_terminal_size((FALLBACK_COLUMNS, 24)).columns or FALLBACK_COLUMNS


class ProgressBar(tqdm):  # type: ignore[misc]  # tqdm ships no type hints
    """tqdm's bar, with the same arguments; a terminal size of 0 counts as unknown.

    tqdm sets ``ncols`` and ``nrows`` from the terminal (its width and height,
    less one) when it starts and, with ``dynamic_ncols``, on every refresh; a
    terminal of 0 x 0 gives -1 for both, and tqdm then prints nothing. The
    two attributes are read through here so that a value below 1 is replaced.
    """

    _ncols: int | None = None
    _nrows: int | None = None

    @property
    def ncols(self) -> int | None:
        return self._ncols

    @ncols.setter
    def ncols(self, value: int | None) -> None:
        # tqdm keeps one column free so the line never wraps; so do we
        self._ncols = fallback_width() - 1 if value is not None and value < 1 else value

    @property
    def nrows(self) -> int | None:
        return self._nrows

    @nrows.setter
    def nrows(self, value: int | None) -> None:
        self._nrows = None if value is not None and value < 1 else value  # None: tqdm's default


__all__ = ["FALLBACK_COLUMNS", "ProgressBar", "fallback_width"]
