"""The one runner: the CLI, the worker and the tests all evaluate through `evaluate`.

`eval_async` is a pipeline of small steps: check the options, select the samples, build the
requests, run them concurrently, score, aggregate, write the run directory, record. The runner sits
below the store: the caller opens the store (before any model call, so a bad store URL costs
nothing; `equipoise.evaluate` does) and passes it in as `store`. Progress goes to the caller's
`on_progress(done, total)`; the runner draws nothing itself.
"""

from __future__ import annotations

import asyncio
import gc
import json
import platform
import random
import re
import time
import uuid
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from equipoise._version import __version__
from equipoise.datasets._sample import Sample
from equipoise.judges import Judgement, JudgeTask, OpenJudge, ResponseJudge, open_judge
from equipoise.metrics.aggregate import summarise_task
from equipoise.models import (
    CachedModel,
    ChatMessage,
    ChatRequest,
    ChatResponse,
    ModelEntry,
    create_model,
    open_response_cache,
    resolve_entry,
)
from equipoise.results import CallCounts, DataFile, EvalRun, RunManifest, RunParams, SampleResult, TaskInfo, TaskResult
from equipoise.scoring._types import ScoreContext
from equipoise.settings import get_settings
from equipoise.tasks._task import Task, select_tasks

Progress = Callable[[int, int], None]


class RunRecorder(Protocol):
    """Where a finished run is recorded (the results store)."""

    def record_run(self, run: EvalRun) -> None:
        """Store the run with its task results and samples."""
        ...


@dataclass
class _WatchedJudge:
    """The run's response judge, noting whether any score asked it: a run none of whose scores did
    (a capability run, say) records no judge, so it stands on a board under any judge."""

    inner: ResponseJudge
    asked: bool = False

    @property
    def name(self) -> str:
        return self.inner.name

    async def judge_many(self, items: Sequence[tuple[str, str]], task: JudgeTask) -> list[Judgement]:
        self.asked = True
        return await self.inner.judge_many(items, task)


class RunFailed(RuntimeError):
    """Every model call of a run failed: nothing was scored and nothing was recorded."""

    def __init__(self, message: str, run: EvalRun) -> None:
        super().__init__(message)
        self.run = run


@dataclass(frozen=True)
class _Job:
    task: Task
    sample: Sample
    request: ChatRequest


def select_samples(samples: list[Sample], limit: int | None, seed: int) -> list[Sample]:
    """`limit` samples drawn with a fixed seed (kept in file order); all when no limit."""
    if limit is None or limit >= len(samples):
        return samples
    keep = sorted(random.Random(seed).sample(range(len(samples)), limit))
    return [samples[i] for i in keep]


def _check_options(limit: int | None, max_connections: int | None) -> None:
    if limit is not None and limit < 1:
        raise ValueError(f"--limit must be at least 1 (got {limit}); leave it out to run every sample")
    if max_connections is not None and max_connections < 1:
        raise ValueError(f"--max-connections must be at least 1 (got {max_connections})")


def _choose_tasks(suite: str | None, names: list[str] | None, data_dir: Path | None) -> tuple[list[Task], list[str]]:
    """The tasks to run, and those of the suite left out because their data is missing."""
    chosen = select_tasks(suite=suite, names=names)
    missing: list[str] = []
    if suite is not None and not names:
        # A suite may list datasets a user cannot have (gated ones): run what is present, say what is
        # not, and record it, so the run's release is what was run and the board can list the rest.
        missing = [t.name for t in chosen if not t.present(data_dir)]
        if missing:
            warnings.warn(f"skipping tasks whose data is missing: {', '.join(missing)}", stacklevel=3)
        chosen = [t for t in chosen if t.present(data_dir)]
    if not chosen:
        raise ValueError("no tasks selected: pass --suite or --tasks (see `equipoise tasks`)")
    return chosen, missing


def _load_work(
    tasks: list[Task], data_dir: Path | None, limit: int | None, seed: int
) -> list[tuple[Task, list[Sample]]]:
    """Every task's selected samples, loaded before the first model call so bad data costs nothing."""
    work = []
    for t in tasks:
        samples = t.samples(data_dir)
        if not samples:
            files = ", ".join(str(f.path(data_dir)) for f in t.files) or "its built-in data"
            raise ValueError(f"task {t.name} has no samples ({files} holds no rows): nothing to evaluate")
        work.append((t, select_samples(samples, limit, seed)))
    return work


def _with_system_prompt(sample: Sample, system_prompt: str | None) -> tuple[ChatMessage, ...]:
    """The entry's system prompt goes first; a sample's own system message follows it."""
    if not system_prompt:
        return sample.messages
    if sample.messages and sample.messages[0].role == "system":
        merged = ChatMessage("system", f"{system_prompt}\n\n{sample.messages[0].content}")
        return (merged, *sample.messages[1:])
    return (ChatMessage("system", system_prompt), *sample.messages)


