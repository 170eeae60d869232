"""The static export: the board, its chart, model pages and about as files with relative links."""

from __future__ import annotations

import json
import re
from pathlib import Path

from equipoise.web import BoardQuery, export_site
from tests.web.conftest import StoredBoard


def test_the_export_is_a_site_that_needs_no_server(tmp_path: Path, board: StoredBoard) -> None:
    site = tmp_path / "site"
    pages = export_site(site, BoardQuery(combine="mean"))
    names = {p.relative_to(site).as_posix() for p in pages}
    assert names == {"index.html", "charts.html", "about.html"} | {
        f"models/{i}.html" for i in (board.refuse, board.comply, board.answerer, board.evil)
    }
    for extra in ("board.json", "board.csv", "about.json", "static/plotly.min.js", "static/style.css"):
        assert (site / extra).is_file(), extra
    exported = json.loads((site / "board.json").read_text())
    assert exported["combination"] == "mean"
    assert exported["rows"][0]["identity"] == board.answerer and exported["rows"][0]["overall"] == 0.75
    # every link and asset is a relative file of the export, and it exists
    for page in pages:
        text = page.read_text()
        # (the favicon is an empty data: URL, so the browser asks the host for none)
        for target in re.findall(r'(?:href|src)="(?!data:)([^"]+)"', text):
            assert not target.startswith(("/", "http")), (page, target)
            assert (page.parent / target).resolve().is_file(), (page, target)
        # nothing that needs the server: no form, no enhancing script
        assert "<form" not in text and "static/board.js" not in text
