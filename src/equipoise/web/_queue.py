"""The queue: every submission with its state, progress and errors (/queue and GET /api/queue)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse

from equipoise.queue import Queue, Status
from equipoise.web._pages import Site, render

_LIVE = Site()
SHOWN = 200


def queue_data(queue: Queue, limit: int = SHOWN) -> dict[str, Any]:
    """How many submissions are in each state, and the newest `limit` of them."""
    return {"counts": queue.book.counts(), "submissions": queue.book.list(limit)}


def queue_router(queue: Queue) -> APIRouter:
    router = APIRouter()

    @router.get("/queue", response_class=HTMLResponse, summary="The submissions and where each stands")
    def queue_page() -> str:
        data = queue_data(queue)
        active = any(s["status"] in (Status.PENDING, Status.RUNNING) for s in data["submissions"])
        return render("queue.html", _LIVE, queue=data, refresh=active)

    @router.get("/api/queue", summary="The newest submissions: state, progress (samples done / total), errors")
    def queue_json(
        limit: Annotated[int, Query(ge=1, le=1000, description="How many of the newest submissions")] = SHOWN,
    ) -> dict[str, Any]:
        return queue_data(queue, limit)

    return router
