"""The response cache: what one process stores another finds, a killed process's journal is kept,
many keys are looked up at once, and a response is written within one loop turn."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

from equipoise.models import ChatResponse, ResponseCache
from equipoise.settings import get_settings


def _rows(path: Path, table: str) -> int:
    with sqlite3.connect(path) as db:
        return int(db.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


def test_a_killed_process_journal_is_folded_in_by_the_next_open(tmp_path: Path) -> None:
    path = tmp_path / "cache.sqlite"
    killed = ResponseCache(path)
    killed.put("k1", "m", ChatResponse("first"))
    killed.put("k1", "m", ChatResponse("second"))  # the later answer to the same key wins
    killed.put("k2", "m", ChatResponse("other"))
    # No close(): the process died with its rows in the journal only.
    assert _rows(path, "journal") == 3 and _rows(path, "responses") == 0

    reopened = ResponseCache(path)
    assert _rows(path, "journal") == 0 and _rows(path, "responses") == 2
    hit = reopened.get("k1")
    assert hit is not None and hit.text == "second" and hit.cached
    reopened.close()


def test_failures_are_never_stored(tmp_path: Path) -> None:
    cache = ResponseCache(tmp_path / "cache.sqlite")
    cache.put("bad", "m", ChatResponse("", error="HTTP 500"))
    assert cache.get("bad") is None and len(cache) == 0
    cache.close()


def test_get_many_reads_thousands_of_keys_and_sees_unwritten_ones(tmp_path: Path) -> None:
    path = tmp_path / "cache.sqlite"
    writer = ResponseCache(path)
    for i in range(2500):
        writer.put(f"k{i}", "m", ChatResponse(f"answer {i}"))
    writer.close()

    cache = ResponseCache(path)
    cache.put("fresh", "m", ChatResponse("not folded yet"))
    keys = [f"k{i}" for i in range(0, 3000, 3)] + ["fresh", "absent"]
    found = cache.get_many(keys)
    assert len(found) == 834 + 1  # k0, k3, ... k2499 exist; k2502 and beyond do not
    assert found["k2499"].text == "answer 2499" and found["fresh"].text == "not folded yet"
    assert all(r.cached for r in found.values()) and "absent" not in found
    cache.close()


async def test_inside_a_loop_a_burst_is_written_in_the_next_turn(tmp_path: Path) -> None:
    path = tmp_path / "cache.sqlite"
    cache = ResponseCache(path)
    for i in range(5):
        cache.put(f"k{i}", "m", ChatResponse("x"))
    assert _rows(path, "journal") == 0 and cache.get("k4") is not None  # buffered, already visible
    await asyncio.sleep(0)
    assert _rows(path, "journal") == 5
    cache.close()
    assert _rows(path, "responses") == 5


def test_a_damaged_cache_file_is_named_with_what_to_do(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from equipoise._errors import CacheError
    from equipoise.cli import app

    path = get_settings().response_cache_path
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("this is not a database\n" * 100)
    with pytest.raises(CacheError, match="cannot be read"):
        ResponseCache(path)
    result = CliRunner().invoke(app, ["eval", "-m", "scripted:refuse-all", "-t", "quick/harmful"])
    assert result.exit_code == 2 and "Traceback" not in result.output
    message = " ".join(result.output.split())
    assert str(path) in message and "--no-cache" in message
    uncached = CliRunner().invoke(app, ["eval", "-m", "scripted:refuse-all", "-t", "quick/harmful", "--no-cache"])
    assert uncached.exit_code == 0
