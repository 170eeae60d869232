"""The run manifest: everything needed to say what a score stands on and to reproduce it."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict


class TaskInfo(BaseModel):
    """What a run ran of one task: its version, category, scorer configuration, sample count and the
    data files it read (keys of the manifest's `data_files`)."""

    model_config = ConfigDict(extra="forbid")

    version: str
    category: str
    scorer: dict[str, Any]
    samples: int
    files: list[str] = []


class DataFile(BaseModel):
    """One data file a run read: the sha256 found (None for built-in data) and the one declared."""

    model_config = ConfigDict(extra="forbid")

    sha256: str | None
    expected_sha256: str | None = None
    source: str | None = None
    license: str | None = None
    builtin: bool = False


class RunParams(BaseModel):
    """The options a run was started with that change which samples are asked or how."""

    model_config = ConfigDict(extra="forbid")

    limit: int | None = None
    seed: int = 0
    max_connections: int | None = None


class CallCounts(BaseModel):
    """Model calls made, answers taken from the response cache, judge-model calls, failed calls."""

    model_config = ConfigDict(extra="forbid")

    model_calls: int = 0
    cache_hits: int = 0
    judge_calls: int = 0
    failed: int = 0


class RunManifest(BaseModel):
    """Written as manifest.json in the run directory and stored with the run.

    `imported` holds the provenance of results read from another harness (tool, versions, files
    with their sha256); it is None for runs made here. `missing_tasks` are the tasks the suite
    declares whose data was not there, so the run could not hold them. `judge` is the response
    judge the run's scores used, None when no score needed one (a capability run, say).
    """

    model_config = ConfigDict(extra="forbid")

    run_id: str
    equipoise_version: str
    model: dict[str, Any]
    suite: str | None
    tasks: dict[str, TaskInfo]
    missing_tasks: list[str] = []
    judge: str | None
    started: str
    finished: str | None = None
    python: str | None = None
    data_files: dict[str, DataFile] = {}
    params: RunParams = RunParams()
    timings: dict[str, float] = {}
    calls: CallCounts = CallCounts()
    imported: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON form, as stored and as written to manifest.json."""
        return self.model_dump(mode="json")
