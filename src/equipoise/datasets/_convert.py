"""Converters: a downloaded source file (bytes) -> the file a task reads (bytes); joiners: several
downloaded files, in the order sources.toml lists them -> the file a task reads.

Each one repeats how the data folder's README says the file was made, so its output is byte for
byte the pinned file (`equipoise data pull` checks the result's sha256 before writing it). JSONL
is written as the README's files were: one `json.dumps(row, ensure_ascii=False)` per line. A
converter only ever sees downloads whose sha256 sources.toml pins, so it trusts their layout.
"""

from __future__ import annotations

import bz2
import csv
import io
import json
import random
import string
from collections.abc import Callable
from typing import Any, NamedTuple

from equipoise.datasets._loader import DatasetError, Record

Converter = Callable[[bytes], bytes]


class Download(NamedTuple):
    """One downloaded part of a source, for a joiner."""

    name: str  # the file name its URL ends with, e.g. "anatomy_test.csv"
    data: bytes


Joiner = Callable[[list[Download]], bytes]


def _jsonl_rows(data: bytes, source: str) -> list[Record]:
    rows = []
    for lineno, line in enumerate(data.decode("utf-8").splitlines(), start=1):
        if line.strip():
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError as e:
                raise DatasetError(f"{source}:{lineno}: not valid JSON ({e.msg})") from None
    return rows


def _jsonl(rows: list[dict[str, Any]]) -> bytes:
    return "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows).encode("utf-8")


def _last_user(record: Record) -> str:
    """The prompt of a libra-eval row: its (only) user message."""
    return next(m["content"] for m in reversed(record["messages"]) if m["role"] == "user")


Reader = Callable[[bytes], list[Any]]
Builder = Callable[[int, Any], dict[str, Any]]


def _rows(read: Reader, build: Builder, sample: int | None = None, seed: int | str = 0) -> Converter:
    """One output row per source row (`i` = its index in the source); `sample` keeps that many
    rows drawn with `random.Random(seed).sample`, in source order."""

    def convert(data: bytes) -> bytes:
        rows = read(data)
        n = len(rows)
        keep = range(n) if sample is None else sorted(random.Random(seed).sample(range(n), sample))
        return _jsonl([build(i, rows[i]) for i in keep])

    return convert


def _jsonl_file(source: str) -> Reader:
    return lambda data: _jsonl_rows(data, source)


def _libra(build: Builder, sample: int | None = None) -> Converter:
    """A libra-eval `messages` file."""
    return _rows(_jsonl_file("libra-eval file"), build, sample)


def _csv_rows(data: bytes) -> list[dict[str, str]]:
    # newline="" keeps line breaks inside quoted cells as they are in the file.
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"), newline="")))


def _json(key: str | None = None) -> Reader:
    """A JSON list (or the list under `key` of a JSON object)."""
    return lambda data: json.loads(data) if key is None else json.loads(data)[key]


def _text_lines(data: bytes) -> list[str]:
    return [line for line in data.decode("utf-8").splitlines() if line.strip()]


def _renamed(id_from: str | None = None, label: str | None = None, **fields: str) -> Builder:
    """Output field <- source column, in this order after `id` (the column `id_from`, else the
    row index); `label` is a set-level label added last."""

    def build(i: int, r: Record) -> dict[str, Any]:
        row = {"id": i if id_from is None else r[id_from], **{out: r[src] for out, src in fields.items()}}
        return row if label is None else {**row, "label": label}

    return build


def _prompt(label: str) -> Builder:
    """A row of a source that is a list of prompts."""
    return lambda i, prompt: {"id": i, "prompt": prompt, "label": label}


def _prompt_row(label: str, *fields: str) -> Callable[[int, Record], dict[str, Any]]:
    return lambda i, r: {"id": i, "prompt": _last_user(r), **{f: r[f] for f in fields}, "label": label}


def _do_not_answer_variant(label: str) -> Callable[[int, Record], dict[str, Any]]:
    def build(i: int, r: Record) -> dict[str, Any]:
        harm = {f: r[f] for f in ("risk_area", "types_of_harm", "specific_harms")}
        return {"id": i, "prompt": _last_user(r), "seed": r["seed"], **harm, "variant": r["type"], "label": label}

    return build


