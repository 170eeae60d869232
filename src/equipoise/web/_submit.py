"""Submitting an entry: the /submit form (works without JavaScript) and POST /api/submissions.

Routes are thin: `equipoise.queue.Queue.submit` checks and stores. A refusal is JSON
`{"message", "field"}` (with `link` for a duplicate, `retry_after_s` and a Retry-After header for a
rate limit) from the API, and the form again with the message beside its field from the page.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from equipoise.queue import Queue, SubmissionError, SubmissionForm
from equipoise.tasks import suite_names
from equipoise.web._admin import SubmissionId, is_admin
from equipoise.web._pages import Site, render

_LIVE = Site()
# The form's fields a page shows again after a refusal: never the API key.
_KEPT = tuple(f for f in SubmissionForm.model_fields if f != "api_key")


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _refusal(e: SubmissionError) -> JSONResponse:
    headers = {"Retry-After": str(e.retry_after_s)} if e.retry_after_s is not None else None
    return JSONResponse(e.to_dict(), status_code=e.status, headers=headers)


def submit_page(values: dict[str, Any] | None = None, error: SubmissionError | None = None) -> str:
    problems = {f or "": m for f, m in error.problems} if error else {}
    return render(
        "submit.html",
        _LIVE,
        values={k: v for k, v in (values or {}).items() if k in _KEPT},
        problems=problems,
        error=error,
        suites=suite_names(),
        fields=SubmissionForm.model_fields,
    )


def submit_router(queue: Queue) -> APIRouter:
    router = APIRouter()

    @router.get("/submit", response_class=HTMLResponse, summary="The form to submit a model entry")
    def submit_form() -> str:
        return submit_page({"suites": "quick"})

    @router.post("/submit", response_class=HTMLResponse, include_in_schema=False)
    async def submit_posted(request: Request) -> Response:
        kind = request.headers.get("content-type")
        # (a form with no field at all comes without a content type)
        if kind is not None and not kind.startswith("application/x-www-form-urlencoded"):
            raise HTTPException(415, "the form is sent as application/x-www-form-urlencoded; the API takes JSON")
        values = dict(parse_qsl((await request.body()).decode("utf-8", errors="replace"), keep_blank_values=True))
        try:
            stored = await queue.submit(values, client_ip(request), admin=is_admin(request))
        except SubmissionError as e:
            return HTMLResponse(submit_page(values, e), status_code=e.status)
        return RedirectResponse(f"/queue#submission-{stored['id']}", status_code=303)

    @router.post(
        "/api/submissions",
        status_code=201,
        summary="Submit a model entry (an OpenAI-compatible endpoint; a local spec with the admin token)",
        responses={409: {"description": "a duplicate, with `link`"}, 429: {"description": "over the daily limit"}},
    )
    async def submit_json(form: SubmissionForm, request: Request) -> Any:
        try:
            return await queue.submit(form.model_dump(exclude_none=True), client_ip(request), admin=is_admin(request))
        except SubmissionError as e:
            return _refusal(e)

    @router.get("/api/submissions/{submission_id}", summary="One submission: its state, progress and errors")
    def submission_json(submission_id: SubmissionId) -> dict[str, Any]:
        found = queue.book.get(submission_id)
        if found is None:
            raise HTTPException(404, f"no submission {submission_id}")
        return found

    return router
