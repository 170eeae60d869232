"""A real local HTTP server speaking the OpenAI chat-completions protocol, for tests.

It runs in a thread (or as `python tests/openai_server.py PORT DELAY_S LOG` in a subprocess) and
answers deterministically from the prompt. Failures can be injected per request number: HTTP
429 / 500, or a stall longer than the client's timeout. Every received request is logged, with its
headers and when it arrived, started and finished.

Like llama.cpp's server, it finishes a request whose client went away (aiohttp does not cancel the
handler), and with `serial` it serves one request at a time while the others wait in its queue.
"""

from __future__ import annotations

import asyncio
import json
import socket
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiohttp import web

Fault = str  # "429", "500", "stall", "400", "401"


def answer_for(prompt: str) -> str:
    """A deterministic answer: refuses the quick suite's harmful prompts, answers the rest."""
    lowered = prompt.lower()
    if any(w in lowered for w in ("bomb", "ransomware", "phishing", "nerve agent", "kill myself")):
        return "I'm sorry, but I can't help with that."
    if "multiplied" in lowered:
        return "391"
    return f"Here is a helpful answer about: {prompt[:40]}"


@dataclass
class Served:
    """When one request arrived, when the server started working on it and when it was done
    (`time.perf_counter` seconds; None while not yet)."""

    body: dict[str, Any]
    received_at: float
    started_at: float | None = None
    finished_at: float | None = None


@dataclass
class ServerState:
    """What the server saw and what it should do."""

    delay_s: float = 0.0
    faults: dict[int, Fault] = field(default_factory=dict)
    answer: Callable[[str], str] = answer_for
    received: list[dict[str, Any]] = field(default_factory=list)
    completed: int = 0
    in_flight: int = 0
    peak_in_flight: int = 0
    serial: bool = False
    stall_s: float = 30.0
    headers: list[dict[str, str]] = field(default_factory=list)
    served: list[Served] = field(default_factory=list)

    def copies_sent_while_served(self) -> list[tuple[int, int]]:
        """Pairs (first, copy) of request numbers where the copy, with the same body, arrived
        before the server had finished the first: work a serial server would do twice."""
        pairs = []
        for j, later in enumerate(self.served):
            for i, earlier in enumerate(self.served[:j]):
                busy = earlier.finished_at is None or later.received_at < earlier.finished_at
                if earlier.body == later.body and busy:
                    pairs.append((i, j))
        return pairs


def make_app(state: ServerState) -> web.Application:
    """The aiohttp application."""
    one_at_a_time = asyncio.Lock()

    async def chat(request: web.Request) -> web.StreamResponse:
        body = await request.json()
        number = len(state.received)
        state.received.append(body)
        state.headers.append(dict(request.headers))
        record = Served(body, time.perf_counter())
        state.served.append(record)
        if state.serial:
            async with one_at_a_time:
                return await serve(request, body, number, record)
        return await serve(request, body, number, record)

    async def serve(request: web.Request, body: dict[str, Any], number: int, record: Served) -> web.StreamResponse:
        record.started_at = time.perf_counter()
        state.in_flight += 1
        state.peak_in_flight = max(state.peak_in_flight, state.in_flight)
        try:
            return await respond(request, body, number)
        finally:
            state.in_flight -= 1
            record.finished_at = time.perf_counter()

    async def respond(request: web.Request, body: dict[str, Any], number: int) -> web.StreamResponse:
        fault = state.faults.get(number)
        if fault in ("429", "500", "400", "401"):
            headers = {"Retry-After": "0"} if fault == "429" else {}
            return web.json_response({"error": {"message": f"injected {fault}"}}, status=int(fault), headers=headers)
        if fault == "stall":
            await asyncio.sleep(state.stall_s)
        if state.delay_s:
            await asyncio.sleep(state.delay_s)
        prompt = body["messages"][-1]["content"]
        text = state.answer(prompt)
        if body.get("stream"):
            resp = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
            await resp.prepare(request)
            for word in text.split(" "):
                chunk = {"choices": [{"index": 0, "delta": {"content": word + " "}}]}
                await resp.write(f"data: {json.dumps(chunk)}\n\n".encode())
            await resp.write(b"data: [DONE]\n\n")
            state.completed += 1
            return resp
        state.completed += 1
        return web.json_response(
            {
                "id": f"cmpl-{number}",
                "object": "chat.completion",
                "created": int(time.time()),
                "model": body["model"],
                "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
                "usage": {
                    "prompt_tokens": len(prompt.split()),
                    "completion_tokens": len(text.split()),
                    "total_tokens": len(prompt.split()) + len(text.split()),
                },
            }
        )

    app = web.Application()
    app.router.add_post("/v1/chat/completions", chat)
    return app


def free_port() -> int:
    """An unused TCP port on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class ThreadedServer:
    """Runs the app on its own event loop in a daemon thread."""

    def __init__(self, state: ServerState) -> None:
        self.state = state
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}/v1"
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        runner = web.AppRunner(make_app(self.state))
        self._loop.run_until_complete(runner.setup())
        self._loop.run_until_complete(web.TCPSite(runner, "127.0.0.1", self.port).start())
        self._runner = runner
        self._ready.set()
        self._loop.run_forever()
        self._loop.run_until_complete(runner.cleanup())

    def __enter__(self) -> ThreadedServer:
        self._thread.start()
        self._ready.wait(10)
        return self

    def __exit__(self, *exc: object) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)


def main() -> None:
    """Subprocess mode: serve on PORT with DELAY_S per request, appending each prompt to LOG."""
    port, delay, log = int(sys.argv[1]), float(sys.argv[2]), Path(sys.argv[3])
    state = ServerState(delay_s=delay)
    handle = log.open("a", buffering=1)

    original = state.answer

    def logged(prompt: str) -> str:
        handle.write(json.dumps(prompt) + "\n")
        return original(prompt)

    state.answer = logged
    web.run_app(make_app(state), host="127.0.0.1", port=port, print=None)


if __name__ == "__main__":
    main()
