"""The FastAPI app: thin routes over `Pages` (HTML) and the same data as JSON.

Errors are JSON `{"message", "field"}` under /api/ and for the CSV download, an HTML page elsewhere;
both carry the status (422 for a query the board cannot use, 404 for what is not stored).
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import lru_cache
from typing import Annotated, Any, Literal

from fastapi import Depends, FastAPI, HTTPException, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from equipoise._version import __version__
from equipoise.metrics.combine import DEFAULT_COMBINATION
from equipoise.queue import Queue
from equipoise.store import open_store
from equipoise.web._admin import admin_router
from equipoise.web._board import COLUMN_KEYS, DEFAULT_SUITE, BoardQuery, QueryError, split_columns
from equipoise.web._charts import DEFAULT_SHOWN, MAX_SHOWN
from equipoise.web._facts import SIZE_KEYS, TYPES
from equipoise.web._model import run_summary, task_rows
from equipoise.web._pages import STATIC, Pages, Site
from equipoise.web._queue import queue_router
from equipoise.web._submit import submit_router

MAX_PAGE = 500
# Model identities are hex digests; anything else is not an entry (and never reaches a query).
_IDENTITY = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
_LIVE = Site()


def _blank(value: str | None) -> str | None:
    """An empty form field is no value."""
    return value.strip() or None if value is not None else None


def board_query(
    suite: Annotated[str, Query(description="Safety suite (quick, libra, ...)")] = DEFAULT_SUITE,
    capability_suite: Annotated[str | None, Query(description="Capability suite (default: from the suite)")] = None,
    judge: Annotated[str | None, Query(description="Judge the runs were scored by (default judge if empty)")] = None,
    release: Annotated[str | None, Query(description="Release of the safety suite (default: newest)")] = None,
    capability_release: Annotated[str | None, Query(description="Release of the capability suite")] = None,
    combine: Annotated[str, Query(description="distance, mean, min or weighted")] = DEFAULT_COMBINATION,
    weight: Annotated[float, Query(description="Safety weight in [0, 1] for combine=weighted")] = 0.5,
    sort: Annotated[str, Query(description=f"Column to sort by: {', '.join(COLUMN_KEYS)}")] = "order",
    order: Annotated[Literal["asc", "desc"], Query(description="asc or desc")] = "asc",
    q: Annotated[str, Query(description="Search name/spec; several terms separated by ';'")] = "",
    columns: Annotated[list[str] | None, Query(description="Columns to show (repeated or comma-separated)")] = None,
    type: Annotated[
        list[str] | None, Query(description=f"Entry types (repeated or comma-separated): {', '.join(TYPES)}")
    ] = None,
    size: Annotated[
        list[str] | None, Query(description=f"Size buckets (repeated or comma-separated): {', '.join(SIZE_KEYS)}")
    ] = None,
    org: Annotated[
        list[str] | None, Query(description="Organisations (repeated or ';'-separated; 'unknown' for none given)")
    ] = None,
) -> BoardQuery:
    """The board's view state from the query string."""
    return BoardQuery(
        suite=_blank(suite) or DEFAULT_SUITE,
        capability_suite=_blank(capability_suite),
        judge=_blank(judge),
        release=_blank(release),
        capability_release=_blank(capability_release),
        combine=combine,
        weight=weight,
        sort=sort,
        order=order,
        q=q,
        **({"columns": cols} if (cols := split_columns(columns)) else {}),
        type=split_columns(type) or (),
        size=split_columns(size) or (),
        org=split_columns(org, ";") or (),
    )


Board = Annotated[BoardQuery, Depends(board_query)]
Compared = Annotated[
    list[str], Query(description="2 to 4 entry identities (comma-separated or repeated); the first is the reference")
]
Top = Annotated[int, Query(ge=1, le=MAX_SHOWN, description="Models a chart shows: the board's first")]
Bottom = Annotated[int, Query(ge=1, le=MAX_SHOWN, description="Tasks the heat map shows: those with the lowest mean")]


def _wants_json(request: Request) -> bool:
    path = request.url.path
    return path.startswith("/api/") or path.endswith((".csv", ".json"))


def _error(request: Request, pages: Pages, status: int, message: str, field: str | None) -> Response:
    if _wants_json(request):
        return JSONResponse({"message": message, "field": field}, status_code=status)
    return HTMLResponse(pages.error(status, message, field, _LIVE), status_code=status)


@lru_cache(maxsize=1)
def plotly_js() -> bytes:
    """Plotly's JavaScript from the installed `plotly` package (no CDN)."""
    from plotly.offline import get_plotlyjs

    return get_plotlyjs().encode()


def _identity(identity: str) -> str:
    if not _IDENTITY.match(identity):
        raise HTTPException(404, f"no model entry {identity!r}: identities are letters, digits, '.', '_' and '-'")
    return identity


def _compared(models: list[str]) -> tuple[str, ...]:
    identities = split_columns(models) or ()
    bad = [i for i in identities if not _IDENTITY.match(i)]
    if bad:
        raise QueryError("models", f"not entry identities: {bad}; identities are letters, digits, '.', '_' and '-'")
    return identities


