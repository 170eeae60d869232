"""The methodology page as data, read from the code's registries so it never drifts: categories,
tasks with their data files and licences, attacks, judges with their stored agreement figures,
and the formulas of the combinations."""

from __future__ import annotations

import inspect
from typing import Any

from equipoise._registry import entries
from equipoise.metrics.aggregate import SAFETY_CATEGORIES
from equipoise.ranking import build_ranking
from equipoise.store import Store
from equipoise.tasks import all_tasks
from equipoise.web._board import combination_choices

CAPABILITY = "capability"


def _first_line(doc: str | None) -> str:
    return (doc or "").strip().split("\n\n")[0].replace("\n", " ")


def _stored_sizes(store: Store) -> dict[str, int]:
    """Samples per task as the newest stored run of it had them (a task's n "where known")."""
    sizes: dict[str, int] = {}
    for run in store.list_runs():
        for name, info in run["manifest"].get("tasks", {}).items():
            if "samples" in info:
                sizes.setdefault(name, info["samples"])
    return sizes


def about(store: Store) -> dict[str, Any]:
    """Everything the About page shows."""
    sizes = _stored_sizes(store)
    tasks = [
        {
            "name": t.name,
            "suites": list(t.suites),
            "category": t.category,
            "description": t.description,
            "version": t.version,
            "scorer": t.scorer.name,
            "risk_area": t.risk_area,
            "n": sizes.get(t.name),
            "files": [
                {"name": f.name, "license": f.license, "source": f.source, "builtin": f.builtin} for f in t.files
            ],
        }
        for t in all_tasks()
    ]
    checks: dict[str, list[dict[str, Any]]] = {}
    for c in store.judge_checks():
        checks.setdefault(c["judge"], []).append(c)
    judges = [
        {
            "name": e.name,
            "label": e.metadata.get("label", e.name),
            "description": e.metadata.get("description", ""),
            "needs_model": bool(e.metadata.get("needs_model")),
            "checks": checks.get(e.metadata.get("label", e.name), []),
        }
        for e in entries("judge")
    ]
    registered = {j["label"] for j in judges}
    return {
        "categories": [*SAFETY_CATEGORIES, CAPABILITY],
        "definitions": inspect.getdoc(inspect.getmodule(build_ranking)),
        "tasks": tasks,
        "attacks": [
            {"name": e.name, "family": e.metadata.get("family"), "description": _first_line(e.obj.__doc__)}
            for e in entries("attack")
        ],
        "scorers": [{"name": e.name, "description": e.metadata.get("description", "")} for e in entries("scorer")],
        "judges": judges,
        # model judges (an LLM spec) have checks under their spec, not under a registered label
        "other_judge_checks": {j: cs for j, cs in checks.items() if j not in registered},
        "combinations": combination_choices(),
    }
