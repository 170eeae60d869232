"""Capability tasks load the shared data into well-formed samples."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import replace
from pathlib import Path

import pytest

from equipoise.datasets import DatasetError
from equipoise.tasks import get_task, select_tasks
from equipoise.tasks.capability import choice_prompt, shuffled


def _gold_text(sample) -> str:
    letter = sample.target
    line = next(li for li in sample.prompt.splitlines() if li.startswith(f"{letter}. "))
    return line[3:]


def test_truthfulqa_options_are_shuffled_and_the_target_follows_the_true_answer(shared_data: Path) -> None:
    samples = get_task("capability/truthfulqa_mc1").samples(shared_data)
    rows = [json.loads(li) for li in (shared_data / "capability" / "truthfulqa_mc.jsonl").open()]
    assert len(samples) == len(rows) == 790
    for s, row in zip(samples, rows, strict=True):
        assert _gold_text(s) == row["mc1_choices"][row["mc1_gold_index"]]
        assert s.metadata["letters"] == "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[: len(row["mc1_choices"])]
    letters = Counter(s.target for s in samples)
    # the source lists the true answer first; after shuffling "A" is far from always right
    assert letters["A"] / len(samples) < 0.3
    assert len(letters) >= 4


def test_shuffle_is_fixed_per_item() -> None:
    choices = ["right", "w1", "w2", "w3", "w4"]
    assert shuffled(choices, 0, "item-1") == shuffled(choices, 0, "item-1")
    order, gold = shuffled(choices, 0, "item-1")
    assert order[gold] == "right" and sorted(order) == sorted(choices)


@pytest.mark.parametrize("name", ["capability/hellaswag", "capability/arc_challenge", "capability/mmlu"])
def test_choice_tasks_target_the_gold_option(name: str, shared_data: Path) -> None:
    samples = get_task(name).samples(shared_data)
    file = get_task(name).files[0].path(shared_data)
    rows = [json.loads(li) for li in file.open()]
    for s, row in zip(samples, rows, strict=True):
        assert _gold_text(s) == row["choices"][row["gold_index"]]


def test_gsm8k_targets_are_the_final_numbers(shared_data: Path) -> None:
    samples = get_task("capability/gsm8k").samples(shared_data)
    assert len(samples) == 1319
    assert all(isinstance(s.target, int) for s in samples)
    assert "####" in samples[0].prompt


def test_ifeval_and_mt_bench_samples(shared_data: Path) -> None:
    ifeval = get_task("capability/ifeval").samples(shared_data)
    assert len(ifeval) == 541
    assert all(len(s.metadata["instruction_id_list"]) == len(s.metadata["kwargs"]) for s in ifeval)
    single = get_task("capability/mt_bench").samples(shared_data)
    pairwise = get_task("capability/mt_bench_pairwise").samples(shared_data)
    assert len(single) == 80
    assert len(pairwise) == 39 and all(s.target for s in pairwise)


def test_suites() -> None:
    capability = {t.name for t in select_tasks(suite="capability")}
    assert {"quick/arithmetic", "quick/knowledge", "capability/gsm8k", "capability/ifeval"} <= capability
    assert "capability/mt_bench" not in capability
    assert "capability/mt_bench" in {t.name for t in select_tasks(suite="capability_full")}
    assert all(t.category == "capability" for t in select_tasks(suite="capability_full"))


def test_a_bad_row_fails_with_file_line_and_field(tmp_path: Path) -> None:
    folder = tmp_path / "capability"
    folder.mkdir()
    good = {"id": "arc-1", "question": "q", "choices": ["a", "b", "c"], "gold_index": 1}
    bad = {**good, "id": "arc-2", "gold_index": 3}
    (folder / "arc_challenge_test.jsonl").write_text(json.dumps(good) + "\n" + json.dumps(bad) + "\n")
    with pytest.raises(DatasetError, match=r"arc_challenge_test.jsonl:2: field 'gold_index' is 3"):
        # The row check itself, so the file is read without its pinned sha256 (a hand-written file).
        replace(get_task("capability/arc_challenge").files[0], sha256=None).load(tmp_path)


def test_choice_prompt_letters() -> None:
    prompt, letters = choice_prompt("Q?", ["x", "y", "z"])
    assert letters == "ABC"
    assert "A. x\nB. y\nC. z" in prompt


@pytest.mark.slow
def test_embedded_model_answers_choice_tasks(shared_data: Path) -> None:
    import equipoise

    run = equipoise.evaluate(
        "embedded:smollm2-135m",
        tasks=["capability/arc_challenge", "capability/truthfulqa_mc1"],
        limit=2,
        data_dir=shared_data,
        write_files=False,
    )
    assert [t.n for t in run.tasks] == [2, 2]
    assert all(t.failed == 0 for t in run.tasks)
    for s in run.samples:
        # a letter was read (scored 0/1 against the gold) or the answer was counted as unparseable
        assert (s.score in (0.0, 1.0) and s.answer in s.metadata["letters"]) or s.label == "unparseable"
