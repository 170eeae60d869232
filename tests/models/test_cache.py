"""The response cache: the key changes with every part of a request that changes the answer and
with nothing else; what one process stores another finds, a killed process's journal is kept,
many keys are looked up at once, and a response is written within one loop turn."""

from __future__ import annotations

import asyncio
import hashlib
import json
import sqlite3
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from equipoise.models import (
    CachedModel,
    ChatMessage,
    ChatRequest,
    ChatResponse,
    GenerateConfig,
    ModelEntry,
    ResponseCache,
    request_key,
)
from equipoise.settings import get_settings
from tests.replay_model import ReplayModel

ENTRY = ModelEntry(
    spec="openai-compat:llama-3-8b@http://127.0.0.1:8000/v1",
    system_prompt="Be brief.",
    config=GenerateConfig(temperature=0.0, max_tokens=64, seed=0, stop=("END",), top_p=0.9),
    args={"n_ctx": 4096},
)
MESSAGES = (ChatMessage("system", "Be brief."), ChatMessage("user", "What is 2 + 2?"))


def key(identity: str = ENTRY.identity(), messages: tuple[ChatMessage, ...] = MESSAGES, **config: Any) -> str:
    """The key of the reference request with one part changed."""
    return request_key(identity, ChatRequest(messages, replace(ENTRY.config, **config)))


def test_equal_requests_give_equal_keys() -> None:
    # Built again from plain values, not the same objects.
    entry = ModelEntry(
        spec="openai-compat:llama-3-8b@http://127.0.0.1:8000/v1",
        system_prompt="Be brief.",
        config=GenerateConfig().merged(temperature=0.0, max_tokens=64, seed=0, stop=["END"], top_p=0.9),
        args={"n_ctx": 4096},
    )
    request = ChatRequest.of(
        [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "What is 2 + 2?"}], entry.config
    )
    assert request_key(entry.identity(), request) == key()
    assert len(key()) == 64 and int(key(), 16) >= 0  # a sha256 hex digest


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("temperature", 0.7),
        ("max_tokens", 65),
        ("seed", 1),
        ("seed", None),
        ("stop", ()),
        ("stop", ("END", "STOP")),
        ("stop", ("E", "N", "D")),
        ("top_p", 1.0),
        ("top_p", None),
    ],
    ids=["temperature", "max_tokens", "seed", "no-seed", "no-stop", "more-stops", "stop-split", "top_p", "no-top_p"],
)
def test_each_decoding_parameter_is_in_the_key(field: str, value: Any) -> None:
    assert key(**{field: value}) != key()


@pytest.mark.parametrize(
    "messages",
    [
        (ChatMessage("system", "Be brief."), ChatMessage("user", "What is 2 + 3?")),
        (ChatMessage("system", "Refuse harmful requests."), ChatMessage("user", "What is 2 + 2?")),
        (ChatMessage("user", "What is 2 + 2?"),),
        (ChatMessage("system", "Be brief."), ChatMessage("assistant", "What is 2 + 2?")),
        (ChatMessage("user", "What is 2 + 2?"), ChatMessage("system", "Be brief.")),
        (*MESSAGES, ChatMessage("assistant", "4"), ChatMessage("user", "And 3 + 3?")),
    ],
    ids=["user-text", "system-prompt", "no-system-prompt", "role", "order", "more-turns"],
)
def test_the_messages_are_in_the_key(messages: tuple[ChatMessage, ...]) -> None:
    assert key(messages=messages) != key()


@pytest.mark.parametrize(
    "changed",
    [
        replace(ENTRY, spec="openai-compat:llama-3-70b@http://127.0.0.1:8000/v1"),
        replace(ENTRY, spec="openai-compat:llama-3-8b@http://127.0.0.1:8001/v1"),
        replace(ENTRY, system_prompt="Refuse harmful requests."),
        replace(ENTRY, system_prompt=None),
        replace(ENTRY, config=replace(ENTRY.config, temperature=1.0)),
        replace(ENTRY, args={"n_ctx": 2048}),
    ],
    ids=["model-name", "endpoint", "system-prompt", "no-system-prompt", "entry-config", "model-args"],
)
def test_the_model_entry_identity_is_in_the_key(changed: ModelEntry) -> None:
    # The request itself is the same: only the entry it is sent to differs.
    assert changed.identity() != ENTRY.identity()
    assert key(identity=changed.identity()) != key()


@pytest.mark.parametrize(
    "same",
    [
        replace(ENTRY, display_name="Llama 3 8B (team server)", organisation="Meta", open_weights=True),
        replace(ENTRY, args={**ENTRY.args, "api_key_env": "TEAM_KEY", "max_concurrency": 8, "timeout_s": 30}),
        replace(ENTRY, args={**ENTRY.args, "max_retries": 0, "retry_base_s": 2.0}),
    ],
    ids=["display-metadata", "transport-args", "retry-args"],
)
def test_what_does_not_change_the_answer_is_not_in_the_key(same: ModelEntry) -> None:
    assert key(identity=same.identity()) == key()


def test_the_key_is_the_sha256_of_model_messages_and_config() -> None:
    # Pinned: a different key format would make every stored response a miss. max_tokens=4321 is
    # used by no other test, so this test is the first to meet these configs in the process.
    as_int, as_float = GenerateConfig(temperature=0, max_tokens=4321), GenerateConfig(temperature=0.0, max_tokens=4321)
    payload = {
        "model": "m",
        "messages": [{"role": "user", "content": "hi"}],
        "config": {"temperature": 0.0, "max_tokens": 4321, "seed": 0, "stop": [], "top_p": None},
    }
    expected = hashlib.sha256(json.dumps(payload, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
    messages = (ChatMessage("user", "hi"),)
    # The int config first: equal configs share one memoised conversion (0 == 0.0), and a key must
    # not depend on which of them a process met first (a TOML `temperature = 0` entry would
    # otherwise miss in one process what it stored in another).
    assert request_key("m", ChatRequest(messages, as_int)) == expected
    assert request_key("m", ChatRequest(messages, as_float)) == expected


async def test_a_changed_decoding_parameter_asks_the_model_again(tmp_path: Path) -> None:
    cache = ResponseCache(tmp_path / "cache.sqlite")
    model = CachedModel(ReplayModel("cold", "warm"), ENTRY.identity(), cache)
    cold = ChatRequest(MESSAGES, ENTRY.config)
    first = await model.chat(cold)
    again = await model.chat(ChatRequest(MESSAGES, ENTRY.config))
    warmer = await model.chat(ChatRequest(MESSAGES, replace(ENTRY.config, temperature=0.8)))
    assert (first.text, again.text, warmer.text) == ("cold", "cold", "warm")
    assert again.cached and not warmer.cached and (model.calls, model.hits) == (2, 1)
    cache.close()


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
