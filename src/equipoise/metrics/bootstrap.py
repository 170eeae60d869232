"""Intervals for means of per-sample scores in [0, 1]: the Wilson score interval of one mean, and
the Jeffreys posterior of a task's rate that `aggregate.macro_score` draws from.

Both treat a task's mean as a binomial proportion (its scores summed as successes), the two
intervals Brown, Cai & DasGupta (2001, "Interval estimation for a binomial proportion") recommend.
Unlike a percentile bootstrap, neither collapses to zero width when every score is 0 or every
score is 1: 0 of 10 is compatible with a true rate of a quarter, and a board that calls such a task
certain would separate models that 10 samples cannot tell apart. For scores between 0 and 1 (a
judge's rating, a tie) the binomial variance is an upper bound of the true one: the intervals err
wide, never narrow.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import NormalDist

# The two-sided 95% normal quantile.
Z95 = NormalDist().inv_cdf(0.975)
# Jeffreys prior Beta(1/2, 1/2): a task with s of n scored gives the posterior Beta(s + 1/2, n - s + 1/2).
JEFFREYS_PRIOR = 0.5


@dataclass(frozen=True)
class Interval:
    """A mean with its confidence interval; all None when there is nothing to average."""

    mean: float | None
    low: float | None
    high: float | None
    n: int


def wilson_interval(values: Sequence[float], level: float = 0.95) -> Interval:
    """Mean of `values` (scores in [0, 1]) with its Wilson score interval at `level`.

    With p = the mean, n = the count and z the normal quantile, the interval is
    (p + z²/2n ± z·sqrt(p(1-p)/n + z²/4n²)) / (1 + z²/n): 0 of 10 gives [0, 0.2775] at 95%. It
    always contains the mean and stays within [0, 1]; no values give an empty Interval.
    """
    n = len(values)
    if n == 0:
        return Interval(None, None, None, 0)
    p = math.fsum(values) / n
    z = NormalDist().inv_cdf(0.5 + level / 2)
    shrink = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / shrink
    half = z / shrink * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    # min/max: at p = 0 or 1 the end is the mean itself, exactly, whatever the rounding.
    return Interval(p, max(0.0, min(p, centre - half)), min(1.0, max(p, centre + half)), n)
