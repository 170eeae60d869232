"""Judge checks in the results store on SQLite and PostgreSQL: the migration, recording, listing."""

from __future__ import annotations

from datetime import datetime

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from equipoise import __version__
from equipoise.results import Agreement, JudgeCheck
from equipoise.store import Store, alembic_config, open_store

SHA_A = "a" * 64
SHA_B = "b" * 64

# tp 3, fp 1, fn 1, tn 4 over 9 verdicts (one of 10 unparseable): accuracy 7/9, precision 3/4,
# recall 3/4, F1 3/4; kappa: p_o = 7/9, p_e = (4/9)(4/9) + (5/9)(5/9) = 41/81 -> (22/81)/(40/81) = 0.55.
MINI = JudgeCheck(
    "data/labelled.jsonl",
    "harm",
    "mini-v1",
    10,
    1,
    Agreement(n=9, accuracy=7 / 9, precision=0.75, recall=0.75, f1=0.75, kappa=0.55, tp=3, fp=1, fn=1, tn=4),
)
# An LLM judge that never answered in the rubric's format: no verdicts, so no figures.
SILENT = JudgeCheck("data/labelled.jsonl", "harm", "llm:scripted:refuse-all", 10, 10, None)


def _store(url: str, request: pytest.FixtureRequest) -> Store:
    store = open_store(url)
    # Close pooled connections before the fixture drops the database.
    request.addfinalizer(store.engine.dispose)
    return store


def test_a_fresh_store_has_the_judge_checks_table(fresh_url: str, request: pytest.FixtureRequest) -> None:
    store = _store(fresh_url, request)
    schema = inspect(store.engine)
    assert "judge_checks" in schema.get_table_names()
    columns = {c["name"]: c["nullable"] for c in schema.get_columns("judge_checks")}
    assert list(columns) == [
        "id",
        "created",
        "equipoise_version",
        "file",
        "file_sha256",
        "task",
        "judge",
        "n",
        "judged",
        "unparseable",
        "accuracy",
        "precision",
        "recall",
        "f1",
        "kappa",
        "tp",
        "fp",
        "fn",
        "tn",
    ]
    counts = ("id", "created", "equipoise_version", "file", "file_sha256", "task", "judge", "n", "judged")
    assert not any(columns[c] for c in (*counts, "unparseable"))
    assert all(columns[c] for c in ("accuracy", "precision", "recall", "f1", "kappa", "tp", "fp", "fn", "tn"))
    with store.engine.connect() as conn:
        head = ScriptDirectory.from_config(alembic_config(fresh_url)).get_current_head()
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == head


def test_a_store_made_before_judge_checks_is_upgraded_and_can_go_back(
    fresh_url: str, request: pytest.FixtureRequest
) -> None:
    command.upgrade(alembic_config(fresh_url), "0001")
    store = _store(fresh_url, request)
    assert "judge_checks" in inspect(store.engine).get_table_names()
    command.downgrade(alembic_config(fresh_url), "0001")
    tables = set(inspect(store.engine).get_table_names())
    assert "judge_checks" not in tables and {"runs", "task_results", "sample_results"} <= tables


def test_record_and_list_round_trip(fresh_url: str, request: pytest.FixtureRequest) -> None:
    store = _store(fresh_url, request)
    store.record_judge_checks([MINI], SHA_A)
    store.record_judge_checks([SILENT], SHA_A)
    silent, mini = store.judge_checks()  # newest first
    created = datetime.fromisoformat(mini.pop("created"))
    assert created.tzinfo is not None and created <= datetime.fromisoformat(silent.pop("created"))
    assert isinstance(mini.pop("id"), int)
    assert mini == {
        "equipoise_version": __version__,
        "file": "data/labelled.jsonl",
        "file_sha256": SHA_A,
        "task": "harm",
        "judge": "mini-v1",
        "n": 10,
        "judged": 9,
        "unparseable": 1,
        "accuracy": 7 / 9,
        "precision": 0.75,
        "recall": 0.75,
        "f1": 0.75,
        "kappa": 0.55,
        "tp": 3,
        "fp": 1,
        "fn": 1,
        "tn": 4,
    }
    assert (silent["n"], silent["judged"], silent["unparseable"]) == (10, 0, 10)
    figures = ("accuracy", "precision", "recall", "f1", "kappa", "tp", "fp", "fn", "tn")
    assert all(silent[f] is None for f in figures)


def test_latest_keeps_the_newest_check_of_each_file_task_and_judge(
    fresh_url: str, request: pytest.FixtureRequest
) -> None:
    store = _store(fresh_url, request)
    older = Agreement(n=10, accuracy=0.5, precision=0.5, recall=0.5, f1=0.5, kappa=0.0, tp=2, fp=2, fn=3, tn=3)
    store.record_judge_checks([JudgeCheck("old/path.jsonl", "harm", "mini-v1", 10, 0, older)], SHA_A)
    store.record_judge_checks([JudgeCheck("data/labelled.jsonl", "harm", "keyword-v1", 10, 3, older)], SHA_A)
    store.record_judge_checks([JudgeCheck("other.jsonl", "harm", "mini-v1", 10, 0, older)], SHA_B)
    store.record_judge_checks([JudgeCheck("data/labelled.jsonl", "refusal", "mini-v1", 10, 0, older)], SHA_A)
    # The same labelled data under another path: it replaces the first mini-v1 harm check above.
    store.record_judge_checks([MINI], SHA_A)

    latest = store.judge_checks()
    assert [(c["file"], c["task"], c["judge"]) for c in latest] == [
        ("data/labelled.jsonl", "harm", "mini-v1"),
        ("data/labelled.jsonl", "refusal", "mini-v1"),
        ("other.jsonl", "harm", "mini-v1"),
        ("data/labelled.jsonl", "harm", "keyword-v1"),
    ]
    assert latest[0]["accuracy"] == 7 / 9
    assert len(store.judge_checks(latest=False)) == 5
    assert [c["file"] for c in store.judge_checks(task="harm", judge="mini-v1")] == [
        "data/labelled.jsonl",
        "other.jsonl",
    ]
    assert [c["file"] for c in store.judge_checks(task="harm", judge="mini-v1", latest=False)] == [
        "data/labelled.jsonl",
        "other.jsonl",
        "old/path.jsonl",
    ]
    assert store.judge_checks(judge="mini") == []  # the judge is matched as recorded, with its version
