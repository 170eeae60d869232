"""Core commands: eval, tasks, models, results."""

from __future__ import annotations

import json
import sys
import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table
from rich.text import Text

from equipoise._cli import USER_ERRORS, app, compact_table, console, err, fail, fmt, get_settings, safe_text, warn
from equipoise._errors import DatasetError
from equipoise._registry import RegistryError, entries

if TYPE_CHECKING:
    from equipoise.results import EvalRun, TaskResult


def task_table(tasks: list[TaskResult], title: str) -> Table:
    """A Rich table of task scores with intervals and counts, grouped by category. The judges are
    listed below the rows (`judges_line`): as a column they would squeeze an 80-column terminal."""
    table = compact_table(title)
    table.add_column("task", no_wrap=True, min_width=max((len(t.task) for t in tasks), default=4))
    for col in ("score", "95% CI", "n", "unparsed", "refused", "failed"):
        table.add_column(col, justify="right", no_wrap=True)
    category = None
    for t in sorted(tasks, key=lambda t: (t.category, t.task)):
        if t.category != category:
            category = t.category
            table.add_row(safe_text(category, "bold"))
        ci = "-" if t.ci_low is None else f"{t.ci_low:.3f}–{t.ci_high:.3f}"
        table.add_row(t.task, fmt(t.mean), ci, str(t.n), str(t.unparseable), str(t.refused), str(t.failed))
    return table


def judges_line(tasks: list[TaskResult]) -> Text:
    """Which judge (with its version) scored which tasks."""
    by_judge: dict[str, list[str]] = {}
    for t in sorted(tasks, key=lambda t: t.task):
        for j in t.judges:
            by_judge.setdefault(j, []).append(t.task)
    parts = [f"{j} ({len(ts)} task{'s' if len(ts) != 1 else ''})" for j, ts in sorted(by_judge.items())]
    return safe_text("scored by: " + (", ".join(parts) or "-"))


def _print_run(run: EvalRun) -> None:
    console.print(task_table(run.tasks, f"{run.model['name']} — run {run.run_id}"))
    console.print(judges_line(run.tasks), soft_wrap=True)
    cats = run.category_means()
    if cats:
        console.print(safe_text("categories: " + ", ".join(f"{c} {v:.3f}" for c, v in cats.items())))
    from equipoise.metrics.safety import safety_report_text

    if (safety := safety_report_text(run)) is not None:
        console.print(safe_text(safety, multiline=True))
    from equipoise.metrics.combine import DEFAULT_COMBINATION, get_combination
    from equipoise.ranking import run_scores

    scores = run_scores(run)
    if (c := scores.capability) is not None:
        line = f"capability score (macro-average of its tasks): {fmt(c.mean)} [{fmt(c.low)}, {fmt(c.high)}]"
        console.print(safe_text(f"{line} (n={c.n})"))
    if (o := scores.overall).value is not None:
        formula = get_combination(DEFAULT_COMBINATION).formula
        console.print(safe_text(f"overall = {formula}: {fmt(o.value)} [{fmt(o.low)}, {fmt(o.high)}]"))
    console.print(f"model calls: {run.calls}, from cache: {run.cache_hits}")
    if run.run_dir:
        console.print(safe_text(f"run directory: {run.run_dir}"), soft_wrap=True)