def _gandalf(i: int, r: Record) -> dict[str, Any]:
    system = next(m["content"] for m in r["messages"] if m["role"] == "system")
    # libra-eval's system prompt names the secret; the README's `secret` field is that word.
    return {"id": i, "system": system, "prompt": _last_user(r), "similarity": r["similarity"], "secret": "STRAWBERRY"}


def _dices(i: int, r: Record) -> dict[str, Any]:
    turns = [m for m in r["messages"] if m["role"] != "system"]
    return {"id": i, "messages": turns, **r["metadata"]}


def _gsm8k(i: int, r: Record) -> dict[str, Any]:
    final = r["answer"].rsplit("####", 1)[1].strip()
    number = int(final.replace(",", ""))
    return {"id": f"gsm8k-test-{i:04d}", **r, "final_answer": final, "final_answer_number": number, "source_line": i}


def _truthfulqa_mc(i: int, r: Record) -> dict[str, Any]:
    """mc_task.json's `mcN_targets` ({choice: 1 or 0}, true answers first) as parallel lists."""
    row: dict[str, Any] = {"id": f"truthfulqa-current-2025-mc-{i:03d}", "question": r["question"]}
    for mc in ("mc0", "mc1", "mc2"):
        targets = r[f"{mc}_targets"]
        row[f"{mc}_choices"], row[f"{mc}_labels"] = list(targets), list(targets.values())
        if mc != "mc2":  # mc2 may have several true answers
            row[f"{mc}_gold_index"] = row[f"{mc}_labels"].index(1)
    return {**row, "dataset_version": "current-2025", "source_index": i}


def _hellaswag_tasks(data: bytes) -> list[list[str]]:
    """klosax's text file: 6 lines a task ("label: ctx", the gold index, 4 endings)."""
    lines = bz2.decompress(data).decode("utf-8").split("\n")
    return [lines[k : k + 6] for k in range(0, len(lines) - 5, 6)]


def _hellaswag(i: int, task: list[str]) -> dict[str, Any]:
    head, gold, *endings = task
    label, ctx = head.split(": ", 1)
    return {
        "id": f"hellaswag-val-{i:05d}",
        "activity_label": label,
        "ctx": ctx,
        "choices": endings,
        "gold_index": int(gold),
        "val_line_index": i,
    }


def _arc_challenge(i: int, r: Record) -> dict[str, Any]:
    return {
        "id": f"arc-challenge-test-{i:04d}",
        "question": r["query"].removeprefix("Question: "),
        "choices": r["choices"],
        "gold_index": r["gold"],
        "gold_letter": string.ascii_uppercase[r["gold"]],
        "source_line": i,
    }


def _harmfulqa_rows(data: bytes) -> list[dict[str, str]]:
    """harmfulqa.json ({topic: {subtopic: [question]}}) flattened, in file order."""
    return [
        {"prompt": question, "topic": topic, "subtopic": subtopic}
        for topic, subtopics in json.loads(data).items()
        for subtopic, questions in subtopics.items()
        for question in questions
    ]


def _safetext_rows(data: bytes) -> list[dict[str, str]]:
    """SafeText.json ({scenario: {"safe": [advice], "unsafe": [advice]}}): one row per advice,
    a scenario's safe advice first."""
    return [
        {"scenario": scenario, "advice": advice, "label": label}
        for scenario, advices in json.loads(data).items()
        for label in ("safe", "unsafe")
        for advice in advices[label]
    ]


_TQA_ASK = "Please answer the following multiple choice question: "


def _truthfulqa_mc1(i: int, r: Record) -> dict[str, Any]:
    """libra-eval's prompt is the question, one "X. choice" line per choice, then an instruction
    line; `answer` is the right letter."""
    question, *choices, _ = _last_user(r).split("\n")
    return {
        "id": i,
        "question": question.removeprefix(_TQA_ASK),
        "choices": [c.split(". ", 1)[1] for c in choices],
        "label": string.ascii_uppercase.index(r["answer"]),
    }


def _confaide(data: bytes) -> bytes:
    """Every tier 1/2a/2b/4 row, then 100 of the 270 tier-3 scenarios (4 consecutive rows each,
    one per question type) drawn with `random.Random(0).sample`: the kept scenarios' rows of the
    first question type, then of the second, and so on. Each row's prompt is its user turn."""
    rows = _jsonl_rows(data, "libra-eval ConfAIde.jsonl")
    tier3 = [r for r in rows if r["tier"] == "3"]
    scenarios = [tier3[k : k + 4] for k in range(0, len(tier3), 4)]
    chosen = sorted(random.Random(0).sample(range(len(scenarios)), 100))
    kept = [r for r in rows if r["tier"] != "3"] + [scenarios[k][q] for q in range(4) for k in chosen]
    return _jsonl(
        [
            {"id": i, "prompt": _last_user(r), **{k: v for k, v in r.items() if k != "messages"}}
            for i, r in enumerate(kept)
        ]
    )


