"""Import lm-evaluation-harness results (`results_*.json`, as written by `lm_eval --output_path`).

Read from every 0.4 release (0.4.0 of December 2023 on) and the Open LLM Leaderboard's files:
`results` holds, per task and group, metric keys `METRIC,FILTER` with a matching
`METRIC_stderr,FILTER` (bare `METRIC` keys, as 0.3 wrote them, are read too); `versions` the task
versions; `config` the model and `--limit`. Groups (`mmlu` over its 57 subjects, `truthfulqa`
over mc1/mc2/gen, `leaderboard` over `leaderboard_*`) are listed in `group_subtasks` (0.4.3 on)
or by the subtasks' `group` in `configs` (earlier).

Item count n, first found: `n-samples` (0.4.2 on); the `samples_TASK_*.jsonl` files written
beside the results by `--log_samples`; a group's subtasks summed; the standard split's size when
`configs` shows the task ran on that dataset and `config.limit` is empty. When none says, the
score is imported with the tool's standard error if it gave one, else with no interval.

Mappings (`MAPPING`; every score is raw accuracy, as in equipoise's own runs):

| lm-eval task | equipoise task | metric (first found) |
|---|---|---|
| gsm8k, gsm8k_cot, gsm8k_cot_zeroshot | capability/gsm8k | exact_match,strict-match; exact_match,flexible-extract |
| hellaswag | capability/hellaswag | acc_norm,none; acc,none |
| arc_challenge | capability/arc_challenge | acc_norm,none; acc,none |
| arc_challenge_chat | capability/arc_challenge | exact_match,remove_whitespace |
| mmlu (group of the 57 subjects, items pooled) | capability/mmlu | acc,none |
| truthfulqa_mc1 (mc2 and gen have no equipoise task) | capability/truthfulqa_mc1 | acc,none |
| ifeval, leaderboard_ifeval | capability/ifeval | prompt_level_strict_acc,none |
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from equipoise.importers._common import ImportedResults, ImportedTask, ResultsFileError, TaskMapping, first_metric

TOOL = "lm-eval"

_GSM8K = TaskMapping(
    "capability/gsm8k",
    ("exact_match,strict-match", "exact_match,flexible-extract"),
    "final number after '####' (strict), else the last number (flexible)",
    1319,
    ("gsm8k", "openai/gsm8k"),
)
_IFEVAL = TaskMapping(
    "capability/ifeval",
    ("prompt_level_strict_acc,none",),
    "prompt-level strict: every instruction followed",
    541,
    ("wis-k/instruction-following-eval", "google/IFEval"),
)
_ARC = ("ai2_arc", "allenai/ai2_arc")
MAPPING: dict[str, TaskMapping] = {
    "gsm8k": _GSM8K,
    "gsm8k_cot": _GSM8K,
    "gsm8k_cot_zeroshot": _GSM8K,
    "hellaswag": TaskMapping(
        "capability/hellaswag",
        ("acc_norm,none", "acc,none"),
        "log-likelihood choice, length-normalised",
        10042,
        ("hellaswag", "Rowan/hellaswag"),
    ),
    "arc_challenge": TaskMapping(
        "capability/arc_challenge",
        ("acc_norm,none", "acc,none"),
        "log-likelihood choice, length-normalised",
        1172,
        _ARC,
    ),
    "arc_challenge_chat": TaskMapping(
        "capability/arc_challenge", ("exact_match,remove_whitespace",), "generated letter", 1172, _ARC
    ),
    "mmlu": TaskMapping(
        "capability/mmlu", ("acc,none",), "log-likelihood of the letter; the subjects' items pooled", 14042
    ),
    "truthfulqa_mc1": TaskMapping(
        "capability/truthfulqa_mc1",
        ("acc,none",),
        "log-likelihood choice, one true answer",
        817,
        ("truthful_qa", "truthfulqa/truthful_qa"),
    ),
    "ifeval": _IFEVAL,
    "leaderboard_ifeval": _IFEVAL,
}


def _value(metrics: Mapping[str, Any], key: str) -> Any:
    """A metric by its `METRIC,FILTER` key, or by the bare name 0.3 used when the filter is `none`."""
    name, _, filt = key.partition(",")
    return metrics.get(key, metrics.get(name) if filt == "none" else None)


def _choose(metrics: Mapping[str, Any], wanted: tuple[str, ...]) -> str | None:
    return first_metric({w: _value(metrics, w) for w in wanted}, wanted)


def _stderr(metrics: Mapping[str, Any], metric: str) -> float | None:
    name, _, filt = metric.partition(",")
    value = _value(metrics, f"{name}_stderr,{filt}")
    # lm-eval writes "N/A" when it could not compute a stderr (one item, or a group without one)
    return float(value) if isinstance(value, int | float) else None


def _subtasks(data: Mapping[str, Any]) -> dict[str, list[str]]:
    """{group: its direct subtasks}: `group_subtasks` (0.4.3 on), else the subtasks' `group` in `configs`."""
    listed = data.get("group_subtasks")
    if isinstance(listed, dict):
        return {g: list(s) for g, s in listed.items() if isinstance(s, list)}
    out: dict[str, list[str]] = {}
    for name, cfg in (data.get("configs") or {}).items():
        groups = cfg.get("group") if isinstance(cfg, dict) else None
        for g in [groups] if isinstance(groups, str) else groups or []:
            out.setdefault(g, []).append(name)
    return out


