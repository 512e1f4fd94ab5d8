"""Tests for coursekit.stats.scores: the input checks every statistics module shares.

The helpers are tested directly for what they accept and how their messages
name the argument and the place; the last test checks that the public
functions of each module really go through them.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pytest

from coursekit.errors import ScoreInputError
from coursekit.stats.dose_effect import fit_dose_effect, improvement_by_session
from coursekit.stats.reliable_change import jacobson_truax, reliable_change
from coursekit.stats.scores import _as_float_array, _check_scale, _number, _score_matrix
from coursekit.stats.sudden_gains import sudden_gains

NA = math.nan


def test_numbers_and_none_become_floats_with_nan_for_missing() -> None:
    out = _as_float_array([[1, None], [2.5, NA]], "scores")
    assert out.dtype == np.float64
    assert np.array_equal(out, [[1.0, NA], [2.5, NA]], equal_nan=True)
    assert _as_float_array(np.array([3, 4], dtype=np.int64), "n").tolist() == [3.0, 4.0]
    assert _as_float_array(np.array([3, 4], dtype=np.uint8), "n").tolist() == [3.0, 4.0]


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ([[1, 2], [3]], "post: client 1 has 1 sessions but client 0 has 2"),
        (["1", 2], "post: found text '1' at session 0"),
        (np.array([["a", "b"]]), "post: found text 'a' at client 0, session 0"),
        ([[1, object()]], "(object) at client 0, session 1"),
        ([True, False], "post: got True/False values"),
        ([1, math.inf], "post: infinite value at session 1"),
        ([1j, 2], "post: values of type complex128 are not scores"),
    ],
)
def test_bad_values_are_named_by_argument_and_place(values: object, message: str) -> None:
    with pytest.raises(ScoreInputError) as info:
        _as_float_array(values, "post")
    assert message in str(info.value)


def test_score_matrix_takes_one_client_as_1d_and_says_so() -> None:
    x, single = _score_matrix([30, 29, 28, 20], min_sessions=4, purpose="Gains")
    assert single and x.shape == (1, 4)
    x, single = _score_matrix([[30, 29, 28, 20]], min_sessions=4, purpose="Gains")
    assert not single and x.shape == (1, 4)
    with pytest.raises(ScoreInputError, match="Gains need at least 5 sessions per client; got 4"):
        _score_matrix([30, 29, 28, 20], min_sessions=5, purpose="Gains")
    with pytest.raises(ScoreInputError, match=r"2-D \(clients x sessions\) or 1-D"):
        _score_matrix(np.zeros((2, 3, 4)), min_sessions=2, purpose="Gains")


def test_scale_counts_scores_outside_and_ignores_missing() -> None:
    x = np.array([[70.0, 1.0], [-1.0, NA]])
    with pytest.raises(ScoreInputError) as info:
        _check_scale(x, (0, 63), "scores")
    assert "scores: 2 score(s) outside the scale 0-63, the first 70 at client 0, session 0" in str(
        info.value)
    _check_scale(np.array([[0.0, NA, 63.0]]), (0, 63), "scores")  # the ends and NaN are fine
    _check_scale(x, None, "scores")  # no scale, no check
    for bad in [5, ("low", 63), (0, 63, 100)]:
        with pytest.raises(ScoreInputError, match=r"scale must be a pair \(lowest, highest\)"):
            _check_scale(x, bad, "scores")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("value", "bounds", "message"),
    [
        (True, {}, "cutoff must be a number; got True."),
        ("7", {}, "cutoff must be a number; got '7'."),
        (NA, {}, "cutoff must be finite; got nan."),
        (5, {"low": 0.0, "high": 1.0}, "cutoff must be >= 0 and <= 1; got 5."),
        (0, {"low": 0.0, "low_open": True}, "cutoff must be > 0; got 0."),
        (1, {"high": 1.0, "high_open": True}, "cutoff must be < 1; got 1."),
        (-7, {"low": 0.0, "hint": "Keep it positive."}, "cutoff must be >= 0; got -7. Keep it positive."),
    ],
)
def test_number_says_what_is_allowed(value: object, bounds: dict[str, object], message: str) -> None:
    with pytest.raises(ScoreInputError) as info:
        _number(value, "cutoff", **bounds)  # type: ignore[arg-type]
    assert str(info.value) == message


def test_number_returns_a_float_and_keeps_the_bounds_it_was_given() -> None:
    value = _number(np.int64(3), "n", low=3.0, high=3.0)
    assert value == 3.0 and type(value) is float


@pytest.mark.parametrize(
    "call",
    [
        lambda: sudden_gains([[30, 29, "28", 20]], cutoff=7),
        lambda: improvement_by_session([[30, 29, "28", 20]], threshold=8),
        lambda: reliable_change([30, 29, "28"], [1, 2, 3], sd_pre=5, reliability=0.8),
        lambda: jacobson_truax([30, 29, "28"], [1, 2, 3], sd_pre=5, reliability=0.8, cutoff=14,
                               higher_is_better=False),
        lambda: fit_dose_effect([1, 2, "28"], [0.2, 0.3, 0.4]),
    ],
    ids=["sudden_gains", "improvement_by_session", "reliable_change", "jacobson_truax",
         "fit_dose_effect"],
)
def test_every_module_reports_text_in_scores_the_same_way(call: Callable[[], object]) -> None:
    with pytest.raises(ScoreInputError, match="found text '28'.*scores must be numbers"):
        call()
