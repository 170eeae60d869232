"""The one runner: the CLI, the worker and the tests all evaluate through `evaluate`."""

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
from collections.abc import Sequence
from contextlib import nullcontext
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from equipoise import __version__
from equipoise.datasets._sample import Sample
from equipoise.models._entry import ModelEntry, create_model, resolve_entry
from equipoise.models._types import ChatMessage, ChatRequest, ChatResponse
from equipoise.runner._cache import CachedModel, ResponseCache
from equipoise.runner._results import EvalRun, SampleResult, TaskResult
from equipoise.scoring._types import ScoreContext
from equipoise.scoring.response_judges import ResponseJudge, get_response_judge, is_registered_judge
from equipoise.settings import get_settings
from equipoise.tasks._task import Task, select_tasks


def select_samples(samples: list[Sample], limit: int | None, seed: int) -> list[Sample]:
    """`limit` samples drawn with a fixed seed (kept in file order); all when no limit."""
    if limit is None or limit >= len(samples):
        return samples
    keep = sorted(random.Random(seed).sample(range(len(samples)), limit))
    return [samples[i] for i in keep]


def _with_system_prompt(sample: Sample, system_prompt: str | None) -> tuple[ChatMessage, ...]:
    """The entry's system prompt goes first; a sample's own system message follows it."""
    if not system_prompt:
        return sample.messages
    if sample.messages and sample.messages[0].role == "system":
        merged = ChatMessage("system", f"{system_prompt}\n\n{sample.messages[0].content}")
        return (merged, *sample.messages[1:])
    return (ChatMessage("system", system_prompt), *sample.messages)


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9.]+", "-", text).strip("-")[:60]


def _progress(enabled: bool) -> Progress | nullcontext[None]:
    if not enabled:
        return nullcontext()
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[rate]:>7} samples/s"),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
    )


async def _score_sample(
    task: Task, sample: Sample, request: ChatRequest, response: ChatResponse, ctx: ScoreContext
) -> SampleResult:
    """Score one response (a failed call is recorded as a failure, never scored)."""
    messages = request.message_dicts()
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


def _judges(
    judge: str | ModelEntry, entry: ModelEntry, cache: ResponseCache | None
) -> tuple[CachedModel | None, ResponseJudge]:
    """The judge chat model (when the judge is a model) and the response judge built on it."""
    if isinstance(judge, str) and is_registered_judge(judge):
        return None, get_response_judge(judge)
    judge_entry = judge if isinstance(judge, ModelEntry) else resolve_entry(judge, get_settings().models_file)
    if judge_entry.spec == entry.spec:
        warnings.warn(
            f"the judge {judge_entry.spec} is the model under evaluation: it will grade its own "
            "outputs; configure another judge model for an unbiased score",
            stacklevel=3,
        )
    judge_model = CachedModel(create_model(judge_entry), judge_entry.identity(), cache)
    return judge_model, get_response_judge(judge_entry.spec, judge_model)