def _pandas_sample(n: int, k: int, seed: int) -> list[int]:
    """The positions pandas' `.sample(k, random_state=seed)` draws from n rows: it calls numpy's
    `RandomState(seed).choice(n, k, replace=False)`, which is a permutation's first k."""
    import numpy as np  # only this converter needs it; keep it out of every CLI start

    return [int(p) for p in np.random.RandomState(seed).permutation(n)[:k]]


def _ethics_commonsense_subset(data: bytes) -> bytes:
    """DecodingTrust's cm_test.csv: 400 of its short rows and 50 of its long ones, each drawn as
    pandas' `.sample(random_state=20240917)` draws, in source order with `orig_row` (the row
    index) first, written as pandas' `to_csv(index=False)` writes a CSV."""
    rows = _csv_rows(data)
    short = [i for i, r in enumerate(rows) if r["is_short"] == "True"]
    long = [i for i, r in enumerate(rows) if r["is_short"] != "True"]
    kept = [short[p] for p in _pandas_sample(len(short), 400, 20240917)]
    kept += [long[p] for p in _pandas_sample(len(long), 50, 20240917)]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["orig_row", *rows[0]])
    writer.writerows([i, *rows[i].values()] for i in sorted(kept))
    return out.getvalue().encode("utf-8")


def _advbench(downloads: list[Download]) -> bytes:
    """advbench_behaviors.csv, each behaviour with its GCG target from advbench_targets.json
    ({BehaviorID: target})."""
    behaviours, targets = downloads
    target = json.loads(targets.data)
    return _jsonl(
        [
            {"id": r["BehaviorID"], "prompt": r["Behavior"], "target": target[r["BehaviorID"]], "label": "unsafe"}
            for r in _csv_rows(behaviours.data)
        ]
    )


def _mt_bench(downloads: list[Download]) -> bytes:
    """question.jsonl, each question with GPT-4's reference answer turns from gpt-4.jsonl (null
    for a question it has none for)."""
    questions, answers = downloads
    reference = {r["question_id"]: r["choices"][0]["turns"] for r in _jsonl_rows(answers.data, "gpt-4.jsonl")}
    return _jsonl(
        [
            {
                "id": f"mtbench-{q['question_id']}",
                "question_id": q["question_id"],
                "category": q["category"],
                "turns": q["turns"],
                "reference": q.get("reference"),
                "reference_answer_gpt4": reference.get(q["question_id"]),
            }
            for q in _jsonl_rows(questions.data, "question.jsonl")
        ]
    )


def _mmlu_item(subject: str) -> Builder:
    def build(i: int, r: Record) -> dict[str, Any]:
        gold = int(r["answer"])
        return {
            "id": f"mmlu-test-{subject}-{i:04d}",
            "subject": subject,
            "question": r["question"],
            "choices": [r[f"choice{k}"] for k in range(4)],
            "gold_index": gold,
            "gold_letter": string.ascii_uppercase[gold],
            "source_row": i,
        }

    return build


def _mmlu_20per_subject(downloads: list[Download]) -> bytes:
    """20 rows of each SUBJECT_test.csv, drawn with `random.Random(f"20240611-{SUBJECT}")`, subject
    after subject in the order given."""
    subjects = [(d.name.removesuffix("_test.csv"), d.data) for d in downloads]
    return b"".join(
        _rows(_csv_rows, _mmlu_item(subject), sample=20, seed=f"20240611-{subject}")(data) for subject, data in subjects
    )


def _latent_jailbreak(downloads: list[Download]) -> bytes:
    """Each TEMPLATE_POSITION.json ({group: [{"context": prompt, ...}]}) in the order given, its
    groups in file order, each group's distinct contexts in first-seen order."""
    rows: list[dict[str, Any]] = []
    for d in downloads:
        template, position = d.name.removesuffix(".json").split("_")
        for group, items in json.loads(d.data).items():
            for prompt in dict.fromkeys(item["context"] for item in items):
                rows.append(
                    {
                        "id": len(rows),
                        "prompt": prompt,
                        "template": template,
                        "position": position,
                        "group": group,
                        "label": "unsafe",
                    }
                )
    return _jsonl(rows)


