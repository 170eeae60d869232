"""Import commands: results of lm-evaluation-harness and Inspect as capability runs."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from equipoise._cli import USER_ERRORS, app, compact_table, console, fail, fmt, get_settings, safe_text, warn

if TYPE_CHECKING:
    from equipoise.models import ModelEntry

import_app = typer.Typer(help="Import results of other harnesses as capability runs.", no_args_is_help=True)
app.add_typer(import_app, name="import")

FilesArg = Annotated[list[Path], typer.Argument(help="Results files, or directories holding them")]
ModelOpt = Annotated[
    str | None,
    typer.Option(
        "--model",
        "-m",
        help="The board entry: an entry name or spec, or a display name for a model evaluated elsewhere "
        "(e.g. llama3-8b); default: the model named in the file",
    ),
]
AsOpt = Annotated[
    str | None,
    typer.Option("--as", help="Import the log as this equipoise capability task (e.g. mmlu), whatever its task name"),
]


def _entry(model: str) -> ModelEntry:
    """The entry `-m` names; a plain name that is neither an entry nor a spec is a display name."""
    from equipoise.models import ModelEntry, ModelError, resolve_entry

    try:
        return resolve_entry(model, get_settings().models_file)
    except ModelError:
        if ":" in model or not model.strip():
            raise
        return ModelEntry(spec=f"imported:{model}", display_name=model)


def _import(tool: str, files: list[Path], model: str | None, as_task: str | None = None) -> None:
    from equipoise.importers import import_results

    try:
        run, skipped = import_results(tool, files, entry=_entry(model) if model else None, as_task=as_task)
    except USER_ERRORS as e:
        raise fail(str(e)) from None
    provenance = run.manifest.imported or {}
    table = compact_table(f"imported {tool} results for {run.model['name']} — run {run.run_id} (suite {run.suite})")
    for col in ("task", "source task", "metric", "score", "95% CI", "n", "from"):
        table.add_column(col)
    no_interval = []
    for t in run.tasks:
        s = t.scorer
        if t.ci_low is None:
            no_interval.append(t.task)
        source = provenance["tasks"].get(t.task, {})
        table.add_row(
            t.task,
            s["source_task"],
            s["metric"],
            fmt(t.mean),
            "-" if t.ci_low is None else f"[{fmt(t.ci_low)}, {fmt(t.ci_high)}]",
            "?" if s.get("n") is None else str(s["n"]),
            Path(source.get("file", "?")).name,
        )
    console.print(table)
    if no_interval:
        warn(
            f"no interval for {', '.join(no_interval)}: the file gives neither the number of items "
            "nor a standard error; the score is shown without bounds"
        )
    if skipped:
        warn(f"not imported (no equipoise task): {', '.join(skipped)}")
    if provenance.get("merged_from"):
        console.print(safe_text(f"kept the other tasks of this entry's previous import {provenance['merged_from']}"))
    console.print(safe_text(f"rank with: equipoise rank --capability-suite {run.suite}"))


@import_app.command("lm-eval")
def import_lm_eval(files: FilesArg, model: ModelOpt = None) -> None:
    """Import lm-evaluation-harness results_*.json files of one model (0.4.0 on; Open LLM Leaderboard files too).

    Imports accumulate: a file's tasks replace only the same tasks of the entry's earlier import.
    """
    _import("lm-eval", files, model)


@import_app.command("inspect")
def import_inspect(files: FilesArg, model: ModelOpt = None, as_task: AsOpt = None) -> None:
    """Import Inspect eval logs (.json or .eval) of one model, one run for all.

    Imports accumulate: a log's task replaces only the same task of the entry's earlier import.
    """
    _import("inspect", files, model, as_task)
