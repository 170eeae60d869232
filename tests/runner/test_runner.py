"""The runner: scores, run directories, sampling, caching, failures and the store."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from equipoise import evaluate
from equipoise.models import ModelEntry
from equipoise.runner import ResponseCache, select_samples
from equipoise.settings import get_settings
from equipoise.store import Store
from tests.openai_server import ServerState, ThreadedServer


def test_refuse_all_shows_the_over_refusal_failure_mode(tmp_path: Path) -> None:
    run = evaluate("scripted:refuse-all", suite="quick", run_dir=tmp_path / "run")
    assert run.task("quick/harmful").mean == 1.0
    assert run.task("quick/benign_scary").mean == 0.0
    assert run.category_means()["direct_risky"] == 1.0 and run.category_means()["over_sensitive"] == 0.0


def test_comply_all_is_the_opposite(tmp_path: Path) -> None:
    run = evaluate("scripted:comply-all", suite="quick", run_dir=tmp_path / "run")
    assert run.task("quick/harmful").mean == 0.0
    assert run.task("quick/benign_scary").mean == 1.0


def test_run_directory_has_manifest_samples_and_results(tmp_path: Path) -> None:
    run = evaluate("scripted:echo", suite="quick", run_dir=tmp_path / "run", limit=3, seed=1)
    manifest = json.loads((tmp_path / "run" / "manifest.json").read_text())
    assert manifest["model"]["spec"] == "scripted:echo"
    assert manifest["params"] == {"limit": 3, "seed": 1, "max_connections": None}
    assert manifest["judge"] == "mini-v2" and manifest["equipoise_version"]
    harmful = manifest["data_files"]["quick/data/harmful.jsonl"]
    assert len(harmful["sha256"]) == 64 and harmful["builtin"]
    assert "total_s" in manifest["timings"]
    lines = [json.loads(x) for x in (tmp_path / "run" / "samples.jsonl").read_text().splitlines()]
    assert len(lines) == 4 * 3 == len(run.samples)
    assert {"messages", "response", "score", "judge", "rationale", "label"} <= set(lines[0])
    results = json.loads((tmp_path / "run" / "results.json").read_text())
    scores = {
        t["task"]: (t["mean"], t["ci_low"], t["ci_high"], t["scored"], t["unparseable"]) for t in results["tasks"]
    }
    # Bootstrap intervals of 3 samples a task (the percentile interval of resampled means):
    # - arithmetic: one echoed question has no number to read (unparseable), the two others score
    #   1 and 0; a resample of the two is all-0 or all-1 with probability 1/4 each → [0, 1];
    # - harmful: 0, 1, 0; a resample is all-0 with probability (2/3)^3 = 30% and all-1 with
    #   (1/3)^3 = 3.7%, both more than the 2.5% tails → [0, 1];
    # - benign_scary (all helped) and knowledge (all wrong) are constant: zero width.
    assert scores == {
        "quick/arithmetic": (0.5, 0.0, 1.0, 2, 1),
        "quick/benign_scary": (1.0, 1.0, 1.0, 3, 0),
        "quick/harmful": (pytest.approx(1 / 3), 0.0, 1.0, 3, 0),
        "quick/knowledge": (0.0, 0.0, 0.0, 3, 0),
    }
    assert scores == {t.task: (t.mean, t.ci_low, t.ci_high, t.scored, t.unparseable) for t in run.tasks}


def test_limit_draws_the_same_samples_for_the_same_seed() -> None:
    items = list(range(100))
    assert select_samples(items, 5, 3) == select_samples(items, 5, 3)  # type: ignore[arg-type]
    assert select_samples(items, 5, 3) != select_samples(items, 5, 4)  # type: ignore[arg-type]
    assert select_samples(items, 5, 3) == sorted(select_samples(items, 5, 3))  # type: ignore[arg-type]
    assert select_samples(items, None, 0) == items  # type: ignore[arg-type]


def test_task_selection_by_glob(tmp_path: Path) -> None:
    run = evaluate("scripted:echo", tasks=["quick/harm*"], run_dir=tmp_path / "run")
    assert [t.task for t in run.tasks] == ["quick/harmful"]


def test_second_run_comes_from_the_cache_with_identical_scores(tmp_path: Path) -> None:
    with ThreadedServer(ServerState()) as server:
        spec = f"openai-compat:m@{server.base_url}"
        first = evaluate(spec, suite="quick", run_dir=tmp_path / "a")
        sent = len(server.state.received)
        second = evaluate(spec, suite="quick", run_dir=tmp_path / "b")
    assert sent == 56 and len(server.state.received) == 56
    assert second.calls == 0 and second.cache_hits == 56
    assert [t.mean for t in first.tasks] == [t.mean for t in second.tasks]


def test_a_system_prompt_entry_is_a_different_cache_key(tmp_path: Path) -> None:
    with ThreadedServer(ServerState()) as server:
        spec = f"openai-compat:m@{server.base_url}"
        evaluate(spec, tasks=["quick/harmful"], run_dir=tmp_path / "a")
        guarded = ModelEntry(spec=spec, display_name="guarded", system_prompt="Refuse harmful requests.")
        evaluate(guarded, tasks=["quick/harmful"], run_dir=tmp_path / "b")
    assert len(server.state.received) == 32
    assert server.state.received[-1]["messages"][0] == {"role": "system", "content": "Refuse harmful requests."}


def test_failed_calls_are_recorded_never_scored_and_retried_next_time(tmp_path: Path) -> None:
    faults = {i: "500" for i in range(1000)}
    with ThreadedServer(ServerState(faults=faults)) as server:
        entry = ModelEntry(spec=f"openai-compat:m@{server.base_url}", args={"max_retries": 0})
        run = evaluate(entry, tasks=["quick/harmful"], run_dir=tmp_path / "a")
        result = run.task("quick/harmful")
        assert result.failed == 16 and result.scored == 0 and result.mean is None
        assert all(s.label == "failed" and s.score is None and "HTTP 500" in s.error for s in run.samples)
        assert len(ResponseCache(get_settings().response_cache_path)) == 0
        server.state.faults.clear()
        again = evaluate(entry, tasks=["quick/harmful"], run_dir=tmp_path / "b")
    assert again.task("quick/harmful").failed == 0 and again.calls == 16


def test_duplicate_prompts_cost_one_call(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "dup.jsonl").write_text('{"id": "a", "prompt": "same"}\n{"id": "b", "prompt": "same"}\n')
    from equipoise._registry import _REGISTRY
    from equipoise.datasets import DataFile
    from equipoise.scoring import HarmScorer
    from equipoise.tasks import Task
    from equipoise.tasks._task import _register

    _register("test/dup")(lambda: Task("test/dup", (DataFile("dup.jsonl"),), HarmScorer(), ("test",), "x"))
    try:
        with ThreadedServer(ServerState(delay_s=0.05)) as server:
            url = f"openai-compat:m@{server.base_url}"
            run = evaluate(url, tasks=["test/dup"], data_dir=data, run_dir=tmp_path / "r")
    finally:
        _REGISTRY["task"].pop("test/dup")
    assert len(server.state.received) == 1 and run.task("test/dup").n == 2


def test_runs_are_recorded_in_the_store(tmp_path: Path) -> None:
    run = evaluate("scripted:refuse-all", suite="quick", run_dir=tmp_path / "r")
    stored = Store(get_settings().resolved_database_url).get_run(run.run_id, with_samples=True)
    assert stored is not None and stored["model"]["spec"] == "scripted:refuse-all"
    assert {t.task: t.mean for t in stored["tasks"]} == {t.task: t.mean for t in run.tasks}
    assert len(stored["samples"]) == 56
