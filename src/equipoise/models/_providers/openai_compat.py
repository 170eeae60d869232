"""`openai-compat:MODEL@BASE_URL` — any OpenAI-compatible `/v1/chat/completions` endpoint.

Requests go over one pooled aiohttp session speaking the OpenAI wire protocol directly. The
`openai` SDK on its default httpx transport tops out near 100 requests/s on two cores, and even on
its aiohttp transport spends about 1 ms of CPU per call (see BENCHMARKS.md); at 64 concurrent
requests to a fast server that per-call cost, not the server, is the limit.

Timeouts and retries are built so that slow servers never do the work twice: a request's clock
starts when it is sent (after it gets one of the `max_concurrency` slots), and an attempt is
retried only when the server is known to be done with it. A timed-out attempt is not: llama.cpp's
server, for one, keeps generating for a client that went away, so a retry would queue a second
copy behind the first.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import time
from collections.abc import AsyncIterator
from typing import Annotated, Any
from urllib.parse import urlsplit

import aiohttp
from pydantic import Field

from equipoise._registry import registrar
from equipoise.models._providers._util import ProviderArgs, Retryable, RetryPolicy, concurrency_field, with_retries
from equipoise.models._types import ChatRequest, ChatResponse, ModelError, Usage

modelapi = registrar("modelapi")

# Answers from a server that has finished with the request: safe to send it again.
_RETRY_STATUS = {408, 409, 425, 429, 500, 502, 503}
# A gateway that gave up waiting: the server behind it may still be generating, as after a timeout.
_GATEWAY_TIMEOUT = 504


class OpenAICompatArgs(ProviderArgs):
    """`args` of an `openai-compat:` entry."""

    base_url: Annotated[str | None, Field(description="Base URL when the spec has no @BASE_URL.")] = None
    api_key_env: Annotated[
        str, Field(description="Environment variable holding the API key, sent as 'Authorization: Bearer KEY'.")
    ] = "OPENAI_API_KEY"
    max_concurrency: Annotated[int, concurrency_field()] = 32
    timeout_s: Annotated[
        float,
        Field(
            gt=0,
            description="Seconds from sending one request to its whole answer. Time spent waiting for one of "
            "the max_concurrency slots does not count; time queued inside the server does.",
        ),
    ] = 120.0
    connect_timeout_s: Annotated[
        float, Field(gt=0, description="Seconds to open a connection; a request that never connected is retried.")
    ] = 10.0
    max_retries: Annotated[
        int,
        Field(
            ge=0,
            description="Retries of an attempt the server has finished with: HTTP 408/409/425/429/500/502/503, "
            "a refused or dropped connection, unreadable JSON.",
        ),
    ] = 6
    retry_base_s: Annotated[
        float, Field(ge=0, description="Backoff before retry n: random up to retry_base_s * 2**n, at most 30 s.")
    ] = 0.5
    retry_timeouts: Annotated[
        bool,
        Field(
            description="Also retry an attempt that timed out or got HTTP 504. Only for servers where the "
            "abandoned attempt cannot hold up its copy: ones that stop generating when the client goes away "
            "or serve many requests in parallel (hosted APIs, vLLM). Not llama.cpp's server, which finishes "
            "the abandoned attempt first.",
        ),
    ] = False


def check_base_url(url: str, spec: str) -> str:
    """The URL without a trailing slash, or a ModelError saying what is wrong with it."""
    example = "e.g. openai-compat:llama3@http://127.0.0.1:8080/v1"
    parts = urlsplit(url)
    if "://" not in url or parts.scheme not in ("http", "https"):
        fix = f"http://{url}" if "://" not in url else url.replace(f"{parts.scheme}://", "http://", 1)
        raise ModelError(f"{spec}: base URL {url!r} needs an http:// or https:// scheme: write {fix!r} ({example})")
    if not parts.hostname:
        raise ModelError(f"{spec}: base URL {url!r} has no host ({example})")
    try:
        port = parts.port
    except ValueError:
        port = 0
    if port == 0:
        raise ModelError(f"{spec}: base URL {url!r} has a bad port: expected a number from 1 to 65535 ({example})")
    return url.rstrip("/")


def parse_target(target: str, args: OpenAICompatArgs) -> tuple[str, str]:
    """Split `MODEL@BASE_URL` into (model, checked base_url without trailing slash)."""
    model, sep, url = target.partition("@")
    url = url if sep else (args.base_url or "")
    spec = f"openai-compat:{target}"
    if not model or not url:
        raise ModelError(
            f"openai-compat spec {target!r}: expected openai-compat:MODEL@BASE_URL, "
            "e.g. openai-compat:llama3@http://127.0.0.1:8080/v1"
        )
    return model, check_base_url(url, spec)


@modelapi(
    "openai-compat",
    description="Any OpenAI-compatible /v1/chat/completions endpoint",
    args=OpenAICompatArgs,
    check_target=parse_target,
)
class OpenAICompatModel:
    """An OpenAI-compatible endpoint with bounded concurrency and retries."""

    def __init__(self, target: str, args: OpenAICompatArgs | None = None) -> None:
        self.args = args or OpenAICompatArgs()
        self.model, self.base_url = parse_target(target, self.args)
        self.name = f"openai-compat:{self.model}@{self.base_url}"
        self.max_concurrency = self.args.max_concurrency
        self._api_key = os.environ.get(self.args.api_key_env, "")
        self._timeout = aiohttp.ClientTimeout(total=self.args.timeout_s, sock_connect=self.args.connect_timeout_s)
        self._policy = RetryPolicy(max_retries=self.args.max_retries, base_s=self.args.retry_base_s)
        self._rng = random.Random()
        self._session: aiohttp.ClientSession | None = None
        self._slots: asyncio.Semaphore | None = None
        self._url = f"{self.base_url}/chat/completions"

    def _client(self) -> tuple[aiohttp.ClientSession, asyncio.Semaphore]:
        if self._session is None or self._session.closed:
            headers = {"Content-Type": "application/json"}
            if self._api_key:
                headers["Authorization"] = f"Bearer {self._api_key}"
            connector = aiohttp.TCPConnector(limit=self.max_concurrency, limit_per_host=self.max_concurrency)
            # An API client needs no cookies; the dummy jar skips a cookie filter on every request.
            self._session = aiohttp.ClientSession(
                headers=headers, connector=connector, timeout=self._timeout, cookie_jar=aiohttp.DummyCookieJar()
            )
            # Requests wait here, before their clock starts, not in the pool where aiohttp's would run.
            self._slots = asyncio.Semaphore(self.max_concurrency)
        assert self._slots is not None
        return self._session, self._slots

    def _body(self, request: ChatRequest, stream: bool = False) -> bytes:
        cfg = request.config
        body: dict[str, Any] = {
            "model": self.model,
            "messages": request.message_dicts(),
            "temperature": cfg.temperature,
            "max_tokens": cfg.max_tokens,
        }
        if cfg.seed is not None:
            body["seed"] = cfg.seed
        if cfg.stop:
            body["stop"] = list(cfg.stop)
        if cfg.top_p is not None:
            body["top_p"] = cfg.top_p
        if stream:
            body["stream"] = True
        return json.dumps(body).encode()

    def _abandoned(self, what: str) -> Exception:
        """An attempt the server may still be working on: retried only when told to."""
        if self.args.retry_timeouts:
            return Retryable(what)
        return _Fatal(
            f"{what}; not retried, since the server may still be generating the answer. Raise timeout_s "
            "for a slow server (or lower max_concurrency to its parallel slots), or set retry_timeouts = true "
            "for one that stops work for a client that went away"
        )

    async def _post(self, body: bytes, sent: list[float]) -> dict[str, Any]:
        session, slots = self._client()
        async with slots:
            sent.append(time.perf_counter())
            try:
                async with session.post(self._url, data=body) as resp:
                    if resp.status == _GATEWAY_TIMEOUT:
                        raise self._abandoned(f"HTTP 504 (gateway timeout) from {self._url}")
                    if resp.status in _RETRY_STATUS:
                        retry_after = _retry_after(resp.headers.get("Retry-After"))
                        raise Retryable(f"HTTP {resp.status} from {self._url}", retry_after)
                    payload = await resp.read()
                    if resp.status >= 400:
                        raise _Fatal(f"HTTP {resp.status} from {self._url}: {payload[:300].decode(errors='replace')}")
            except aiohttp.ConnectionTimeoutError:
                raise Retryable(f"could not connect to {self._url} within {self.args.connect_timeout_s}s") from None
            except TimeoutError:
                raise self._abandoned(f"no answer within {self.args.timeout_s}s of sending to {self._url}") from None
            except (aiohttp.ClientConnectionError, aiohttp.ClientPayloadError) as e:
                raise Retryable(f"connection error to {self._url}: {e}") from None
        try:
            return json.loads(payload)
        except ValueError:
            raise Retryable(f"unreadable JSON from {self._url}: {payload[:200]!r}") from None

    async def chat(self, request: ChatRequest) -> ChatResponse:
        """POST one chat completion; failures after retries come back as `error`.

        `latency_s` runs from the first attempt's sending to the end, so a wait for a free slot
        before it is not counted.
        """
        body = self._body(request)
        sent: list[float] = []
        try:
            data, error = await with_retries(lambda: self._post(body, sent), self._policy, self._rng)
        except _Fatal as e:
            data, error = None, str(e)
        latency = time.perf_counter() - sent[0] if sent else 0.0
        if data is None:
            return ChatResponse(text="", latency_s=latency, error=error)
        try:
            choice = data["choices"][0]
            text = choice["message"].get("content") or ""
            usage = data.get("usage") or {}
            return ChatResponse(
                text=text,
                finish_reason=choice.get("finish_reason"),
                usage=Usage(usage.get("prompt_tokens", 0) or 0, usage.get("completion_tokens", 0) or 0),
                latency_s=latency,
            )
        except (KeyError, IndexError, TypeError, AttributeError):
            return ChatResponse(text="", latency_s=latency, error=f"malformed response from {self._url}: {data!r:.300}")

    async def stream(self, request: ChatRequest) -> AsyncIterator[str]:
        """Yield content deltas from a server-sent-events stream."""
        session, slots = self._client()
        async with slots, session.post(self._url, data=self._body(request, stream=True)) as resp:
            if resp.status >= 400:
                raise ModelError(f"HTTP {resp.status} from {self._url} while streaming")
            async for raw in resp.content:
                line = raw.decode().strip()
                if not line.startswith("data:"):
                    continue
                data = line[5:].strip()
                if data == "[DONE]":
                    break
                delta = json.loads(data)["choices"][0].get("delta", {}).get("content")
                if delta:
                    yield delta

    async def aclose(self) -> None:
        """Close the connection pool."""
        if self._session is not None:
            await self._session.close()
            # aiohttp needs one loop turn to release the underlying transports.
            await asyncio.sleep(0)


class _Fatal(Exception):
    """A failure that retrying cannot fix (bad key, unknown model, bad request) or must not try to."""


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return float(value)
    except ValueError:
        return None
