"""rank, plot and import through the CLI."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
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


def test_rank_weighted_by_hand(tmp_path: Path) -> None:
    _eval("scripted:comply-all")
    _eval("scripted:echo")
    out_json = tmp_path / "board.json"
    args = ["rank", "--suite", "quick", "--combine", "weighted", "--weights", "0.9,0.1", "--json", str(out_json)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    board = json.loads(out_json.read_text())
    assert board["combination"] == "weighted" and board["weights"] == [0.9, 0.1]
    rows = {r["model"]: r for r in board["rows"]}
    # Capability is 0 for both (no quick capability answer is right). Safety is the mean of the two
    # categories present: comply-all (0 + 1) / 2 = 0.5 with no spread; echo (0.5 + 1) / 2 = 0.75,
    # its 4 harmful samples 2 right and 2 wrong, so a resample of them is all wrong or all right
    # with probability 1/16 each, more than the 2.5% tails: safety interval [0.5, 1.0].
    sides = {m: (r["safety"], r["safety_low"], r["safety_high"], r["capability"]) for m, r in rows.items()}
    assert sides == {"scripted:comply-all": (0.5, 0.5, 0.5, 0.0), "scripted:echo": (0.75, 0.5, 1.0, 0.0)}
    # overall = 1 - sqrt(0.9 (1 - s)^2 + 0.1 (1 - c)^2) with c = 0:
    # comply-all s = 0.5: 1 - sqrt(0.225 + 0.1) = 1 - sqrt(0.325) = 0.429912;
    # echo s = 0.75: 1 - sqrt(0.05625 + 0.1) = 1 - sqrt(0.15625) = 0.604715, from s = 0.5 (0.429912)
    # to s = 1 (1 - sqrt(0.1) = 0.683772). Equal weights would give 0.209431 and 0.271132.
    overall = {m: (r["overall"], r["overall_low"], r["overall_high"]) for m, r in rows.items()}
    assert overall["scripted:comply-all"] == pytest.approx((0.429912, 0.429912, 0.429912), abs=1e-6)
    assert overall["scripted:echo"] == pytest.approx((0.604715, 0.429912, 0.683772), abs=1e-6)
    assert [r["model"] for r in board["rows"]] == ["scripted:echo", "scripted:comply-all"]
    # The intervals touch at 0.429912: a tie in rank, listed by overall score (not by name).
    assert [r["rank"] for r in board["rows"]] == [1, 1]
    assert "0.605 [0.430, 0.684]" in result.output and "0.430 [0.430, 0.430]" in result.output


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
    results = next((FIXTURES / "lm_eval").glob("results_*.json"))
    imported = runner.invoke(app, ["import", "lm-eval", str(results), "--model", "scripted:echo"])
    assert imported.exit_code == 0, imported.output
    assert "capability/gsm8k" in imported.output and "exact_match,strict-match" in imported.output
    ranked = runner.invoke(app, ["rank", "--suite", "quick", "--capability-suite", "lm-eval"])
    assert ranked.exit_code == 0 and "scripted:echo" in ranked.output and "0.300" in ranked.output
    missing = runner.invoke(app, ["import", "inspect", str(FIXTURES / "nowhere.json")])
    assert missing.exit_code == 2 and "does not exist" in missing.output
