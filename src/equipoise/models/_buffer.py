"""Write batching shared by the response caches (SQLite file, PostgreSQL table).

A response is buffered when it arrives and written with the others of the same event-loop turn in
one statement, after the runner has already sent its next requests; outside an event loop it is
written at once.
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

from equipoise.models._types import ChatResponse

_ROW_JSON = json.JSONEncoder(ensure_ascii=False)


class BufferedWrites:
    """`put` buffers; `flush` hands (key, model, response JSON, time) rows to `_write`."""

    def __init__(self) -> None:
        self._pending: dict[str, tuple[str, ChatResponse]] = {}
        self._flush_scheduled = False

    def put(self, key: str, model: str, response: ChatResponse) -> None:
        """Store a successful response (failures are never stored)."""
        if response.failed:
            return
        self._pending[key] = (model, response)
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            self.flush()
            return
        if not self._flush_scheduled:
            self._flush_scheduled = True
            loop.call_soon(self.flush)

    def flush(self) -> None:
        """Write every buffered response in one statement."""
        self._flush_scheduled = False
        if not self._pending:
            return
        now = time.time()
        rows: list[tuple[Any, ...]] = [
            (key, model, _ROW_JSON.encode(r.to_dict()), now) for key, (model, r) in self._pending.items()
        ]
        self._write(rows)
        self._pending.clear()

    def _write(self, rows: list[tuple[Any, ...]]) -> None:
        raise NotImplementedError
