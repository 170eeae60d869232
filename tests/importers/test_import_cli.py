"""`equipoise import lm-eval|inspect`: display names, accumulation, intervals, errors."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from equipoise.cli import app

FIXTURES = Path(__file__).resolve().parent / "fixtures"
runner = CliRunner()


def _log(folder: str, task: str) -> str:
    return str(next(p for p in (FIXTURES / folder).iterdir() if f"_{task}_" in p.name and p.suffix == ".json"))


def test_a_display_name_for_a_model_evaluated_elsewhere_builds_up_one_entry(tmp_path: Path) -> None:
    first = runner.invoke(app, ["import", "inspect", _log("inspect_0.3.285", "gsm8k"), "-m", "llama3-8b"])
    assert first.exit_code == 0, first.output
    assert "imported inspect results for llama3-8b" in first.output
    second = runner.invoke(app, ["import", "inspect", _log("inspect_0.3.25", "arc-challenge"), "-m", "llama3-8b"])
    assert second.exit_code == 0, second.output
    assert "kept the other tasks of this entry's previous import" in second.output
    out = tmp_path / "board.json"
    board = runner.invoke(app, ["rank", "--suite", "quick", "--capability-suite", "inspect", "--json", str(out)])
    assert board.exit_code == 0, board.output
    (row,) = json.loads(out.read_text())["rows"]
    assert row["model"] == "llama3-8b"
    assert row["capability"] == pytest.approx(0.25)  # (0.5 gsm8k + 0 arc) / 2


def test_a_score_without_interval_is_said_and_ranks_without_bounds(tmp_path: Path) -> None:
    alone = tmp_path / "results.json"
    shutil.copy(FIXTURES / "lm_eval_0.4.1_limit1" / "results.json", alone)
    result = runner.invoke(app, ["import", "lm-eval", str(alone), "-m", "mystery-model"])
    assert result.exit_code == 0, result.output
    assert "no interval for capability/gsm8k" in result.output
    board = runner.invoke(app, ["rank", "--suite", "quick", "--capability-suite", "lm-eval"])
    assert board.exit_code == 0, board.output
    assert "mystery-model" in board.output


def test_bad_files_fail_with_the_file_and_the_reason_and_no_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "results_x.json"
    bad.write_text('{"results": []}')
    result = runner.invoke(app, ["import", "lm-eval", str(bad)])
    assert result.exit_code != 0
    assert "results_x.json: not an lm-eval results file" in result.output
    assert "Traceback" not in result.output
    unknown = runner.invoke(app, ["import", "inspect", _log("inspect_0.3.285", "animal-sounds")])
    assert unknown.exit_code != 0 and "--as TASK" in unknown.output
    mapped = runner.invoke(app, ["import", "inspect", _log("inspect_0.3.285", "animal-sounds"), "--as", "mmlu"])
    assert mapped.exit_code == 0, mapped.output
    assert "capability/mmlu" in mapped.output
