"""`gguf:PATH` — a GGUF file run in-process by llama.cpp, with the model's own chat template.

One `Llama` instance is not thread-safe, so every call to it goes through one worker thread and an
asyncio lock: calls are serialised, and the event loop stays free for other work meanwhile.
"""

from __future__ import annotations

import asyncio
import atexit
import os
import sys
import threading
import time
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Annotated, Any

from pydantic import Field

from equipoise._registry import registrar
from equipoise.models._providers._util import ProviderArgs, concurrency_field
from equipoise.models._types import ChatRequest, ChatResponse, ModelError, Usage

modelapi = registrar("modelapi")

_LOADED: dict[tuple[str, int, int], Any] = {}
_LOAD_LOCK = threading.Lock()


@atexit.register
def _free_models() -> None:
    # Freed before interpreter teardown: llama.cpp's own __del__ runs too late, after the
    # library's function pointers are gone, and prints a traceback on every exit.
    with _LOAD_LOCK:
        for llm in _LOADED.values():
            llm.close()
        _LOADED.clear()
    # llama-cpp-python opens /dev/null twice at import and never closes it (llama_cpp/_utils.py), so
    # every exit printed two "unclosed file" warnings; with every model closed nothing uses them now.
    utils = sys.modules.get("llama_cpp._utils")
    for name in ("outnull_file", "errnull_file"):
        handle = getattr(utils, name, None)
        if handle is not None:
            handle.close()


def load_llama(path: Path, n_ctx: int = 4096, n_threads: int | None = None) -> Any:
    """Load (once per process) a GGUF file with llama.cpp."""
    try:
        from llama_cpp import Llama
    except ImportError as e:
        raise ModelError(
            "llama-cpp-python is not installed; run `make demo` or "
            'CMAKE_ARGS="-DGGML_NATIVE=OFF" pip install llama-cpp-python==0.3.36'
        ) from e
    if not path.is_file():
        raise ModelError(f"GGUF file {path} does not exist")
    threads = n_threads or max(1, min(os.cpu_count() or 1, 8))
    key = (str(path.resolve()), n_ctx, threads)
    with _LOAD_LOCK:
        if key not in _LOADED:
            try:
                _LOADED[key] = Llama(model_path=str(path), n_ctx=n_ctx, n_threads=threads, verbose=False, seed=0)
            except ValueError as e:
                raise ModelError(f"llama.cpp could not load {path}: {e}") from None
    return _LOADED[key]


class GGUFArgs(ProviderArgs):
    """`args` of a `gguf:` or `embedded:` entry."""

    n_ctx: Annotated[int, Field(ge=1, description="Context window in tokens (prompt plus answer).")] = 4096
    n_threads: Annotated[int | None, Field(ge=1, description="CPU threads (unset: one per core, at most 8).")] = None
    # More than one in flight only queues behind the lock; one keeps the cache order natural.
    max_concurrency: Annotated[int, concurrency_field()] = 1


@modelapi("gguf", description="A local GGUF file run in-process by llama.cpp", args=GGUFArgs)
class GGUFModel:
    """In-process llama.cpp chat model."""

    def __init__(self, target: str, args: GGUFArgs | None = None, name: str | None = None) -> None:
        args = args or GGUFArgs()
        self.path = Path(target).expanduser()
        self.name = name or f"gguf:{self.path}"
        self.max_concurrency = args.max_concurrency
        self._llm = load_llama(self.path, args.n_ctx, args.n_threads)
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="llama")
        self._lock = asyncio.Lock()

    def _kwargs(self, request: ChatRequest) -> dict[str, Any]:
        cfg = request.config
        kwargs: dict[str, Any] = {
            "messages": request.message_dicts(),
            "temperature": cfg.temperature,
            "max_tokens": cfg.max_tokens,
            "stop": list(cfg.stop) or None,
        }
        if cfg.seed is not None:
            kwargs["seed"] = cfg.seed
        if cfg.top_p is not None:
            kwargs["top_p"] = cfg.top_p
        return kwargs

    def _complete(self, request: ChatRequest) -> ChatResponse:
        start = time.perf_counter()
        try:
            out = self._llm.create_chat_completion(**self._kwargs(request))
        except ValueError as e:
            # llama.cpp raises ValueError when the prompt exceeds the context window.
            return ChatResponse(text="", latency_s=time.perf_counter() - start, error=f"llama.cpp: {e}")
        choice = out["choices"][0]
        usage = out.get("usage") or {}
        return ChatResponse(
            text=choice["message"].get("content") or "",
            finish_reason=choice.get("finish_reason"),
            usage=Usage(usage.get("prompt_tokens", 0), usage.get("completion_tokens", 0)),
            latency_s=time.perf_counter() - start,
        )

    async def chat(self, request: ChatRequest) -> ChatResponse:
        """Generate on the llama thread; other coroutines keep running."""
        async with self._lock:
            return await asyncio.get_running_loop().run_in_executor(self._executor, self._complete, request)

    async def stream(self, request: ChatRequest) -> AsyncIterator[str]:
        """Yield text pieces as llama.cpp produces them."""
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[str | None] = asyncio.Queue()

        def produce() -> None:
            chunks: Iterator[dict[str, Any]] = self._llm.create_chat_completion(**self._kwargs(request), stream=True)
            for chunk in chunks:
                piece = chunk["choices"][0].get("delta", {}).get("content")
                if piece:
                    loop.call_soon_threadsafe(queue.put_nowait, piece)
            loop.call_soon_threadsafe(queue.put_nowait, None)

        async with self._lock:
            fut = loop.run_in_executor(self._executor, produce)
            while (piece := await queue.get()) is not None:
                yield piece
            await fut

    async def aclose(self) -> None:
        """Stop the worker thread (the weights stay loaded for reuse in this process)."""
        self._executor.shutdown(wait=False)
