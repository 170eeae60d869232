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


def test_stratified_interval_by_hand() -> None:
    # Task a = [0, 1] resampled within itself: its mean is 0, 0.5 or 1 with probabilities 1/4, 1/2,
    # 1/4. Task b = [1, 1] resamples to 1 every time. The category mean (a + b) / 2 is therefore
    # 0.5, 0.75 or 1 with probabilities 1/4, 1/2, 1/4: a quarter of the draws (about 250 of 1000)
    # sits at each end, far more than the 2.5% tail, so the 95% interval is exactly [0.5, 1.0].
    # Pooling the category's four samples [0, 1, 1, 1] instead gives a mean of at most 0.25 with
    # probability (1/4)^4 + 4 (1/4)^3 (3/4) = 13/256 ≈ 5%, which pulls the low end down to 0.25.
    for seed in range(5):
        overall, groups = macro_score({"g": {"a": [0.0, 1.0], "b": [1.0, 1.0]}}, seed=seed)
        assert (groups["g"].mean, groups["g"].low, groups["g"].high) == (0.75, 0.5, 1.0)
        assert (overall.mean, overall.low, overall.high, overall.n) == (0.75, 0.5, 1.0, 4)


def test_stratified_interval_by_hand_across_categories() -> None:
    # The same arithmetic one level up: x's mean is 0, 0.5 or 1 (1/4, 1/2, 1/4), y's is always 1,
    # so the macro-average (x + y) / 2 lies in [0.5, 1.0]; x alone spans [0, 1], y [1, 1].
    overall, groups = macro_score({"x": {"a": [0.0, 1.0]}, "y": {"b": [1.0, 1.0]}})
    assert (overall.mean, overall.low, overall.high) == (0.75, 0.5, 1.0)
    assert (groups["x"].low, groups["x"].high) == (0.0, 1.0) and (groups["y"].low, groups["y"].high) == (1.0, 1.0)


def test_every_resample_keeps_each_tasks_sample_count() -> None:
    # Each task is constant, so a resample that draws each task's own number of samples from that
    # task always gives task means 1 and 0 and a category mean of exactly 0.5. level=1.0 makes the
    # interval the smallest and largest of all 1000 resampled means: both must be 0.5. Resampling
    # the 2 + 8 samples as one pool would not: ten draws all from b alone give 0.
    _, groups = macro_score({"g": {"a": [1.0] * 2, "b": [0.0] * 8}}, level=1.0)
    assert (groups["g"].mean, groups["g"].low, groups["g"].high) == (0.5, 0.5, 0.5)
    across, _ = macro_score({"x": {"a": [1.0] * 3}, "y": {"b": [0.0] * 3}}, level=1.0)
    assert (across.mean, across.low, across.high) == (0.5, 0.5, 0.5)


def test_varied_scores_give_an_interval_with_width() -> None:
    # One task [0, 1]: resampled means 0, 0.5, 1 (1/4, 1/2, 1/4) → [0, 1], for the task mean
    # (bootstrap_mean) and for the category built on it (macro_score) alike.
    ci = bootstrap_mean([0.0, 1.0])
    assert (ci.mean, ci.low, ci.high) == (0.5, 0.0, 1.0)
    overall, _ = macro_score({"g": {"a": [0.0, 1.0]}})
    assert (overall.mean, overall.low, overall.high) == (0.5, 0.0, 1.0)
    # Two tasks of 100 samples in one category, 30 and 70 of them at 1: (0.3 + 0.7) / 2 = 0.5. Each
    # task mean has standard error sqrt(0.3 · 0.7 / 100) = 0.0458, their average 0.0458 / sqrt(2) =
    # 0.0324, so the normal approximation of the 95% interval is 0.5 ± 1.96 · 0.0324 = [0.436, 0.564].
    wide, _ = macro_score({"g": {"a": [1.0] * 30 + [0.0] * 70, "b": [1.0] * 70 + [0.0] * 30}})
    assert wide.low == pytest.approx(0.436, abs=0.02) and wide.high == pytest.approx(0.564, abs=0.02)