class _Counts:
    """Where a task's item count comes from, in the order of the module doc."""

    def __init__(self, path: Path, data: Mapping[str, Any], subtasks: Mapping[str, list[str]]) -> None:
        self.path, self.data, self.subtasks = path, data, subtasks
        self.n_samples = data.get("n-samples") or {}
        self.configs = data.get("configs") or {}
        self.limit = (data.get("config") or {}).get("limit")

    def __call__(self, task: str, mapping: TaskMapping | None, metrics: Mapping[str, Any]) -> tuple[int | None, str]:
        effective = (self.n_samples.get(task) or {}).get("effective")
        if isinstance(effective, int):
            return effective, "n-samples"
        lines = self._samples_file_lines(task)
        if lines is not None:
            return lines, "samples file"
        if task in self.subtasks:
            parts = [self(s, None, {}) for s in self.subtasks[task]]
            if parts and all(n is not None for n, _ in parts):
                return sum(n for n, _ in parts if n is not None), f"sum of its subtasks ({parts[0][1]})"
        if isinstance(metrics.get("sample_len"), int):
            return int(metrics["sample_len"]), "sample_len"
        cfg = self.configs.get(task) or {}
        if mapping and mapping.full_n and self.limit is None and cfg.get("dataset_path") in mapping.datasets:
            return mapping.full_n, f"the whole {cfg['dataset_path']} split (config: no --limit)"
        return None, ""

    def _samples_file_lines(self, task: str) -> int | None:
        """Items in the task's samples file: `samples_TASK_DATE.jsonl` (JSON lines, 0.4.2 on) or
        `MODELARGS_TASK.jsonl` (one JSON list, 0.4.0 and 0.4.1)."""
        found = sorted(self.path.parent.glob(f"samples_{task}_*.jsonl"))
        if len(found) > 1:  # files of several runs: none of them is surely this file's
            return None
        if found:
            with found[0].open("rb") as f:
                return sum(1 for line in f if line.strip())
        model_args = (self.data.get("config") or {}).get("model_args")
        old = (
            self.path.parent / f"{re.sub('/|=', '__', model_args)}_{task}.jsonl"
            if isinstance(model_args, str)
            else None
        )
        if old is None or not old.is_file():
            return None
        try:
            items = json.loads(old.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError) as e:
            raise ResultsFileError(f"{old}: samples file is not a JSON list ({e})") from None
        return len(items) if isinstance(items, list) else None


def read_lm_eval(path: Path) -> ImportedResults:
    """Read an lm-eval results file into task figures (mapped tasks and groups with their chosen
    metric; a mapped group's subtasks are not listed on their own)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ResultsFileError(f"lm-eval results file {path} does not exist") from None
    except (UnicodeDecodeError, IsADirectoryError) as e:
        raise ResultsFileError(f"{path}: not a text results file ({e})") from None
    except json.JSONDecodeError as e:
        raise ResultsFileError(f"{path}:{e.lineno}: not valid JSON ({e.msg})") from None
    if not isinstance(data, dict) or not isinstance(data.get("results"), dict):
        raise ResultsFileError(f"{path}: not an lm-eval results file (no 'results' object)")
    # 0.4.4 on writes a group's figures under `groups` only
    results: dict[str, Any] = {**(data.get("groups") or {}), **data["results"]}
    subtasks = _subtasks(data)
    count = _Counts(path, data, subtasks)
    inside = _parts_of_mapped_groups(results, subtasks)
    versions = data.get("versions") or {}
    tasks = []
    for name, metrics in sorted(results.items()):
        if name in inside or not isinstance(metrics, dict):
            continue
        m = MAPPING.get(name)
        metric = _choose(metrics, m.metrics) if m else _any_metric(metrics)
        if metric is None:
            if m is not None:
                raise ResultsFileError(
                    f"{path}: task {name!r} has none of the metrics {', '.join(m.metrics)} "
                    f"(found {', '.join(k for k in metrics if k != 'alias') or 'none'})"
                )
            continue
        n, n_from = count(name, m, metrics)
        value = float(_value(metrics, metric))
        tasks.append(
            ImportedTask(name, metric, value, _stderr(metrics, metric), n, str(versions.get(name, "")), n_from)
        )
    config = data.get("config") or {}
    model_args = config.get("model_args")
    model = data.get("model_name") or _model_arg(model_args)
    return ImportedResults(
        tool=TOOL,
        tool_version=str(data.get("lm_eval_version") or _version_hint(data)),
        model=str(model or config.get("model") or "unknown"),
        source=path,
        tasks=tasks,
        details={"lm_eval_model": config.get("model"), "date": data.get("date"), "git_hash": data.get("git_hash")},
    )


def _parts_of_mapped_groups(results: Mapping[str, Any], subtasks: Mapping[str, list[str]]) -> set[str]:
    """Every task under a mapped group that has a result (its parts are in the group's figure)."""
    inside: set[str] = set()
    stack = [g for g in subtasks if g in MAPPING and g in results]
    while stack:
        for s in subtasks.get(stack.pop(), []):
            if s not in inside:
                inside.add(s)
                stack.append(s)
    return inside


def _any_metric(metrics: Mapping[str, Any]) -> str | None:
    """The first numeric metric of an unmapped task (only to list it as not imported)."""
    return next(
        (k for k, v in metrics.items() if "_stderr" not in k and isinstance(v, int | float) and k != "sample_len"),
        None,
    )


def _model_arg(model_args: Any) -> str | None:
    """`model=` (or `pretrained=`) of the model arguments, a dict or lm-eval's `k=v,k=v` string."""
    if isinstance(model_args, str):
        model_args = dict(p.split("=", 1) for p in model_args.split(",") if "=" in p)
    if isinstance(model_args, dict):
        return model_args.get("model") or model_args.get("pretrained")
    return None


def _version_hint(data: Mapping[str, Any]) -> str:
    """Files before 0.4.3 carry no `lm_eval_version`; the git hash, if any, says which code wrote them."""
    git_hash = data.get("git_hash")
    return f"unknown (git {git_hash})" if git_hash else "unknown"
