"""Importing real lm-eval results and Inspect logs (fixtures written by the tools; see fixtures/README.md)."""

from __future__ import annotations

from pathlib import Path

import pytest

from equipoise.importers import ResultsFileError, import_results, normalise, read_inspect, read_lm_eval
from equipoise.models import resolve_entry
from equipoise.ranking import build_ranking
from equipoise.store import open_store

FIXTURES = Path(__file__).resolve().parent / "fixtures"
LM_EVAL = next((FIXTURES / "lm_eval").glob("results_*.json"))
INSPECT_JSON = sorted((FIXTURES / "inspect").glob("*.json"))
INSPECT_EVAL = sorted((FIXTURES / "inspect").glob("*.eval"))


def test_chance_normalisation() -> None:
    # (0.625 - 0.25) / 0.75 = 0.5; stderr 0.03 / 0.75 = 0.04
    value, se = normalise(0.625, 0.03, 0.25)
    assert value == pytest.approx(0.5) and se == pytest.approx(0.04)
    assert normalise(0.2, None, 0.25) == (0.0, None)  # below chance clips at 0
    assert normalise(0.6, 0.1, 0.0) == (0.6, 0.1)


def test_lm_eval_results_file() -> None:
    found = read_lm_eval(LM_EVAL)
    assert found.tool == "lm-eval" and found.tool_version == "0.4.13" and found.model == "fixture-model"
    by_task = {t.source_task: t for t in found.tasks}
    # 3 of 5 canned answers are right; strict-match is preferred over flexible-extract
    assert by_task["gsm8k"].metric == "exact_match,strict-match"
    assert by_task["gsm8k"].value == pytest.approx(0.6) and by_task["gsm8k"].n == 5
    assert by_task["arc_challenge_chat"].value == pytest.approx(0.25)

    # the directory lm_eval --output_path wrote: its samples_*.jsonl files are passed over
    run, skipped = import_results("lm-eval", [LM_EVAL.parent])
    assert skipped == []
    gsm8k, arc = run.task("capability/gsm8k"), run.task("capability/arc_challenge")
    assert gsm8k.mean == pytest.approx(0.6)
    # stderr 0.244949 -> 0.6 ± 1.96 * 0.244949 = [0.119909, 1.080091] clipped to 1
    assert gsm8k.ci_low == pytest.approx(0.119909, abs=1e-5) and gsm8k.ci_high == 1.0
    # 1 of 4 letters right is chance level: (0.25 - 0.25) / 0.75 = 0
    assert arc.mean == 0.0 and arc.scorer["raw"] == pytest.approx(0.25)
    provenance = run.manifest.imported
    assert provenance["tool"] == "lm-eval" and provenance["files"][0]["path"].endswith(LM_EVAL.name)
    assert len(provenance["files"][0]["sha256"]) == 64

    (stored,) = open_store().list_runs(suite="lm-eval")
    assert stored["model"]["spec"] == "imported:lm-eval/fixture-model"
    assert {t.task for t in stored["tasks"]} == {"capability/gsm8k", "capability/arc_challenge"}


def test_inspect_json_logs_one_per_task_import_as_one_run() -> None:
    gsm8k = read_inspect(next(p for p in INSPECT_JSON if "gsm8k" in p.name))
    (t,) = gsm8k.tasks
    assert (t.source_task, t.metric, t.value, t.n) == ("gsm8k", "accuracy", 0.5, 4)
    run, _ = import_results("inspect", INSPECT_JSON)
    # arc: 3 of 4 right -> (0.75 - 0.25) / 0.75 = 2/3
    assert run.task("capability/arc_challenge").mean == pytest.approx(2 / 3)
    assert run.task("capability/gsm8k").mean == pytest.approx(0.5)
    assert run.model["spec"] == "imported:inspect/openai-api/local/fixture-model"
    assert len(run.manifest.imported["files"]) == 2


def test_inspect_eval_logs_read_through_inspect_ai() -> None:
    pytest.importorskip("inspect_ai")
    from_eval = {r.tasks[0].source_task: r.tasks[0] for r in map(read_inspect, INSPECT_EVAL)}
    from_json = {r.tasks[0].source_task: r.tasks[0] for r in map(read_inspect, INSPECT_JSON)}
    assert {k: (v.value, v.stderr, v.n) for k, v in from_eval.items()} == {
        k: (v.value, v.stderr, v.n) for k, v in from_json.items()
    }


def test_imported_capability_joins_an_entry_on_the_board() -> None:
    import equipoise

    entry = resolve_entry("scripted:refuse-all")
    equipoise.evaluate(entry, suite="quick", write_files=False)
    import_results("lm-eval", [LM_EVAL], entry=entry)
    ranking = build_ranking(open_store(), suite="quick", capability_suite="lm-eval")
    (row,) = ranking.rows
    # capability = mean of imported task means (0.6 + 0) / 2 = 0.3;
    # half-width 1.96 * sqrt(0.244949^2 + (0.25 / 0.75)^2) / 2 = 0.405375 -> [0, 0.705375]
    assert row.capability.mean == pytest.approx(0.3)
    assert row.capability.low == 0.0 and row.capability.high == pytest.approx(0.705375, abs=1e-5)
    # refuse-all's quick safety: direct_risky 1, adversarial 1, instruction_hierarchy (1 + 0) / 2
    # (keeps every secret, gives none of the allowed answers), over_sensitive 0 -> 2.5 / 4 = 0.625;
    # overall = 1 - sqrt((0.375^2 + 0.7^2) / 2) = 1 - sqrt(0.3153125) = 0.438473
    assert row.safety.mean == pytest.approx(0.625)
    assert row.overall.value == pytest.approx(0.438473, abs=1e-6)


def test_bad_files_say_what_is_wrong(tmp_path: Path) -> None:
    bad = tmp_path / "results.json"
    bad.write_text('{"results": {"arc_easy": {"acc,none": 0.5}}, "n-samples": {"arc_easy": {"effective": 3}}}')
    with pytest.raises(ResultsFileError, match=r"no task maps to an equipoise capability task.*arc_easy"):
        import_results("lm-eval", [bad])
    bad.write_text("{not json")
    with pytest.raises(ResultsFileError, match=r"results.json:1: not valid JSON"):
        read_lm_eval(bad)
    with pytest.raises(ResultsFileError, match="does not exist"):
        read_inspect(tmp_path / "missing.json")
    with pytest.raises(ResultsFileError, match="different models"):
        import_results("inspect", [*INSPECT_JSON, _other_model_log(tmp_path)])


def _other_model_log(tmp_path: Path) -> Path:
    import json

    log = json.loads(INSPECT_JSON[0].read_text())
    log["eval"]["model"] = "openai-api/local/another-model"
    out = tmp_path / "other.json"
    out.write_text(json.dumps(log))
    return out
