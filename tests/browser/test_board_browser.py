"""The board in a real Chromium (Debian's, driven by Playwright) against the app served on loopback:
switching the combination in the page re-ranks the table without a reload and puts the view in the URL."""

from __future__ import annotations

import re
import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.openai_server import free_port
from tests.web.conftest import StoredBoard, store_board

CHROMIUM = "/usr/bin/chromium"

pytestmark = pytest.mark.skipif(shutil.which(CHROMIUM) is None, reason="needs Debian's chromium (make chromium)")


@pytest.fixture
def served() -> Iterator[tuple[str, StoredBoard]]:
    import uvicorn

    from equipoise.web import create_app

    board = store_board()
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start within 10 s"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}", board
    finally:
        server.should_exit = True
        thread.join(10)


def test_switching_the_combination_reranks_in_the_page_and_updates_the_url(
    served: tuple[str, StoredBoard], tmp_path: Path
) -> None:
    from playwright.sync_api import sync_playwright

    base, board = served
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.goto(f"{base}/")

        def order() -> list[str]:
            return page.eval_on_selector_all("#board tbody tr", "rows => rows.map(r => r.dataset.identity)")

        assert order() == [board.answerer, board.refuse, board.evil, board.comply]
        page.screenshot(path=str(tmp_path / "board.png"), full_page=True)
        loads = page.evaluate("performance.getEntriesByType('navigation').length")

        page.select_option("#combine", "weighted")
        page.wait_for_url(re.compile(r"combine=weighted"))
        # safety only: refuse-all (0.625) leads Answerer (0.5); the slider moves by input events
        page.eval_on_selector(
            "#weight", "el => { el.value = '1'; el.dispatchEvent(new Event('input', {bubbles: true})); }"
        )
        page.wait_for_url(re.compile(r"weight=1(&|$)"))
        page.wait_for_function(f"document.querySelector('#board tbody tr').dataset.identity === '{board.refuse}'")
        assert order() == [board.refuse, board.answerer, board.evil, board.comply]
        assert page.inner_text("#formula") == "weighted"
        # no reload: the page is still the first one loaded
        assert page.evaluate("performance.getEntriesByType('navigation').length") == loads
        assert page.evaluate("performance.getEntriesByType('navigation')[0].name") == f"{base}/"
        page.screenshot(path=str(tmp_path / "board-weighted.png"), full_page=True)

        # the URL is the view: loading it anew shows the same rows
        shared = page.url
        page.goto(shared)
        assert order() == [board.refuse, board.answerer, board.evil, board.comply]
        assert page.input_value("#combine") == "weighted"

        # the model page of the entry whose name and answers are markup shows them as text
        page.goto(f"{base}/models/{board.evil}")
        assert page.inner_text("h1") == '<script>alert("name")</script>'
        page.click("details.content-warning > summary")
        assert "<img src=x onerror=alert(1)>" in page.inner_text("details.content-warning")
        assert page.evaluate("document.querySelectorAll('main script, main img').length") == 0
        page.screenshot(path=str(tmp_path / "model.png"), full_page=True)
        browser.close()
