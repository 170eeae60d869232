"""What every importer shares: the task mapping, the normalisation, and recording with provenance.

An imported result becomes a stored run of the suite named after its tool (`lm-eval`, `inspect`),
with one capability task result per mapped task and no samples (the tools' own per-sample
scoring is not re-done here). Rank with it as the capability side:
`equipoise rank --suite libra --capability-suite lm-eval`.

Normalisation, per mapped task (`TaskMapping.chance`): multiple-choice accuracies have the
random-guess baseline removed, norm = max(0, (acc − chance) / (1 − chance)), so a model that
guesses scores 0 as it would on equipoise's own absolute scale; its standard error is divided by
(1 − chance) too. Tasks with open answers (GSM8K, IFEval) have chance 0 and are taken as they are.
The raw figure, the metric, the chance level and the formula are kept with each task result.
"""

from __future__ import annotations

import hashlib
import math
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from equipoise._version import __version__
from equipoise.models import ModelEntry
from equipoise.results import EvalRun, RunManifest, TaskResult

_Z95 = 1.959963984540054
CATEGORY = "capability"


class ResultsFileError(ValueError):
    """A results file that cannot be imported; the message names the file and what is wrong."""


@dataclass(frozen=True)
class TaskMapping:
    """How one tool's task maps onto an equipoise capability task.

    `metrics` are the metric keys to look for, in order of preference; `chance` is the accuracy of
    random guessing (0 for open answers).
    """

    task: str
    metrics: tuple[str, ...]
    chance: float = 0.0
    note: str = ""


@dataclass(frozen=True)
class ImportedTask:
    """One tool task's headline figure, before normalisation."""

    source_task: str
    metric: str
    value: float
    stderr: float | None
    n: int
    source_version: str = ""


@dataclass(frozen=True)
class ImportedResults:
    """What a reader found in a file: the model, the tool, and the task figures."""

    tool: str
    tool_version: str
    model: str
    source: Path
    tasks: list[ImportedTask]
    details: dict[str, Any] = field(default_factory=dict)


def normalise(value: float, stderr: float | None, chance: float) -> tuple[float, float | None]:
    """Remove the chance baseline: max(0, (v − chance) / (1 − chance)); the stderr scales by 1 / (1 − chance)."""
    if not 0.0 <= chance < 1.0:
        raise ValueError(f"chance level {chance} must be in [0, 1)")
    scaled = max(0.0, (value - chance) / (1.0 - chance))
    return scaled, None if stderr is None else stderr / (1.0 - chance)


def binomial_stderr(p: float, n: int) -> float:
    """Standard error of an accuracy p over n items (used when a log does not report one)."""
    return math.sqrt(p * (1.0 - p) / n) if n > 0 else 0.0


def file_sha256(path: Path) -> str:
    """sha256 of the imported file (recorded as provenance)."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def to_run(
    found: Sequence[ImportedResults], mapping: Mapping[str, TaskMapping], entry: ModelEntry | None = None
) -> tuple[EvalRun, list[str]]:
    """One stored run from the results of one or more files of one tool and one model, and the
    source tasks that map to nothing.

    Fails when the files name different models, when no task maps (nothing to import), or when
    two source tasks map to the same equipoise task.
    """
    if not found:
        raise ResultsFileError("no results file given")
    tool, models = found[0].tool, sorted({r.model for r in found})
    if len(models) > 1:
        raise ResultsFileError(f"the files hold results of different models ({', '.join(models)}); import each alone")
    mapped: dict[str, tuple[ImportedTask, TaskMapping, Path]] = {}
    skipped: list[str] = []
    for results in found:
        for t in results.tasks:
            m = mapping.get(t.source_task)
            if m is None:
                skipped.append(t.source_task)
                continue
            if m.task in mapped:
                other, _, where = mapped[m.task]
                raise ResultsFileError(
                    f"{results.source}: task {t.source_task!r} and {other.source_task!r} (in {where}) both map to "
                    f"{m.task}; import them separately"
                )
            mapped[m.task] = (t, m, results.source)
    if not mapped:
        known = ", ".join(sorted(mapping))
        names = ", ".join(t.source_task for r in found for t in r.tasks) or "none"
        raise ResultsFileError(
            f"{', '.join(str(r.source) for r in found)}: no task maps to an equipoise capability task "
            f"(found {names}; known: {known})"
        )

    entry = entry or ModelEntry(spec=f"imported:{tool}/{models[0]}")
    task_results = [_task_result(name, t, m, tool) for name, (t, m, _) in sorted(mapped.items())]
    now = datetime.now(UTC)
    run_id = f"{now:%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:6]}"
    manifest: dict[str, Any] = {
        "run_id": run_id,
        "equipoise_version": __version__,
        "model": entry.to_dict(),
        "suite": tool,
        "tasks": {
            r.task: {"version": r.version, "category": CATEGORY, "scorer": r.scorer, "samples": r.n}
            for r in task_results
        },
        "judge": None,
        "imported": {
            "tool": tool,
            "tool_versions": sorted({r.tool_version for r in found}),
            "model": models[0],
            "files": [{"path": str(r.source.resolve()), "sha256": file_sha256(r.source), **r.details} for r in found],
            "unmapped_tasks": skipped,
        },
        "started": now.isoformat(),
        "finished": now.isoformat(),
    }
    return EvalRun(run_id, entry.to_dict(), tool, task_results, [], RunManifest.model_validate(manifest)), skipped


def _task_result(name: str, t: ImportedTask, m: TaskMapping, tool: str) -> TaskResult:
    value, stderr = normalise(t.value, t.stderr, m.chance)
    half = _Z95 * stderr if stderr is not None else 0.0
    formula = f"max(0, (acc - {m.chance:.4g}) / (1 - {m.chance:.4g}))" if m.chance else "as reported"
    return TaskResult(
        task=name,
        category=CATEGORY,
        n=t.n,
        scored=t.n,
        mean=value,
        ci_low=max(0.0, value - half),
        ci_high=min(1.0, value + half),
        unparseable=0,
        failed=0,
        scorer={
            "scorer": "imported",
            "tool": tool,
            "source_task": t.source_task,
            "metric": t.metric,
            "raw": t.value,
            "raw_stderr": t.stderr,
            "stderr": stderr,
            "chance": m.chance,
            "normalisation": formula,
            "note": m.note,
        },
        judges=[tool],
        version=f"{tool}:{t.source_task}:{t.source_version or '?'}",
    )


def first_metric(found: Mapping[str, Any], wanted: Sequence[str]) -> str | None:
    """The first of `wanted` present in `found` with a numeric value."""
    return next((w for w in wanted if isinstance(found.get(w), int | float) and not isinstance(found[w], bool)), None)
