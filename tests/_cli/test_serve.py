"""`equipoise serve` hands the app to uvicorn on loopback; `equipoise board export` writes the site."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import equipoise
from equipoise.cli import app

runner = CliRunner()


def test_serve_listens_on_loopback_port_8000_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    import uvicorn

    served: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda web, **kw: served.update(app=web, **kw))
    result = runner.invoke(app, ["serve"])
    assert result.exit_code == 0, result.output
    assert (served["host"], served["port"]) == ("127.0.0.1", 8000)
    assert served["app"].title == "equipoise leaderboard"
    assert "http://127.0.0.1:8000/" in result.output
    runner.invoke(app, ["serve", "--host", "0.0.0.0", "--port", "8123"])
    assert (served["host"], served["port"]) == ("0.0.0.0", 8123)


def test_serve_names_a_bad_store_url(monkeypatch: pytest.MonkeyPatch) -> None:
    result = runner.invoke(app, ["serve", "--store", "nosuchdb://x"])
    assert result.exit_code == 2
    assert "is not a database URL" in result.output


def test_board_export_writes_the_site(tmp_path: Path) -> None:
    equipoise.evaluate("scripted:refuse-all", suite="quick", write_files=False)
    result = runner.invoke(app, ["board", "export", str(tmp_path / "site"), "--combine", "min"])
    assert result.exit_code == 0, result.output
    assert "wrote 4 pages" in result.output
    assert (tmp_path / "site" / "index.html").is_file()
    bad = runner.invoke(app, ["board", "export", str(tmp_path / "x"), "--combine", "bogus"])
    assert bad.exit_code == 2 and "unknown combination 'bogus'" in bad.output
