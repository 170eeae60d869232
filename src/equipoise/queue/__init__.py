"""Submissions and the job queue: a submitted entry fans out into one job per task; workers run
the jobs through the runner's `eval_async`, and when a suite's jobs are done its run is recorded.

On PostgreSQL the jobs travel on pgqueuer to `equipoise worker`s (`run_worker`); on SQLite one
in-process worker inside `equipoise serve` (`InProcessWorker`) runs them. `Queue` is what the web
app holds: it takes submissions and admin actions and sends the jobs that result to the workers.
"""

from __future__ import annotations

from typing import Any

from equipoise.queue._book import AdminConflict, AdminNotFound, Book
from equipoise.queue._jobs import merge_suite, run_job
from equipoise.queue._local import InProcessWorker
from equipoise.queue._pg import PgDispatcher, run_worker
from equipoise.queue._submit import SubmissionForm, submit
from equipoise.queue._types import JobPolicy, JobState, Status, SubmissionError
from equipoise.store import Store


class Queue:
    """The submissions of one store and the way their jobs reach a worker: pgqueuer on PostgreSQL;
    on SQLite the in-process worker when `run_worker` (else the jobs wait for a serve that runs one)."""

    def __init__(self, store: Store, run_worker: bool = False, policy: JobPolicy = JobPolicy()) -> None:
        self.book = Book(store)
        self.worker: InProcessWorker | None = None
        self.pg: PgDispatcher | None = None
        if store.engine.dialect.name == "postgresql":
            self.pg = PgDispatcher(store)
        elif run_worker:
            self.worker = InProcessWorker(self.book, policy)

    def start(self) -> None:
        if self.worker is not None:
            self.worker.start()

    def stop(self) -> None:
        if self.worker is not None:
            self.worker.stop()

    async def dispatch(self, job_ids: list[int]) -> None:
        """Send freshly queued jobs (first attempts) to the workers."""
        if self.pg is not None:
            await self.pg.dispatch([(j, 0) for j in job_ids])
        elif self.worker is not None:
            self.worker.wake()

    async def submit(self, data: dict[str, Any], client_ip: str, admin: bool = False) -> dict[str, Any]:
        """Check, store and dispatch a submission (see `equipoise.queue._submit.submit`)."""
        stored, job_ids = await submit(self.book, data, client_ip, admin)
        await self.dispatch(job_ids)
        return stored

    async def approve(self, submission_id: int) -> None:
        await self.dispatch(self.book.approve(submission_id))

    async def rerun(self, submission_id: int) -> None:
        await self.dispatch(self.book.rerun(submission_id))

    def reject(self, submission_id: int, reason: str = "") -> None:
        self.book.reject(submission_id, reason)

    def cancel(self, submission_id: int) -> None:
        self.book.cancel(submission_id)


__all__ = [
    "AdminConflict",
    "AdminNotFound",
    "Book",
    "InProcessWorker",
    "JobPolicy",
    "JobState",
    "Queue",
    "Status",
    "SubmissionError",
    "SubmissionForm",
    "merge_suite",
    "run_job",
    "run_worker",
    "submit",
]
