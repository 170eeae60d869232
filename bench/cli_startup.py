"""CLI start-up: wall time of `equipoise --help` beside `inspect --help` and `lm_eval --help`.

Each command runs `--rounds` times (default 10), interleaved so that load on this shared machine
falls on all three alike; the figure is the median wall time of a fresh process, which is what a
user waits for before the first line of help. Target (issue 16): equipoise under 0.5 s.

Run: .venv/bin/python bench/cli_startup.py [--rounds 10]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _report import write_section

BIN = Path(sys.executable).parent
TOOLS = {"equipoise": "equipoise", "inspect (Inspect AI)": "inspect", "lm_eval (lm-evaluation-harness)": "lm_eval"}
TARGET_S = 0.5


def _time(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args()
    commands = {}
    for label, name in TOOLS.items():
        path = BIN / name if (BIN / name).exists() else shutil.which(name)
        if path is None:
            raise SystemExit(f"{name} is not installed: run `make .venv/.stamp-bench` first")
        commands[label] = [str(path), "--help"]
    for command in commands.values():  # warm the file cache once; not timed
        _time(command)
    times: dict[str, list[float]] = {label: [] for label in commands}
    for _ in range(args.rounds):
        for label, command in commands.items():
            times[label].append(_time(command))
    ours = statistics.median(times["equipoise"])
    rows = [
        f"| {label} | {statistics.median(t):.3f} | {min(t):.3f} | {max(t):.3f} | {statistics.median(t) / ours:.1f}× |"
        for label, t in times.items()
    ]
    verdict = "met" if ours < TARGET_S else "NOT met"
    body = "\n".join(
        [
            f"## CLI start-up: `--help` wall time, median of {args.rounds} fresh processes",
            "",
            "| command | median s | min s | max s | vs equipoise |",
            "|---|---:|---:|---:|---:|",
            *rows,
            "",
            f"Target: equipoise under {TARGET_S} s — {verdict} ({ours:.3f} s). `equipoise --help` imports no "
            "scikit-learn, scipy, numpy, llama.cpp or the runner (pinned by tests/test_import_layers.py).",
        ]
    )
    write_section("cli_startup", body)
    print(body)


if __name__ == "__main__":
    main()
