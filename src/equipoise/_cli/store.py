"""`equipoise results delete` and `equipoise db upgrade`: changing what the store holds."""

from __future__ import annotations

from typing import Annotated

import typer

from equipoise._cli import USER_ERRORS, app, console, fail
from equipoise._cli.core import results_app

db_app = typer.Typer(help="The results store's schema.", no_args_is_help=True)
app.add_typer(db_app, name="db")


@results_app.command("delete")
def results_delete(
    run_id: Annotated[str, typer.Argument(help="Run id or a unique prefix")],
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Delete without asking")] = False,
) -> None:
    """Remove one stored run with its task results and samples."""
    from rich.text import Text

    from equipoise.store import open_store

    try:
        store = open_store()
    except USER_ERRORS as e:
        raise fail(str(e)) from None
    run = store.get_run(run_id)
    if run is None:
        raise fail(f"no single stored run matches {run_id!r}; see `equipoise results`")
    what = Text(f"run {run['run_id']} of {run['model']['name']} ({run['suite'] or '-'}, {run['started'][:19]})")
    if not yes and not typer.confirm(f"delete {what.plain}?", default=False):
        raise typer.Exit(code=1)
    store.delete_run(run["run_id"])
    console.print(Text("deleted ").append(what))


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Bring the store's schema up to date (safe to run at any time, and from many processes at once)."""
    from equipoise.store import open_store, upgrade

    try:
        store = open_store(migrate=False)
        changed = upgrade(store)
    except USER_ERRORS as e:
        raise fail(str(e)) from None
    console.print(f"{store.location}: {'upgraded to' if changed else 'already at'} the newest schema", markup=False)
