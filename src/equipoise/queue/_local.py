"""The in-process worker of `equipoise serve` on a SQLite store: an asyncio loop in a thread of
its own over the submissions' jobs, so the server's event loop never waits on an evaluation.

On start it puts back every job that was running (a serve process killed mid-run leaves them so:
whatever ran died with it), then claims due jobs oldest first.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import threading

from equipoise.queue._book import Book
from equipoise.queue._jobs import run_job
from equipoise.queue._types import JobPolicy

log = logging.getLogger("equipoise.queue")


class InProcessWorker:
    """Runs up to `concurrency` jobs at a time in a background thread; `wake` it after dispatching."""

    def __init__(self, book: Book, policy: JobPolicy = JobPolicy(), concurrency: int = 2, poll_s: float = 1.0) -> None:
        self.book = book
        self.policy = policy
        self.concurrency = concurrency
        self.poll_s = poll_s
        self.name = f"serve-{os.getpid()}"
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wake: asyncio.Event | None = None
        self._stop = threading.Event()
        self._ready = threading.Event()

    def start(self) -> None:
        """Re-queue what was running, then start claiming jobs."""
        put_back = self.book.requeue_running()
        if put_back:
            log.info("re-queued %s jobs left running by an earlier process", put_back)
        self._thread = threading.Thread(target=lambda: asyncio.run(self._main()), name="equipoise-queue", daemon=True)
        self._thread.start()
        self._ready.wait(10)

    def stop(self, timeout_s: float = 10.0) -> None:
        """Stop claiming; running jobs are abandoned (the next start re-queues them)."""
        self._stop.set()
        self.wake()
        if self._thread is not None:
            self._thread.join(timeout_s)

    def wake(self) -> None:
        """Look for jobs now rather than at the next poll."""
        if self._loop is not None and self._wake is not None:
            self._loop.call_soon_threadsafe(self._wake.set)

    async def dispatch(self, jobs: list[tuple[int, int]], delay_s: float) -> None:
        # A retried job waits in the store (its not_before); the poll finds it when it is due.
        self.wake()

    async def _main(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        self._ready.set()
        running: set[asyncio.Task[None]] = set()
        while not self._stop.is_set():
            while len(running) < self.concurrency:
                job_id = await asyncio.to_thread(self.book.claim_next, self.name)
                if job_id is None:
                    break
                task = asyncio.create_task(run_job(self.book, job_id, self.name, self.policy, self.dispatch))
                running.add(task)
                task.add_done_callback(running.discard)
                task.add_done_callback(lambda _t: self._wake.set() if self._wake else None)
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.poll_s)
        for task in running:
            task.cancel()
