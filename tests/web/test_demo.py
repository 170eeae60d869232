"""`make demo`'s commands on its scripted models: each quick run stands on the served board."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from equipoise.cli import app
from equipoise.web import create_app

MAKEFILE = Path(__file__).resolve().parents[2] / "Makefile"


def _demo_models() -> list[str]:
    found = re.search(r"^DEMO_MODELS := (.+)$", MAKEFILE.read_text(), re.MULTILINE)
    assert found, f"{MAKEFILE} has no DEMO_MODELS line"
    return found.group(1).split()


def test_demo_names_the_four_models() -> None:
    assert sorted(_demo_models()) == sorted(
        ["scripted:refuse-all", "scripted:comply-all", "embedded:smollm2-135m", "embedded:qwen2.5-coder-0.5b"]
    )


def test_demo_commands_rank_the_scripted_models_on_the_board() -> None:
    scripted = [m for m in _demo_models() if m.startswith("scripted:")]
    for model in scripted:
        result = CliRunner().invoke(app, ["eval", "--model", model, "--suite", "quick"])
        assert result.exit_code == 0, result.output
    ranked = CliRunner().invoke(app, ["rank", "--suite", "quick"])
    assert ranked.exit_code == 0, ranked.output
    board = TestClient(create_app()).get("/api/board", params={"suite": "quick"})
    assert board.status_code == 200, board.text
    text = board.text
    assert all(model in text for model in scripted), text[:2000]
