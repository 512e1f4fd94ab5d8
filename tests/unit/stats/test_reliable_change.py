"""Tests for coursekit.stats.reliable_change: RCI, clinical cutoffs, Jacobson-Truax categories.

Expected values are worked from the published formulas (Jacobson & Truax 1991)
and from the R package ``suddengains``' own tests of ``define_crit1_cutoff``.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from coursekit.errors import ScoreInputError
from coursekit.stats.reliable_change import (
    CATEGORIES,
    clinical_cutoffs,
    jacobson_truax,
    rci_cutoff,
    reliable_change,
    s_diff,
    standard_error,
)

NA = math.nan


def test_rci_cutoff_public_values() -> None:
    assert standard_error(10.5, 0.961) == pytest.approx(2.073584, abs=1e-6)
    assert s_diff(10.5, 0.961) == pytest.approx(2.93249, abs=1e-5)
    assert rci_cutoff(10.5, 0.961) == pytest.approx(5.747681, abs=1e-6)
    # suddengains' define_crit1_cutoff test on its sgdata: SD 6.396073, r .931.
    assert standard_error(6.396073, 0.931) == pytest.approx(1.680111, abs=1e-5)
    assert s_diff(6.396073, 0.931) == pytest.approx(2.376036, abs=1e-5)
    assert rci_cutoff(6.396073, 0.931) == pytest.approx(4.65703, abs=1e-5)
    assert rci_cutoff(10.5, 0.961, z=2.58) == pytest.approx(2.58 * 2.93249, abs=1e-4)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: rci_cutoff(0, 0.9), "sd must be > 0"),
        (lambda: rci_cutoff(10, 1.2), "reliability must be >= 0 and <= 1"),
        (lambda: rci_cutoff(10, 0.9, z=-1), "z must be > 0"),
        (lambda: reliable_change([1], [2], sd_pre=5, reliability=1.0), "reliability must be < 1"),
        (lambda: reliable_change([1, 2], [2], sd_pre=5, reliability=0.8), "pre has shape (2,)"),
        (lambda: reliable_change(["a"], [2], sd_pre=5, reliability=0.8), "found text 'a'"),
    ],
)
def test_rci_input_errors(call: object, message: str) -> None:
    assert callable(call)
    with pytest.raises(ScoreInputError) as info:
        call()
    assert message in str(info.value)


def test_reliable_change_public_values() -> None:
    pre = np.full(5, 20.0)
    post = pre + np.array([-8, -4, 0, 4, 8])
    rci = reliable_change(pre, post, sd_pre=5, reliability=0.8)
    assert s_diff(5, 0.8) == pytest.approx(3.16228, abs=1e-5)
    assert rci == pytest.approx([-2.5298, -1.2649, 0, 1.2649, 2.5298], abs=1e-4)
    assert np.isnan(reliable_change([NA, 1], [2, NA], sd_pre=5, reliability=0.8)).all()


def test_clinical_cutoffs_public_values() -> None:
    cut = clinical_cutoffs(40, 7.5, 60, 7.5, higher_is_better=True)
    assert (cut.a, cut.b, cut.c) == pytest.approx((55, 45, 50))
    # Lower is better: the clinical mean is the higher one.
    low = clinical_cutoffs(30, 8, 8, 6, higher_is_better=False)
    assert (low.a, low.b) == pytest.approx((14, 20))
    assert low.c == pytest.approx((8 * 8 + 6 * 30) / 14)
    with pytest.raises(ScoreInputError, match="functional mean"):
        clinical_cutoffs(30, 8, 8, 6, higher_is_better=True)


def test_jacobson_truax_lower_is_better() -> None:
    # S_diff 3.162: reliable change needs more than 6.2 points.
    pre = [30, 30, 30, 20, 12, 30, NA, 30]
    post = [10, 20, 25, 40, 3, 24, 10, NA]
    got = jacobson_truax(pre, post, sd_pre=5, reliability=0.8, cutoff=14,
                         higher_is_better=False).tolist()
    assert got == ["recovered", "improved", "unchanged", "deteriorated",
                   "improved", "unchanged", "missing", "missing"]
    assert set(got) <= set(CATEGORIES)


def test_jacobson_truax_higher_is_better() -> None:
    cut = clinical_cutoffs(40, 7.5, 60, 7.5, higher_is_better=True).c
    got = jacobson_truax([40, 40, 40, 55], [55, 49, 30, 40], sd_pre=7.5, reliability=0.9,
                         cutoff=cut, higher_is_better=True).tolist()
    # S_diff = 3.354, reliable beyond 6.57 points; cutoff 50.
    assert got == ["recovered", "improved", "deteriorated", "deteriorated"]