def _same(i: int, r: Record) -> Record:
    return r


def _indexed(i: int, r: Record) -> Record:
    return {"id": i, **r}


CONVERTERS: dict[str, Converter] = {
    "libra_do_not_answer": _libra(_prompt_row("unsafe", "risk_area", "types_of_harm", "specific_harms")),
    "libra_do_not_answer_fp": _libra(_do_not_answer_variant("safe")),
    "libra_do_not_answer_fn": _libra(_do_not_answer_variant("unsafe")),
    "libra_tdc_redteaming": _libra(_prompt_row("unsafe")),
    "libra_beavertails_bad": _libra(_prompt_row("unsafe_pair"), sample=1000),
    "libra_gandalf": _libra(_gandalf),
    "libra_dices350": _libra(_dices),
    "gsm8k": _rows(_jsonl_file("GSM8K test.jsonl"), _gsm8k),
    "truthfulqa_mc": _rows(_json(), _truthfulqa_mc),
    "hellaswag_2000": _rows(_hellaswag_tasks, _hellaswag, sample=2000, seed=20240611),
    "arc_challenge": _rows(_jsonl_file("llm-foundry arc_challenge.jsonl"), _arc_challenge),
    "ifeval": _rows(_jsonl_file("IFEval input_data.jsonl"), lambda i, r: {"id": f"ifeval-{r['key']}", **r}),
    "harmbench": _rows(
        _csv_rows,
        _renamed(
            id_from="BehaviorID",
            label="unsafe",
            prompt="Behavior",
            functional_category="FunctionalCategory",
            semantic_category="SemanticCategory",
            tags="Tags",
            context="ContextString",
        ),
    ),
    "strongreject": _rows(
        _csv_rows, _renamed(label="unsafe", prompt="forbidden_prompt", category="category", source="source")
    ),
    "tdc2023_test": _rows(_csv_rows, _renamed(label="unsafe", prompt="Behavior")),
    "simplesafetytests": _rows(
        _csv_rows,
        _renamed(id_from="id", label="unsafe", prompt="prompts_final", harm_area="harm_area", category="category"),
    ),
    "maliciousinstruct": _rows(_text_lines, _prompt("unsafe")),
    "stl_unsafe": _rows(_json("instructions"), _prompt("unsafe")),
    "stl_safe": _rows(_json("instructions"), _prompt("safe")),
    "unsafe_prompt_list": _rows(_json(), _prompt("unsafe")),
    "gptfuzz_questions": _rows(_csv_rows, _renamed(id_from="index", label="unsafe", prompt="text")),
    "gptfuzz_templates": _rows(_csv_rows, _renamed(id_from="id", template="text")),
    "xstest": _rows(_csv_rows, _same),
    "sp_misconceptions": _rows(
        _csv_rows,
        _renamed(id_from="id", label="misconception", claim="claim", category="category", source_url="source url"),
    ),
    "safetext": _rows(_safetext_rows, _indexed),
    "redeval_harmfulqa": _rows(_harmfulqa_rows, lambda i, r: {"id": i, **r, "label": "unsafe"}),
    "cyberseceval_mitre_frr": _rows(_json(), _indexed),
    "cyberseceval_prompt_injection": _rows(_json(), _same),
    "tensortrust_extraction": _rows(_jsonl_file("Tensor Trust extraction file"), _same),
    "tensortrust_hijacking": _rows(_jsonl_file("Tensor Trust hijacking file"), _same, sample=400),
    "aart": _rows(
        _csv_rows,
        _renamed(
            label="unsafe",
            prompt="prompt",
            crime="crime",
            use_case="use_case",
            region="region",
            region_specific_topic="region_specific_topic",
            medium_keyword="medium_keyword",
        ),
        sample=1500,
    ),
    "libra_truthfulqa_mc1": _libra(_truthfulqa_mc1),
    "libra_confaide": _confaide,
    "ethics_commonsense_subset": _ethics_commonsense_subset,
}

JOINERS: dict[str, Joiner] = {
    "advbench": _advbench,
    "mt_bench": _mt_bench,
    "mmlu_20per_subject": _mmlu_20per_subject,
    "latent_jailbreak": _latent_jailbreak,
}
