"""A local OpenAI-protocol endpoint to submit, and a way to wait for a submission's state."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from equipoise.queue import JobPolicy, run_worker
from equipoise.settings import get_settings
from equipoise.store import Store
from tests.openai_server import ServerState, ThreadedServer

SECRET_KEY = "sk-test-5f3c9a1e-never-shown"


@pytest.fixture
def endpoint() -> Iterator[ThreadedServer]:
    with ThreadedServer(ServerState()) as server:
        yield server


@pytest.fixture
def settings_env(monkeypatch: pytest.MonkeyPatch) -> Callable[..., None]:
    """Set EQUIPOISE_* variables for this test and re-read the settings."""

    def set_env(**values: str) -> None:
        for name, value in values.items():
            monkeypatch.setenv(f"EQUIPOISE_{name.upper()}", value)
        get_settings.cache_clear()

    return set_env


def form(server: ThreadedServer, **fields: Any) -> dict[str, Any]:
    """A valid submission of the local endpoint, with `fields` changed."""
    return {"name": "Local model", "submitter": "tester", "base_url": server.base_url, "model": "local", **fields}


def wait_for(read: Callable[[], dict[str, Any]], *statuses: str, timeout_s: float = 60.0) -> dict[str, Any]:
    """Poll `read()` until its status is one of `statuses`; fail with the last state seen."""
    deadline = time.monotonic() + timeout_s
    while True:
        state = read()
        if state["status"] in statuses:
            return state
        if time.monotonic() > deadline:
            pytest.fail(f"still {state['status']} after {timeout_s} s (wanted {statuses}): {state}")
        time.sleep(0.1)


@contextmanager
def worker_in_thread(store: Store, policy: JobPolicy = JobPolicy(max_attempts=2, retry_delay_s=0)) -> Iterator[None]:
    """A pgqueuer worker on `store` in a thread of this process, stopped on leaving."""
    ready = threading.Event()
    running: dict[str, Any] = {}

    async def main() -> None:
        running["stop"], running["loop"] = asyncio.Event(), asyncio.get_running_loop()
        ready.set()
        await run_worker(store, policy, stop=running["stop"])

    thread = threading.Thread(target=lambda: asyncio.run(main()), daemon=True)
    thread.start()
    ready.wait(10)
    try:
        yield
    finally:
        running["loop"].call_soon_threadsafe(running["stop"].set)
        thread.join(20)
