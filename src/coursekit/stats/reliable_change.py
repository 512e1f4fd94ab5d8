"""Reliable and clinically significant change (Jacobson & Truax 1991).

Is a client's change from start to end larger than measurement error
(:func:`reliable_change`, :func:`rci_cutoff`), and did the client end up in
the range of people without the problem (:func:`clinical_cutoffs`,
:func:`jacobson_truax`)?
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from coursekit.errors import ScoreInputError
from coursekit.stats.scores import FloatArray, StrArray, _as_float_array, _number

__all__ = [
    "CATEGORIES",
    "ClinicalCutoffs",
    "clinical_cutoffs",
    "jacobson_truax",
    "rci_cutoff",
    "reliable_change",
    "s_diff",
    "standard_error",
]

#: Jacobson-Truax categories returned by :func:`jacobson_truax`.
CATEGORIES = ("recovered", "improved", "unchanged", "deteriorated", "missing")


def standard_error(sd: float, reliability: float) -> float:
    """Standard error of measurement, ``SD * sqrt(1 - r)``: the noise in one score.

    >>> round(standard_error(10.5, 0.961), 6)
    2.073584
    """
    sd = _number(sd, "sd", low=0.0, low_open=True, hint="Use the SD of pre-treatment scores.")
    r = _number(reliability, "reliability", low=0.0, high=1.0,
                hint="Use e.g. Cronbach's alpha or test-retest r of the scale.")
    return sd * math.sqrt(1.0 - r)


def s_diff(sd: float, reliability: float) -> float:
    """Standard error of a difference of two scores, ``sqrt(2) * SE``.

    >>> round(s_diff(10.5, 0.961), 5)
    2.93249
    """
    return math.sqrt(2.0 * standard_error(sd, reliability) ** 2)


def rci_cutoff(sd: float, reliability: float, z: float = 1.96) -> float:
    """Change in points beyond which it is reliable (5% level): ``z * sqrt(2) * SD * sqrt(1 - r)``.

    Usable as the ``cutoff`` of :func:`coursekit.stats.sudden_gains.sudden_gains` (the R package's
    ``define_crit1_cutoff``).

    >>> round(rci_cutoff(10.5, 0.961), 6)
    5.747681
    """
    z = _number(z, "z", low=0.0, low_open=True)
    return z * s_diff(sd, reliability)


def _pair(pre: npt.ArrayLike, post: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
    a, b = _as_float_array(pre, "pre"), _as_float_array(post, "post")
    if a.shape != b.shape:
        raise ScoreInputError(
            f"pre has shape {a.shape} but post has {b.shape}; give one pre and one post "
            "score per client, NaN where one is missing."
        )
    return a, b


def reliable_change(
    pre: npt.ArrayLike, post: npt.ArrayLike, *, sd_pre: float, reliability: float
) -> FloatArray:
    """Reliable Change Index per client: ``(post - pre) / S_diff``.

    Beyond +-1.96 the change is unlikely (p < .05) to be measurement error.
    The sign is raw: on the BDI (lower is better) improvement is negative.
    NaN where pre or post is missing.

    >>> reliable_change([10, 10], [2, 14], sd_pre=5, reliability=0.8).round(4).tolist()
    [-2.5298, 1.2649]
    """
    a, b = _pair(pre, post)
    _number(reliability, "reliability", high=1.0, high_open=True,
            hint="A reliability of 1 means no measurement error and no S_diff to divide by.")
    return ((b - a) / s_diff(sd_pre, reliability)).astype(np.float64)


@dataclass(frozen=True)
class ClinicalCutoffs:
    """Jacobson & Truax cutoffs between the clinical and the functional population.

    ``a``: 2 SD beyond the clinical mean, toward health; ``b``: 2 SD inside
    the functional mean; ``c``: where the two distributions meet (weighted
    midpoint), the usual choice when both norms are known.
    """

    a: float
    b: float
    c: float


def clinical_cutoffs(
    m_clin: float, sd_clin: float, m_func: float, sd_func: float, *, higher_is_better: bool
) -> ClinicalCutoffs:
    """Cutoffs a, b and c for clinically significant change.

    >>> clinical_cutoffs(40, 7.5, 60, 7.5, higher_is_better=True)
    ClinicalCutoffs(a=55.0, b=45.0, c=50.0)
    """
    m_clin = _number(m_clin, "m_clin")
    m_func = _number(m_func, "m_func")
    sd_clin = _number(sd_clin, "sd_clin", low=0.0, low_open=True)
    sd_func = _number(sd_func, "sd_func", low=0.0, low_open=True)
    if (m_func > m_clin) != higher_is_better or m_func == m_clin:
        better = "higher" if higher_is_better else "lower"
        raise ScoreInputError(
            f"With higher_is_better={higher_is_better} the functional mean ({m_func:g}) should "
            f"be {better} than the clinical mean ({m_clin:g}); check the order of the means "
            "or the direction of the scale."
        )
    d = 1.0 if higher_is_better else -1.0
    return ClinicalCutoffs(
        a=m_clin + d * 2.0 * sd_clin,
        b=m_func - d * 2.0 * sd_func,
        c=(sd_clin * m_func + sd_func * m_clin) / (sd_clin + sd_func),
    )


def jacobson_truax(
    pre: npt.ArrayLike,
    post: npt.ArrayLike,
    *,
    sd_pre: float,
    reliability: float,
    cutoff: float,
    higher_is_better: bool,
    z: float = 1.96,
) -> StrArray:
    """Classify each client's change as Jacobson & Truax (1991) propose.

    * ``"recovered"``: reliable improvement (|RCI| > z in the better direction)
      *and* crossed ``cutoff``: pre on the clinical side (or exactly at it),
      post strictly on the functional side;
    * ``"improved"``: reliable improvement without that crossing;
    * ``"deteriorated"``: reliable worsening;
    * ``"unchanged"``: otherwise;
    * ``"missing"``: pre or post is NaN.

    Direction matters: on the BDI lower is better, so pass
    ``higher_is_better=False`` and a BDI cutoff such as 14.

    >>> jacobson_truax([30, 30, 30, 20], [10, 20, 29, 40], sd_pre=5,
    ...                reliability=0.8, cutoff=14, higher_is_better=False).tolist()
    ['recovered', 'improved', 'unchanged', 'deteriorated']
    """
    a, b = _pair(pre, post)
    cutoff = _number(cutoff, "cutoff")
    z = _number(z, "z", low=0.0, low_open=True)
    d = 1.0 if higher_is_better else -1.0
    toward_better = d * reliable_change(a, b, sd_pre=sd_pre, reliability=reliability)
    improved = toward_better > z
    worse = toward_better < -z
    crossed = (d * (a - cutoff) <= 0) & (d * (b - cutoff) > 0)
    out = np.full(a.shape, "unchanged", dtype="<U12")
    out[improved] = "improved"
    out[improved & crossed] = "recovered"
    out[worse] = "deteriorated"
    out[np.isnan(a) | np.isnan(b)] = "missing"
    return out
