"""Task = dataset + prompt construction + scorer + metadata, registered by a decorator."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from equipoise._registry import RegistryError, entries, lookup, registrar
from equipoise.datasets._loader import DataFile
from equipoise.datasets._sample import Sample
from equipoise.models._types import GenerateConfig
from equipoise.scoring._types import Scorer

_register = registrar("task")


@dataclass(frozen=True)
class Task:
    """An evaluation task.

    `files` are the data files it reads (their sha256 go into the run manifest); `build` turns them
    into samples (default: each file's rows, in order). `category` is the safety category or
    "capability"; `config` overrides decoding parameters (e.g. a short max_tokens for
    multiple choice).
    """

    name: str
    files: tuple[DataFile, ...]
    scorer: Scorer
    suites: tuple[str, ...]
    category: str
    description: str = ""
    version: str = "1"
    risk_area: str | None = None
    multi_turn: bool = False
    config: dict[str, Any] = field(default_factory=dict)
    build: Callable[[Path | None], list[Sample]] | None = None

    def samples(self, data_dir: Path | None) -> list[Sample]:
        """Load the task's samples from the data directory."""
        if self.build is not None:
            return self.build(data_dir)
        return [s for f in self.files for s in f.load(data_dir)]

    def needs_judge_model(self, samples: Sequence[Sample]) -> int:
        """How many of `samples` only a judge model can score. A run without `--judge MODEL` leaves
        them unscored with the label `NEEDS_JUDGE_MODEL` ("needs-judge-model"): the task is then
        incomplete, not scored on a smaller, non-random subset."""
        # Only scorers that can defer to a judge model say so (LeakScorer); the others never do.
        check = getattr(self.scorer, "needs_judge_model", None)
        return sum(1 for s in samples if check(s)) if check is not None else 0

    def present(self, data_dir: Path | None) -> bool:
        """True when every data file is available."""
        return all(f.present(data_dir) for f in self.files)

    def generate_config(self, base: GenerateConfig) -> GenerateConfig:
        """The decoding parameters for this task: the model entry's, with the task's overrides."""
        return base.merged(**self.config)


def task(name: str | None = None, **metadata: Any) -> Callable[[Callable[[], Task]], Callable[[], Task]]:
    """Register a zero-argument function returning a Task (the name defaults to the Task's name)."""

    def decorator(fn: Callable[[], Task]) -> Callable[[], Task]:
        return _register(name or fn().name, **metadata)(fn)

    return decorator


def get_task(name: str) -> Task:
    """The registered task `name`."""
    return lookup("task", name).obj()


def all_tasks() -> list[Task]:
    """Every registered task, sorted by name."""
    return [e.obj() for e in entries("task")]


def suite_names() -> list[str]:
    """Every suite some task belongs to."""
    return sorted({s for t in all_tasks() for s in t.suites})


def select_tasks(suite: str | None = None, names: list[str] | None = None) -> list[Task]:
    """Tasks by suite and/or explicit names (names may be glob patterns like `libra/xstest*`)."""
    from fnmatch import fnmatch

    pool = all_tasks()
    if suite is not None:
        if suite not in suite_names():
            raise RegistryError(f"unknown suite {suite!r}; known suites: {', '.join(suite_names())}")
        pool = [t for t in pool if suite in t.suites]
    if names:
        chosen = [t for t in pool if any(fnmatch(t.name, n) for n in names)]
        missing = [n for n in names if not any(fnmatch(t.name, n) for t in pool)]
        if missing:
            scope = f" in suite {suite!r}" if suite else ""
            raise RegistryError(f"no task matches {missing}{scope}; see `equipoise tasks`")
        pool = chosen
    return pool
