"""Submitting in a real Chromium: fill the /submit form against the tests' OpenAI-protocol server
and watch the queue go PENDING → RUNNING → FINISHED while the serve process's worker runs it."""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser.conftest import serving
from tests.openai_server import ServerState, ThreadedServer

CHROMIUM = "/usr/bin/chromium"

pytestmark = pytest.mark.skipif(shutil.which(CHROMIUM) is None, reason="needs Debian's chromium (make chromium)")


@pytest.fixture
def served() -> Iterator[str]:
    """`equipoise serve`'s app with its in-process worker, on loopback."""
    from equipoise.web import create_app

    with serving(create_app(run_queue=True)) as url:
        yield url


def test_a_submission_made_in_the_form_runs_to_finished_on_the_queue(served: str, tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    # 20 ms an answer: the run lasts a few seconds, long enough to be seen running
    with ThreadedServer(ServerState(delay_s=0.02)) as endpoint, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.goto(f"{served}/submit")
        page.fill("#f-name", "Browser-submitted")
        page.fill("#f-organisation", "Test Org")
        page.fill("#f-base_url", endpoint.base_url)
        page.fill("#f-model", "local")
        page.fill("#f-api_key", "sk-browser-secret")
        page.fill("#f-submitter", "playwright")
        page.screenshot(path=str(tmp_path / "submit.png"), full_page=True)
        page.click("button[type=submit]")
        page.wait_for_url("**/queue#submission-*")
        row = page.locator("tr[id^=submission-]").first
        seen = [row.get_attribute("data-status")]
        deadline = time.monotonic() + 60
        while seen[-1] not in ("FINISHED", "FAILED") and time.monotonic() < deadline:
            time.sleep(0.2)
            page.reload()
            status = page.locator("tr[id^=submission-]").first.get_attribute("data-status")
            if status != seen[-1]:
                seen.append(status)
            if status == "RUNNING" and not (tmp_path / "queue-running.png").exists():
                page.screenshot(path=str(tmp_path / "queue-running.png"), full_page=True)
        page.screenshot(path=str(tmp_path / "queue.png"), full_page=True)
        assert seen[-1] == "FINISHED" and "RUNNING" in seen, seen
        assert seen == [s for s in ("PENDING", "RUNNING", "FINISHED") if s in seen], seen
        assert "sk-browser-secret" not in page.content()
        # the finished entry links to its page on the board
        page.click("text=Browser-submitted")
        assert page.locator("h1").inner_text().startswith("Browser-submitted")
        browser.close()
