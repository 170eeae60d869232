"""The safety-vs-capability plot: contours of the combination, offline HTML, PNG through Chromium."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from equipoise.metrics.bootstrap import Interval
from equipoise.metrics.combine import combine
from equipoise.ranking import Ranking, RankRow, rank_rows
from equipoise.ranking.plot import scatter_figure, write_plot


def _ranking(combination: str = "distance", weights: tuple[float, float] = (0.5, 0.5)) -> Ranking:
    def row(name: str, s: float | None, c: float | None) -> RankRow:
        safety = None if s is None else Interval(s, s - 0.05, s + 0.05, 20)
        capability = None if c is None else Interval(c, c - 0.1, c + 0.1, 20)
        return RankRow(name, name, f"scripted:{name}", safety, capability, combine(s, c, combination, weights))

    rows = rank_rows([row("balanced", 0.7, 0.7), row("lopsided", 0.9, 0.5), row("no-safety", None, 0.6)])
    return Ranking(rows, "quick", "r1", "quick", "r1", "keyword-v1", combination, weights)


def test_contours_are_the_combination_and_points_the_models() -> None:
    fig = scatter_figure(_ranking("weighted", (3.0, 1.0)))
    contour, *points = fig.data
    # z[i][j] = overall at safety y[i], capability x[j]: (s=0.9, c=0.5) with weights (3, 1) -> 0.735425
    assert contour.z[90][50] == pytest.approx(0.735425, abs=1e-6)
    placed = {p.name: (p.x[0], p.y[0]) for p in points}
    # weighted (3, 1), point overalls: lopsided 0.735 > balanced 0.7
    assert placed == {"1. lopsided": (0.5, 0.9), "2. balanced": (0.7, 0.7)}
    assert [list(p.error_x.array) for p in points] == [pytest.approx([0.1])] * 2
    assert [list(p.error_y.arrayminus) for p in points] == [pytest.approx([0.05])] * 2
    assert "not placed: no-safety (no safety score)" in fig.layout.title.text


def test_html_works_offline(tmp_path: Path) -> None:
    (html,) = write_plot(_ranking(), html=tmp_path / "board.html")
    text = html.read_text()
    # plotly.js (several MB) is inlined: no script is fetched from anywhere
    assert "<script src=" not in text and len(text) > 1_000_000
    assert "balanced" in text


@pytest.mark.slow
def test_png_through_local_chromium(tmp_path: Path) -> None:
    if shutil.which("chromium") is None:
        pytest.skip("PNG export needs Debian's chromium (apt-get install chromium)")
    (png,) = write_plot(_ranking(), png=tmp_path / "board.png")
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 10_000


def test_nothing_to_write_is_an_error() -> None:
    with pytest.raises(ValueError, match="PNG and/or an HTML path"):
        write_plot(_ranking())


def test_model_names_reach_plotly_escaped() -> None:
    # Plotly reads trace names, hover templates and titles as HTML: a name is shown, never obeyed.
    ranking = _ranking()
    named = [replace(r, model=f"<img src=x onerror=alert(1)>{r.model}") for r in ranking.rows]
    fig = scatter_figure(replace(ranking, rows=named))
    _, *points = fig.data
    assert all(p.name.split(". ", 1)[1].startswith("&lt;img src=x onerror=alert(1)&gt;") for p in points)
    assert all("<img" not in p.hovertemplate for p in points)
    assert "&lt;img src=x onerror=alert(1)&gt;no-safety" in fig.layout.title.text