def build_requests(work: Sequence[tuple[Task, list[Sample]]], entry: ModelEntry) -> list[_Job]:
    """One request per sample; one decoding config per task, shared by its requests (and cache keys)."""
    configs = {t.name: t.generate_config(entry.config) for t, _ in work}
    return [
        _Job(t, s, ChatRequest(_with_system_prompt(s, entry.system_prompt), configs[t.name]))
        for t, samples in work
        for s in samples
    ]


async def _score_sample(job: _Job, response: ChatResponse, ctx: ScoreContext) -> SampleResult:
    """Score one response (a failed call is recorded as a failure, never scored)."""
    task, sample, messages = job.task, job.sample, job.request.message_dicts()
    if response.failed:
        return SampleResult(
            task.name,
            sample.id,
            messages,
            sample.target,
            "",
            None,
            "failed",
            "none",
            error=response.error,
            latency_s=response.latency_s,
            metadata=sample.metadata,
        )
    try:
        score = await task.scorer(sample, response, ctx)
    except Exception as e:
        raise RuntimeError(f"scorer {task.scorer.name!r} of task {task.name} failed on sample {sample.id}: {e}") from e
    return SampleResult(
        task.name,
        sample.id,
        messages,
        sample.target,
        response.text,
        score.value,
        score.label,
        score.judge,
        score.rationale,
        score.answer,
        None,
        response.latency_s,
        response.cached,
        {**sample.metadata, **score.extra},
    )


async def run_jobs(
    jobs: list[_Job], model: CachedModel, ctx: ScoreContext, concurrency: int, on_progress: Progress | None
) -> list[SampleResult]:
    """Send every request with at most `concurrency` in flight and score each response as it arrives."""
    model.prefetch([j.request for j in jobs])
    queue = iter(jobs)
    results: list[SampleResult] = []
    total = len(jobs)

    async def score(job: _Job, response: ChatResponse) -> None:
        results.append(await _score_sample(job, response, ctx))
        if on_progress is not None:
            on_progress(len(results), total)

    # `concurrency` workers share one queue of requests. A worker sends its next request in the
    # same loop turn in which its previous response arrived, and scoring (which may wait on a judge
    # model) runs in a task of its own, so a slot never idles waiting for a wake-up or a judge: at
    # 50 ms per call each idle loop turn costs about 2% of the rate.
    async def worker(group: asyncio.TaskGroup) -> None:
        for job in queue:
            response = await model.chat(job.request)
            group.create_task(score(job, response))

    # Everything allocated so far (imported modules, datasets, the model) is long-lived; freezing
    # it keeps the cyclic GC from rescanning it during the calls, which otherwise costs as much CPU
    # per request as the HTTP client itself.
    gc.freeze()
    try:
        async with asyncio.TaskGroup() as group:
            for _ in range(min(concurrency, len(jobs))):
                group.create_task(worker(group))
    except ExceptionGroup as failed:
        raise failed.exceptions[0] from None
    finally:
        gc.unfreeze()
    return results


def aggregate(
    work: Sequence[tuple[Task, list[Sample]]], results: list[SampleResult]
) -> tuple[list[SampleResult], list[TaskResult]]:
    """Sample results in file order per task, and each task's result."""
    by_task: dict[str, list[SampleResult]] = {t.name: [] for t, _ in work}
    for r in results:
        by_task[r.task].append(r)
    samples_out: list[SampleResult] = []
    task_results: list[TaskResult] = []
    for t, samples in work:
        order = {s.id: i for i, s in enumerate(samples)}
        rs = sorted(by_task[t.name], key=lambda r: order[r.sample_id])
        samples_out.extend(rs)
        task_results.append(summarise_task(t.name, t.category, rs, t.scorer.config(), t.version))
    return samples_out, task_results


def _data_files(tasks: Sequence[Task], data_dir: Path | None) -> dict[str, DataFile]:
    files: dict[str, DataFile] = {}
    for t in tasks:
        for f in t.files:
            if f.name not in files:
                files[f.name] = DataFile(
                    sha256=f.checksum(data_dir),
                    expected_sha256=f.sha256,
                    source=f.source,
                    license=f.license,
                    builtin=f.builtin,
                )
    return files


def _first_failure(samples: Sequence[SampleResult]) -> str | None:
    return next((s.error for s in samples if s.error), None)


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9.]+", "-", text).strip("-")[:60]


