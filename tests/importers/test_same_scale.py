"""An lm-eval import and equipoise's own run of the same questions and replies give the same score.

Both runs talk to the local OpenAI-protocol test server, which answers each ARC-Challenge question
with the same letter; lm-eval (the installed release) runs a chat ARC task over the very items
equipoise drew, read from the shared data file.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import equipoise
from equipoise.importers import import_results
from tests.openai_server import ServerState, ThreadedServer

TASK_YAML = """\
task: arc_challenge_chat
dataset_path: json
dataset_kwargs:
  data_files:
    test: {data}
output_type: generate_until
test_split: test
doc_to_text: {doc_to_text}
doc_to_target: "{{{{gold_letter}}}}"
generation_kwargs:
  until: ["\\n\\n"]
  max_gen_toks: 5
metric_list:
  - metric: exact_match
    aggregation: mean
    higher_is_better: true
    ignore_case: true
    ignore_punctuation: true
filter_list:
  - name: remove_whitespace
    filter:
      - function: remove_whitespace
      - function: take_first
metadata:
  version: 1.0
"""
# the question and lettered options, as a JSON string (valid YAML)
DOC_TO_TEXT = json.dumps(
    "{{question}}{% for c in choices %}\n{{'ABCDE'[loop.index0]}}. {{c}}{% endfor %}\nAnswer with the letter."
)


def test_lm_eval_import_and_native_run_of_the_same_replies_agree(shared_data: Path, tmp_path: Path) -> None:
    pytest.importorskip("lm_eval")
    records = [json.loads(line) for line in (shared_data / "capability" / "arc_challenge_test.jsonl").open()]
    by_question = {r["question"]: r for r in records}
    # right for the first three questions asked, a wrong letter for the other three
    replies: dict[str, str] = {}

    def answer(prompt: str) -> str:
        question = next(q for q in by_question if prompt.startswith(q) or f"\n\n{q}" in prompt or q in prompt)
        if question not in replies:
            gold = by_question[question]["gold_letter"]
            replies[question] = gold if len(replies) < 3 else ("B" if gold == "A" else "A")
        return replies[question]

    with ThreadedServer(ServerState(answer=answer)) as server:
        native = equipoise.evaluate(
            f"openai-compat:fixture-model@{server.base_url}",
            tasks=["capability/arc_challenge"],
            limit=6,
            data_dir=shared_data,
            write_files=False,
            record=False,
        )
        ids = {s.sample_id for s in native.samples}
        items = tmp_path / "items.jsonl"
        items.write_text("".join(json.dumps(r) + "\n" for r in records if r["id"] in ids))
        tasks = tmp_path / "tasks"
        tasks.mkdir()
        (tasks / "arc_challenge_chat.yaml").write_text(TASK_YAML.format(data=items, doc_to_text=DOC_TO_TEXT))
        out = tmp_path / "out"
        lm_eval = Path(sys.executable).parent / "lm_eval"
        args = f"model=fixture-model,base_url={server.base_url}/chat/completions,tokenizer_backend=None"
        subprocess.run(
            [str(lm_eval), "--model", "local-chat-completions", "--model_args", args, "--apply_chat_template",
             "--include_path", str(tasks), "--tasks", "arc_challenge_chat", "--output_path", str(out)],
            check=True, capture_output=True, env={**os.environ, "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1",
                                                   "OPENAI_API_KEY": "x"},
        )  # fmt: skip
    imported, _ = import_results("lm-eval", [next(out.rglob("results_*.json"))], record=False)
    assert len(replies) == 6
    # 3 of 6 right both ways: 0.5 (a chance-corrected import would read (0.5 - 0.25) / 0.75 = 0.333)
    assert native.task("capability/arc_challenge").mean == 0.5
    assert imported.task("capability/arc_challenge").mean == 0.5
    assert imported.task("capability/arc_challenge").n == 6
