"""Helpers shared by the adapters."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field

T = TypeVar("T")


class ProviderArgs(BaseModel):
    """The `args` table of a model entry for one adapter: typed, documented, unknown keys refused.

    Each adapter declares its own subclass and registers it as `args=`; the field descriptions are
    what `describe_args` shows to people.
    """

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


def concurrency_field() -> Any:
    """The `max_concurrency` field every adapter has (each with its own default)."""
    return Field(ge=1, description="Requests this model works on at once; more wait their turn.")


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with full jitter: delay_n = uniform(0, min(cap, base * 2**n))."""

    max_retries: int
    base_s: float
    cap_s: float = 30.0

    def delay(self, attempt: int, rng: random.Random, retry_after: float | None = None) -> float:
        """Seconds to wait before retry number `attempt` (0-based); a server's Retry-After wins."""
        if retry_after is not None:
            return min(self.cap_s, retry_after)
        return rng.uniform(0, min(self.cap_s, self.base_s * 2**attempt))


class Retryable(Exception):
    """A failure worth retrying: one the server has finished with (429, 5xx, a refused or dropped
    connection), so a second attempt can never run beside the first."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


async def with_retries(
    call: Callable[[], Awaitable[T]], policy: RetryPolicy, rng: random.Random
) -> tuple[T | None, str | None]:
    """Run `call`, retrying `Retryable` failures; returns (result, None) or (None, last error)."""
    last = ""
    for attempt in range(policy.max_retries + 1):
        try:
            return await call(), None
        except Retryable as e:
            last = str(e)
            if attempt == policy.max_retries:
                break
            await asyncio.sleep(policy.delay(attempt, rng, e.retry_after))
    return None, f"gave up after {policy.max_retries + 1} attempts: {last}"
