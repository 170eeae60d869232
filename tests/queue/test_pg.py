"""The PostgreSQL backend: pgqueuer carries the jobs to `equipoise worker`s, and a job whose
worker is killed is taken over by another after the heartbeat timeout, and recorded once."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from equipoise.queue import Queue
from equipoise.ranking import build_ranking
from equipoise.store import JobRow, Store, open_store
from tests.conftest import _fresh_postgres
from tests.openai_server import ServerState, ThreadedServer
from tests.queue.conftest import form, wait_for, worker_in_thread

pytestmark = pytest.mark.postgres
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def pg_store(postgres_url: str) -> Iterator[Store]:
    for url in _fresh_postgres(postgres_url):
        yield open_store(url)


@pytest.fixture
def worker_thread(pg_store: Store) -> Iterator[None]:
    with worker_in_thread(pg_store):
        yield


def test_a_submission_runs_on_a_worker_and_stands_on_the_board(
    pg_store: Store, endpoint: ThreadedServer, worker_thread: None
) -> None:
    queue = Queue(pg_store)
    stored = asyncio.run(queue.submit(form(endpoint), "10.0.0.1"))
    assert stored["status"] == "PENDING"
    done = wait_for(lambda: queue.book.get(stored["id"]), "FINISHED")
    assert done["progress"]["samples_done"] == 88 and len(done["run_ids"]) == 1
    assert [r.model for r in build_ranking(pg_store, suite="quick").rows] == ["Local model"]


def _worker(store: Store, log: Path) -> subprocess.Popen:
    url = store.engine.url.render_as_string(hide_password=False)
    env = {**os.environ, "PYTHONPATH": f"{ROOT / 'src'}{os.pathsep}{ROOT}"}
    command = [sys.executable, "-c", "from equipoise.cli import app; app()", "worker", "--store", url]
    return subprocess.Popen(
        [*command, "--heartbeat-timeout", "2", "--retry-delay", "0"],
        env=env,
        stdout=log.open("a"),
        stderr=subprocess.STDOUT,
    )


def test_a_job_of_a_killed_worker_is_taken_over_and_recorded_once(pg_store: Store, tmp_path: Path) -> None:
    queue = Queue(pg_store)
    log = tmp_path / "workers.log"
    # 12 samples a task, 8 at a time, 1 s each: a job runs about 2 s
    with ThreadedServer(ServerState(delay_s=1.0)) as server:
        stored = asyncio.run(queue.submit(form(server), "10.0.0.1"))
        first = _worker(pg_store, log)
        try:
            wait_for(lambda: queue.book.get(stored["id"]), "RUNNING", timeout_s=30)
            time.sleep(0.5)
            first.send_signal(signal.SIGKILL)
            first.wait()
            killed_at = time.monotonic()
            second = _worker(pg_store, log)
            try:
                wait_for(lambda: {"status": max(_claims(pg_store))}, 2, timeout_s=60)
                taken_over_s = time.monotonic() - killed_at
                done = wait_for(lambda: queue.book.get(stored["id"]), "FINISHED", timeout_s=120)
            finally:
                second.terminate()
                second.wait(20)
        finally:
            if first.poll() is None:
                first.kill()
    assert sorted(_claims(pg_store))[-1] == 2, log.read_text()
    assert len(done["run_ids"]) == 1 and len(pg_store.list_runs()) == 1
    assert len(pg_store.get_run(done["run_ids"][0], with_samples=True)["samples"]) == 88
    # the new worker's start (a few seconds here) plus the 2 s heartbeat timeout
    assert taken_over_s < 20, f"the orphaned job was taken over {taken_over_s:.1f} s after the kill"


def _claims(store: Store) -> list[int]:
    with Session(store.engine) as session:
        return list(session.scalars(select(JobRow.claims).order_by(JobRow.id)))
