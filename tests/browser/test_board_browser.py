"""The board in a real Chromium (Debian's, driven by Playwright) against the app served on loopback:
switching the combination in the page re-ranks the table without a reload and puts the view in the URL."""

from __future__ import annotations

import re
from pathlib import Path

from tests.browser.conftest import CHROMIUM, needs_chromium
from tests.web.conftest import StoredBoard

pytestmark = needs_chromium


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


def test_a_filter_in_the_page_narrows_the_rows_and_the_url_keeps_it(served: tuple[str, StoredBoard]) -> None:
    from playwright.sync_api import sync_playwright

    base, board = served
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.goto(f"{base}/")
        page.click("details.filters > summary")
        page.check('input[name="org"][value="unknown"]')
        page.wait_for_url(re.compile(r"org=unknown"))
        page.wait_for_function("document.querySelectorAll('#board tbody tr').length === 2")
        rows = page.eval_on_selector_all("#board tbody tr", "rows => rows.map(r => r.dataset.identity)")
        assert rows == [board.refuse, board.comply]
        csv_link = page.get_attribute("#board a[href^='/board.csv']", "href")
        assert csv_link == "/board.csv?org=unknown"
        page.goto(page.url)
        assert page.is_checked('input[name="org"][value="unknown"]')
        assert page.eval_on_selector_all("#board tbody tr", "rows => rows.length") == 2
        browser.close()


def test_a_chart_downloads_as_png_and_svg_drawn_in_the_browser(served: tuple[str, StoredBoard], tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    base, _board = served
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport={"width": 1400, "height": 900}, accept_downloads=True)
        page.goto(f"{base}/charts")
        page.wait_for_selector("#heat_map .main-svg")
        page.wait_for_selector("#categories .main-svg")
        with page.expect_download() as svg:
            page.click('button[data-download="svg"][data-chart="heat_map"]')
        svg_path = tmp_path / svg.value.suggested_filename
        svg.value.save_as(svg_path)
        assert svg_path.name == "equipoise-heat_map.svg"
        assert svg_path.read_text().startswith("<svg")
        with page.expect_download() as png:
            page.click('button[data-download="png"][data-chart="categories"]')
        png_path = tmp_path / png.value.suggested_filename
        png.value.save_as(png_path)
        assert png_path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        page.screenshot(path=str(tmp_path / "charts.png"), full_page=True)
        browser.close()
