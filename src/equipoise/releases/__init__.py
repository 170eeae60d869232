"""Benchmark releases: which tasks, at which versions and on which data, a score was measured on.

A release is what was run, not what the code declares: the tasks a run holds, each with its
version, its scorer's version and the sha256 of every data file it read. Its id is the first 12 hex
digits of the sha256 of those, sorted by task. `--limit` and the seed do not change the
release; a new task, a new task version or other data does. The tasks a suite declares whose data
was missing are not part of the release: the run lists them (`missing_tasks`) and the board shows
them once, below the rows.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any


def release_id(tasks: Mapping[str, str]) -> str:
    """12 hex digits identifying a set of {task name: version (with its data's sha256s)}."""
    payload = json.dumps(sorted(tasks.items())).encode()
    return hashlib.sha256(payload).hexdigest()[:12]


def _task_key(info: Mapping[str, Any], data_files: Mapping[str, Any]) -> str:
    """A task's version and its scorer's, then the sha256 of each file it read. Runs recorded before
    scorers had versions and tasks named their files (and imported runs, whose tool read its own
    data) give the task version alone."""
    scorer_version = (info.get("scorer") or {}).get("scorer_version")
    parts = [str(info["version"]), *([f"scorer-v{scorer_version}"] if scorer_version is not None else [])]
    hashes = [str(data_files.get(name, {}).get("sha256")) for name in info.get("files", [])]
    return "@".join(parts + hashes)


def run_release(run: Mapping[str, Any]) -> str:
    """The release a stored run belongs to (from its manifest's tasks, versions and data files)."""
    manifest = run["manifest"]
    data_files = manifest.get("data_files") or {}
    return release_id({name: _task_key(info, data_files) for name, info in manifest["tasks"].items()})


def missing_tasks(run: Mapping[str, Any]) -> tuple[str, ...]:
    """The tasks of the run's suite it could not hold (their data was missing)."""
    return tuple(run["manifest"].get("missing_tasks") or ())


def default_capability_suite(safety_suite: str) -> str:
    """The suite itself when it holds capability tasks (like `quick`), else `capability`."""
    from equipoise.tasks import select_tasks, suite_names

    if safety_suite in suite_names() and any(t.category == "capability" for t in select_tasks(suite=safety_suite)):
        return safety_suite
    return "capability"