async def eval_async(
    model: str | ModelEntry,
    *,
    suite: str | None = None,
    tasks: list[str] | None = None,
    limit: int | None = None,
    seed: int = 0,
    data_dir: Path | None = None,
    judge: str | ModelEntry | None = None,
    max_connections: int | None = None,
    run_dir: Path | None = None,
    write_files: bool = True,
    store: RunRecorder | None = None,
    use_cache: bool = True,
    on_progress: Progress | None = None,
) -> EvalRun:
    """Evaluate one model entry on a suite or on named tasks. See `evaluate`."""
    settings = get_settings()
    _check_options(limit, max_connections)
    data_dir = data_dir if data_dir is not None else settings.data_dir
    entry = model if isinstance(model, ModelEntry) else resolve_entry(model, settings.models_file)
    chosen, missing = _choose_tasks(suite, tasks, data_dir)
    work = _load_work(chosen, data_dir, limit, seed)
    jobs = build_requests(work, entry)

    cache = open_response_cache(settings.response_cache_path, settings.response_cache_url) if use_cache else None
    # --max-connections raises (or lowers) the adapter's own connection limit too: otherwise its
    # default pool size, not the runner's gate, would bound the requests in flight.
    model_entry = (
        entry if max_connections is None else replace(entry, args={**entry.args, "max_concurrency": max_connections})
    )
    chat_model: CachedModel | None = None
    judging: OpenJudge | None = None
    run_id = f"{datetime.now(UTC):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:6]}"
    started = time.time()
    try:
        chat_model = CachedModel(create_model(model_entry), entry.identity(), cache)
        judging = open_judge(judge or settings.default_judge, cache=cache, use_cache=use_cache, under_test=entry)
        watched = _WatchedJudge(judging.judge)
        ctx = ScoreContext(judge=judging.model, judge_name=judging.name, response_judge=watched)
        results = await run_jobs(jobs, chat_model, ctx, max_connections or chat_model.max_concurrency, on_progress)
        judge_used = watched.asked or (judging.model is not None and judging.model.calls + judging.model.hits > 0)
    finally:
        if chat_model is not None:
            await chat_model.aclose()
        if judging is not None:
            await judging.aclose()
        if cache is not None:
            cache.close()

    samples_out, task_results = aggregate(work, results)
    finished = time.time()
    failed = sum(s.failed for s in samples_out)
    manifest = RunManifest(
        run_id=run_id,
        equipoise_version=__version__,
        python=platform.python_version(),
        model=entry.to_dict(),
        suite=suite,
        tasks={
            t.name: TaskInfo(
                version=t.version,
                category=t.category,
                scorer=t.scorer.config(),
                samples=len(s),
                files=[f.name for f in t.files],
            )
            for t, s in work
        },
        missing_tasks=missing,
        data_files=_data_files(chosen, data_dir),
        judge=judging.name if judge_used else None,
        params=RunParams(limit=limit, seed=seed, max_connections=max_connections),
        started=datetime.fromtimestamp(started, UTC).isoformat(),
        finished=datetime.fromtimestamp(finished, UTC).isoformat(),
        timings={"total_s": round(finished - started, 3)},
        calls=CallCounts(
            model_calls=chat_model.calls, cache_hits=chat_model.hits, judge_calls=judging.calls, failed=failed
        ),
    )
    run = EvalRun(
        run_id,
        entry.to_dict(),
        suite,
        task_results,
        samples_out,
        manifest,
        calls=chat_model.calls,
        cache_hits=chat_model.hits,
    )
    if write_files:
        write_run_dir(run, run_dir or settings.runs_dir / f"{run_id}-{_slug(entry.name)}")
    if samples_out and failed == len(samples_out):
        # Nothing was scored: recording it would put an empty row on the board in place of a good one.
        where = f"; the run directory {run.run_dir} has every sample's error" if run.run_dir else ""
        raise RunFailed(
            f"every one of the {failed} model calls to {entry.spec} failed, so nothing was scored or recorded. "
            f"The first error: {_first_failure(samples_out)}{where}",
            run,
        )
    if store is not None:
        store.record_run(run)
    return run


def write_run_dir(run: EvalRun, path: Path) -> None:
    """Write manifest.json, samples.jsonl and results.json into `path`."""
    path.mkdir(parents=True, exist_ok=True)
    run.run_dir = path
    (path / "manifest.json").write_text(json.dumps(run.manifest.to_dict(), indent=2, ensure_ascii=False))
    with (path / "samples.jsonl").open("w", encoding="utf-8") as f:
        for s in run.samples:
            f.write(json.dumps(s.to_dict(), ensure_ascii=False, default=str) + "\n")
    results = {
        "run_id": run.run_id,
        "model": run.model,
        "suite": run.suite,
        "tasks": [t.to_dict() for t in run.tasks],
        "categories": run.category_means(),
    }
    (path / "results.json").write_text(json.dumps(results, indent=2, ensure_ascii=False))


def evaluate(model: str | ModelEntry, **options: Any) -> EvalRun:
    """Evaluate a model entry (or spec, or entry name) on a suite or tasks.

    Options: suite, tasks, limit, seed, data_dir, judge, max_connections, run_dir, write_files,
    store (where to record the run; None: not recorded), use_cache, on_progress (called with
    (done, total) after each sample). Returns the EvalRun with task scores and every sample.
    Raises ValueError for bad options, RunFailed when every model call failed.
    """
    return asyncio.run(eval_async(model, **options))
