"""Ctrl-C during `equipoise eval`: a message saying what was kept and how to resume, no traceback."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.openai_server import ServerState, ThreadedServer

EQUIPOISE = Path(sys.executable).parent / "equipoise"


def test_ctrl_c_says_how_to_resume_and_keeps_the_answers(tmp_path: Path) -> None:
    env = {**os.environ, "EQUIPOISE_HOME": str(tmp_path / "home"), "EQUIPOISE_CACHE_DIR": str(tmp_path / "cache")}
    with ThreadedServer(ServerState(delay_s=0.2)) as server:
        command = [str(EQUIPOISE), "eval", "-m", f"openai-compat:m@{server.base_url}", "-t", "quick/harmful"]
        command += ["--max-connections", "1"]
        log = tmp_path / "out.txt"
        with log.open("w") as out:
            process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
            deadline = time.monotonic() + 60
            while server.state.completed < 4 and time.monotonic() < deadline:
                time.sleep(0.05)
            process.send_signal(signal.SIGINT)
            code = process.wait(timeout=60)
        answered = server.state.completed
        output = " ".join(log.read_text().split())
        assert code == 2 and "Traceback" not in output, output
        assert "interrupted: nothing of this run was recorded" in output and "run the same command again" in output
        again = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert again.returncode == 0, again.stdout + again.stderr
    # The resumed run asked only for what the first did not get (answers in flight may be asked twice).
    asked_again = len(server.state.received) - answered
    assert 16 - answered <= asked_again <= 16 - answered + 1
