"""The states of submissions and jobs, and the errors a submitter can act on."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


class Status:
    """Where a submission stands (what /queue shows)."""

    PENDING = "PENDING"
    RUNNING = "RUNNING"
    FINISHED = "FINISHED"
    FAILED = "FAILED"
    CANCELLED = "CANCELLED"
    REJECTED = "REJECTED"


ACTIVE = (Status.PENDING, Status.RUNNING)
TERMINAL = (Status.FINISHED, Status.FAILED, Status.CANCELLED, Status.REJECTED)


class JobState:
    """Where one job (one task of a submission) stands."""

    QUEUED = "queued"
    # taken by the in-process worker, not yet started
    CLAIMED = "claimed"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"


class SubmissionError(ValueError):
    """A submission refused: `field` names the form field at fault (None: the whole submission),
    `status` the HTTP status to answer with, `link` where the existing entry of a duplicate is,
    `retry_after_s` when a rate-limited submitter may submit again, `problems` every (field,
    message) when several fields are wrong (the first is `field` and the message)."""

    def __init__(
        self,
        field: str | None,
        message: str,
        status: int = 422,
        link: str | None = None,
        retry_after_s: int | None = None,
        problems: list[tuple[str | None, str]] | None = None,
    ) -> None:
        super().__init__(message)
        self.field = field
        self.status = status
        self.link = link
        self.retry_after_s = retry_after_s
        self.problems = problems or [(field, message)]

    def to_dict(self) -> dict[str, Any]:
        """The JSON error body: {message, field}, with the link, the wait and every problem."""
        out: dict[str, Any] = {"message": str(self), "field": self.field}
        if self.link is not None:
            out["link"] = self.link
        if self.retry_after_s is not None:
            out["retry_after_s"] = self.retry_after_s
        if len(self.problems) > 1:
            out["errors"] = [{"field": f, "message": m} for f, m in self.problems]
        return out


@dataclass(frozen=True)
class JobPolicy:
    """How often a job is tried and how long a worker waits between tries (doubling each time)."""

    max_attempts: int = 3
    retry_delay_s: float = 10.0
