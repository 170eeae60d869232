"""`equipoise worker`: claim and run submitted jobs from a PostgreSQL store (any number, any machine)."""

from __future__ import annotations

from typing import Annotated

import typer

from equipoise._cli import USER_ERRORS, app, console, fail, safe_text


@app.command("worker")
def worker_command(
    store: Annotated[str | None, typer.Option(help="PostgreSQL store URL (default: EQUIPOISE_DATABASE_URL)")] = None,
    concurrency: Annotated[int, typer.Option(min=2, help="Jobs this worker runs at once (pgqueuer's floor is 2)")] = 2,
    heartbeat_timeout: Annotated[
        float, typer.Option(min=1, help="Seconds without a heartbeat after which another worker takes a job over")
    ] = 30.0,
    max_attempts: Annotated[int, typer.Option(min=1, help="Tries of a job before its submission is FAILED")] = 3,
    retry_delay: Annotated[float, typer.Option(min=0, help="Seconds before the first retry (doubling after)")] = 10.0,
) -> None:
    """Run submitted evaluations: claims jobs, heart-beats, writes results the board shows at once (Ctrl-C stops it)."""
    import asyncio
    import logging

    from equipoise.queue import JobPolicy, run_worker
    from equipoise.store import open_store

    try:
        opened = open_store(store)
    except USER_ERRORS as e:
        raise fail(str(e)) from None
    if opened.engine.dialect.name != "postgresql":
        raise fail(
            f"equipoise worker needs a PostgreSQL store, and {opened.location} is {opened.engine.dialect.name}: "
            "set EQUIPOISE_DATABASE_URL (or --store) to postgresql://...; "
            "on SQLite `equipoise serve` runs the jobs itself"
        )
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("pgqueuer").setLevel(logging.WARNING)
    console.print(safe_text(f"equipoise worker on {opened.location}; Ctrl-C stops it"), soft_wrap=True)
    try:
        asyncio.run(
            run_worker(
                opened,
                JobPolicy(max_attempts=max_attempts, retry_delay_s=retry_delay),
                concurrency=concurrency,
                heartbeat_timeout_s=heartbeat_timeout,
            )
        )
    except KeyboardInterrupt:
        console.print("worker stopped; the jobs it was running are taken over after the heartbeat timeout")
