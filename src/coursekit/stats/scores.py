"""Input checks shared by the statistics modules: scores as a float array, or a clear error.

Scores are a clients x sessions array of floats, one row per client and one
column per session in order, ``NaN`` (or ``None``) for a session with no
score. These helpers turn what a user passes (lists, tuples, numpy arrays,
integers) into that array, and every problem into a :class:`ScoreInputError`
that says where it is and what to do. They are internal to
:mod:`coursekit.stats`; call the public functions of its modules instead.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

from coursekit.errors import ScoreInputError

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
StrArray = npt.NDArray[np.str_]


def _where(index: tuple[int, ...]) -> str:
    if len(index) == 0:
        return "the value"
    if len(index) == 1:
        return f"session {index[0]}"
    if len(index) == 2:
        return f"client {index[0]}, session {index[1]}"
    return f"position {index}"


def _as_float_array(values: object, name: str) -> FloatArray:
    """Numbers (None or NaN for missing) as a float array, or a clear error."""
    if isinstance(values, (list, tuple)) and values and all(
        isinstance(row, (list, tuple, np.ndarray)) for row in values
    ):
        # Check row lengths ourselves: numpy's own message does not say which row.
        lengths = [len(row) for row in values]
        for i, length in enumerate(lengths):
            if length != lengths[0]:
                raise ScoreInputError(
                    f"{name}: client {i} has {length} sessions but client 0 has "
                    f"{lengths[0]}; every row needs one entry per session, with NaN "
                    "(or None) for a missing session."
                )
    try:
        arr = np.asarray(values)
    except ValueError as exc:  # ragged nesting numpy could not shape
        raise ScoreInputError(
            f"{name}: rows have different lengths ({exc}); give one entry per session "
            "in every row, NaN for a missing session."
        ) from None
    kind = arr.dtype.kind
    if kind == "b":
        raise ScoreInputError(f"{name}: got True/False values; scores must be numbers.")
    if kind in "US":
        # Look at the original items, so the message quotes the one that is text.
        arr = arr.astype(object) if isinstance(values, np.ndarray) else np.asarray(values, object)
        kind = "O"
    if kind == "O":
        out = np.empty(arr.shape, dtype=np.float64)
        for index in np.ndindex(arr.shape):
            item = arr[index]
            if item is None:
                out[index] = np.nan
            elif isinstance(item, (str, bytes)):
                raise ScoreInputError(
                    f"{name}: found text {str(item)!r} at {_where(index)}; scores must be "
                    "numbers. Convert first, e.g. with float() or "
                    "pandas.to_numeric(..., errors='coerce')."
                )
            elif isinstance(item, (int, float, np.integer, np.floating)) and not isinstance(
                item, (bool, np.bool_)
            ):
                out[index] = float(item)
            else:
                raise ScoreInputError(
                    f"{name}: found {item!r} ({type(item).__name__}) at {_where(index)}; "
                    "scores must be numbers, with NaN or None for a missing session."
                )
        arr = out
    elif kind not in "iuf":
        raise ScoreInputError(
            f"{name}: values of type {arr.dtype} are not scores; give real numbers."
        )
    result = np.asarray(arr, dtype=np.float64)
    if np.isinf(result).any():
        bad = tuple(int(i) for i in np.argwhere(np.isinf(result))[0])
        raise ScoreInputError(
            f"{name}: infinite value at {_where(bad)}; "
            "use NaN for a missing score."
        )
    return result


def _check_scale(x: FloatArray, scale: tuple[float, float] | None, name: str) -> None:
    if scale is None:
        return
    try:
        lo, hi = (float(v) for v in scale)
    except (TypeError, ValueError):
        raise ScoreInputError(
            f"scale must be a pair (lowest, highest), e.g. (0, 63) for the BDI; got {scale!r}."
        ) from None
    if not lo < hi:
        raise ScoreInputError(
            f"scale must be (lowest, highest) with lowest < highest; got {scale!r}."
        )
    outside = (x < lo) | (x > hi)  # NaN compares False: missing is never outside
    if outside.any():
        bad = tuple(int(i) for i in np.argwhere(outside)[0])
        raise ScoreInputError(
            f"{name}: {int(outside.sum())} score(s) outside the scale {lo:g}-{hi:g}, the "
            f"first {x[bad]:g} at {_where(bad)}. Check for "
            "data-entry errors or codes such as 99 for 'missing' (use NaN instead)."
        )


def _score_matrix(
    scores: object, *, min_sessions: int, purpose: str, scale: tuple[float, float] | None = None
) -> tuple[FloatArray, bool]:
    """(clients x sessions array, True if the caller gave one client as 1-D)."""
    x = _as_float_array(scores, "scores")
    single = x.ndim == 1
    if single:
        x = x[np.newaxis, :]
    if x.ndim != 2:
        raise ScoreInputError(
            f"scores must be 2-D (clients x sessions) or 1-D (one client); got {x.ndim}-D "
            f"with shape {x.shape}."
        )
    if x.shape[1] < min_sessions:
        raise ScoreInputError(
            f"{purpose} need at least {min_sessions} sessions per client; got "
            f"{x.shape[1]}. Columns are sessions: check the array is not transposed."
        )
    _check_scale(x, scale, "scores")
    return x, single


def _number(value: object, name: str, *, low: float | None = None, high: float | None = None,
            low_open: bool = False, high_open: bool = False, hint: str = "") -> float:
    """A real number within bounds, or a ScoreInputError saying what is allowed."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(
        value, (int, float, np.integer, np.floating)
    ):
        raise ScoreInputError(f"{name} must be a number; got {value!r}. {hint}".rstrip())
    v = float(value)
    ok = math.isfinite(v)
    if ok and low is not None:
        ok = v > low if low_open else v >= low
    if ok and high is not None:
        ok = v < high if high_open else v <= high
    if not ok:
        lo_txt = "" if low is None else ("> " if low_open else ">= ") + f"{low:g}"
        hi_txt = "" if high is None else ("< " if high_open else "<= ") + f"{high:g}"
        bounds = " and ".join(t for t in (lo_txt, hi_txt) if t) or "finite"
        raise ScoreInputError(f"{name} must be {bounds}; got {v:g}. {hint}".rstrip())
    return v
