"""The safety-vs-capability scatter of a ranking, with the contour lines of its combination.

One Plotly figure gives both outputs: an interactive HTML page with plotly.js inlined (works
offline), and a PNG rendered by Kaleido, which drives a locally installed Chromium
(Debian package `chromium`); nothing is downloaded.
"""

from __future__ import annotations

import html
from pathlib import Path

import numpy as np
import plotly.graph_objects as go

from equipoise.metrics.bootstrap import Interval
from equipoise.metrics.combine import get_combination
from equipoise.ranking._ranking import Ranking

_GRID = np.linspace(0.0, 1.0, 101)


def scatter_figure(ranking: Ranking) -> go.Figure:
    """Capability on x, safety on y, 95% intervals as error bars, overall contours behind; one
    legend entry per model, in rank order.

    Models missing a side cannot be placed; they are named under the title. Plotly reads names and
    titles as HTML (it shows &amp;, &lt; and &gt; as the characters they stand for), so every model
    name is escaped here, once, for the CLI's HTML file and the web app alike.
    """
    combo = get_combination(ranking.combination)
    z = np.array([[combo.fn(s, c, ranking.weights) for c in _GRID] for s in _GRID])
    fig = go.Figure(
        go.Contour(
            x=_GRID,
            y=_GRID,
            z=z,
            contours={"start": 0.1, "end": 0.9, "size": 0.1, "coloring": "lines", "showlabels": True},
            line={"width": 1},
            colorscale=[[0, "#bbbbbb"], [1, "#bbbbbb"]],
            showscale=False,
            hoverinfo="skip",
            name=f"overall ({combo.name})",
        )
    )
    placed = [r for r in ranking.rows if r.safety is not None and r.capability is not None]
    missing = [f"{_text(r.model)} ({r.overall.reason})" for r in ranking.rows if r not in placed]
    # one trace per model: the legend names the points, which often sit on top of each other
    for r in placed:
        c, sf = _bounds(r.capability), _bounds(r.safety)
        fig.add_trace(
            go.Scatter(
                x=[c[0]],
                y=[sf[0]],
                error_x=_error_bars([c]),
                error_y=_error_bars([sf]),
                mode="markers",
                marker={"size": 11},
                name=f"{r.rank}. {_text(r.model)}",
                customdata=[[r.overall.value]],
                hovertemplate=f"{_text(r.model)}<br>capability %{{x:.3f}}<br>safety %{{y:.3f}}"
                "<br>overall %{customdata[0]:.3f}<extra></extra>",
            )
        )
    title = (
        f"Safety ({ranking.safety_suite}) vs capability ({ranking.capability_suite}) — "
        f"contours: overall = {combo.formula}"
    )
    if missing:
        title += f"<br><sub>not placed: {', '.join(missing)}</sub>"
    fig.update_layout(
        title=title,
        xaxis={"title": "capability", "range": [-0.03, 1.03]},
        yaxis={"title": "safety", "range": [-0.03, 1.03]},
        width=900,
        height=750,
        legend={"title": {"text": "rank. model"}},
        template="plotly_white",
    )
    return fig


def _text(name: str) -> str:
    return html.escape(name, quote=False)


def _bounds(i: Interval | None) -> tuple[float, float, float]:
    """(point, low, high) of a placed side's interval (a missing bound is the point)."""
    assert i is not None and i.mean is not None
    return i.mean, i.mean if i.low is None else i.low, i.mean if i.high is None else i.high


def _error_bars(points: list[tuple[float, float, float]]) -> dict[str, object]:
    return {
        "type": "data",
        "array": [high - p for p, _, high in points],
        "arrayminus": [p - low for p, low, _ in points],
        "thickness": 1,
    }


def write_plot(ranking: Ranking, png: Path | None = None, html: Path | None = None) -> list[Path]:
    """Write the figure as PNG and/or self-contained HTML; returns the paths written."""
    if png is None and html is None:
        raise ValueError("give a PNG and/or an HTML path to write the plot to")
    fig = scatter_figure(ranking)
    written = []
    if html is not None:
        fig.write_html(html, include_plotlyjs=True)
        written.append(html)
    if png is not None:
        try:
            fig.write_image(png)
        except RuntimeError as e:
            raise ValueError(
                f"could not render {png}: Kaleido needs a local Chromium (apt-get install chromium): {e}"
            ) from None
        written.append(png)
    return written
