"""From task scores to category scores to suite scores, with bootstrap intervals.

Task score = mean of its scored samples. Category score = mean of its task scores. A suite score
(safety, capability) = macro-average of its category (or task) scores. Intervals come from a
stratified bootstrap: each task's samples are resampled within the task, and the whole chain of
means is recomputed, so a task with few samples widens the interval as it should. No score is
ever normalised against other models: adding a model changes no other model's score.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from equipoise.metrics.bootstrap import Interval, bootstrap_mean
from equipoise.results import SampleResult, TaskResult

SAFETY_CATEGORIES = ("direct_risky", "adversarial", "instruction_hierarchy", "over_sensitive")


@dataclass(frozen=True)
class GroupedScores:
    """Per-sample scores grouped as {group: {task: values}} (groups = categories)."""

    groups: Mapping[str, Mapping[str, Sequence[float]]]

    def point(self) -> tuple[float | None, dict[str, float], dict[str, float]]:
        """(macro-average over groups, group means, task means); empty tasks/groups are left out."""
        task_means = {t: float(np.mean(v)) for g in self.groups.values() for t, v in g.items() if len(v)}
        group_means: dict[str, float] = {}
        for group, tasks in self.groups.items():
            means = [task_means[t] for t in tasks if t in task_means]
            if means:
                group_means[group] = float(np.mean(means))
        macro = float(np.mean(list(group_means.values()))) if group_means else None
        return macro, group_means, task_means


def macro_score(
    groups: Mapping[str, Mapping[str, Sequence[float]]],
    rounds: int = 1000,
    level: float = 0.95,
    seed: int = 0,
) -> tuple[Interval, dict[str, Interval]]:
    """Macro-average over groups of the mean of task means, with stratified-bootstrap intervals.

    Returns (overall interval, {group: interval}). `n` of the overall interval is the number of
    scored samples behind it.
    """
    scores = GroupedScores(groups)
    macro, group_means, _ = scores.point()
    n_total = sum(len(v) for g in groups.values() for v in g.values())
    if macro is None:
        return Interval(None, None, None, 0), {}
    rng = np.random.default_rng(seed)
    group_draws: dict[str, np.ndarray] = {}
    for group, tasks in groups.items():
        task_draws = []
        for values in tasks.values():
            arr = np.asarray(values, dtype=float)
            if arr.size == 0:
                continue
            counts = rng.multinomial(arr.size, np.full(arr.size, 1.0 / arr.size), size=rounds)
            task_draws.append(counts @ arr / arr.size)
        if task_draws:
            group_draws[group] = np.mean(task_draws, axis=0)
    alpha = (1.0 - level) / 2.0

    def interval(point: float, draws: np.ndarray, n: int) -> Interval:
        low, high = np.quantile(draws, [alpha, 1.0 - alpha])
        return Interval(point, float(low), float(high), n)

    per_group = {
        g: interval(group_means[g], d, sum(len(v) for v in groups[g].values())) for g, d in group_draws.items()
    }
    overall = interval(macro, np.mean(list(group_draws.values()), axis=0), n_total)
    return overall, per_group


def summarise_task(
    task: str,
    category: str,
    results: Sequence[SampleResult],
    scorer: dict[str, Any],
    version: str,
    seed: int = 0,
) -> TaskResult:
    """A task's result from its sample results: mean of the scored ones with a bootstrap interval,
    and the counts of unparseable answers and failed calls (which are never scored)."""
    values = [r.score for r in results if r.score is not None]
    failed = sum(r.failed for r in results)
    ci = bootstrap_mean(values, seed=seed)
    return TaskResult(
        task=task,
        category=category,
        n=len(results),
        scored=len(values),
        mean=ci.mean,
        ci_low=ci.low,
        ci_high=ci.high,
        unparseable=len(results) - len(values) - failed,
        failed=failed,
        scorer=scorer,
        judges=sorted({r.judge for r in results if not r.failed}),
        version=version,
    )