@app.command("eval")
def eval_command(
    model: Annotated[
        str,
        typer.Option(
            "--model",
            "-m",
            help="Model spec (embedded:NAME, gguf:PATH, openai-compat:MODEL@URL, hf:PATH, scripted:NAME) or entry name",
        ),
    ] = "embedded:qwen2.5-coder-0.5b",
    suite: Annotated[str | None, typer.Option(help="Suite to run (see `equipoise tasks`)")] = None,
    tasks: Annotated[list[str] | None, typer.Option("--tasks", "-t", help="Task names or globs")] = None,
    limit: Annotated[int | None, typer.Option(min=1, help="Samples per task, drawn with --seed")] = None,
    seed: Annotated[int, typer.Option(help="Seed for sampling and decoding")] = 0,
    data_dir: Annotated[Path | None, typer.Option(help="Data directory (default: $EQUIPOISE_DATA_DIR)")] = None,
    judge: Annotated[str | None, typer.Option(help="Judge model spec or entry name")] = None,
    system_prompt: Annotated[str | None, typer.Option(help="System prompt for this entry")] = None,
    name: Annotated[str | None, typer.Option(help="Display name of the entry")] = None,
    temperature: Annotated[float | None, typer.Option()] = None,
    max_tokens: Annotated[int | None, typer.Option()] = None,
    max_connections: Annotated[
        int | None,
        typer.Option(
            min=1,
            help="Concurrent requests to the model (also the adapter's max_concurrency). A request's timeout "
            "starts when it is sent, not while it waits for a connection.",
        ),
    ] = None,
    models_file: Annotated[
        Path | None,
        typer.Option(
            help="TOML file of model entries; openai-compat entries take args timeout_s (120), max_retries (6), "
            "retry_timeouts (false): see README 'Timeouts and retries'.",
        ),
    ] = None,
    run_dir: Annotated[Path | None, typer.Option(help="Where to write the run directory")] = None,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Ignore the response cache")] = False,
) -> None:
    """Evaluate one model entry on a suite or tasks; prints the score table and records the run."""
    from equipoise import evaluate
    from equipoise.models import ModelEntry, resolve_entry
    from equipoise.runner import RunFailed

    if suite is None and not tasks:
        suite = "quick"
    try:
        entry = resolve_entry(
            model,
            models_file or get_settings().models_file,
            system_prompt,
            temperature=temperature,
            max_tokens=max_tokens,
        )
        if name:
            entry = ModelEntry(**{**entry.__dict__, "display_name": name})
        with warnings.catch_warnings(record=True) as caught, _progress(entry.name) as on_progress:
            warnings.simplefilter("always")
            run = evaluate(
                entry,
                suite=suite,
                tasks=tasks,
                limit=limit,
                seed=seed,
                data_dir=data_dir,
                judge=judge,
                max_connections=max_connections,
                run_dir=run_dir,
                use_cache=not no_cache,
                on_progress=on_progress,
            )
        for w in caught:
            warn(str(w.message))
    except RunFailed as e:
        raise fail(str(e)) from None
    except KeyboardInterrupt:
        cache = "" if no_cache else f" (in {get_settings().response_cache_path})"
        raise fail(
            "interrupted: nothing of this run was recorded, but every answer received so far is kept in the "
            f"response cache{cache}; run the same command again to resume: those samples are not asked again"
        ) from None
    except USER_ERRORS as e:
        raise fail(str(e)) from None
    _print_run(run)


@contextmanager
def _progress(label: str) -> Iterator[Callable[[int, int], None] | None]:
    """A Rich progress bar on a terminal (None when output is piped), fed by the runner's callback."""
    if not (sys.stderr.isatty() or sys.stdout.isatty()):
        yield None
        return
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    started = time.monotonic()
    with Progress(
        TextColumn("{task.description}", markup=False, style="bold"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[rate]:>7} samples/s"),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        console=err,
    ) as bar:
        # The label is user data: the column above shows it as plain text, never as markup.
        task = bar.add_task(label, total=None, rate="-")

        def update(done: int, total: int) -> None:
            rate = f"{done / max(time.monotonic() - started, 1e-9):.1f}"
            bar.update(task, completed=done, total=total, rate=rate)

        yield update


