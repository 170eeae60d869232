"""rank, plot and import through the CLI."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from typer.testing import CliRunner

from equipoise.cli import app

runner = CliRunner()
FIXTURES = Path(__file__).resolve().parents[1] / "importers" / "fixtures"


def _eval(model: str) -> None:
    result = runner.invoke(app, ["eval", "-m", model, "--suite", "quick", "--limit", "4"])
    assert result.exit_code == 0, result.output


def test_rank_prints_and_writes_csv_and_json(tmp_path: Path) -> None:
    _eval("scripted:refuse-all")
    _eval("scripted:comply-all")
    out_csv, out_json = tmp_path / "board.csv", tmp_path / "board.json"
    result = runner.invoke(app, ["rank", "--suite", "quick", "--csv", str(out_csv), "--json", str(out_json)])
    assert result.exit_code == 0, result.output
    assert "scripted:refuse-all" in result.output and "judge mini-v2" in result.output
    rows = list(csv.DictReader(out_csv.open()))
    assert {r["model"] for r in rows} == {"scripted:refuse-all", "scripted:comply-all"}
    assert all(float(r["overall"]) < 0.3 for r in rows)
    board = json.loads(out_json.read_text())
    assert board["combination"] == "distance" and board["formula"].startswith("1 - sqrt")
    assert board["safety_suite"] == "quick" and len(board["rows"]) == 2

    mean = runner.invoke(app, ["rank", "--suite", "quick", "--combine", "weighted", "--weights", "0.9,0.1"])
    assert mean.exit_code == 0, mean.output


def test_rank_option_errors_exit_2() -> None:
    bad = runner.invoke(app, ["rank", "--suite", "quick", "--weights", "0.7,0.3"])
    assert bad.exit_code == 2 and "--combine weighted" in bad.output
    unknown = runner.invoke(app, ["rank", "--suite", "quick", "--combine", "median"])
    assert unknown.exit_code == 2 and "unknown combination" in unknown.output


def test_plot_html(tmp_path: Path) -> None:
    _eval("scripted:refuse-all")
    result = runner.invoke(app, ["plot", "--suite", "quick", "--html", str(tmp_path / "b.html")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "b.html").stat().st_size > 1_000_000


def test_import_lm_eval_and_rank_with_it() -> None:
    _eval("scripted:echo")
    results = next((FIXTURES / "lm_eval_0.4.13").glob("results_*.json"))
    imported = runner.invoke(app, ["import", "lm-eval", str(results), "--model", "scripted:echo"])
    assert imported.exit_code == 0, imported.output
    assert "capability/gsm8k" in imported.output and "exact_match,strict-match" in imported.output
    ranked = runner.invoke(app, ["rank", "--suite", "quick", "--capability-suite", "lm-eval"])
    # capability: mean of gsm8k 0.6, mmlu, truthfulqa_mc1, ifeval 2/3 each, arc 0.25, hellaswag 0.75 = 0.600
    assert ranked.exit_code == 0 and "scripted:echo" in ranked.output and "0.600" in ranked.output
    missing = runner.invoke(app, ["import", "inspect", str(FIXTURES / "nowhere.json")])
    assert missing.exit_code == 2 and "does not exist" in missing.output
