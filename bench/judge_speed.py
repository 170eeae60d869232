"""Responses judged per second on one core: the trained `mini` judge vs the `keyword` judge.

Both judge the same 100,000 (prompt, response) pairs (the 200 pairs of safety/judge_dev.jsonl,
repeated) for the `harm` task through their public `judge_many`, in batches of 10,000 as the runner
would hand them over. Numeric libraries are held to one thread and the process is pinned to one
core. The rate per CPU second is the one-core figure (the machine is shared; wall time is shown
too). Best of 3 passes each. Target for mini: 10,000 responses/s.

Run: `EQUIPOISE_DATA_DIR=../shared/data .venv/bin/python bench/judge_speed.py`
"""

from __future__ import annotations

import os

# One thread for every numeric library, set before numpy / scipy load.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import asyncio  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _report import write_section  # noqa: E402
from equipoise.datasets import read_labelled  # noqa: E402
from equipoise.judges import ResponseJudge, open_judge  # noqa: E402
from equipoise.settings import get_settings  # noqa: E402

N = 100_000
BATCH = 10_000
PASSES = 3
TARGET = 10_000


def _pairs() -> list[tuple[str, str]]:
    data_dir = get_settings().data_dir
    if data_dir is None:
        raise SystemExit("set EQUIPOISE_DATA_DIR to the shared data (e.g. ../shared/data)")
    _, items = read_labelled(data_dir / "safety" / "judge_dev.jsonl", "harm")
    base = [(i.prompt, i.response) for i in items]
    return [base[k % len(base)] for k in range(N)]


def _rate(judge: ResponseJudge, pairs: list[tuple[str, str]]) -> tuple[float, float, int]:
    """Best (CPU, wall) responses/s over the passes, and the verdicts of the last pass that were harmful."""
    best_cpu = best_wall = 0.0
    harmful = 0
    for _ in range(PASSES):
        cpu, wall = time.process_time(), time.perf_counter()
        verdicts = []
        for start in range(0, len(pairs), BATCH):
            verdicts += asyncio.run(judge.judge_many(pairs[start : start + BATCH], "harm"))
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        best_cpu, best_wall = max(best_cpu, len(pairs) / cpu), max(best_wall, len(pairs) / wall)
        harmful = sum(v.label == 1 for v in verdicts)
    return best_cpu, best_wall, harmful


def main() -> None:
    """Measure both judges and write the `judge_speed` section of BENCHMARKS.md."""
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    pairs = _pairs()
    rows = []
    rates = {}
    for name in ("mini", "keyword"):
        judge = open_judge(name).judge
        cpu, wall, harmful = _rate(judge, pairs)
        rates[name] = cpu
        rows.append(f"| `{name}` ({judge.name}) | {cpu:,.0f} | {wall:,.0f} | {harmful:,} |")
        print(rows[-1], flush=True)
    mean_chars = sum(len(r) for _, r in pairs) / len(pairs)
    verdict = "meets" if rates["mini"] >= TARGET else "does NOT meet"
    body = "\n".join(
        [
            f"Responses: {N:,} (the 200 pairs of safety/judge_dev.jsonl repeated; mean response "
            f"{mean_chars:,.0f} characters), task `harm`, `judge_many` in batches of {BATCH:,}, one thread, "
            "pinned to one core.",
            "",
            "| judge | responses/s per CPU second (one core) | responses/s wall | judged harmful |",
            "|---|---:|---:|---:|",
            *rows,
            "",
            f"`mini` runs at {rates['mini'] / rates['keyword']:.2f}× the keyword judge's rate and {verdict} the "
            f"target of {TARGET:,}/s on one core. Best of {PASSES} passes. The keyword judge cannot give a "
            "verdict on `unclear` responses (counted as unparseable); `mini` always gives one.",
        ]
    )
    write_section("judge_speed", body)


if __name__ == "__main__":
    main()
