"""The results store on SQLite and PostgreSQL: migrations, recording, listing, deleting."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import inspect

from equipoise import evaluate
from equipoise.store import open_store


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.sqlite'}"
    return request.getfixturevalue("postgres_url")


def test_migrations_create_the_schema(store_url: str) -> None:
    store = open_store(store_url)
    tables = set(inspect(store.engine).get_table_names())
    assert {"model_entries", "runs", "task_results", "sample_results", "alembic_version"} <= tables


def test_record_list_show_and_delete(store_url: str, tmp_path: Path) -> None:
    a = evaluate("scripted:refuse-all", suite="quick", store_url=store_url, run_dir=tmp_path / "a")
    b = evaluate("scripted:comply-all", suite="quick", store_url=store_url, run_dir=tmp_path / "b")
    store = open_store(store_url)
    runs = store.list_runs()
    mine = [r for r in runs if r["run_id"] in {a.run_id, b.run_id}]
    assert [r["run_id"] for r in mine] == [b.run_id, a.run_id]  # newest first
    assert store.run_ids() == [r["run_id"] for r in runs] and store.run_ids(suite="no-such-suite") == []
    only_a = store.list_runs(model="scripted:refuse-all")
    assert a.run_id in {r["run_id"] for r in only_a} and b.run_id not in {r["run_id"] for r in only_a}

    shown = store.get_run(a.run_id[:-2], with_samples=True)
    assert shown is not None and shown["run_id"] == a.run_id
    harmful = next(t for t in shown["tasks"] if t.task == "quick/harmful")
    # Wilson: 16 of 16 → [16 / (16 + z²), 1] = [0.8064, 1].
    assert harmful.mean == 1.0 and harmful.n == 16 and harmful.ci_low == pytest.approx(0.8064, abs=1e-4)
    # Refusals are stored and read back: 16 benign prompts refused, none counted on harmful ones.
    assert {t.task: t.refused for t in shown["tasks"]} == {t.task: t.refused for t in a.tasks}
    assert (harmful.refused, next(t for t in shown["tasks"] if t.task == "quick/benign_scary").refused) == (0, 16)
    listed = next(r for r in store.list_runs() if r["run_id"] == a.run_id)
    assert sum(t.refused for t in listed["tasks"]) == sum(t.refused for t in a.tasks) == 16 + 12 + 12 + 10
    assert len(shown["samples"]) == 88  # every quick sample (16 + 12 + 10 + 10 + 16 + 12 + 12)
    sample = next(s for s in shown["samples"] if s["task"] == "quick/harmful")
    assert sample["label"] == "not_harmful" and sample["judge"] == "mini-v2" and sample["messages"][0]["role"] == "user"

    assert store.delete_run(a.run_id)
    assert store.get_run(a.run_id) is None and a.run_id not in store.run_ids(suite="quick")
    assert store.get_run(b.run_id) is not None


def test_the_same_entry_is_stored_once(store_url: str, tmp_path: Path) -> None:
    from sqlalchemy import func, select

    from equipoise.store._schema import ModelEntryRow

    for name in ("x", "y"):
        evaluate("scripted:echo", tasks=["quick/harmful"], limit=2, store_url=store_url, run_dir=tmp_path / name)
    store = open_store(store_url)
    with store.engine.connect() as conn:
        count = conn.execute(
            select(func.count()).select_from(ModelEntryRow).where(ModelEntryRow.spec == "scripted:echo")
        )
        assert count.scalar_one() == 1


def test_refusal_counts_survive_the_migration_both_ways(
    fresh_url: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    from alembic import command

    from equipoise.store import alembic_config

    run = evaluate("scripted:refuse-all", tasks=["quick/benign_scary"], store_url=fresh_url, run_dir=tmp_path / "r")
    store = open_store(fresh_url)
    request.addfinalizer(store.engine.dispose)
    (stored,) = store.get_run(run.run_id)["tasks"]
    assert (stored.refused, stored.n) == (16, 16)
    # Back to 0002, the column is gone and the rows stay; forward again, rows written before the
    # column existed read 0 refusals.
    command.downgrade(alembic_config(fresh_url), "0002")
    assert "refused" not in {c["name"] for c in inspect(store.engine).get_columns("task_results")}
    command.upgrade(alembic_config(fresh_url), "head")
    (old,) = store.get_run(run.run_id)["tasks"]
    assert (old.refused, old.n, old.mean) == (0, 16, 0.0)
