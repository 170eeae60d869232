"""Opening the store: checked before any model call, migrated once under a lock, deletable runs."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from equipoise import evaluate
from equipoise.cli import app
from equipoise.settings import get_settings
from equipoise.store import StoreError, open_store
from tests.openai_server import ServerState, ThreadedServer

EQUIPOISE = Path(sys.executable).parent / "equipoise"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("not a url", "is not a database URL"),
        ("mysql+nosuchdriver://x@127.0.0.1/db", "is not a database URL"),
        ("postgresql://nobody@127.0.0.1:1/equipoise", "cannot reach the results store"),
    ],
)
def test_a_bad_store_url_fails_before_the_first_model_call(
    url: str, expected: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EQUIPOISE_DATABASE_URL", url)
    get_settings.cache_clear()
    with ThreadedServer(ServerState()) as server:
        result = CliRunner().invoke(app, ["eval", "-m", f"openai-compat:m@{server.base_url}", "-t", "quick/harmful"])
        assert server.state.received == []
    assert result.exit_code == 2
    message = " ".join(result.output.split())
    assert "EQUIPOISE_DATABASE_URL" in message and expected in message
    assert "Traceback" not in result.output
    if "not a database URL" in expected:
        assert "postgresql://user:password@127.0.0.1:5432/equipoise" in message


def test_store_error_is_raised_by_the_library_too() -> None:
    with pytest.raises(StoreError, match="the store URL: 'garbage' is not a database URL"):
        open_store("garbage")


def test_constructing_a_store_touches_no_database(tmp_path: Path) -> None:
    from equipoise.store import Store

    Store(f"sqlite:///{tmp_path / 'never.sqlite'}")
    assert not (tmp_path / "never.sqlite").exists()


def test_db_upgrade_is_explicit_and_idempotent(fresh_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EQUIPOISE_DATABASE_URL", fresh_url)
    get_settings.cache_clear()
    first = CliRunner().invoke(app, ["db", "upgrade"])
    second = CliRunner().invoke(app, ["db", "upgrade"])
    assert first.exit_code == 0 and "upgraded to the newest schema" in first.output
    assert second.exit_code == 0 and "already at the newest schema" in second.output


def test_eight_processes_on_a_new_store_all_succeed(fresh_url: str, tmp_path: Path) -> None:
    # Each process is a fresh `equipoise`: the first use of the store (its migration) and the
    # recording of a run happen in all of them at once.
    env = {**os.environ, "EQUIPOISE_DATABASE_URL": fresh_url, "EQUIPOISE_HOME": str(tmp_path / "home")}
    env["EQUIPOISE_CACHE_DIR"] = str(tmp_path / "cache")
    commands = [["eval", "-m", "scripted:refuse-all", "--name", f"p{i}", "-t", "quick/harmful"] for i in range(4)]
    commands += [["results"]] * 4
    # Output goes to files: a pipe nobody reads would block a process that prints a long error.
    logs = [tmp_path / f"out{i}.txt" for i in range(len(commands))]
    processes = [
        subprocess.Popen([str(EQUIPOISE), *c], env=env, stdout=log.open("w"), stderr=subprocess.STDOUT)
        for c, log in zip(commands, logs, strict=True)
    ]
    codes = [p.wait(timeout=240) for p in processes]
    assert codes == [0] * 8, "\n".join(log.read_text() for code, log in zip(codes, logs, strict=True) if code)
    # One entry (the display name is not part of its identity), four runs.
    runs = open_store(fresh_url).list_runs()
    assert len(runs) == 4 and len({r["model"]["identity"] for r in runs}) == 1


def test_results_delete_asks_unless_yes(tmp_path: Path) -> None:
    run = evaluate("scripted:refuse-all", tasks=["quick/harmful"], run_dir=tmp_path / "r")
    kept = CliRunner().invoke(app, ["results", "delete", run.run_id[:15]], input="n\n")
    assert kept.exit_code == 1 and open_store().get_run(run.run_id) is not None
    gone = CliRunner().invoke(app, ["results", "delete", run.run_id[:15], "--yes"])
    assert gone.exit_code == 0 and f"deleted run {run.run_id}" in gone.output
    assert open_store().get_run(run.run_id) is None
    missing = CliRunner().invoke(app, ["results", "delete", "nosuchrun", "--yes"])
    assert missing.exit_code == 2 and "no single stored run matches 'nosuchrun'" in missing.output
