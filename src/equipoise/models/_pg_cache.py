"""The response cache in PostgreSQL, for processes on several machines (`equipoise worker`s).

The SQLite cache is a file: workers on one machine share it, workers on others do not, so a job
taken over from a dead worker on another machine would ask its model again for every answer the
dead one received. With EQUIPOISE_RESPONSE_CACHE_URL pointing at a PostgreSQL database (the
store's, say), every process reads and writes one table, and a job taken over asks only for what
was in flight when its worker died.

Writes are batched as in the SQLite cache: the responses of one event-loop turn go in one
statement, after the runner has already sent its next requests.
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from equipoise._errors import CacheError
from equipoise.models._buffer import BufferedWrites
from equipoise.models._types import ChatResponse

_TABLE = "equipoise_response_cache"


def _libpq(url: str) -> str:
    # SQLAlchemy's driver name (postgresql+psycopg://) is not a libpq URL
    return "postgresql://" + url.split("://", 1)[1]


class PgResponseCache(BufferedWrites):
    """A PostgreSQL table of responses with the interface of `ResponseCache`."""

    def __init__(self, url: str) -> None:
        import psycopg

        try:
            self._db = psycopg.connect(_libpq(url), autocommit=True, connect_timeout=10)
            self._db.execute(
                f"CREATE TABLE IF NOT EXISTS {_TABLE} "
                "(key TEXT PRIMARY KEY, model TEXT NOT NULL, response TEXT NOT NULL, created DOUBLE PRECISION NOT NULL)"
            )
        except psycopg.Error as e:
            first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
            raise CacheError(
                f"the response cache at EQUIPOISE_RESPONSE_CACHE_URL cannot be used ({first}): check the URL, "
                "or unset it to use the cache file"
            ) from None
        self.location = url
        super().__init__()

    def get(self, key: str) -> ChatResponse | None:
        """The stored response for `key`, marked as cached."""
        return self.get_many([key]).get(key)

    def get_many(self, keys: list[str]) -> dict[str, ChatResponse]:
        """The stored responses among `keys` (one query), marked as cached."""
        found = {k: replace(self._pending[k][1], cached=True) for k in keys if k in self._pending}
        rest = [k for k in keys if k not in found]
        if rest:
            rows = self._db.execute(f"SELECT key, response FROM {_TABLE} WHERE key = ANY(%s)", (rest,)).fetchall()
            found.update((k, ChatResponse.from_dict(json.loads(raw), cached=True)) for k, raw in rows)
        return found

    def _write(self, rows: list[tuple[Any, ...]]) -> None:
        with self._db.cursor() as cur:
            cur.executemany(
                f"INSERT INTO {_TABLE} (key, model, response, created) VALUES (%s, %s, %s, %s) "
                "ON CONFLICT (key) DO NOTHING",
                rows,
            )

    def __len__(self) -> int:
        self.flush()
        return int(self._db.execute(f"SELECT count(*) FROM {_TABLE}").fetchone()[0])  # type: ignore[index]

    def close(self) -> None:
        """Write what is buffered and close the connection."""
        self.flush()
        self._db.close()