def create_app(store_url: str | None = None, run_queue: bool = False) -> FastAPI:
    """The leaderboard app over the store at `store_url` (default: the configured store). With
    `run_queue` on a SQLite store, it runs the in-process worker while it serves (on PostgreSQL,
    `equipoise worker`s run the jobs)."""
    pages = Pages(open_store(store_url))
    queue = Queue(pages.store, run_worker=run_queue)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        queue.start()
        try:
            yield
        finally:
            queue.stop()

    app = FastAPI(
        title="equipoise leaderboard",
        version=__version__,
        description="Safety and capability of language models, ranked together, with 95% intervals.",
        lifespan=lifespan,
    )
    app.state.pages = pages
    app.state.queue = queue
    app.include_router(submit_router(queue))
    app.include_router(queue_router(queue))
    app.include_router(admin_router(queue, pages.store))

    @app.exception_handler(QueryError)
    async def _query_error(request: Request, e: QueryError) -> Response:
        return _error(request, pages, 422, str(e), e.field)

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, e: RequestValidationError) -> Response:
        first = e.errors()[0]
        field = str(first["loc"][-1]) if first.get("loc") else None
        return _error(request, pages, 422, f"{field}: {first.get('msg', 'invalid value')}", field)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, e: StarletteHTTPException) -> Response:
        return _error(request, pages, e.status_code, str(e.detail), None)

    @app.get("/", response_class=HTMLResponse, summary="The leaderboard")
    def board_page(query: Board) -> Response:
        return Response(pages.board_html(query), media_type="text/html; charset=utf-8")

    @app.get("/board.csv", summary="The board's shown rows and columns as CSV, intervals included")
    def board_csv(query: Board) -> Response:
        return Response(
            pages.board_csv(query),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="equipoise-{query.suite}.csv"'},
        )

    @app.get("/api/board", summary="The board's shown rows and columns as JSON, with its definition")
    def board_json(query: Board) -> Response:
        return Response(pages.board_json(query), media_type="application/json")

    @app.get("/charts", response_class=HTMLResponse, summary="Scatter with contours, heat map, category bars, radar")
    def charts_page(query: Board, top: Top = DEFAULT_SHOWN, bottom: Bottom = DEFAULT_SHOWN) -> str:
        return pages.charts(query, _LIVE, top, bottom)

    @app.get("/api/charts", summary="The tables behind the charts (perspectives: null without DecodingTrust runs)")
    def charts_json(query: Board, top: Top = DEFAULT_SHOWN, bottom: Bottom = DEFAULT_SHOWN) -> dict[str, Any]:
        return pages.charts_data(query, top, bottom)

    @app.get("/models/{identity}", response_class=HTMLResponse, summary="A model entry's page")
    def model_html(identity: str, query: Board) -> str:
        return pages.model(_model(identity, query), query, _LIVE)

    @app.get("/api/models/{identity}", summary="A model entry: scores, tasks, manifests, examples, history")
    def model_json(identity: str, query: Board) -> dict[str, Any]:
        return _model(identity, query)

    def _model(identity: str, query: BoardQuery) -> dict[str, Any]:
        data = pages.model_data(query, _identity(identity))
        if data is None:
            raise HTTPException(404, f"no stored run of a model entry {identity!r}")
        return data

    @app.get(
        "/compare", response_class=HTMLResponse, summary="2 to 4 entries side by side, per-task paired differences"
    )
    def compare_page(query: Board, models: Compared) -> str:
        return pages.compare(pages.compare_data(query, _compared(models)), query, _LIVE)

    @app.get("/api/compare", summary="2 to 4 entries side by side, per-task paired differences, as JSON")
    def compare_json(query: Board, models: Compared) -> dict[str, Any]:
        return pages.compare_data(query, _compared(models))

    def _run(run_id: str, with_samples: bool) -> dict[str, Any]:
        run = pages.store.get_run(run_id, with_samples=with_samples)
        if run is None:
            raise HTTPException(404, f"no stored run {run_id!r} (or the prefix matches several)")
        return run

    @app.get("/api/runs/{run_id}", summary="A stored run: its manifest and per-task results")
    def run_json(run_id: str) -> dict[str, Any]:
        run = _run(run_id, with_samples=False)
        return {**run_summary(run), "model": run["model"], "manifest": run["manifest"], "tasks": task_rows(run)}

    @app.get("/api/runs/{run_id}/samples", summary="A stored run's samples, a page at a time")
    def run_samples(
        run_id: str,
        offset: Annotated[int, Query(ge=0, description="First sample (0-based)")] = 0,
        limit: Annotated[int, Query(ge=1, le=MAX_PAGE, description=f"Samples per page (at most {MAX_PAGE})")] = 100,
    ) -> dict[str, Any]:
        samples = _run(run_id, with_samples=True)["samples"]
        return {"total": len(samples), "offset": offset, "limit": limit, "samples": samples[offset : offset + limit]}

    @app.get("/about", response_class=HTMLResponse, summary="The methodology, from the code's registries")
    def about_page() -> str:
        return pages.about(_LIVE)

    @app.get("/api/about", summary="The methodology as JSON")
    def about_json() -> dict[str, Any]:
        return pages.about_data()

    @app.get("/static/plotly.min.js", include_in_schema=False)
    def plotly() -> Response:
        return Response(plotly_js(), media_type="text/javascript", headers={"Cache-Control": "max-age=86400"})

    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    return app
