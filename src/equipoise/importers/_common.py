"""What every importer shares: the task mapping, the run it becomes, and its provenance.

An imported result becomes a stored run of the suite named after its tool (`lm-eval`, `inspect`),
with one capability task result per mapped task and no samples (the tools' own per-sample
scoring is not re-done here). Rank with it as the capability side:
`equipoise rank --suite libra --capability-suite lm-eval`.

Scale: the tool's figure is taken as it is (raw accuracy: the share of items answered right), the
same scale as equipoise's own capability tasks, which score each item 1 or 0 and average; no
chance baseline is removed on either side, so a model that always guesses scores about 1/4 on a
four-option task both ways. Each mapping names its metric and this normalisation
(`TaskMapping.describe`), for `equipoise tasks` and the About page.

Interval: 95% normal interval from the tool's standard error; from the binomial standard error
sqrt(p(1-p)/n) when the file has none but the item count is known; none when neither is known
(the import says so, and the board shows the score without bounds).
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
from equipoise.metrics.bootstrap import Z95
from equipoise.models import ModelEntry
from equipoise.results import EvalRun, RunManifest, TaskResult

CATEGORY = "capability"
RAW = "none (raw accuracy, as equipoise scores its own runs)"


class ResultsFileError(ValueError):
    """A results file that cannot be imported; the message names the file and what is wrong."""


@dataclass(frozen=True)
class TaskMapping:
    """How one tool's task maps onto an equipoise capability task.

    `metrics` are the metric keys to look for, in order of preference. `full_n` is the number of
    items of the tool's standard split, read from `datasets` (the dataset paths the tool's own
    task configs use): the count when a file records none but its config shows that split was
    run whole (no `--limit`).
    """

    task: str
    metrics: tuple[str, ...]
    note: str = ""
    full_n: int | None = None
    datasets: tuple[str, ...] = ()
    normalisation: str = RAW

    def describe(self) -> str:
        """One line for listings: metric and normalisation."""
        note = f"; {self.note}" if self.note else ""
        return f"metric {' or '.join(self.metrics)}; normalisation {self.normalisation}{note}"


@dataclass(frozen=True)
class ImportedTask:
    """One tool task's headline figure. `n` is None when the file does not say how many items."""

    source_task: str
    metric: str
    value: float
    stderr: float | None
    n: int | None
    source_version: str = ""
    n_from: str = ""


@dataclass(frozen=True)
class ImportedResults:
    """What a reader found in a file: the model, the tool, and the task figures."""

    tool: str
    tool_version: str
    model: str
    source: Path
    tasks: list[ImportedTask]
    details: dict[str, Any] = field(default_factory=dict)


def binomial_stderr(p: float, n: int) -> float:
    """Standard error of an accuracy p over n items (used when a log does not report one)."""
    return math.sqrt(p * (1.0 - p) / n) if n > 0 else 0.0


def file_sha256(path: Path) -> str:
    """sha256 of the imported file (recorded as provenance)."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def to_run(
    found: Sequence[ImportedResults],
    mapping: Mapping[str, TaskMapping],
    entry: ModelEntry | None = None,
    previous: Mapping[str, Any] | None = None,
) -> tuple[EvalRun, list[str]]:
    """One stored run from the results of one or more files of one tool and one model, and the
    source tasks that map to nothing.

    `previous` is the entry's latest stored import of this tool (a `Store.list_runs` row): its
    tasks that these files do not hold are carried over, so importing a model's files one at a
    time builds up one board entry, and a re-imported task replaces only itself.

    Fails when the files name different models, when no task maps (nothing to import), or when
    two source tasks map to the same equipoise task.
    """
    if not found:
        raise ResultsFileError("no results file given")
    tool, models = found[0].tool, sorted({r.model for r in found})
    if len(models) > 1:
        raise ResultsFileError(f"the files hold results of different models ({', '.join(models)}); import each alone")
    mapped: dict[str, tuple[ImportedTask, TaskMapping, ImportedResults]] = {}
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
                    f"{results.source}: task {t.source_task!r} and {other.source_task!r} (in {where.source}) both map "
                    f"to {m.task}; import them separately"
                )
            mapped[m.task] = (t, m, results)
    if not mapped:
        raise ResultsFileError(
            f"{', '.join(str(r.source) for r in found)}: no task maps to an equipoise capability task "
            f"(found {', '.join(t.source_task for r in found for t in r.tasks) or 'none'}); "
            f"known {tool} tasks: {', '.join(sorted(mapping))}"
            + ("; or name the equipoise task yourself with --as TASK" if tool == "inspect" else "")
        )

    entry = entry or ModelEntry(spec=f"imported:{tool}/{models[0]}")
    fresh = {name: _task_result(name, t, m, tool) for name, (t, m, _) in mapped.items()}
    provenance = {
        name: {
            "source_task": t.source_task,
            "tool_version": r.tool_version,
            "file": str(r.source.resolve()),
            "sha256": file_sha256(r.source),
            **r.details,
        }
        for name, (t, _, r) in mapped.items()
    }
    kept: dict[str, TaskResult] = {}
    if previous is not None:
        old = previous["manifest"]["imported"].get("tasks", {})
        kept = {t.task: t for t in previous["tasks"] if t.task not in fresh and t.task in old}
        provenance = {**{name: old[name] for name in kept}, **provenance}
    task_results = sorted([*kept.values(), *fresh.values()], key=lambda r: r.task)
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
            "tool_versions": sorted({p["tool_version"] for p in provenance.values()}),
            "model": models[0],
            "tasks": dict(sorted(provenance.items())),
            "files": sorted({p["file"]: p["sha256"] for p in provenance.values()}.items()),
            "unmapped_tasks": skipped,
            "merged_from": previous["run_id"] if kept and previous is not None else None,
        },
        "started": now.isoformat(),
        "finished": now.isoformat(),
    }
    return EvalRun(run_id, entry.to_dict(), tool, task_results, [], RunManifest.model_validate(manifest)), skipped


def _task_result(name: str, t: ImportedTask, m: TaskMapping, tool: str) -> TaskResult:
    stderr = t.stderr if t.stderr is not None else (binomial_stderr(t.value, t.n) if t.n else None)
    low = high = None
    if stderr is not None:
        low, high = max(0.0, t.value - Z95 * stderr), min(1.0, t.value + Z95 * stderr)
    n = t.n or 0
    return TaskResult(
        task=name,
        category=CATEGORY,
        n=n,
        scored=n,
        mean=t.value,
        ci_low=low,
        ci_high=high,
        unparseable=0,
        failed=0,
        scorer={
            "scorer": "imported",
            "tool": tool,
            "source_task": t.source_task,
            "metric": t.metric,
            "raw": t.value,
            "stderr": stderr,
            "stderr_from": "tool" if t.stderr is not None else ("binomial" if stderr is not None else None),
            "n": t.n,
            "n_from": t.n_from or None,
            "normalisation": m.normalisation,
            "note": m.note,
        },
        judges=[tool],
        version=f"{tool}:{t.source_task}:{t.source_version or '?'}",
    )


def first_metric(found: Mapping[str, Any], wanted: Sequence[str]) -> str | None:
    """The first of `wanted` present in `found` with a numeric value."""
    return next((w for w in wanted if isinstance(found.get(w), int | float) and not isinstance(found[w], bool)), None)
