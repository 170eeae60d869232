"""Rendering the pages: Jinja2 templates with autoescape over the data of `_board`, `_model`, `_about`.

The pages are rendered without a request so that the live app and the static export (`_export`)
share them; `Site` makes their links: URLs with query strings live, relative file names exported.

Everything from a model, a file or a user reaches a page through autoescape (no `|safe` on it);
the chart's figure travels in a data attribute, which autoescape also covers.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import jinja2

from equipoise._version import __version__
from equipoise.ranking.plot import scatter_figure
from equipoise.store import Store
from equipoise.tasks import suite_names
from equipoise.web._about import about
from equipoise.web._board import COLUMNS, BoardQuery, BoardView, RankingCache, combination_choices, view
from equipoise.web._charts import (
    DEFAULT_SHOWN,
    category_bars,
    category_bars_figure,
    heat_map,
    heat_map_figure,
    perspectives,
    perspectives_figure,
)
from equipoise.web._compare import compare
from equipoise.web._facts import SIZE_BUCKETS, TYPES, entry_facts
from equipoise.web._model import model_page

PACKAGE = Path(__file__).resolve().parent
STATIC = PACKAGE / "static"


@dataclass(frozen=True)
class Site:
    """How pages link: live (absolute paths with query strings) or as a static export (relative
    files, `root` leading back to the export's top; query strings dropped: one view is exported)."""

    static: bool = False
    root: str = ""

    def href(self, path: str, params: dict[str, str] | None = None) -> str:
        if not self.static:
            return path + (f"?{urlencode(params)}" if params else "")
        if path == "/":
            return f"{self.root}index.html"
        if path.startswith("/static/"):
            return self.root + path[1:]
        exported = {"/board.csv": "board.csv", "/api/board": "board.json", "/api/about": "about.json"}
        if path in exported:
            return self.root + exported[path]
        if path.startswith("/api/models/"):
            return f"{self.root}models/{path.removeprefix('/api/models/')}.json"
        if path.startswith("/api/runs/"):
            return f"{self.root}runs/{path.removeprefix('/api/runs/')}.json"
        return f"{self.root}{path[1:]}.html"


def _interval(value: Any) -> str:
    """(point, low, high) as `0.625 [0.550, 0.700]`; "-" when there is no point."""
    point, low, high = value
    if point is None:
        return "-"
    if low is None or high is None:
        return f"{point:.3f}"
    return f"{point:.3f} [{low:.3f}, {high:.3f}]"


def _number(value: Any, digits: int = 3) -> str:
    return "-" if value is None else f"{value:.{digits}f}" if isinstance(value, float) else str(value)


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(PACKAGE / "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["interval"] = _interval
    env.filters["number"] = _number
    env.filters["pretty"] = lambda v: json.dumps(v, indent=1, sort_keys=True, default=str)
    env.globals["version"] = __version__
    return env


def render(template: str, site: Site, **context: Any) -> str:
    return environment().get_template(template).render(site=site, **context)


def _definition(query: BoardQuery) -> dict[str, str]:
    """The parameters that define a board (not how it is viewed): what a model page needs."""
    keep = ("suite", "capability_suite", "judge", "release", "capability_release", "combine", "weight")
    return {k: v for k, v in query.params().items() if k in keep}


class Pages:
    """The site's pages over one store; rankings are cached by `RankingCache`."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.cache = RankingCache()

    def board_view(self, query: BoardQuery) -> BoardView:
        return view(self.cache.get(self.store, query), query)

    def _memo(self, kind: Any, query: BoardQuery, make: Callable[[BoardView], Any]) -> Any:
        """A view of the board `query` asks for, rendered once per state of the store."""
        board = self.cache.get(self.store, query)
        return board.memo((kind, query), lambda: make(view(board, query)))

    def board_json(self, query: BoardQuery) -> bytes:
        """The board's view as JSON bytes (what /api/board answers)."""
        return self._memo("json", query, lambda b: json.dumps(b.to_dict(), separators=(",", ":")).encode())

    def board_csv(self, query: BoardQuery) -> str:
        return self._memo("csv", query, lambda b: b.to_csv())

    def board_html(self, query: BoardQuery) -> bytes:
        """The live board page as UTF-8 bytes (what / answers)."""
        return self._memo("html", query, lambda b: self._board(b, query, Site()).encode())

    def board(self, query: BoardQuery, site: Site) -> str:
        return self._board(self.board_view(query), query, site)

    def _board(self, board: BoardView, query: BoardQuery, site: Site) -> str:
        return render(
            "board.html",
            site,
            board=board,
            query=query,
            columns=COLUMNS,
            suites=suite_names(),
            combinations=combination_choices(),
            definition=_definition(query),
            types=TYPES,
            sizes=SIZE_BUCKETS,
        )

    def charts_data(self, query: BoardQuery, top: int = DEFAULT_SHOWN, bottom: int = DEFAULT_SHOWN) -> dict[str, Any]:
        """The tables behind the charts (the radar's is None when no DecodingTrust run is stored)."""
        return self._charts_data(self.board_view(query), top, bottom)

    def _charts_data(self, board: BoardView, top: int, bottom: int) -> dict[str, Any]:
        return {
            "heat_map": heat_map(board, top, bottom),
            "categories": category_bars(board, top),
            "perspectives": perspectives(self.store, board, top),
        }

    def charts(self, query: BoardQuery, site: Site, top: int = DEFAULT_SHOWN, bottom: int = DEFAULT_SHOWN) -> str:
        board = self.board_view(query)
        shown = replace(board.ranking, rows=[r.row for r in board.rows])
        data = self._charts_data(board, top, bottom)
        figures = {
            "scatter": scatter_figure(shown),
            "heat_map": heat_map_figure(data["heat_map"]),
            "categories": category_bars_figure(data["categories"]),
        }
        if data["perspectives"] is not None:
            figures["perspectives"] = perspectives_figure(data["perspectives"])
        return render(
            "charts.html",
            site,
            board=board,
            query=query,
            data=data,
            figures={k: f.to_json() for k, f in figures.items()},
            shown={"top": top, "bottom": bottom},
            definition=_definition(query),
        )

    def compare_data(self, query: BoardQuery, identities: tuple[str, ...]) -> dict[str, Any]:
        return compare(self.store, self.board_view(query.unfiltered()), identities)

    def compare(self, data: dict[str, Any], query: BoardQuery, site: Site) -> str:
        """The compare page, from its `compare_data`."""
        params = {**_definition(query), "models": ",".join(m["identity"] for m in data["models"])}
        return render("compare.html", site, page=data, query=query, definition=_definition(query), params=params)

    def model_data(self, query: BoardQuery, identity: str) -> dict[str, Any] | None:
        return model_page(self.store, self.board_view(query).ranking, identity)

    def model(self, data: dict[str, Any], query: BoardQuery, site: Site) -> str:
        """The page of a model entry, from its `model_data`, with a form to compare it with others."""
        board = [(r.row.identity, r.row.model) for r in self.board_view(query.unfiltered()).rows]
        others = [e for e in board if e[0] != data["identity"]]
        # the entry next to it on the board (above it, else below): the one-click comparison
        at = next((i for i, e in enumerate(board) if e[0] == data["identity"]), None)
        near = None if at is None or not others else others[max(at - 1, 0)]
        definition = _definition(query)
        nearest = near and {"model": near[1], "params": {**definition, "models": f"{data['identity']},{near[0]}"}}
        return render(
            "model.html",
            site,
            page=data,
            query=query,
            definition=definition,
            others=others,
            nearest=nearest,
            facts=entry_facts(data["model"]),
        )

    def about_data(self) -> dict[str, Any]:
        return about(self.store)

    def about(self, site: Site) -> str:
        return render("about.html", site, about=self.about_data())

    def error(self, status: int, message: str, field: str | None, site: Site) -> str:
        return render("error.html", site, status=status, message=message, field=field)
