"""`equipoise worker` runs jobs from a PostgreSQL store, and says what to do on a SQLite one."""

from __future__ import annotations

from typing import Any

import pytest
from typer.testing import CliRunner

import equipoise.queue
from equipoise.cli import app

runner = CliRunner()


def test_a_worker_on_sqlite_is_refused_with_what_to_do() -> None:
    result = runner.invoke(app, ["worker"])
    assert result.exit_code == 2
    assert "needs a PostgreSQL store" in result.output and "equipoise serve" in result.output


def test_a_worker_with_a_bad_store_url_names_it() -> None:
    result = runner.invoke(app, ["worker", "--store", "nonsense://x"])
    assert result.exit_code == 2 and "nonsense://x" in result.output


@pytest.mark.postgres
def test_a_worker_passes_its_options_to_the_queue(postgres_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: dict[str, Any] = {}

    async def fake_worker(store, policy, **options) -> None:
        seen.update(store=store, policy=policy, **options)

    monkeypatch.setattr(equipoise.queue, "run_worker", fake_worker)
    args = ["worker", "--store", postgres_url, "--concurrency", "3", "--heartbeat-timeout", "7", "--max-attempts", "5"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert (seen["concurrency"], seen["heartbeat_timeout_s"], seen["policy"].max_attempts) == (3, 7.0, 5)
    assert seen["store"].engine.dialect.name == "postgresql"
