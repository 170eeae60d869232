"""Importing results of other harnesses (lm-evaluation-harness, Inspect) as capability runs."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from equipoise.importers import inspect_log, lm_eval
from equipoise.importers._common import (
    RAW,
    ImportedResults,
    ImportedTask,
    ResultsFileError,
    TaskMapping,
    to_run,
)
from equipoise.importers.inspect_log import read_inspect
from equipoise.importers.lm_eval import read_lm_eval
from equipoise.models import ModelEntry
from equipoise.results import EvalRun

# tool -> its task mapping (source task -> equipoise task, metric, normalisation)
MAPPINGS: dict[str, dict[str, TaskMapping]] = {"lm-eval": lm_eval.MAPPING, "inspect": inspect_log.MAPPING}


@dataclass(frozen=True)
class SourceTask:
    """One tool's task that imports as a given equipoise task (for `equipoise tasks` and About)."""

    tool: str
    source_task: str
    mapping: TaskMapping


def imported_from(task: str) -> list[SourceTask]:
    """The tools' tasks that import as equipoise task `task`, with metric and normalisation."""
    return [
        SourceTask(tool, source, m)
        for tool, mapping in MAPPINGS.items()
        for source, m in mapping.items()
        if m.task == task
    ]


def _files(paths: list[Path]) -> list[Path]:
    """The paths, with a directory standing for the results files in it."""
    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            found = sorted(
                f for f in p.iterdir() if f.suffix in (".json", ".eval") and not f.name.startswith("samples_")
            )
            if not found:
                raise ResultsFileError(f"{p}: no .json or .eval results file in this directory")
            out.extend(found)
        else:
            out.append(p)
    return out


def _read(tool: str, path: Path, as_task: str | None) -> ImportedResults:
    return read_lm_eval(path) if tool == "lm-eval" else read_inspect(path, as_task)


def import_results(
    tool: str,
    paths: list[Path],
    store_url: str | None = None,
    entry: ModelEntry | None = None,
    record: bool = True,
    as_task: str | None = None,
) -> tuple[EvalRun, list[str]]:
    """Read the files (or directories of files) written by `tool` ("lm-eval" or "inspect") for one
    model into one run, record it in the store, and return it with the source tasks that map to
    no equipoise task. Inspect writes one log per task: pass them together, or one at a time:
    each import keeps the entry's earlier imported tasks that it does not replace.

    `as_task` (Inspect only) imports a log of any task as that equipoise capability task.
    """
    from equipoise.store import open_store

    if tool not in MAPPINGS:
        raise ResultsFileError(f"unknown tool {tool!r}; choose one of {', '.join(MAPPINGS)}")
    mapping = MAPPINGS[tool]
    found = [_read(tool, p, as_task) for p in _files(paths)]
    if as_task is not None:
        if tool != "inspect":
            raise ResultsFileError("--as maps an Inspect log's task; lm-eval files name their tasks")
        if not as_task.startswith("capability/"):
            as_task = f"capability/{as_task}"
        known = sorted({m.task for m in MAPPINGS["inspect"].values()})
        if as_task not in known:
            raise ResultsFileError(f"--as {as_task}: not an equipoise capability task (one of {', '.join(known)})")
        mapping = {t.source_task: TaskMapping(as_task, ("accuracy",), "mapped by hand (--as)") for r in found
                   for t in r.tasks}  # fmt: skip
    store = open_store(store_url) if record else None
    previous = None
    if store is not None and found:
        entry = entry or ModelEntry(spec=f"imported:{tool}/{found[0].model}")
        identity = entry.identity()
        previous = next((r for r in store.list_runs(suite=tool) if r["model"]["identity"] == identity), None)
    run, skipped = to_run(found, mapping, entry, previous)
    if store is not None:
        store.record_run(run)
    return run, skipped


__all__ = [
    "MAPPINGS",
    "RAW",
    "ImportedResults",
    "ImportedTask",
    "ResultsFileError",
    "SourceTask",
    "TaskMapping",
    "import_results",
    "imported_from",
    "read_inspect",
    "read_lm_eval",
    "to_run",
]
