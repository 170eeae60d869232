"""Importing results of other harnesses (lm-evaluation-harness, Inspect) as capability runs."""

from pathlib import Path

from equipoise.importers import inspect_log, lm_eval
from equipoise.importers._common import (
    ImportedResults,
    ImportedTask,
    ResultsFileError,
    TaskMapping,
    normalise,
    to_run,
)
from equipoise.importers.inspect_log import read_inspect
from equipoise.importers.lm_eval import read_lm_eval
from equipoise.models import ModelEntry
from equipoise.results import EvalRun

# tool -> (reader, its task mapping)
TOOLS = {"lm-eval": (read_lm_eval, lm_eval.MAPPING), "inspect": (read_inspect, inspect_log.MAPPING)}


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


def import_results(
    tool: str,
    paths: list[Path],
    store_url: str | None = None,
    entry: ModelEntry | None = None,
    record: bool = True,
) -> tuple[EvalRun, list[str]]:
    """Read the files (or directories of files) written by `tool` ("lm-eval" or "inspect") for one
    model into one run, record it in the store, and return it with the source tasks that map to
    no equipoise task. Inspect writes one log per task: pass them together."""
    from equipoise.store import open_store

    if tool not in TOOLS:
        raise ValueError(f"unknown tool {tool!r}; choose one of {', '.join(TOOLS)}")
    reader, mapping = TOOLS[tool]
    run, skipped = to_run([reader(p) for p in _files(paths)], mapping, entry)
    if record:
        open_store(store_url).record_run(run)
    return run, skipped


__all__ = [
    "TOOLS",
    "ImportedResults",
    "ImportedTask",
    "ResultsFileError",
    "TaskMapping",
    "import_results",
    "normalise",
    "read_inspect",
    "read_lm_eval",
    "to_run",
]
