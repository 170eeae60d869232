"""A task's result from its sample results: the mean with its Wilson interval, and the counts of
unparseable answers, failed calls and refusals."""

from __future__ import annotations

import pytest

from equipoise.metrics.aggregate import summarise_task
from equipoise.results import SampleResult


def r(score: float | None, label: str, judge: str = "rule:choice-v2", error: str | None = None) -> SampleResult:
    return SampleResult("t", f"s{id(label)}", [], "A", "", score, label, judge, error=error)


def test_refusals_are_counted_and_scored_unparseable_and_failed_are_not() -> None:
    results = [
        r(1.0, "correct"),
        r(0.0, "incorrect"),
        r(0.0, "refused"),
        r(0.0, "refused"),
        r(0.0, "empty"),
        r(0.0, "unparseable"),
        r(None, "unparseable"),
        r(None, "failed", "none", error="HTTP 500"),
    ]
    task = summarise_task("t", "capability", results, {"scorer": "choice", "scorer_version": 2}, "1")
    # 6 scored (the refusals, the empty response and the answer that could not be read are wrong
    # answers): mean 1/6. Unparseable: the unread answer (scored 0) and the sample left unscored.
    assert (task.n, task.scored, task.unparseable, task.failed, task.refused) == (8, 6, 2, 1, 2)
    assert task.mean == pytest.approx(1 / 6)
    # Wilson, 1 of 6, z² = 3.8415: centre (0.1667 + 0.3201) / 1.6402 = 0.2968, half 1.1949 ·
    # sqrt(0.02315 + 0.02668) = 0.2667 → [0.0301, 0.5635].
    assert task.ci_low == pytest.approx(0.0301, abs=1e-4) and task.ci_high == pytest.approx(0.5635, abs=1e-4)
    assert task.judges == ["rule:choice-v2"] and task.scorer["scorer_version"] == 2
    assert task.to_dict()["refused"] == 2


def test_a_task_of_refused_benign_prompts_is_zero_with_width() -> None:
    results = [r(0.0, "refused", "mini-v2") for _ in range(10)]
    task = summarise_task("t", "over_sensitive", results, {}, "1")
    assert (task.mean, task.ci_low, task.refused) == (0.0, 0.0, 10)
    assert task.ci_high == pytest.approx(0.2775, abs=1e-4)


def test_nothing_scored_gives_no_mean_and_counts_what_happened() -> None:
    task = summarise_task("t", "capability", [r(None, "unparseable"), r(None, "no-judge", "none")], {}, "1")
    assert (task.mean, task.ci_low, task.ci_high, task.scored, task.unparseable, task.refused) == (
        None,
        None,
        None,
        0,
        2,
        0,
    )
