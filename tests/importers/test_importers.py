"""Importing real lm-eval results and Inspect logs, written by several releases of each tool
(fixtures/README.md says which release and command wrote each file)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from equipoise.importers import RAW, ResultsFileError, import_results, imported_from, read_inspect, read_lm_eval
from equipoise.models import ModelEntry
from equipoise.ranking import build_ranking
from equipoise.store import Store, open_store

FIXTURES = Path(__file__).resolve().parent / "fixtures"
# 1.96 * the stderr lm-eval wrote for 3 of 5 right (sqrt(0.6 * 0.4 / 4) = 0.244949)
GSM8K_LOW = 0.6 - 1.959964 * 0.244949


def _results_file(folder: str) -> Path:
    return next(p for p in (FIXTURES / folder).iterdir() if p.name.startswith("results"))


def _log(folder: str, task: str, suffix: str = ".json") -> Path:
    return next(p for p in (FIXTURES / folder).iterdir() if f"_{task}_" in p.name and p.suffix == suffix)


def _store() -> Store:
    return open_store()


# (release folder, where n comes from, mmlu's stderr as that release pooled it)
LM_EVAL_RELEASES = [
    ("lm_eval_0.4.0", "samples file", 0.298142),
    ("lm_eval_0.4.3", "n-samples", 0.235702),
    ("lm_eval_0.4.13", "n-samples", 0.235702),
]


@pytest.mark.parametrize(("folder", "n_from", "mmlu_se"), LM_EVAL_RELEASES)
def test_lm_eval_releases_import_with_groups_and_counts(folder: str, n_from: str, mmlu_se: float) -> None:
    run, skipped = import_results("lm-eval", [FIXTURES / folder])
    gsm8k, mmlu = run.task("capability/gsm8k"), run.task("capability/mmlu")
    mc1, ifeval = run.task("capability/truthfulqa_mc1"), run.task("capability/ifeval")
    # canned replies: 3 of 5 sums right; 2 of 3 astronomy + 2 of 3 virology; 2 of 3 truthful; 2 of 3 lowercase
    assert (gsm8k.mean, gsm8k.n, gsm8k.scorer["metric"]) == (pytest.approx(0.6), 5, "exact_match,strict-match")
    assert gsm8k.ci_low == pytest.approx(GSM8K_LOW, abs=1e-5) and gsm8k.ci_high == 1.0
    assert gsm8k.scorer["n_from"] == n_from
    # the mmlu group: its own figure, n summed over the two subjects, the subjects not listed apart
    assert (mmlu.mean, mmlu.n, mmlu.scorer["source_task"]) == (pytest.approx(4 / 6), 6, "mmlu")
    assert mmlu.ci_low == pytest.approx(4 / 6 - 1.959964 * mmlu_se, abs=1e-5)
    assert mmlu.scorer["n_from"].startswith("sum of its subtasks")
    assert (mc1.mean, mc1.n, mc1.scorer["source_task"]) == (pytest.approx(2 / 3), 3, "truthfulqa_mc1")
    assert (ifeval.mean, ifeval.n, ifeval.scorer["source_task"]) == (pytest.approx(2 / 3), 3, "leaderboard_ifeval")
    assert ifeval.scorer["metric"] == "prompt_level_strict_acc,none"
    # mc2 has no equipoise task; groups with a figure of their own but no mapping (the leaderboard
    # group before 0.4.4) are listed too, a mapped group's subtasks are not
    assert "truthfulqa_mc2" in skipped
    assert not any(s.startswith("mmlu") for s in skipped)
    assert run.model["spec"] == "imported:lm-eval/fixture-model"


def test_latest_lm_eval_maps_hellaswag_and_the_chat_arc_on_the_raw_scale() -> None:
    run, _ = import_results("lm-eval", [_results_file("lm_eval_0.4.13")])
    assert run.manifest.imported["tool_versions"] == ["0.4.13"]
    # 1 of 4 letters right stays 0.25: raw accuracy, no chance baseline removed (it would give 0)
    arc = run.task("capability/arc_challenge")
    assert (arc.mean, arc.n, arc.scorer["normalisation"]) == (0.25, 4, RAW)
    # 3 of 4 endings; acc_norm is preferred over acc
    hellaswag = run.task("capability/hellaswag")
    assert (hellaswag.mean, hellaswag.n, hellaswag.scorer["metric"]) == (0.75, 4, "acc_norm,none")


def test_a_results_file_without_counts_or_stderr_imports_without_an_interval(tmp_path: Path) -> None:
    # lm-eval 0.4.1 with --limit 1: no n-samples, stderr "N/A"; copied without its samples files
    alone = tmp_path / "results.json"
    shutil.copy(FIXTURES / "lm_eval_0.4.1_limit1" / "results.json", alone)
    found = {t.source_task: t for t in read_lm_eval(alone).tasks}
    assert found["gsm8k"].n is None and found["gsm8k"].stderr is None
    entry = ModelEntry(spec="scripted:refuse-all")
    run, _ = import_results("lm-eval", [alone], entry=entry)
    gsm8k = run.task("capability/gsm8k")
    assert gsm8k.ci_low is None and gsm8k.ci_high is None and gsm8k.scorer["n"] is None

    import equipoise

    equipoise.evaluate(entry, suite="quick", write_files=False)
    (row,) = build_ranking(_store(), suite="quick", capability_suite="lm-eval").rows
    assert row.capability is not None and row.capability.low is None and row.capability.high is None
    assert row.overall.value is not None


INSPECT_RELEASES = [("inspect_0.3.25", ".json"), ("inspect_0.3.52", ".eval"), ("inspect_0.3.285", ".eval")]


@pytest.mark.parametrize(("folder", "suffix"), INSPECT_RELEASES)
def test_inspect_releases_read_alike_from_json_and_eval(folder: str, suffix: str) -> None:
    gsm8k = read_inspect(_log(folder, "gsm8k", suffix))
    (t,) = gsm8k.tasks
    assert (t.source_task, t.metric, t.value, t.n) == ("gsm8k", "accuracy", 0.5, 4)
    assert gsm8k.tool_version == folder.split("_")[1]
    same = read_inspect(_log(folder, "gsm8k", ".json")).tasks[0]
    assert (same.value, same.stderr, same.n) == (t.value, t.stderr, t.n)


def test_inspect_imports_accumulate_and_a_reimport_replaces_only_its_task() -> None:
    new, old = "inspect_0.3.285", "inspect_0.3.25"
    # the releases name the model differently (openai-api/local/..., openai/...): one entry by -m
    entry = ModelEntry(spec="imported:fixture-model", display_name="fixture-model")
    first, _ = import_results("inspect", [_log(new, "gsm8k")], entry=entry)
    second, _ = import_results("inspect", [_log(new, "arc-challenge")], entry=entry)
    assert {t.task for t in second.tasks} == {"capability/gsm8k", "capability/arc_challenge"}
    assert second.manifest.imported["merged_from"] == first.run_id
    # 3 of 4 letters right: raw 0.75 (chance-corrected would be 2/3)
    assert second.task("capability/arc_challenge").mean == 0.75
    # the older release's arc log (0 of 4: its prompt asks for another answer form) replaces arc only
    third, _ = import_results("inspect", [_log(old, "arc-challenge")], entry=entry)
    assert third.task("capability/arc_challenge").mean == 0.0
    assert third.task("capability/gsm8k").mean == 0.5
    provenance = third.manifest.imported["tasks"]
    assert provenance["capability/gsm8k"]["tool_version"] == "0.3.285"
    assert provenance["capability/arc_challenge"]["tool_version"] == "0.3.25"
    assert len(provenance["capability/arc_challenge"]["sha256"]) == 64
    (row,) = build_ranking(_store(), suite="inspect", capability_suite="inspect").rows
    assert row.capability is not None and row.capability.mean == pytest.approx(0.25)  # (0.5 + 0) / 2


def test_inspect_as_maps_an_unknown_task_by_hand() -> None:
    log = _log("inspect_0.3.285", "animal-sounds")
    with pytest.raises(ResultsFileError, match=r"no task maps.*animal_sounds.*known inspect tasks: .*gsm8k.*--as TASK"):
        import_results("inspect", [log], record=False)
    run, _ = import_results("inspect", [log], as_task="mmlu", record=False)
    assert run.task("capability/mmlu").mean == 0.5  # 1 of 2 right
    with pytest.raises(ResultsFileError, match="not an equipoise capability task"):
        import_results("inspect", [log], as_task="bogus", record=False)


def test_every_mapping_documents_its_metric_and_normalisation() -> None:
    sources = {(s.tool, s.source_task) for s in imported_from("capability/mmlu")}
    assert {("lm-eval", "mmlu"), ("inspect", "mmlu_0_shot"), ("inspect", "mmlu_5_shot")} <= sources
    (lm_eval_ifeval,) = [s for s in imported_from("capability/ifeval") if s.source_task == "leaderboard_ifeval"]
    assert lm_eval_ifeval.mapping.describe().startswith("metric prompt_level_strict_acc,none; normalisation none")


def test_bad_files_say_what_is_wrong(tmp_path: Path) -> None:
    bad = tmp_path / "results.json"
    bad.write_text("{not json")
    with pytest.raises(ResultsFileError, match=r"results.json:1: not valid JSON"):
        read_lm_eval(bad)
    bad.write_bytes(b"\xff\xfe")
    with pytest.raises(ResultsFileError, match=r"results.json: not a text results file"):
        read_lm_eval(bad)
    with pytest.raises(ResultsFileError, match="does not exist"):
        read_inspect(tmp_path / "missing.json")
    with pytest.raises(ResultsFileError, match="different models"):
        import_results("inspect", [_log("inspect_0.3.285", "gsm8k"), _log("inspect_0.3.25", "gsm8k")], record=False)
    with pytest.raises(ResultsFileError, match=r"did the eval finish|not an Inspect .eval log"):
        broken = tmp_path / "log.eval"
        broken.write_bytes(b"PK not a zip")
        read_inspect(broken)