@app.command("tasks")
def tasks_command(
    suite: Annotated[str | None, typer.Option(help="Only tasks of this suite")] = None,
    data_dir: Annotated[Path | None, typer.Option(help="Data directory (default: $EQUIPOISE_DATA_DIR)")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False,
) -> None:
    """List tasks: name, suites, category, samples, data file, present/missing/invalid."""
    from equipoise.importers import imported_from
    from equipoise.tasks import select_tasks

    data_dir = data_dir or get_settings().data_dir
    try:
        chosen = select_tasks(suite=suite)
    except RegistryError as e:
        raise fail(str(e)) from None
    rows = []
    for t in chosen:
        present = t.present(data_dir)
        n = invalid = None
        if present:
            # One malformed file marks its task and the listing goes on: the listing is where a
            # user looks to see which data is usable.
            try:
                n = len(t.samples(data_dir))
            except DatasetError as e:
                invalid = str(e)
        rows.append(
            {
                "name": t.name,
                "suites": list(t.suites),
                "category": t.category,
                "samples": n,
                "files": [f.name for f in t.files],
                "present": present,
                "invalid": invalid,
                "scorer": t.scorer.name,
                # Imported and native scores share one scale: the mean per-sample score, never
                # chance-corrected; each tool task that imports as this one, with its metric.
                "imports": [
                    {"tool": s.tool, "source_task": s.source_task, "scale": s.mapping.describe()}
                    for s in imported_from(t.name)
                ],
            }
        )
    if as_json:
        console.print_json(json.dumps(rows))
        return
    # Four narrow columns fit an 80-column terminal with every name whole (a user copies names into
    # --tasks); suite and category head each group of rows, the data files sit under the task name
    # (all of them in --json).
    table = compact_table(f"tasks (data dir: {data_dir or 'built-in only'})")
    table.add_column("task / data file", overflow="fold", min_width=max((len(r["name"]) for r in rows), default=4))
    table.add_column("samples", justify="right", no_wrap=True)
    table.add_column("scorer", no_wrap=True)
    table.add_column("status", no_wrap=True)
    group = None
    for r in sorted(rows, key=lambda r: (",".join(r["suites"]), r["category"], r["name"])):
        heading = f"{','.join(r['suites'])} · {r['category']}"
        if heading != group:
            group = heading
            table.add_row(safe_text(heading, "bold"))
        # A missing task lists every file to fetch; a present one with many files, the first and a count.
        shown = (
            r["files"] if not r["present"] or len(r["files"]) <= 2 else [r["files"][0], f"{len(r['files']) - 1} more"]
        )
        cell = safe_text(r["name"])
        if shown:
            cell.append_text(Text.assemble("\n", safe_text(", ".join(shown), "dim")))
        if r["invalid"]:
            cell.append_text(Text.assemble("\n", safe_text(f"invalid: {r['invalid']}", "red")))
        if r["imports"]:
            sources = ", ".join(f"{i['tool']} {i['source_task']}" for i in r["imports"])
            cell.append_text(Text.assemble("\n", safe_text(f"imports (raw, as here): {sources}", "dim")))
        status = "invalid" if r["invalid"] else "present" if r["present"] else "missing"
        table.add_row(
            cell,
            "-" if r["samples"] is None else str(r["samples"]),
            r["scorer"],
            Text(status, "green" if status == "present" else "red"),
        )
    console.print(table)


@app.command("models")
def models_command() -> None:
    """List model adapters and the embedded models."""
    from equipoise.models import EMBEDDED_MODELS

    table = compact_table("model adapters")
    table.add_column("prefix")
    table.add_column("description")
    for e in entries("modelapi"):
        table.add_row(e.name + ":", e.metadata.get("description", ""))
    console.print(table)
    emb = compact_table("embedded models")
    # The spec is what a user types: it never wraps. (Checksums are checked when a model is assembled.)
    emb.add_column("spec", no_wrap=True)
    emb.add_column("model", overflow="fold")
    emb.add_column("size", justify="right", no_wrap=True)
    emb.add_column("licence")
    for m in EMBEDDED_MODELS.values():
        emb.add_row(f"embedded:{m.name}", m.title, f"{m.size / 2**20:,.0f} MiB", m.licence)
    console.print(emb)


results_app = typer.Typer(help="Stored runs.", invoke_without_command=True)
app.add_typer(results_app, name="results")


@results_app.callback()
def results_list(
    ctx: typer.Context,
    model: Annotated[str | None, typer.Option(help="Only runs of this entry name or spec")] = None,
    suite: Annotated[str | None, typer.Option()] = None,
) -> None:
    """List stored runs (newest first); `equipoise results show RUN_ID` shows one."""
    if ctx.invoked_subcommand is not None:
        return
    from equipoise.store import open_store

    store = open_store()
    runs = store.list_runs(model=model, suite=suite)
    # The run id begins with its start time (UTC), so no separate column repeats it.
    table = compact_table(f"stored runs ({store.location})")
    # Run ids are copied into `results show`: they never wrap; a long model name folds instead.
    for col in ("run", "model", "suite", "mean", "judge"):
        table.add_column(col, no_wrap=col in ("run", "suite"), overflow="fold")
    for r in runs:
        means = [t.mean for t in r["tasks"] if t.mean is not None]
        table.add_row(
            r["run_id"],
            r["model"]["name"],
            r["suite"] or "-",
            fmt(sum(means) / len(means) if means else None),
            r["judge"] or "-",
        )
    console.print(table)


@results_app.command("show")
def results_show(
    run_id: Annotated[str, typer.Argument(help="Run id or a unique prefix")],
    samples: Annotated[bool, typer.Option("--samples", help="Also print every sample")] = False,
) -> None:
    """Show one stored run."""
    from equipoise.store import open_store

    run = open_store().get_run(run_id, with_samples=samples)
    if run is None:
        raise fail(f"no single stored run matches {run_id!r}; see `equipoise results`")
    console.print(task_table(run["tasks"], f"{run['model']['name']} — run {run['run_id']} ({run['started'][:19]})"))
    console.print(judges_line(run["tasks"]), soft_wrap=True)
    for s in run.get("samples", []):
        console.print(
            Text.assemble(
                safe_text(s["task"], "bold"),
                safe_text(
                    f" {s['sample_id']}: score={fmt(s['score'])} {s['label']} ({s['judge']}) — {s['response'][:200]}"
                ),
            )
        )
