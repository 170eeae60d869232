"""The response cache in PostgreSQL: what one process stores another sees at once, and a run with
EQUIPOISE_RESPONSE_CACHE_URL asks the model only for what no process asked before."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

import equipoise
from equipoise._errors import CacheError
from equipoise.models import ChatResponse, open_response_cache
from equipoise.models._pg_cache import PgResponseCache
from equipoise.settings import get_settings
from tests.conftest import _fresh_postgres
from tests.openai_server import ServerState, ThreadedServer

pytestmark = pytest.mark.postgres


@pytest.fixture
def url(postgres_url: str) -> Iterator[str]:
    yield from _fresh_postgres(postgres_url)


def test_what_one_cache_stores_another_sees_at_once(url: str, tmp_path) -> None:
    first, second = open_response_cache(tmp_path / "unused", url), PgResponseCache(url)
    assert isinstance(first, PgResponseCache)

    async def store() -> None:
        first.put("k1", "m", ChatResponse(text="one"))
        first.put("k2", "m", ChatResponse(text="two"))
        first.put("k3", "m", ChatResponse(text="", error="HTTP 500"))
        # buffered until the loop turns, but already answered by the object that holds it
        assert first.get("k1").text == "one" and second.get("k1") is None
        await asyncio.sleep(0)

    asyncio.run(store())
    found = second.get_many(["k1", "k2", "k3", "k4"])
    assert {k: r.text for k, r in found.items()} == {"k1": "one", "k2": "two"}
    assert all(r.cached for r in found.values())
    # a second put of a key keeps the first answer (two workers asked the same request)
    second.put("k1", "m", ChatResponse(text="other"))
    assert first.get("k1").text == "one" and len(first) == 2
    first.close()
    second.close()


def test_a_bad_url_is_a_cache_error_saying_what_to_do(tmp_path) -> None:
    with pytest.raises(CacheError, match="EQUIPOISE_RESPONSE_CACHE_URL"):
        open_response_cache(tmp_path / "unused", "postgresql://nobody@127.0.0.1:1/none")


def test_runs_on_two_machines_share_the_cache(url: str, tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EQUIPOISE_RESPONSE_CACHE_URL", url)
    with ThreadedServer(ServerState()) as server:
        spec = f"openai-compat:m@{server.base_url}"
        for machine in ("a", "b"):
            # each "machine" has its own cache directory: only the PostgreSQL table is shared
            monkeypatch.setenv("EQUIPOISE_CACHE_DIR", str(tmp_path / machine))
            get_settings.cache_clear()
            run = equipoise.evaluate(spec, suite="quick", write_files=False, record=False)
        assert len(server.state.received) == 88
    assert (run.calls, run.cache_hits) == (0, 88)
    assert not (tmp_path / "a" / "responses.sqlite").exists()
