"""Running submissions: the in-process worker of a SQLite store, retries, restarts, cancelling,
and the suite's run recorded once, on the same release as `equipoise eval` records."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator

import pytest

import equipoise
from equipoise.queue import Book, InProcessWorker, JobPolicy, Queue, run_job, submit
from equipoise.ranking import build_ranking
from equipoise.releases import run_release
from equipoise.store import Store, open_store
from tests.openai_server import ServerState, ThreadedServer
from tests.queue.conftest import SECRET_KEY, form, wait_for

FAST = JobPolicy(max_attempts=2, retry_delay_s=0.0)


@pytest.fixture
def store() -> Store:
    return open_store()


@pytest.fixture
def worker(store: Store) -> Iterator[InProcessWorker]:
    w = InProcessWorker(Book(store), FAST, poll_s=0.1)
    w.start()
    yield w
    w.stop()


@pytest.fixture
def slow_endpoint() -> Iterator[ThreadedServer]:
    """10 ms an answer: a run lasts long enough to be seen RUNNING."""
    with ThreadedServer(ServerState(delay_s=0.01)) as server:
        yield server


def _submitted(book: Book, data: dict, admin: bool = False) -> int:
    stored, _ = asyncio.run(submit(book, data, "10.0.0.1", admin))
    return stored["id"]


def test_a_submission_runs_pending_running_finished_and_stands_on_the_board(
    store: Store, worker: InProcessWorker, slow_endpoint: ThreadedServer
) -> None:
    book, endpoint = worker.book, slow_endpoint
    sid = _submitted(book, form(endpoint, api_key=SECRET_KEY))
    seen = []
    while (state := book.get(sid))["status"] not in ("FINISHED", "FAILED"):
        seen.append((state["status"], state["progress"]["samples_done"]))
        time.sleep(0.05)
    done = state
    assert list(dict.fromkeys(s for s, _ in seen)) == ["PENDING", "RUNNING"]
    assert any(0 < n < 88 for s, n in seen if s == "RUNNING"), "progress is reported while it runs"
    assert done["progress"] == {"samples_done": 88, "samples_total": 88, "jobs_done": 7, "jobs": 7}
    assert len(done["run_ids"]) == 1
    # the merged run is the suite's release, as `equipoise eval` of the same entry records it
    stored = store.get_run(done["run_ids"][0], with_samples=True)
    cli = equipoise.evaluate(f"openai-compat:local@{endpoint.base_url}", suite="quick", record=False, write_files=False)
    assert run_release(stored) == run_release({"manifest": cli.manifest.to_dict()})
    assert [(t.task, t.mean, t.n) for t in stored["tasks"]] == [(t.task, t.mean, t.n) for t in cli.tasks]
    assert stored["model"]["identity"] == cli.model["identity"] and stored["model"]["name"] == "Local model"
    assert stored["manifest"]["calls"]["model_calls"] == 88
    rows = build_ranking(store, suite="quick").rows
    assert [r.identity for r in rows] == [cli.model["identity"]]
    # every request of the evaluation carried the submitter's key
    assert {h.get("Authorization") for h in endpoint.state.headers} == {f"Bearer {SECRET_KEY}"}


def test_a_job_that_keeps_failing_fails_its_submission_with_the_reason(store: Store, worker: InProcessWorker) -> None:
    state = ServerState()
    with ThreadedServer(state) as server:
        sid = _submitted(worker.book, form(server, api_key=SECRET_KEY))
        # from now on every request is refused as unauthorised
        state.faults = {n: "401" for n in range(1, 10_000)}
        failed = wait_for(lambda: worker.book.get(sid), "FAILED")
    assert "failed 2 times" in failed["error"] and "HTTP 401" in failed["error"]
    assert SECRET_KEY not in repr(failed)
    assert not failed["run_ids"] and not store.list_runs()
    assert {j["status"] for j in failed["jobs"]} == {"failed", "cancelled"}


def test_a_restarted_worker_requeues_what_was_running_and_finishes_it(store: Store, endpoint: ThreadedServer) -> None:
    book = Book(store)
    sid = _submitted(book, form(endpoint))
    job_id = book.claim_next("a-worker-that-dies")
    assert job_id is not None and book.start(job_id, "a-worker-that-dies") is not None
    assert book.get(sid)["status"] == "RUNNING"
    w = InProcessWorker(book, FAST, poll_s=0.1)
    w.start()
    try:
        done = wait_for(lambda: book.get(sid), "FINISHED")
    finally:
        w.stop()
    assert done["progress"]["jobs_done"] == 7 and len(store.list_runs()) == 1


def test_a_job_run_twice_is_recorded_once(store: Store, endpoint: ThreadedServer) -> None:
    book = Book(store)
    sid = _submitted(book, form(endpoint))
    job_ids = [j for j, _ in book.runnable_jobs()]

    async def nowhere(_jobs: list, _delay: float) -> None:
        raise AssertionError("nothing is retried")

    async def twice() -> None:
        for job_id in job_ids:
            await run_job(book, job_id, "w1", FAST, nowhere)
        # a second delivery of every job (as after a worker's heartbeat stopped): nothing is added
        for job_id in job_ids:
            await run_job(book, job_id, "w2", FAST, nowhere)

    asyncio.run(twice())
    assert book.get(sid)["status"] == "FINISHED"
    assert len(store.list_runs()) == 1
    assert len(store.get_run(book.get(sid)["run_ids"][0], with_samples=True)["samples"]) == 88


def test_a_cancelled_submission_stops_and_records_nothing(store: Store) -> None:
    queue = Queue(store, run_worker=True, policy=FAST)
    with ThreadedServer(ServerState(delay_s=0.2)) as server:
        stored = asyncio.run(queue.submit(form(server), "10.0.0.1"))
        queue.start()
        try:
            wait_for(lambda: queue.book.get(stored["id"]), "RUNNING")
            queue.cancel(stored["id"])
            served = len(server.state.received)
            cancelled = queue.book.get(stored["id"])
            assert cancelled["status"] == "CANCELLED"
            asyncio.run(asyncio.sleep(1.5))
        finally:
            queue.stop()
        # the running job stopped at its next progress report: the rest was never asked
        assert len(server.state.received) < served + 40
    assert {j["status"] for j in queue.book.get(stored["id"])["jobs"]} == {"cancelled"}
    assert not store.list_runs()
