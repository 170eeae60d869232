"""The PostgreSQL backend: jobs carried by pgqueuer, run by any number of `equipoise worker`s.

pgqueuer delivers each job to one worker and keeps its heartbeat; a job whose worker stops beating
(killed, machine gone) is picked again by another after `heartbeat_timeout`. The store's job rows
stay the truth: a pgqueuer job only carries a job id, so a job delivered twice runs twice at most
and is recorded once (`Book.complete`). Every `reconcile_s` a worker re-sends the queued jobs no
pgqueuer job carries (a server that died between storing a submission and sending its jobs).
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from datetime import timedelta

from equipoise.queue._book import Book
from equipoise.queue._jobs import run_job
from equipoise.queue._types import JobPolicy
from equipoise.store import Store

log = logging.getLogger("equipoise.queue")

ENTRYPOINT = "equipoise.job"
# Any constant shared by every equipoise process: the key of the lock held while installing pgqueuer.
_INSTALL_LOCK = 0x6571756971


def libpq_url(store: Store) -> str:
    """The store's URL as psycopg takes it (without SQLAlchemy's driver name)."""
    url = store.engine.url.set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


def _dedupe_key(job_id: int, attempt: int) -> str:
    # One pgqueuer job per attempt of a job: a re-send of the same attempt while it waits or runs is skipped.
    return f"equipoise-job-{job_id}-{attempt}"


async def install(store: Store) -> None:
    """Create pgqueuer's tables in the store's database unless they are there (one process at a time)."""
    import psycopg
    from pgqueuer import Queries

    async with await psycopg.AsyncConnection.connect(libpq_url(store), autocommit=True) as conn:
        await conn.execute("SELECT pg_advisory_lock(%s)", (_INSTALL_LOCK,))
        try:
            queries = Queries.from_psycopg_connection(conn)
            if not await queries.schema_is_installed():
                await queries.install()
        finally:
            await conn.execute("SELECT pg_advisory_unlock(%s)", (_INSTALL_LOCK,))


class PgDispatcher:
    """Sends jobs to pgqueuer (from the web app, an admin action or a worker's retry)."""

    def __init__(self, store: Store, installed: bool = False) -> None:
        self.store = store
        self._installed = installed

    async def dispatch(self, jobs: list[tuple[int, int]], delay_s: float = 0.0) -> None:
        """Enqueue (job id, attempt) pairs to run after `delay_s`."""
        if not jobs:
            return
        import psycopg
        from pgqueuer import Queries

        if not self._installed:
            await install(self.store)
            self._installed = True
        async with await psycopg.AsyncConnection.connect(libpq_url(self.store), autocommit=True) as conn:
            await Queries.from_psycopg_connection(conn).enqueue(
                [ENTRYPOINT] * len(jobs),
                [str(job_id).encode() for job_id, _ in jobs],
                [0] * len(jobs),
                [timedelta(seconds=delay_s)] * len(jobs),
                dedupe_key=[_dedupe_key(job_id, attempt) for job_id, attempt in jobs],
                on_conflict="skip",
            )


async def run_worker(
    store: Store,
    policy: JobPolicy = JobPolicy(),
    concurrency: int = 2,
    heartbeat_timeout_s: float = 30.0,
    reconcile_s: float = 10.0,
    stop: asyncio.Event | None = None,
) -> None:
    """Claim and run jobs until `stop` is set (or the process is stopped)."""
    import psycopg
    from pgqueuer import Job, QueueManager
    from pgqueuer.queries import Queries

    await install(store)
    book = Book(store)
    dispatcher = PgDispatcher(store, installed=True)
    name = f"{socket.gethostname()}-{os.getpid()}"

    async with await psycopg.AsyncConnection.connect(libpq_url(store), autocommit=True) as conn:
        manager = QueueManager(Queries.from_psycopg_connection(conn))

        @manager.entrypoint(ENTRYPOINT, on_failure="hold")
        async def _job(job: Job) -> None:
            assert job.payload is not None
            await run_job(book, int(job.payload), name, policy, dispatcher.dispatch)

        async def reconcile() -> None:
            while True:
                lost = await asyncio.to_thread(book.runnable_jobs, timedelta(seconds=reconcile_s))
                await dispatcher.dispatch(lost)
                await asyncio.sleep(reconcile_s)

        async def stopper() -> None:
            if stop is not None:
                await stop.wait()
                manager.shutdown.set()

        log.info("worker %s claiming jobs from %s", name, store.location)
        helpers = [asyncio.create_task(reconcile()), asyncio.create_task(stopper())]
        try:
            await manager.run(
                dequeue_timeout=timedelta(seconds=0.5),
                batch_size=1,
                # pgqueuer's floor is twice the batch size: a worker runs at least two jobs at once.
                max_concurrent_tasks=max(2, concurrency),
                heartbeat_timeout=timedelta(seconds=heartbeat_timeout_s),
            )
        finally:
            for task in helpers:
                task.cancel()
