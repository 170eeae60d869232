"""Admin routes: approve, reject, rerun and cancel submissions; hide and unhide model entries.

The token comes from EQUIPOISE_ADMIN_TOKEN and is compared in constant time. There is no default:
with the variable unset, admin is off and every admin route answers 403.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, HTTPException, Path, Request

from equipoise.queue import AdminConflict, AdminNotFound, Queue
from equipoise.settings import get_settings
from equipoise.store import Store

_SCHEME = "Bearer "
# Submission ids are positive and fit the store's integer column (a larger one is no submission, not an error).
SubmissionId = Annotated[int, Path(ge=1, le=2**31 - 1, description="The submission's number")]


def is_admin(request: Request) -> bool:
    """True when the request carries the admin token; a token that is wrong (or sent while admin is
    off) is refused outright rather than treated as no token."""
    header = request.headers.get("authorization")
    if header is None:
        return False
    require_admin(request)
    return True


def require_admin(request: Request) -> None:
    """Refuse the request unless it carries the admin token (`Authorization: Bearer TOKEN`)."""
    token = get_settings().admin_token
    if token is None or not token.get_secret_value():
        raise HTTPException(403, "admin is off on this server: it starts with EQUIPOISE_ADMIN_TOKEN set to turn it on")
    header = request.headers.get("authorization") or ""
    given = header[len(_SCHEME) :] if header.startswith(_SCHEME) else ""
    if not hmac.compare_digest(given.encode(), token.get_secret_value().encode()):
        raise HTTPException(
            401, "admin routes need the header 'Authorization: Bearer TOKEN' with the server's admin token"
        )


def admin_router(queue: Queue, store: Store) -> APIRouter:
    router = APIRouter(prefix="/api/admin", dependencies=[Depends(require_admin)], tags=["admin"])

    @contextmanager
    def _refusals() -> Iterator[None]:
        try:
            yield
        except AdminNotFound as e:
            raise HTTPException(404, str(e)) from None
        except AdminConflict as e:
            raise HTTPException(409, str(e)) from None

    def _now(submission_id: int) -> dict[str, Any]:
        found = queue.book.get(submission_id, admin=True)
        assert found is not None
        return found

    @router.get("/submissions", summary="Every submission, with the client address it came from")
    def submissions() -> list[dict[str, Any]]:
        return queue.book.list(admin=True)

    @router.post("/submissions/{submission_id}/approve", summary="Let a PENDING submission run")
    async def approve(submission_id: SubmissionId) -> dict[str, Any]:
        with _refusals():
            await queue.approve(submission_id)
        return _now(submission_id)

    @router.post("/submissions/{submission_id}/reject", summary="Refuse a PENDING submission, with a reason")
    def reject(
        submission_id: SubmissionId,
        reason: Annotated[str, Body(embed=True, max_length=2000, description="Shown on the queue")] = "",
    ) -> dict[str, Any]:
        with _refusals():
            queue.reject(submission_id, reason)
        return _now(submission_id)

    @router.post("/submissions/{submission_id}/rerun", summary="Run a finished, failed or cancelled submission again")
    async def rerun(submission_id: SubmissionId) -> dict[str, Any]:
        with _refusals():
            await queue.rerun(submission_id)
        return _now(submission_id)

    @router.post("/submissions/{submission_id}/cancel", summary="Stop a PENDING or RUNNING submission")
    def cancel(submission_id: SubmissionId) -> dict[str, Any]:
        with _refusals():
            queue.cancel(submission_id)
        return _now(submission_id)

    def _hide(identity: str, hidden: bool) -> dict[str, Any]:
        if not store.set_hidden(identity, hidden):
            raise HTTPException(404, f"no model entry {identity!r} is stored")
        return {"identity": identity, "hidden": hidden}

    @router.post("/entries/{identity}/hide", summary="Take a model entry off every board and page")
    def hide(identity: str) -> dict[str, Any]:
        return _hide(identity, True)

    @router.post("/entries/{identity}/unhide", summary="Show a hidden model entry again")
    def unhide(identity: str) -> dict[str, Any]:
        return _hide(identity, False)

    return router
