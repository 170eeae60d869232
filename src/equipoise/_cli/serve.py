"""Web commands: serve (the leaderboard app), board export (the same pages as a static site).

FastAPI and uvicorn are imported inside the commands: `equipoise --help` stays light.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from equipoise._cli import USER_ERRORS, app, console, fail, safe_text
from equipoise._cli.rank import CapOpt, CapReleaseOpt, CombineOpt, JudgeOpt, ReleaseOpt
from equipoise.metrics.combine import DEFAULT_COMBINATION

board_app = typer.Typer(help="The leaderboard as files.", no_args_is_help=True)
app.add_typer(board_app, name="board")


@app.command("serve")
def serve_command(
    host: Annotated[str, typer.Option(help="Address to listen on (loopback by default)")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on")] = 8000,
    store: Annotated[
        str | None, typer.Option(help="Store URL (default: EQUIPOISE_DATABASE_URL or the local store)")
    ] = None,
) -> None:
    """Serve the leaderboard: board, model pages, charts, about and the JSON API (Ctrl-C stops it)."""
    import uvicorn

    from equipoise.web import create_app

    try:
        # On SQLite the submissions' jobs run inside this process; on PostgreSQL `equipoise worker`s run them.
        web = create_app(store, run_queue=True)
    except USER_ERRORS as e:
        raise fail(str(e)) from None
    console.print(safe_text(f"equipoise board at http://{host}:{port}/ (API docs at /docs); Ctrl-C stops it"))
    if web.state.queue.pg is not None:
        console.print("submissions are run by `equipoise worker`s pointed at the same PostgreSQL store")
    uvicorn.run(web, host=host, port=port, log_level="warning")


@board_app.command("export")
def export_command(
    directory: Annotated[Path, typer.Argument(help="Directory to write the site into (created if needed)")],
    suite: Annotated[str, typer.Option(help="Safety suite of the exported board")] = "quick",
    capability_suite: CapOpt = None,
    judge: JudgeOpt = None,
    combine: CombineOpt = DEFAULT_COMBINATION,
    weight: Annotated[float, typer.Option(help="Safety weight in [0, 1] for --combine weighted")] = 0.5,
    release: ReleaseOpt = None,
    capability_release: CapReleaseOpt = None,
    store: Annotated[
        str | None, typer.Option(help="Store URL (default: EQUIPOISE_DATABASE_URL or the local store)")
    ] = None,
) -> None:
    """Write the board, its chart, the model pages and about as a static site (HTML, JSON, CSV, assets)."""
    from equipoise.web import BoardQuery, export_site

    try:
        query = BoardQuery(
            suite=suite,
            capability_suite=capability_suite,
            judge=judge,
            release=release,
            capability_release=capability_release,
            combine=combine,
            weight=weight,
        )
        pages = export_site(directory, query, store)
    except USER_ERRORS as e:
        raise fail(str(e)) from None
    console.print(
        safe_text(f"wrote {len(pages)} pages to {directory} (open {directory / 'index.html'})"), soft_wrap=True
    )
