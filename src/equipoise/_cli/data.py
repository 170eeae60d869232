"""`equipoise data pull` and `equipoise data status`: the public datasets in the data directory."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.text import Text

from equipoise._cli import app, compact_table, console, err, fail, get_settings
from equipoise._registry import RegistryError

if TYPE_CHECKING:
    from equipoise.datasets._pull import Dataset

data_app = typer.Typer(help="The public datasets: fetch them (`pull`) and check them (`status`).", no_args_is_help=True)
app.add_typer(data_app, name="data")

_DIR_HELP = "Data directory (default: $EQUIPOISE_DATA_DIR, else data/ in the user data directory)"


def _datasets(suite: str | None, names: list[str] | None) -> list[Dataset]:
    from equipoise.datasets._pull import datasets_of
    from equipoise.tasks import select_tasks

    try:
        chosen = datasets_of(f for t in select_tasks(suite=suite) for f in t.files)
    except RegistryError as e:
        raise fail(str(e)) from None
    if not names:
        return chosen
    by_name = {d.name: d for d in chosen}
    # A bare file name (`xstest`) is accepted when only one folder has it.
    by_stem: dict[str, list[str]] = {}
    for d in chosen:
        by_stem.setdefault(d.name.rsplit("/", 1)[-1], []).append(d.name)
    picked = []
    for n in names:
        full = n if n in by_name else (by_stem[n][0] if len(by_stem.get(n, ())) == 1 else None)
        if full is None:
            scope = f" in suite {suite!r}" if suite else ""
            raise fail(f"unknown dataset {n!r}{scope}; known datasets: {', '.join(sorted(by_name))}")
        picked.append(by_name[full])
    return picked


@data_app.command("pull")
def pull_command(
    suite: Annotated[str | None, typer.Option(help="Only the datasets of this suite's tasks")] = None,
    dataset: Annotated[
        list[str] | None, typer.Option("--dataset", "-d", help="Dataset name (see `equipoise data status`)")
    ] = None,
    data_dir: Annotated[Path | None, typer.Option("--dir", "--data-dir", help=_DIR_HELP)] = None,
    mirror: Annotated[
        str | None,
        typer.Option(help="Base URL of a copy of a data directory to fetch from (default: $EQUIPOISE_DATA_MIRROR)"),
    ] = None,
) -> None:
    """Download the datasets from their pinned sources, check their sha256, convert them to the files
    the tasks read, and write them into the data directory. Exits 1 when a download failed."""
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TransferSpeedColumn

    from equipoise.datasets._pull import pull

    settings = get_settings()
    target = data_dir or settings.data_dir
    assert target is not None  # settings fill it in
    chosen = _datasets(suite, dataset)
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        console=err,
        transient=True,
    ) as bar:
        ids: dict[str, int] = {}

        def progress(name: str, done: int, total: int | None) -> None:
            if name not in ids:
                ids[name] = bar.add_task(escape(name), total=total)
            bar.update(ids[name], completed=done, total=total)

        outcomes = pull(
            chosen,
            target,
            mirror=mirror or settings.data_mirror,
            sources_base=settings.data_sources_base,
            progress=progress,
        )
    styles = {"fetched": "green", "up to date": "green", "needs you": "yellow", "failed": "red"}
    for o in outcomes:
        line = Text.assemble((f"{o.state:>10}", styles[o.state]), " ", o.name)
        if o.message:
            line.append(f"\n           {o.message}")
        console.print(line, soft_wrap=True)
    counts = {s: sum(o.state == s for o in outcomes) for s in styles}
    console.print(Text(f"data dir {target}: " + ", ".join(f"{n} {s}" for s, n in counts.items() if n)), soft_wrap=True)
    if counts["failed"]:
        raise typer.Exit(code=1)


@data_app.command("status")
def status_command(
    suite: Annotated[str | None, typer.Option(help="Only the datasets of this suite's tasks")] = None,
    data_dir: Annotated[Path | None, typer.Option("--dir", "--data-dir", help=_DIR_HELP)] = None,
) -> None:
    """List each dataset: present / missing / checksum mismatch, how pull gets it, and its licence."""
    target = data_dir or get_settings().data_dir
    assert target is not None
    table = compact_table(f"datasets (data dir: {target})")
    # Two columns fit an 80-column terminal with every name whole (a user copies names into
    # --dataset); how pull gets the file and its licence sit under the name.
    table.add_column("dataset / source, licence", overflow="fold")
    table.add_column("status", no_wrap=True)
    colours = {"present": "green", "missing": "red", "checksum mismatch": "red"}
    for d in sorted(_datasets(suite, None), key=lambda d: d.name):
        state = d.status(target)
        detail = Text(f"\n{d.how()}; {d.file.license or 'licence not stated'}", "dim")
        table.add_row(Text(d.name) + detail, Text(state, colours.get(state, "yellow")))
    console.print(table)
