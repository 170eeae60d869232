"""A real server on loopback over the four-entry board of tests/web, and Debian's Chromium."""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from tests.openai_server import free_port
from tests.web.conftest import StoredBoard, store_board

CHROMIUM = "/usr/bin/chromium"
needs_chromium = pytest.mark.skipif(shutil.which(CHROMIUM) is None, reason="needs Debian's chromium (make chromium)")


@contextmanager
def serving(app: object) -> Iterator[str]:
    """`app` under uvicorn in a thread on a free loopback port, until the block ends; yields its URL."""
    import uvicorn

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))  # type: ignore[arg-type]
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start within 10 s"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


@pytest.fixture
def served() -> Iterator[tuple[str, StoredBoard]]:
    from equipoise.web import create_app

    board = store_board()
    with serving(create_app()) as url:
        yield url, board
