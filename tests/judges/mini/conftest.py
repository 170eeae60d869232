"""A small copy of the shared judge data for fast training tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from equipoise.judges.mini._data import SOURCES
from equipoise.judges.mini.train import DEV_FILE

EVERY = 20


@pytest.fixture
def small_judge_data(shared_data: Path, tmp_path: Path) -> Path:
    """A data dir (in tmp, never the repo) holding every 20th row of each training file and of
    judge_dev, plus every partial refusal (rare: the partial head needs both classes in each fold)."""
    out = tmp_path / "data"
    for relative in [*(r for r, _ in SOURCES.values()), DEV_FILE]:
        lines = (shared_data / relative).read_text(encoding="utf-8").splitlines(keepends=True)
        (out / relative).parent.mkdir(parents=True, exist_ok=True)
        kept = [line for i, line in enumerate(lines) if i % EVERY == 0 or '"partial_refusal"' in line]
        (out / relative).write_text("".join(kept), encoding="utf-8")
    return out
