"""What a run produces: per-sample results, per-task results, and the run itself."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from equipoise.results._manifest import RunManifest


@dataclass(frozen=True)
class SampleResult:
    """One sample's prompt, response and score. `score is None` = failed call or unparseable."""

    task: str
    sample_id: str
    messages: list[dict[str, str]]
    target: Any
    response: str
    score: float | None
    label: str
    judge: str
    rationale: str = ""
    answer: str | None = None
    error: str | None = None
    latency_s: float = 0.0
    cached: bool = False
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def failed(self) -> bool:
        """The model call failed (recorded, never scored)."""
        return self.error is not None

    def to_dict(self) -> dict[str, Any]:
        """JSON form (one line of samples.jsonl)."""
        # Shallow on purpose: asdict deep-copies every message and metadata value (~0.2 ms a sample).
        return {f: getattr(self, f) for f in self.__dataclass_fields__}


@dataclass(frozen=True)
class TaskResult:
    """A task's score: mean of the scored samples with a 95% interval, and the counts of samples
    that could not be scored (unparseable) or whose model call failed. `refused` counts the scored
    samples the model refused (label `refused`: a wrong answer on an answer task, no help on a
    benign prompt); they are in the mean. Built from sample results by
    `equipoise.metrics.summarise_task`; an imported task may have no interval and counts no refusals."""

    task: str
    category: str
    n: int
    scored: int
    mean: float | None
    ci_low: float | None
    ci_high: float | None
    unparseable: int
    failed: int
    refused: int = 0
    scorer: dict[str, Any] = field(default_factory=dict)
    judges: list[str] = field(default_factory=list)
    version: str = "1"

    def to_dict(self) -> dict[str, Any]:
        """JSON form (an entry of results.json)."""
        return asdict(self)


@dataclass
class EvalRun:
    """A finished run: where it was written and what it found."""

    run_id: str
    model: dict[str, Any]
    suite: str | None
    tasks: list[TaskResult]
    samples: list[SampleResult]
    manifest: RunManifest
    run_dir: Path | None = None
    calls: int = 0
    cache_hits: int = 0

    def task(self, name: str) -> TaskResult:
        """The result of one task by name."""
        return next(t for t in self.tasks if t.task == name)

    def category_means(self) -> dict[str, float]:
        """Mean of task means per category (tasks with no scored sample are left out)."""
        groups: dict[str, list[float]] = {}
        for t in self.tasks:
            if t.mean is not None:
                groups.setdefault(t.category, []).append(t.mean)
        return {c: sum(v) / len(v) for c, v in sorted(groups.items())}
