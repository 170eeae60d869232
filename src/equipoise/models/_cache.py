"""The persistent response cache: every successful model call, keyed by what determines it.

Key = sha256 of (model entry identity, messages, decoding parameters). A new response is written
in the event-loop turn after it arrives, together with every other response of that turn, as one
SQLite transaction (WAL mode), after the runner has already sent the next request on its slot:
at 64 requests in flight, responses arrive in bursts, and each microsecond spent between a
response and the next request is paid by every request behind it in the burst
(bench/runner_overhead.py). A run killed with `kill -9` and started again asks the model only for
what was not stored: at worst the requests in flight when it died and the responses of the turn
it died in. Failed calls are not cached: a rerun retries them.

Writes go to an append-only `journal` table with no index: inserting random sha256 keys into the
indexed `responses` table touches a page per row, which made a burst of 64 responses cost about a
millisecond. The journal is folded into `responses` in one sorted pass when the cache closes, and
when it opens after a run was killed.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, replace
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from equipoise._errors import CacheError
from equipoise.models._buffer import BufferedWrites
from equipoise.models._types import ChatModel, ChatRequest, ChatResponse, GenerateConfig

if TYPE_CHECKING:
    from equipoise.models._pg_cache import PgResponseCache

# Module-level encoders: json.dumps with non-default options builds a new encoder on every call.
_KEY_JSON = json.JSONEncoder(sort_keys=True, ensure_ascii=False)
# SQLite builds before 3.32 allow at most 999 parameters in one statement.
_KEYS_PER_QUERY = 900


@lru_cache(maxsize=256)
def _config_dict(config: GenerateConfig) -> dict[str, Any]:
    # Every request of a task shares one config: converting it once saves a deep copy per call.
    # Equal configs share the memoised dict (0 == 0.0), so the float fields are written as floats:
    # otherwise a key would depend on which of two equal configs the process met first.
    d = {**asdict(config), "stop": list(config.stop)}
    for name in ("temperature", "top_p"):
        if type(d[name]) is int:
            d[name] = float(d[name])
    return d


def request_key(model_identity: str, request: ChatRequest) -> str:
    """The cache key of one request to one model entry."""
    payload = {
        "model": model_identity,
        "messages": request.message_dicts(),
        "config": _config_dict(request.config),
    }
    return hashlib.sha256(_KEY_JSON.encode(payload).encode()).hexdigest()


class ResponseCache(BufferedWrites):
    """A SQLite table of responses; safe to share between runs and processes.

    `put` inside a running event loop buffers the response and schedules one write for everything
    buffered in the same loop turn; outside a loop it writes at once. `get` sees every response
    this object stored, buffered or written; `close` folds them into the indexed table.
    Another process sees a response once the process that stored it has closed its cache (or died,
    and any process has opened the cache since).
    """

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._db = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=30)
        try:
            self._db.execute("PRAGMA journal_mode=WAL")
            # NORMAL: a commit survives the process being killed; only power loss may lose the last few.
            self._db.execute("PRAGMA synchronous=NORMAL")
            for table, key in (("responses", "key TEXT PRIMARY KEY"), ("journal", "key TEXT NOT NULL")):
                self._db.execute(
                    f"CREATE TABLE IF NOT EXISTS {table} ({key}, model TEXT NOT NULL, "
                    "response TEXT NOT NULL, created REAL NOT NULL)"
                )
        except sqlite3.DatabaseError as e:
            self._db.close()
            raise CacheError(
                f"the response cache {path} cannot be read ({e}): run with --no-cache, or move the file "
                "away (a new cache is made in its place; the answers in the old one are then asked again)"
            ) from None
        super().__init__()
        # Written to the journal by this object, not yet folded into `responses`.
        self._journaled: dict[str, ChatResponse] = {}
        self._fold()

    def _mine(self, key: str) -> ChatResponse | None:
        pending = self._pending.get(key)
        return pending[1] if pending is not None else self._journaled.get(key)

    def get(self, key: str) -> ChatResponse | None:
        """The stored response for `key`, marked as cached."""
        mine = self._mine(key)
        if mine is not None:
            return replace(mine, cached=True)
        row = self._db.execute("SELECT response FROM responses WHERE key = ?", (key,)).fetchone()
        return ChatResponse.from_dict(json.loads(row[0]), cached=True) if row else None

    def get_many(self, keys: list[str]) -> dict[str, ChatResponse]:
        """The stored responses among `keys`, read in a few large queries, marked as cached."""
        found = {k: replace(r, cached=True) for k in keys if (r := self._mine(k)) is not None}
        rest = [k for k in keys if k not in found]
        for i in range(0, len(rest), _KEYS_PER_QUERY):
            chunk = rest[i : i + _KEYS_PER_QUERY]
            marks = ",".join("?" * len(chunk))
            for key, raw in self._db.execute(f"SELECT key, response FROM responses WHERE key IN ({marks})", chunk):
                found[key] = ChatResponse.from_dict(json.loads(raw), cached=True)
        return found

    def flush(self) -> None:
        """Write every buffered response to the journal in one transaction."""
        pending = list(self._pending.items())
        super().flush()
        self._journaled.update((key, r) for key, (_, r) in pending)

    def _write(self, rows: list[tuple[Any, ...]]) -> None:
        with _transaction(self._db):
            self._db.executemany("INSERT INTO journal (key, model, response, created) VALUES (?, ?, ?, ?)", rows)

    def _fold(self) -> None:
        """Move the journal (this object's rows and any a killed process left) into `responses`."""
        with _transaction(self._db):
            self._db.execute(
                "INSERT OR REPLACE INTO responses (key, model, response, created) "
                "SELECT key, model, response, created FROM journal ORDER BY key, rowid"
            )
            self._db.execute("DELETE FROM journal")
        self._journaled.clear()

    def __len__(self) -> int:
        self.flush()
        self._fold()
        return int(self._db.execute("SELECT count(*) FROM responses").fetchone()[0])

    def close(self) -> None:
        """Write what is buffered, fold the journal into the table and close the connection."""
        self.flush()
        self._fold()
        self._db.close()


def open_response_cache(path: Path, url: str | None = None) -> ResponseCache | PgResponseCache:
    """The response cache: the PostgreSQL table at `url` when one is given (shared by machines),
    else the SQLite file at `path` (shared by the processes of one machine)."""
    if url:
        from equipoise.models._pg_cache import PgResponseCache

        return PgResponseCache(url)
    return ResponseCache(path)


@contextmanager
def _transaction(db: sqlite3.Connection) -> Iterator[None]:
    """BEGIN ... COMMIT, rolled back on any error (the connection is in autocommit mode)."""
    db.execute("BEGIN")
    try:
        yield
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


class CachedModel:
    """Wraps a ChatModel: answers from the cache when it can, and stores new answers.

    Identical requests in flight at the same time share one call, so duplicated prompts in a
    dataset never cost two calls.
    """

    def __init__(self, model: ChatModel, identity: str, cache: ResponseCache | PgResponseCache | None) -> None:
        self.model = model
        self.identity = identity
        self.name = model.name
        self.max_concurrency = model.max_concurrency
        self._cache = cache
        self._inflight: dict[str, asyncio.Future[ChatResponse]] = {}
        # Keys looked up ahead by `prefetch`: the stored response, or None when none was stored.
        self._known: dict[str, ChatResponse | None] = {}
        self.calls = 0
        self.hits = 0

    def prefetch(self, requests: list[ChatRequest]) -> None:
        """Look up every request of a run in one pass before the first call, so the calls
        themselves never wait on a cache read (a run is mostly misses, or mostly hits on resume)."""
        if self._cache is None:
            return
        keys = [request_key(self.identity, r) for r in requests]
        found = self._cache.get_many(keys)
        self._known.update({k: found.get(k) for k in keys})

    async def chat(self, request: ChatRequest) -> ChatResponse:
        """A cached response or a new call."""
        if self._cache is None:
            self.calls += 1
            return await self.model.chat(request)
        key = request_key(self.identity, request)
        hit = self._known.pop(key) if key in self._known else self._cache.get(key)
        if hit is not None:
            self.hits += 1
            return hit
        pending = self._inflight.get(key)
        if pending is not None:
            return await asyncio.shield(pending)
        future: asyncio.Future[ChatResponse] = asyncio.get_running_loop().create_future()
        self._inflight[key] = future
        try:
            self.calls += 1
            response = await self.model.chat(request)
            self._cache.put(key, self.identity, response)
            future.set_result(response)
            return response
        except BaseException as e:
            future.set_exception(e)
            future.exception()  # mark retrieved: waiters get it via await
            raise
        finally:
            del self._inflight[key]

    def stream(self, request: ChatRequest):
        """Streaming is never cached."""
        return self.model.stream(request)

    async def aclose(self) -> None:
        """Close the wrapped model."""
        await self.model.aclose()
