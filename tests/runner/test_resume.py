"""A run killed with SIGKILL and started again resumes: nothing stored is asked twice, nothing is
lost, and the final scores equal those of an uninterrupted run."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from equipoise.tasks import select_tasks
from tests.openai_server import free_port

ROOT = Path(__file__).resolve().parents[2]
EQUIPOISE = [str(Path(sys.executable).parent / "equipoise")]
# The server logs each request's last user turn; two attacks (roleplay_system, few_shot) end on the
# seed request itself, so the quick suite's 88 samples send fewer distinct last turns.
QUICK = [s.prompt for t in select_tasks(suite="quick") for s in t.samples(None)]


def _server(log: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "tests" / "openai_server.py"), str(port), "0.05", str(log)],
        cwd=ROOT,
    )
    deadline = time.time() + 10
    while time.time() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                break
        time.sleep(0.05)
    return proc, f"http://127.0.0.1:{port}/v1"


def _eval(env: dict[str, str], base_url: str, run_dir: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            *EQUIPOISE,
            "eval",
            "-m",
            f"openai-compat:m@{base_url}",
            "--suite",
            "quick",
            "--max-connections",
            "2",
            "--run-dir",
            str(run_dir),
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def _lines(path: Path) -> list[str]:
    return path.read_text().splitlines() if path.exists() else []


def test_kill_9_and_resume(tmp_path: Path) -> None:
    log = tmp_path / "server.log"
    server, base_url = _server(log)
    env = {**os.environ, "EQUIPOISE_HOME": str(tmp_path / "home"), "EQUIPOISE_CACHE_DIR": str(tmp_path / "cache")}
    try:
        first = _eval(env, base_url, tmp_path / "killed")
        deadline = time.time() + 60
        while len(_lines(log)) < 20 and time.time() < deadline:
            time.sleep(0.02)
        first.send_signal(signal.SIGKILL)
        first.wait(10)
        answered_before = len(_lines(log))
        assert 20 <= answered_before < len(QUICK), "the run should be killed part-way"

        second = _eval(env, base_url, tmp_path / "resumed")
        _, errs = second.communicate(timeout=120)
        assert second.returncode == 0, errs.decode()
        prompts = [json.loads(x) for x in _lines(log)]
    finally:
        server.kill()
        server.wait(10)

    resumed = prompts[answered_before:]
    # Nothing stored before the kill is asked again. What may be asked once more: the requests in
    # flight when the process died (at most the 2 connections) and the responses of the loop turn
    # it died in, not yet written (at most one per connection).
    may_repeat = 2 * 2
    assert len(resumed) <= len(QUICK) - answered_before + may_repeat
    assert set(prompts) == set(QUICK), "every sample was answered: nothing lost"
    assert len(prompts) - len(QUICK) <= may_repeat

    samples = [json.loads(x) for x in (tmp_path / "resumed" / "samples.jsonl").read_text().splitlines()]
    assert len(samples) == len(QUICK) == 88 and all(s["error"] is None for s in samples)

    # An uninterrupted run on a fresh cache gives identical scores.
    clean_log = tmp_path / "clean.log"
    server, base_url = _server(clean_log)
    clean_env = {**env, "EQUIPOISE_CACHE_DIR": str(tmp_path / "cache2"), "EQUIPOISE_HOME": str(tmp_path / "home2")}
    try:
        clean = _eval(clean_env, base_url, tmp_path / "clean")
        clean.communicate(timeout=120)
    finally:
        server.kill()
        server.wait(10)
    assert _scores(tmp_path / "resumed") == _scores(tmp_path / "clean")


def _scores(run_dir: Path) -> dict[str, float]:
    return {t["task"]: t["mean"] for t in json.loads((run_dir / "results.json").read_text())["tasks"]}
