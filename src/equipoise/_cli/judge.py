"""Judge commands: `equipoise judge-check` (agreement with human labels, recorded in the store),
`equipoise judge checks` (the recorded checks) and `equipoise judge train` (the offline mini judge)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Annotated, Literal

import typer

from equipoise._cli import USER_ERRORS, app, compact_table, console, err, fail, fmt, get_settings, safe_text

judge_app = typer.Typer(help="Response judges: the offline mini judge, stored judge checks.", no_args_is_help=True)
app.add_typer(judge_app, name="judge")

# Columns of `equipoise judge checks`: (key of a stored check, header, justify); --json has every
# field (sha256, confusion counts). Cells fold rather than lose characters: a path or a judge name
# is what a user copies.
_STORED_CHECK_COLUMNS = (
    ("created", "created (UTC)", "left"),
    ("file", "file", "left"),
    ("task", "task", "left"),
    ("judge", "judge", "left"),
    ("n", "n", "right"),
    ("unparseable", "unparseable", "right"),
    ("accuracy", "accuracy", "right"),
    ("precision", "precision", "right"),
    ("recall", "recall", "right"),
    ("f1", "F1", "right"),
    ("kappa", "kappa", "right"),
)


def _task(task: str | None) -> Literal["harm", "refusal"] | None:
    if task not in (None, "harm", "refusal"):
        raise fail(f"--task must be harm or refusal, not {task!r}")
    return task  # type: ignore[return-value]


def _cell(value: object) -> str:
    return fmt(value) if isinstance(value, float) else ("-" if value is None else str(value))


@judge_app.command("train")
def judge_train_command(
    data_dir: Annotated[Path | None, typer.Option(help="Data directory (default: $EQUIPOISE_DATA_DIR)")] = None,
    out: Annotated[
        Path | None, typer.Option(help="Where to write the artefact and model card (default: inside the package)")
    ] = None,
    seed: Annotated[int, typer.Option(help="Seed for the splits and the estimators")] = 0,
) -> None:
    """Rebuild the mini judge from the shared judge data: compare methods by grouped cross-validation,
    fit the best, write the artefact and its model card. judge_dev.jsonl is held out, never trained on."""
    from equipoise.judges.mini import ARTEFACT_DIR
    from equipoise.judges.mini._card import model_card
    from equipoise.judges.mini.train import train_judge, write_artefact

    data_dir = data_dir or get_settings().data_dir
    if data_dir is None or not (data_dir / "judges").is_dir():
        raise fail(
            f"training needs the shared judge data (judges/ under the data directory, {data_dir}): "
            "set EQUIPOISE_DATA_DIR or pass --data-dir to a directory holding it"
        )
    target = out or ARTEFACT_DIR
    try:
        with console.status("training the mini judge (grouped cross-validation of every method)..."):
            trained = train_judge(data_dir, seed)
    except USER_ERRORS as e:
        raise fail(str(e)) from None
    # The data directory is machine-specific; the card records the data files by sha256 instead.
    command = f"equipoise judge train --seed {seed}"
    npz, meta = write_artefact(trained, target, command)
    card = (out or ARTEFACT_DIR.parent) / "MODEL_CARD.md"
    card.write_text(model_card(trained, command, npz.stat().st_size + meta.stat().st_size))
    for head, report in trained.reports.items():
        chosen = report.candidates[report.chosen]
        console.print(
            f"{head}: {report.chosen} — grouped CV accuracy {fmt(chosen['accuracy'])}, kappa {fmt(chosen['kappa'])}, "
            f"ECE {fmt(report.calibration['platt']['ece'])}"
            + (
                f"; judge_dev accuracy {fmt(report.dev['accuracy'])}, kappa {fmt(report.dev['kappa'])}"
                if report.dev
                else ""
            )
        )
    console.print(safe_text(f"wrote {npz}, {meta} and {card}"), soft_wrap=True)


@app.command("judge-check")
def judge_check_command(
    file: Annotated[
        Path | None,
        typer.Argument(
            help="Labelled JSONL: prompt, response, and harmful or refusal_label (default: the 41 pairs "
            "equipoise's authors labelled, which carry both labels: pass --task)",
            show_default=False,
        ),
    ] = None,
    judge: Annotated[
        list[str] | None,
        typer.Option("--judge", "-j", help="mini, keyword, or a model spec / entry name (LLM judge); repeatable"),
    ] = None,
    task: Annotated[str | None, typer.Option(help="harm or refusal (default: from the file's label field)")] = None,
    models_file: Annotated[Path | None, typer.Option(help="TOML file of model entries")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON (one object per judge)")] = False,
    record: Annotated[bool, typer.Option("--record/--no-record", help="Record the checks in the results store")] = True,
) -> None:
    """Agreement of judges with the human labels of FILE: n, accuracy, precision, recall, F1, kappa.

    Every check is recorded in the results store (see `equipoise judge checks`) unless --no-record."""
    import asyncio

    from equipoise.judges.check import AUTHORS_SET, run_judge_checks
    from equipoise.results import FIGURES

    chosen = _task(task)
    if file is None:
        if chosen is None:
            raise fail("the built-in labelled set has both labels: pass --task harm or --task refusal")
        file = AUTHORS_SET
    try:
        checks = asyncio.run(run_judge_checks(file, judge or [get_settings().default_judge], chosen, models_file))
    except USER_ERRORS as e:
        raise fail(str(e)) from None
    if as_json:
        rows = [c.to_dict() for c in checks]
        console.print_json(json.dumps(rows[0] if len(rows) == 1 else rows))
    else:
        table = compact_table(f"judge agreement with human labels — {file} (task {checks[0].task})")
        table.add_column("figure")
        for c in checks:
            table.add_column(c.judge, justify="right")
        dicts = [c.to_dict() for c in checks]
        for key in FIGURES:
            table.add_row(key, *(_cell(d.get(key)) for d in dicts))
        console.print(table)
    if not record:
        return
    from sqlalchemy.exc import SQLAlchemyError

    from equipoise.store import open_store

    url = get_settings().resolved_database_url
    try:
        store = open_store(url)
        store.record_judge_checks(checks, hashlib.sha256(file.read_bytes()).hexdigest())
    except SQLAlchemyError as e:
        raise fail(f"the checks could not be recorded in the results store: {e}; pass --no-record to skip") from None
    what = "1 judge check" if len(checks) == 1 else f"{len(checks)} judge checks"
    # With --json, stdout stays pure JSON.
    (err if as_json else console).print(safe_text(f"recorded {what} in {store.location}"), soft_wrap=True)


@judge_app.command("checks")
def judge_checks_command(
    task: Annotated[str | None, typer.Option(help="Only checks of this task (harm or refusal)")] = None,
    judge: Annotated[str | None, typer.Option(help="Only checks of this judge, as recorded (e.g. mini-v2)")] = None,
    every: Annotated[
        bool, typer.Option("--all", help="Every recorded check, not only the newest per file, task and judge")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON (a list of checks)")] = False,
) -> None:
    """Judge checks recorded by `equipoise judge-check`, newest first: by default the newest of each
    judge on each labelled file (recognised by its sha256) and task."""
    from equipoise.store import open_store

    store = open_store()
    checks = store.judge_checks(task=_task(task), judge=judge, latest=not every)
    if as_json:
        console.print_json(json.dumps(checks))
        return
    if not checks:
        console.print(
            safe_text(f"no judge checks recorded in {store.location}; `equipoise judge-check FILE` records them"),
            soft_wrap=True,
        )
        return
    table = compact_table(f"judge checks ({store.location})")
    for _, header, justify in _STORED_CHECK_COLUMNS:
        table.add_column(header, justify=justify, overflow="fold")  # type: ignore[arg-type]
    for c in checks:
        shown = {**c, "created": c["created"][:16].replace("T", " ")}
        table.add_row(*(_cell(shown[key]) for key, _, _ in _STORED_CHECK_COLUMNS))
    console.print(table)
