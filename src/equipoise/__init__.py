"""equipoise: evaluate language models for safety and capability together."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from equipoise._version import __version__

if TYPE_CHECKING:
    from equipoise.models import ModelEntry
    from equipoise.results import EvalRun


def evaluate(model: str | ModelEntry, *, store_url: str | None = None, record: bool = True, **options: Any) -> EvalRun:
    """Evaluate a model entry (or spec, or entry name) and record the run in the results store.

    The store (`store_url`, default EQUIPOISE_DATABASE_URL or the SQLite file under the equipoise
    home) is opened and migrated before the first model call; `record=False` leaves it alone. The
    other options are `equipoise.runner.evaluate`'s.
    """
    from equipoise.runner import evaluate as run

    store = None
    if record:
        from equipoise.store import open_store

        store = open_store(store_url)
    return run(model, store=store, **options)


__all__ = ["__version__", "evaluate"]
