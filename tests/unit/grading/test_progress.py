"""`coursekit autograde`'s progress bar is drawn on a terminal that reports a size of 0 x 0.

A new pseudo-terminal reports 0 columns and 0 rows, as some CI runners and
hub terminals do; the bar is written to it and read back from the other end.
"""

from __future__ import annotations

import fcntl
import os
import select
import struct
import sys
import termios

import pytest

from coursekit.grading.autograde import _progress

BAR = "\u2588"  # tqdm's full block


def _terminal(columns: int = 0) -> tuple[int, int]:
    main, other = os.openpty()
    if columns:
        fcntl.ioctl(other, termios.TIOCSWINSZ, struct.pack("HHHH", 24, columns, 0, 0))
    size = struct.unpack("HHHH", fcntl.ioctl(other, termios.TIOCGWINSZ, b"\0" * 8))
    assert size[:2] == ((24, columns) if columns else (0, 0))
    return main, other


def _read(main: int) -> str:
    chunks = []
    while select.select([main], [], [], 0.2)[0]:
        chunks.append(os.read(main, 65536))
    return b"".join(chunks).decode()


def _drawn(monkeypatch: pytest.MonkeyPatch, columns: int = 0, environ: str | None = None) -> list[str]:
    main, other = _terminal(columns)
    terminal = os.fdopen(other, "w", buffering=1)
    monkeypatch.setattr(sys, "stderr", terminal)
    if environ is None:
        monkeypatch.delenv("COLUMNS", raising=False)
    else:
        monkeypatch.setenv("COLUMNS", environ)
    try:
        with _progress(8, "alliance", True) as bar:
            for _ in range(8):
                bar.update(1)
        terminal.flush()
        return [line for line in _read(main).replace("\n", "\r").split("\r") if line.strip()]
    finally:
        terminal.close()
        os.close(main)


def test_a_terminal_of_no_size_gets_a_bar_of_the_fallback_width(monkeypatch):
    # (tqdm 4.70 alone, given 0 x 0, prints nothing at all: neither bar nor counts)
    lines = _drawn(monkeypatch)
    assert lines and "8/8" in lines[-1] and "grading alliance: 100%" in lines[-1]
    assert BAR * 10 in lines[-1]
    assert all(len(line) <= 80 for line in lines) and len(lines[-1]) >= 70


def test_a_terminal_that_reports_its_width_is_drawn_at_that_width(monkeypatch):
    lines = _drawn(monkeypatch, columns=60)
    assert "8/8" in lines[-1] and BAR in lines[-1]
    assert all(len(line) < 60 for line in lines) and len(lines[-1]) >= 50


def test_columns_in_the_environment_set_the_fallback_width(monkeypatch):
    lines = _drawn(monkeypatch, environ="100")
    assert "8/8" in lines[-1] and 90 <= len(lines[-1]) <= 100
