"""Intervals and macro-averages on hand-computed numbers: Wilson intervals of task means, stratified
Jeffreys-posterior intervals of category and suite scores, neither of zero width at 0 or 1."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from equipoise.metrics.aggregate import macro_score
from equipoise.metrics.bootstrap import wilson_interval


def test_wilson_interval_by_hand() -> None:
    # z = 1.959964, z² = 3.841459. 0 of 10: centre = (0 + z²/20) / (1 + z²/10) = 0.192073 / 1.384146
    # = 0.138766, half = z / 1.384146 · sqrt(z²/400) = 1.416010 · 0.097998 = 0.138766 → [0, 0.2775].
    zero = wilson_interval([0.0] * 10)
    assert (zero.mean, zero.low, zero.n) == (0.0, 0.0, 10) and zero.high == pytest.approx(0.2775, abs=1e-4)
    # 10 of 10 is the mirror image: [1 - 0.2775, 1].
    ten = wilson_interval([1.0] * 10)
    assert (ten.mean, ten.high) == (1.0, 1.0) and ten.low == pytest.approx(0.7225, abs=1e-4)
    # 3 of 10: centre = (0.3 + 0.192073) / 1.384146 = 0.355506, half = 1.416010 · sqrt(0.021 +
    # 0.009604) = 1.416010 · 0.174939 = 0.247716 → [0.1078, 0.6032].
    three = wilson_interval([1.0] * 3 + [0.0] * 7)
    assert three.low == pytest.approx(0.1078, abs=1e-4) and three.high == pytest.approx(0.6032, abs=1e-4)
    # One sample of 0.5: centre 0.5, half = z / (1 + z²) · sqrt(0.25 + z²/4) = 0.404820 · 1.100183.
    one = wilson_interval([0.5])
    assert one.low == pytest.approx(0.0546, abs=1e-4) and one.high == pytest.approx(0.9454, abs=1e-4)
    assert wilson_interval([]).mean is None


def test_wilson_interval_follows_the_level() -> None:
    # At 80% z = 1.281552: 0 of 10 gives high = 2 · (z²/20) / (1 + z²/10) = 0.164237 / 1.164237.
    assert wilson_interval([0.0] * 10, level=0.8).high == pytest.approx(0.1411, abs=1e-4)


@given(st.lists(st.floats(min_value=0.0, max_value=1.0), min_size=1, max_size=60))
def test_wilson_interval_contains_the_mean_and_has_width(values: list[float]) -> None:
    ci = wilson_interval(values)
    assert 0.0 <= ci.low <= ci.mean <= ci.high <= 1.0 and ci.high - ci.low > 0.02


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


def test_a_task_at_zero_or_one_has_the_jeffreys_interval() -> None:
    # One task: the category's draws are the task's Jeffreys posterior, 0 of 10 → Beta(0.5, 10.5),
    # whose 97.5% point is 0.2172 (the low end is the point itself, 0); 10 of 10 → Beta(10.5, 0.5),
    # 2.5% point 1 - 0.2172 = 0.7828. 20,000 draws put the quantile within about 0.005.
    zero, _ = macro_score({"g": {"a": [0.0] * 10}}, rounds=20_000)
    assert (zero.mean, zero.low) == (0.0, 0.0) and zero.high == pytest.approx(0.2172, abs=0.006)
    one, _ = macro_score({"g": {"a": [1.0] * 10}}, rounds=20_000)
    assert (one.mean, one.high) == (1.0, 1.0) and one.low == pytest.approx(0.7828, abs=0.006)
    # 0 of 100: Beta(0.5, 100.5), 97.5% point 0.0247; more samples, narrower, never zero width.
    many, _ = macro_score({"g": {"a": [0.0] * 100}}, rounds=20_000)
    assert many.high == pytest.approx(0.0247, abs=0.002)


def test_ten_samples_at_one_do_not_separate_from_nine_of_ten() -> None:
    # The board ties models whose intervals overlap: 10/10 and 9/10 are not told apart by 10 samples.
    perfect, _ = macro_score({"g": {"a": [1.0] * 10}})
    nine, _ = macro_score({"g": {"a": [1.0] * 9 + [0.0]}})
    assert perfect.low < nine.mean < perfect.mean and nine.high > perfect.low


def test_intervals_are_reproducible_for_a_seed() -> None:
    groups = {"x": {"a": [1.0] * 3 + [0.0] * 7}, "y": {"b": [1.0] * 5 + [0.0] * 5}}
    assert macro_score(groups, seed=3) == macro_score(groups, seed=3)


@given(st.lists(st.sampled_from([0.0, 1.0]), min_size=1, max_size=60))
def test_macro_interval_contains_the_mean(values: list[float]) -> None:
    ci, _ = macro_score({"g": {"a": values}}, rounds=200)
    assert ci.low <= ci.mean <= ci.high and ci.low < ci.high


def test_tasks_are_drawn_within_themselves() -> None:
    # a = 100 of 100 and b = 0 of 100 in one category: the category mean (a + b) / 2 = 0.5. Each task
    # varies only as its own posterior, Beta(100.5, 0.5) and Beta(0.5, 100.5), sd 0.0070 each, so
    # the average has sd 0.0050 and the 95% interval is about [0.490, 0.510]; pooling the 200
    # samples as one task of 0.5 would give Beta(100.5, 100.5), sd 0.035, about [0.43, 0.57].
    _, groups = macro_score({"g": {"a": [1.0] * 100, "b": [0.0] * 100}}, rounds=20_000)
    assert groups["g"].mean == 0.5
    assert groups["g"].low == pytest.approx(0.490, abs=0.003) and groups["g"].high == pytest.approx(0.510, abs=0.003)


def test_varied_scores_give_the_normal_width() -> None:
    # Two tasks of 100 samples in one category, 30 and 70 of them at 1: (0.3 + 0.7) / 2 = 0.5. Each
    # task's posterior has sd about sqrt(0.3 · 0.7 / 100) = 0.0458, their average 0.0458 / sqrt(2)
    # = 0.0324, so the 95% interval is about 0.5 ± 1.96 · 0.0324 = [0.436, 0.564].
    wide, _ = macro_score({"g": {"a": [1.0] * 30 + [0.0] * 70, "b": [1.0] * 70 + [0.0] * 30}})
    assert wide.low == pytest.approx(0.436, abs=0.01) and wide.high == pytest.approx(0.564, abs=0.01)
    # One category at 1.0 and one at 0.5 (5 of 10): the macro 0.75 varies as half of each posterior.
    across, groups = macro_score({"x": {"a": [1.0] * 10}, "y": {"b": [1.0] * 5 + [0.0] * 5}})
    assert across.mean == 0.75 and across.low < 0.75 < across.high < 1.0
    assert groups["x"].low < 1.0 == groups["x"].high
