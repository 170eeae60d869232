"""`equipoise board export DIR`: the board, its chart, the model pages and about as a static site.

The pages are the live app's (`Pages`), rendered with relative links; each page's data is written
beside it as JSON, with the board's CSV, and the assets (Plotly's JavaScript from the installed
package) under static/. The board is exported as one view: the `BoardQuery` given.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from equipoise.store import open_store
from equipoise.web._board import BoardQuery
from equipoise.web._pages import STATIC, Pages, Site


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _json(value: Any) -> str:
    return json.dumps(value, indent=1, default=str)


def export_site(directory: Path, query: BoardQuery | None = None, store_url: str | None = None) -> list[Path]:
    """Write the site into `directory` (created if needed); returns the pages written."""
    from plotly.offline import get_plotlyjs

    query = query or BoardQuery()
    pages = Pages(open_store(store_url))
    top, below = Site(static=True), Site(static=True, root="../")
    board = pages.board_view(query)
    written = {
        directory / "index.html": pages.board(query, top),
        directory / "board.json": _json(board.to_dict()),
        directory / "board.csv": board.to_csv(),
        directory / "charts.html": pages.charts(query, top),
        directory / "about.html": pages.about(top),
        directory / "about.json": _json(pages.about_data()),
    }
    for row in board.rows:
        identity = row.row.identity
        data = pages.model_data(query, identity)
        if data is not None:
            written[directory / "models" / f"{identity}.html"] = pages.model(data, query, below)
            written[directory / "models" / f"{identity}.json"] = _json(data)
    for path, text in written.items():
        _write(path, text)
    assets = directory / "static"
    shutil.copytree(STATIC, assets, dirs_exist_ok=True)
    _write(assets / "plotly.min.js", get_plotlyjs())
    return sorted(p for p in written if p.suffix == ".html")
