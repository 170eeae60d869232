"""The queue's jobs carried by procrastinate instead of pgqueuer: only for `queue_chaos.py --backend
procrastinate`, to compare the two under `kill -9` on the same job function (`equipoise.queue.run_job`).

procrastinate marks a worker stalled when its heartbeat is older than `stalled_worker_timeout`, but
does not re-queue the jobs of a stalled worker itself: each worker here runs the loop its
documentation gives (`get_stalled_jobs` then `retry_job`) every half second.

Run as `python bench/_procrastinate_queue.py URL HEARTBEAT_S` to start one worker.
"""

from __future__ import annotations

import asyncio
import os
import socket
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]

from procrastinate import App, PsycopgConnector  # noqa: E402

from equipoise.queue import Book, JobPolicy, run_job  # noqa: E402
from equipoise.store import open_store  # noqa: E402

QUEUE = "equipoise"


def make_app(url: str) -> tuple[App, Any]:
    """The procrastinate app over the store's database, and its one task (a job id to run)."""
    app = App(connector=PsycopgConnector(conninfo="postgresql://" + url.split("://", 1)[1]))
    store = open_store(url)
    book = Book(store)
    name = f"{socket.gethostname()}-{os.getpid()}"

    async def dispatch(jobs: list[tuple[int, int]], delay_s: float) -> None:
        for job_id, _ in jobs:
            await task.configure(schedule_in={"seconds": delay_s}).defer_async(job_id=job_id)

    @app.task(name="equipoise.job", queue=QUEUE)
    async def task(job_id: int) -> None:
        await run_job(book, job_id, name, JobPolicy(retry_delay_s=1.0), dispatch)

    return app, task


async def install(url: str) -> None:
    app, _ = make_app(url)
    async with app.open_async():
        await app.schema_manager.apply_schema_async()


async def defer(url: str, job_ids: list[int]) -> None:
    app, task = make_app(url)
    async with app.open_async():
        for job_id in job_ids:
            await task.defer_async(job_id=job_id)


async def work(url: str, heartbeat_s: float) -> None:
    app, _ = make_app(url)
    async with app.open_async():

        async def retry_stalled() -> None:
            while True:
                for job in await app.job_manager.get_stalled_jobs(seconds_since_heartbeat=heartbeat_s):
                    await app.job_manager.retry_job(job)
                await asyncio.sleep(0.5)

        retrying = asyncio.create_task(retry_stalled())
        try:
            await app.run_worker_async(
                queues=[QUEUE],
                concurrency=2,
                update_heartbeat_interval=heartbeat_s / 4,
                stalled_worker_timeout=heartbeat_s,
                fetch_job_polling_interval=0.5,
            )
        finally:
            retrying.cancel()


if __name__ == "__main__":
    asyncio.run(work(sys.argv[1], float(sys.argv[2])))
