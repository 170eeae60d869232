"""Import Inspect AI eval logs: `.json` (every release) and `.eval` (0.3.46 on, a zip archive).

A log names its task (`eval.task`), model (`eval.model`) and the scorers' metrics
(`results.scores[].metrics`); the headline is the first scorer's `accuracy` with its `stderr`
(the binomial one from the sample count when the log has none). Only logs with status `success`
are imported. A `.eval` log is read from its `header.json` member (zstd-compressed by recent
releases; read with the `zstandard` package, a dependency), so inspect-ai need not be installed.

Mappings (`MAPPING`, the task names of the inspect_evals package; every score is raw accuracy,
as in equipoise's own runs). A task of another name is imported with `--as TASK` (an equipoise
capability task), which takes the first scorer's `accuracy`:

| Inspect task | equipoise task | metric |
|---|---|---|
| gsm8k | capability/gsm8k | accuracy |
| hellaswag | capability/hellaswag | accuracy |
| arc_challenge | capability/arc_challenge | accuracy |
| mmlu_0_shot, mmlu_5_shot | capability/mmlu | accuracy |
| truthfulqa | capability/truthfulqa_mc1 | accuracy |
| ifeval | capability/ifeval | prompt_strict_acc |
"""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

from equipoise.importers._common import (
    ImportedResults,
    ImportedTask,
    ResultsFileError,
    TaskMapping,
    binomial_stderr,
    first_metric,
)

TOOL = "inspect"
_ACC = ("accuracy",)
_ZSTD = 93  # the zip compression method number of Zstandard
MAPPING: dict[str, TaskMapping] = {
    "gsm8k": TaskMapping("capability/gsm8k", _ACC, "the final number matches"),
    "hellaswag": TaskMapping("capability/hellaswag", _ACC, "generated letter"),
    "arc_challenge": TaskMapping("capability/arc_challenge", _ACC, "generated letter"),
    "mmlu_0_shot": TaskMapping("capability/mmlu", _ACC, "generated letter, zero-shot"),
    "mmlu_5_shot": TaskMapping("capability/mmlu", _ACC, "generated letter, five-shot"),
    "truthfulqa": TaskMapping("capability/truthfulqa_mc1", _ACC, "generated letter, one true answer"),
    "ifeval": TaskMapping("capability/ifeval", ("prompt_strict_acc", "accuracy"), "prompt-level strict"),
}


def _read_eval_header(path: Path) -> dict[str, Any]:
    """`header.json` of a .eval zip: stored or deflated (zipfile reads it), or zstd (read here)."""
    try:
        with zipfile.ZipFile(path) as z:
            info = z.getinfo("header.json")
            if info.compress_type != _ZSTD:
                return json.loads(z.read(info))
        with path.open("rb") as f:  # zipfile cannot inflate zstd before Python 3.14: take the raw bytes
            f.seek(info.header_offset)
            local = f.read(30)  # the local file header; then the name and the extra field
            f.seek(int.from_bytes(local[26:28], "little") + int.from_bytes(local[28:30], "little"), io.SEEK_CUR)
            data = f.read(info.compress_size)
    except zipfile.BadZipFile:
        raise ResultsFileError(f"{path}: not an Inspect .eval log (not a zip archive)") from None
    except KeyError:
        raise ResultsFileError(f"{path}: Inspect .eval log without header.json (did the eval finish?)") from None
    import zstandard

    with zstandard.ZstdDecompressor().stream_reader(io.BytesIO(data)) as r:
        return json.loads(r.read())


def _load(path: Path) -> dict[str, Any]:
    """The log (its header: eval, results, status) as a dict."""
    if not path.is_file():
        raise ResultsFileError(f"Inspect log {path} does not exist")
    try:
        if path.suffix == ".json":
            return json.loads(path.read_text(encoding="utf-8"))
        if path.suffix == ".eval":
            return _read_eval_header(path)
    except json.JSONDecodeError as e:
        raise ResultsFileError(f"{path}:{e.lineno}: not valid JSON ({e.msg})") from None
    except UnicodeDecodeError as e:
        raise ResultsFileError(f"{path}: not UTF-8 text ({e.reason} at byte {e.start})") from None
    raise ResultsFileError(f"{path}: not an Inspect log (expected .json or .eval)")


def read_inspect(path: Path, as_task: str | None = None) -> ImportedResults:
    """Read one Inspect eval log into its task's headline figure. With `as_task`, the log's task
    is reported under that name (the caller maps it by hand)."""
    log = _load(path)
    ev, results = log.get("eval"), log.get("results")
    if not isinstance(ev, dict) or "task" not in ev:
        raise ResultsFileError(f"{path}: not an Inspect eval log (no 'eval.task')")
    if log.get("status") != "success":
        error = str((log.get("error") or {}).get("message", ""))[:200]
        raise ResultsFileError(f"{path}: the eval did not finish (status {log.get('status')!r}) {error}".strip())
    if not isinstance(results, dict) or not results.get("scores"):
        raise ResultsFileError(f"{path}: the log has status 'success' but no scores (was a scorer set?)")
    task = as_task or str(ev["task"]).rsplit("/", 1)[-1]
    score = results["scores"][0]
    metrics = {k: v.get("value") for k, v in (score.get("metrics") or {}).items() if isinstance(v, dict)}
    m = None if as_task else MAPPING.get(task)
    metric = first_metric(metrics, m.metrics if m else _ACC)
    n = int(score.get("scored_samples") or results.get("completed_samples") or results.get("total_samples") or 0)
    tasks = []
    if metric is not None:
        value = float(metrics[metric])
        stderr = metrics.get("stderr")
        se = float(stderr) if isinstance(stderr, int | float) else (binomial_stderr(value, n) if n else None)
        tasks.append(ImportedTask(task, metric, value, se, n or None, str(ev.get("task_version", "")), "log"))
    elif m is not None or as_task:
        wanted = m.metrics if m else _ACC
        raise ResultsFileError(
            f"{path}: task {ev['task']!r} has none of the metrics {', '.join(wanted)} "
            f"(scorer {score.get('name')!r} gave {', '.join(metrics) or 'none'})"
        )
    return ImportedResults(
        tool=TOOL,
        tool_version=str((ev.get("packages") or {}).get("inspect_ai", "")),
        model=str(ev.get("model", "unknown")),
        source=path,
        tasks=tasks,
        details={"eval_id": ev.get("eval_id"), "created": ev.get("created"), "scorer": score.get("name")},
    )
