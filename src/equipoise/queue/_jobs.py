"""The job function every backend runs: one task of one submission, through the CLI's `eval_async`.

A job's result (its task's scores and samples) waits in the job's row; when a suite's last job is
done the results are merged into one run of the suite (`merge_suite`), so a submitted entry stands
on the board on the same release as one evaluated with `equipoise eval`.
"""

from __future__ import annotations

import logging
import os
import threading
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from equipoise._errors import DatasetError, ModelError
from equipoise._registry import RegistryError
from equipoise._version import __version__
from equipoise.models import ModelEntry, entry_from_mapping
from equipoise.queue._book import Book, JobWork
from equipoise.queue._types import JobPolicy
from equipoise.results import CallCounts, EvalRun, RunManifest, RunParams, SampleResult, TaskResult
from equipoise.runner import eval_async
from equipoise.store import JobRow, SubmissionRow

log = logging.getLogger("equipoise.queue")

# Seconds between two progress writes of one job: the queue page is fresh enough, the store quiet.
PROGRESS_EVERY_S = 0.5
# Failures no retry can mend: the entry or the task is wrong, not the endpoint's health.
_PERMANENT = (ModelError, RegistryError, DatasetError)

Dispatch = Callable[[list[tuple[int, int]], float], Awaitable[None]]


class JobStopped(Exception):
    """The job was cancelled (or taken over) while it ran."""


_keys_lock = threading.Lock()
_keys_users: dict[str, int] = {}


@contextmanager
def api_key_in_env(name: str, key: str | None) -> Iterator[None]:
    """The submission's key where its adapter reads it (an environment variable named for the
    submission) while any of its jobs runs in this process, and gone afterwards."""
    if key is None:
        yield
        return
    with _keys_lock:
        _keys_users[name] = _keys_users.get(name, 0) + 1
        os.environ[name] = key
    try:
        yield
    finally:
        with _keys_lock:
            _keys_users[name] -= 1
            if not _keys_users[name]:
                del _keys_users[name]
                os.environ.pop(name, None)


def key_env_name(submission_id: int) -> str:
    return f"EQUIPOISE_SUBMISSION_{submission_id}_API_KEY"


def redact(text: str, key: str | None) -> str:
    """`text` with the API key blotted out (a server may echo what it was sent)."""
    return text.replace(key, "[api key]") if key else text


def _redact_all(value: Any, key: str | None) -> Any:
    if not key:
        return value
    if isinstance(value, str):
        return redact(value, key)
    if isinstance(value, list):
        return [_redact_all(v, key) for v in value]
    if isinstance(value, dict):
        return {k: _redact_all(v, key) for k, v in value.items()}
    return value


def keyed(entry: ModelEntry, env_name: str) -> ModelEntry:
    """The entry reading its API key (if any) from `env_name`, never from the worker's own
    OPENAI_API_KEY: a submitted endpoint must not receive the server's key."""
    if entry.provider != "openai-compat":
        return entry
    return replace(entry, args={**entry.args, "api_key_env": env_name})


def run_entry(work: JobWork) -> ModelEntry:
    """The model entry a job evaluates: the submitted one, with its key from the submission's variable."""
    entry = entry_from_mapping(work.entry, work.entry.get("display_name", ""), f"submission {work.submission_id}")
    return keyed(entry, key_env_name(work.submission_id))


async def run_job(book: Book, job_id: int, worker: str, policy: JobPolicy, dispatch: Dispatch) -> None:
    """Run one job to its end: done (its result stored, the suite's run recorded when it is the
    last), or failed (tried again later through `dispatch`, or the submission FAILED with the
    reason once its attempts are used up). Never raises for a failure of the evaluation."""
    work = book.start(job_id, worker)
    if work is None:
        return
    last = 0.0

    def on_progress(done: int, total: int) -> None:
        nonlocal last
        t = time.monotonic()
        if done < total and t - last < PROGRESS_EVERY_S:
            return
        last = t
        if not book.progress(job_id, done, total):
            raise JobStopped(f"job {job_id} was cancelled")

    log.info(
        "job %s: submission %s, task %s of %s (claim %s)",
        job_id,
        work.submission_id,
        work.task,
        work.suite,
        work.claims,
    )
    try:
        with api_key_in_env(key_env_name(work.submission_id), work.api_key):
            run = await eval_async(
                run_entry(work),
                suite=work.suite,
                tasks=[work.task],
                limit=work.limit,
                write_files=False,
                store=None,
                on_progress=on_progress,
            )
    except JobStopped:
        log.info("job %s stopped: its submission was cancelled", job_id)
        return
    except Exception as e:
        message = redact(f"{type(e).__name__}: {e}" if not str(e) else str(e), work.api_key)
        attempts = 1 if isinstance(e, _PERMANENT) else policy.max_attempts
        delay = book.fail(job_id, message, attempts, policy.retry_delay_s)
        log.warning("job %s failed (attempt %s): %s", job_id, work.attempts + 1, message)
        if delay is not None:
            await dispatch([(job_id, work.attempts + 1)], delay)
        return
    result = _redact_all(job_result(run), work.api_key)
    if book.complete(job_id, result, merge_suite):
        log.info("job %s done: %s samples", job_id, len(run.samples))


def job_result(run: EvalRun) -> dict[str, Any]:
    """What a job keeps of its one-task run until the suite's run is merged."""
    return {
        "tasks": [t.to_dict() for t in run.tasks],
        "samples": [s.to_dict() for s in run.samples],
        "manifest": run.manifest.to_dict(),
        "calls": run.calls,
        "cache_hits": run.cache_hits,
    }


def merge_suite(sub: SubmissionRow, suite: str, jobs: list[JobRow]) -> EvalRun:
    """One run of `suite` from the results of its jobs (in task order), as `equipoise eval` would
    have recorded it: the tasks, data files and call counts of all, the suite's missing tasks, the
    time from the first start to the last finish."""
    results = [j.result for j in jobs if j.result is not None]
    manifests = [RunManifest.model_validate(r["manifest"]) for r in results]
    entry = entry_from_mapping(sub.entry, sub.entry.get("display_name", ""), f"submission {sub.id}").to_dict()
    started = min(m.started for m in manifests)
    finished = max(m.finished or m.started for m in manifests)
    run_id = f"{datetime.now(UTC):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:6]}"
    total_s = (datetime.fromisoformat(finished) - datetime.fromisoformat(started)).total_seconds()
    manifest = RunManifest(
        run_id=run_id,
        equipoise_version=__version__,
        python=manifests[0].python,
        model=entry,
        suite=suite,
        tasks={name: info for m in manifests for name, info in m.tasks.items()},
        missing_tasks=list(sub.missing_tasks.get(suite, [])),
        data_files={name: f for m in manifests for name, f in m.data_files.items()},
        judge=next((m.judge for m in manifests if m.judge), None),
        params=RunParams(limit=sub.limit, seed=0),
        started=started,
        finished=finished,
        timings={"total_s": round(total_s, 3), "jobs": len(jobs)},
        calls=CallCounts(
            model_calls=sum(m.calls.model_calls for m in manifests),
            cache_hits=sum(m.calls.cache_hits for m in manifests),
            judge_calls=sum(m.calls.judge_calls for m in manifests),
            failed=sum(m.calls.failed for m in manifests),
        ),
    )
    return EvalRun(
        run_id,
        entry,
        suite,
        [TaskResult(**t) for r in results for t in r["tasks"]],
        [SampleResult(**s) for r in results for s in r["samples"]],
        manifest,
        calls=sum(r["calls"] for r in results),
        cache_hits=sum(r["cache_hits"] for r in results),
    )
