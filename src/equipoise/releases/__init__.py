"""Benchmark releases: which tasks, at which versions, a score was measured on.

A suite release is identified by the first 12 hex digits of the sha256 of its sorted
(task name, task version) pairs. A run belongs to the release its manifest records; `--limit` and
the seed do not change the release, a new task or a new task version does.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any


def release_id(tasks: Mapping[str, str]) -> str:
    """12 hex digits identifying a set of {task name: version}."""
    payload = json.dumps(sorted(tasks.items())).encode()
    return hashlib.sha256(payload).hexdigest()[:12]


def registered_release(suite: str) -> str | None:
    """The release the code defines now for `suite`, or None when no registered task is in it."""
    from equipoise.tasks import select_tasks, suite_names

    if suite not in suite_names():
        return None
    return release_id({t.name: t.version for t in select_tasks(suite=suite)})


def run_release(run: Mapping[str, Any]) -> str:
    """The release a stored run belongs to (from its manifest's tasks and versions)."""
    return release_id({name: str(info["version"]) for name, info in run["manifest"]["tasks"].items()})


def default_capability_suite(safety_suite: str) -> str:
    """The suite itself when it holds capability tasks (like `quick`), else `capability`."""
    from equipoise.tasks import select_tasks, suite_names

    if safety_suite in suite_names() and any(t.category == "capability" for t in select_tasks(suite=safety_suite)):
        return safety_suite
    return "capability"