def _data_manifest(tasks: Sequence[Task], data_dir: Path | None) -> dict[str, dict[str, Any]]:
    files: dict[str, dict[str, Any]] = {}
    for t in tasks:
        for f in t.files:
            if f.name not in files:
                found = f.checksum(data_dir)
                files[f.name] = {
                    "sha256": found,
                    "expected_sha256": f.sha256,
                    "source": f.source,
                    "license": f.license,
                    "builtin": f.builtin,
                }
    return files


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
    store_url: str | None = None,
    record: bool = True,
    use_cache: bool = True,
    show_progress: bool = False,
) -> EvalRun:
    """Evaluate one model entry on a suite or on named tasks. See `evaluate`."""
    settings = get_settings()
    data_dir = data_dir if data_dir is not None else settings.data_dir
    entry = model if isinstance(model, ModelEntry) else resolve_entry(model, settings.models_file)
    chosen = select_tasks(suite=suite, names=tasks)
    if suite is not None and not tasks:
        # A suite may list datasets a user cannot have (gated ones): run what is present, say what is not.
        missing = [t.name for t in chosen if not t.present(data_dir)]
        if missing:
            warnings.warn(f"skipping tasks whose data is missing: {', '.join(missing)}", stacklevel=2)
        chosen = [t for t in chosen if t.present(data_dir)]
    if not chosen:
        raise ValueError("no tasks selected: pass --suite or --tasks (see `equipoise tasks`)")
    # Load every dataset before the first model call, so bad data fails fast and costs nothing.
    work = [(t, select_samples(t.samples(data_dir), limit, seed)) for t in chosen]
    data_files = _data_manifest(chosen, data_dir)

    cache = ResponseCache(settings.response_cache_path) if use_cache else None
    # --max-connections raises (or lowers) the adapter's own connection limit too: otherwise its
    # default pool size, not the runner's gate, would bound the requests in flight.
    model_entry = (
        entry if max_connections is None else replace(entry, args={**entry.args, "max_concurrency": max_connections})
    )
    chat_model = CachedModel(create_model(model_entry), entry.identity(), cache)
    judge_model, response_judge = _judges(judge or settings.default_judge, entry, cache)
    ctx = ScoreContext(
        judge=judge_model,
        judge_name=judge_model.name if judge_model else response_judge.name,
        response_judge=response_judge,
    )

    run_id = f"{datetime.now(UTC):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:6]}"
    started = time.time()
    manifest: dict[str, Any] = {
        "run_id": run_id,
        "equipoise_version": __version__,
        "python": platform.python_version(),
        "model": entry.to_dict(),
        "suite": suite,
        "tasks": {
            t.name: {
                "version": t.version,
                "category": t.category,
                "scorer": t.scorer.config(),
                "samples": len(s),
            }
            for t, s in work
        },
        "data_files": data_files,
        "judge": ctx.judge_name,
        "params": {"limit": limit, "seed": seed, "max_connections": max_connections},
        "started": datetime.fromtimestamp(started, UTC).isoformat(),
    }
    concurrency = max_connections or chat_model.max_concurrency
    total = sum(len(s) for _, s in work)
    results: dict[str, list[SampleResult]] = {t.name: [] for t, _ in work}
    try:
        with _progress(show_progress) as progress:
            bar = progress.add_task(f"{entry.name}", total=total, rate="-") if progress else None

            # One decoding config per task, shared by its samples' requests (and cache keys).
            configs = {t.name: t.generate_config(entry.config) for t, _ in work}
            jobs = [
                (t, s, ChatRequest(_with_system_prompt(s, entry.system_prompt), configs[t.name]))
                for t, samples in work
                for s in samples
            ]
            chat_model.prefetch([request for _, _, request in jobs])
            queue = iter(jobs)

            async def score(t: Task, s: Sample, request: ChatRequest, response: ChatResponse) -> None:
                results[t.name].append(await _score_sample(t, s, request, response, ctx))
                if progress is not None and bar is not None:
                    done = progress.tasks[0].completed + 1
                    progress.update(bar, advance=1, rate=f"{done / max(time.time() - started, 1e-9):.1f}")

            # `concurrency` workers share one queue of requests. A worker sends its next request in
            # the same loop turn in which its previous response arrived, and scoring (which may
            # wait on a judge model) runs in a task of its own, so a slot never idles waiting for
            # a wake-up or a judge: at 50 ms per call each idle loop turn costs about 2% of the rate.
            async def worker(group: asyncio.TaskGroup) -> None:
                for t, s, request in queue:
                    response = await chat_model.chat(request)
                    group.create_task(score(t, s, request, response))

            # Everything allocated so far (imported modules, datasets, the model) is long-lived;
            # freezing it keeps the cyclic GC from rescanning it during the calls, which otherwise
            # costs as much CPU per request as the HTTP client itself.
            gc.freeze()
            try:
                async with asyncio.TaskGroup() as group:
                    for _ in range(min(concurrency, len(jobs))):
                        group.create_task(worker(group))
            except ExceptionGroup as failed:
                raise failed.exceptions[0] from None
            finally:
                gc.unfreeze()
    finally:
        await chat_model.aclose()
        if judge_model is not None:
            await judge_model.aclose()
        if cache is not None:
            cache.close()

    order = {t.name: {s.id: i for i, s in enumerate(samples)} for t, samples in work}
    samples_out: list[SampleResult] = []
    task_results: list[TaskResult] = []
    for t, _ in work:
        rs = sorted(results[t.name], key=lambda r, o=order[t.name]: o[r.sample_id])  # type: ignore[misc]
        samples_out.extend(rs)
        task_results.append(TaskResult.from_samples(t.name, t.category, rs, t.scorer.config(), t.version, seed))
    finished = time.time()
    manifest.update(
        finished=datetime.fromtimestamp(finished, UTC).isoformat(),
        timings={"total_s": round(finished - started, 3)},
        calls={
            "model_calls": chat_model.calls,
            "cache_hits": chat_model.hits,
            "judge_calls": judge_model.calls if judge_model else 0,
        },
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
        target = run_dir or settings.runs_dir / f"{run_id}-{_slug(entry.name)}"
        write_run_dir(run, target)
    if record:
        from equipoise.store import Store

        Store(store_url or settings.resolved_database_url).record_run(run)
    return run


def write_run_dir(run: EvalRun, path: Path) -> None:
    """Write manifest.json, samples.jsonl and results.json into `path`."""
    path.mkdir(parents=True, exist_ok=True)
    run.run_dir = path
    (path / "manifest.json").write_text(json.dumps(run.manifest, indent=2, ensure_ascii=False))
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
    """Evaluate a model entry (or spec, or entry name) on a suite or tasks, and record the run.

    Options: suite, tasks, limit, seed, data_dir, judge, max_connections, run_dir, write_files,
    store_url, record, use_cache, show_progress. Returns the EvalRun with task scores and every sample.
    """
    return asyncio.run(eval_async(model, **options))
