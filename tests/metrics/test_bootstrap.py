"""Bootstrap intervals and macro-averages on hand-computed numbers."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from equipoise.metrics.aggregate import macro_score
from equipoise.metrics.bootstrap import bootstrap_mean


def test_mean_and_degenerate_cases() -> None:
    assert bootstrap_mean([]).mean is None
    one = bootstrap_mean([0.5])
    assert (one.mean, one.low, one.high, one.n) == (0.5, 0.5, 0.5, 1)
    constant = bootstrap_mean([1.0] * 10)
    assert (constant.low, constant.high) == (1.0, 1.0)


def test_interval_is_reproducible_and_sensible() -> None:
    values = [1.0] * 30 + [0.0] * 70
    a, b = bootstrap_mean(values, seed=3), bootstrap_mean(values, seed=3)
    assert a == b and a.mean == pytest.approx(0.3)
    # Normal approximation: 0.3 ± 1.96 * sqrt(0.3 * 0.7 / 100) = [0.210, 0.390].
    assert a.low == pytest.approx(0.21, abs=0.025) and a.high == pytest.approx(0.39, abs=0.025)


@given(st.lists(st.sampled_from([0.0, 1.0]), min_size=2, max_size=60))
def test_interval_contains_the_mean(values: list[float]) -> None:
    ci = bootstrap_mean(values, rounds=200)
    assert ci.low <= ci.mean <= ci.high


def test_macro_average_weights_categories_not_samples() -> None:
    # direct_risky: tasks 0.5 and 1.0 -> 0.75; over_sensitive: one task of 0.25 -> macro 0.5.
    overall, groups = macro_score(
        {"direct_risky": {"a": [1, 0, 1, 0], "b": [1, 1, 1, 1]}, "over_sensitive": {"c": [1, 0, 0, 0]}}
    )
    assert overall.mean == pytest.approx(0.5) and overall.n == 12
    assert groups["direct_risky"].mean == pytest.approx(0.75) and groups["over_sensitive"].mean == pytest.approx(0.25)
    # 100 samples at 1.0 in one category and 2 at 0.0 in another: macro 0.5, not 0.98.
    lopsided, _ = macro_score({"x": {"t": [1.0] * 100}, "y": {"u": [0.0, 0.0]}})
    assert lopsided.mean == pytest.approx(0.5)


def test_empty_tasks_are_left_out() -> None:
    overall, groups = macro_score({"x": {"t": [1.0, 1.0], "empty": []}, "y": {"none": []}})
    assert overall.mean == 1.0 and set(groups) == {"x"}
    nothing, _ = macro_score({})
    assert nothing.mean is None
