"""The charts beside the scatter: a model × task heat map, the safety categories as bars and, where
DecodingTrust perspectives were run, a radar of them.

Each chart is built in two steps: its table (plain data: what the page's table view, the JSON API
and the figure all show), then its Plotly figure from that table. The figures run on the app's own
Plotly (no CDN), and the page downloads them as PNG or SVG in the browser (`Plotly.downloadImage`).

Plotly reads names and tick labels as HTML, so every model name reaches a figure escaped once
(as `ranking.plot` does for the scatter); the tables are rendered by Jinja2's autoescape.
"""

from __future__ import annotations

import html
import math
from typing import Any

import plotly.graph_objects as go

from equipoise.metrics.aggregate import SAFETY_CATEGORIES
from equipoise.ranking import board_runs
from equipoise.store import Store
from equipoise.web._board import BoardRow, BoardView

# The suite DecodingTrust's perspectives are run under; a task's category is its perspective.
DECODINGTRUST_SUITE = "decodingtrust"
# Models (and tasks) a chart shows unless the URL says otherwise; at most MAX_SHOWN.
DEFAULT_SHOWN = 20
MAX_SHOWN = 200
_TRIPLE = ("values", "low", "high")


def _label(m: dict[str, Any]) -> str:
    """A model's label in a figure: its plain order makes two entries of one name distinct."""
    return f"{m['order']}. {html.escape(m['model'], quote=False)}"


def _model(r: BoardRow) -> dict[str, Any]:
    return {"identity": r.row.identity, "model": r.row.model, "order": r.order}


def heat_map(board: BoardView, top: int = DEFAULT_SHOWN, bottom: int = DEFAULT_SHOWN) -> dict[str, Any]:
    """The first `top` rows of the view against the `bottom` tasks with the lowest mean over them
    (the hardest first; ties by name; a task nobody could be scored on is never among them)."""
    rows = board.rows[:top]
    means = [board.task_means(r) for r in rows]

    def average(task: str) -> float:
        values = [m[task] for m in means if m.get(task) is not None]
        return math.fsum(values) / len(values) if values else math.inf

    tasks = sorted({t for m in means for t in m}, key=lambda t: (average(t), t))
    chosen = [t for t in tasks if average(t) < math.inf][:bottom]
    return {
        "models": [_model(r) for r in rows],
        "tasks": chosen,
        "task_means": [average(t) for t in chosen],
        "cells": [[m.get(t) for t in chosen] for m in means],
    }


def category_bars(board: BoardView, top: int = DEFAULT_SHOWN) -> dict[str, Any]:
    """The four safety category means of the first `top` rows of the view, with their intervals."""
    return {
        "categories": list(SAFETY_CATEGORIES),
        "models": [
            {**_model(r), **{k: [r.values[c][i] for c in SAFETY_CATEGORIES] for i, k in enumerate(_TRIPLE)}}
            for r in board.rows[:top]
        ],
    }


def perspectives(store: Store, board: BoardView, top: int = DEFAULT_SHOWN) -> dict[str, Any] | None:
    """DecodingTrust perspective scores (the mean of each perspective's task means) of the first
    `top` rows of the view that have a run of the DecodingTrust suite under the board's judge (or
    none); None when no row has one."""
    runs = board_runs(
        [r for r in store.list_runs(suite=DECODINGTRUST_SUITE) if r["judge"] in (board.ranking.judge, None)]
    )
    rows = [r for r in board.rows if r.row.identity in runs][:top]
    if not rows:
        return None
    scores: list[dict[str, float]] = []
    for r in rows:
        by_perspective: dict[str, list[float]] = {}
        for t in runs[r.row.identity]["tasks"]:
            if t.mean is not None:
                by_perspective.setdefault(t.category, []).append(t.mean)
        scores.append({p: math.fsum(v) / len(v) for p, v in by_perspective.items()})
    names = sorted({p for s in scores for p in s})
    return {
        "perspectives": names,
        "models": [
            {**_model(r), "run_id": runs[r.row.identity]["run_id"], "values": [s.get(p) for p in names]}
            for r, s in zip(rows, scores, strict=True)
        ],
    }


def _layout(fig: go.Figure, title: str, **layout: Any) -> go.Figure:
    fig.update_layout(title=title, template="plotly_white", **layout)
    return fig


def heat_map_figure(data: dict[str, Any]) -> go.Figure:
    labels = [_label(m) for m in data["models"]]
    fig = go.Figure(
        go.Heatmap(
            z=data["cells"],
            x=data["tasks"],
            y=labels,
            zmin=0,
            zmax=1,
            colorscale="RdYlGn",
            colorbar={"title": {"text": "task mean"}},
            hovertemplate="%{y}<br>%{x}<br>%{z:.3f}<extra></extra>",
        )
    )
    return _layout(
        fig,
        f"Task means: {len(labels)} models × the {len(data['tasks'])} hardest tasks",
        yaxis={"autorange": "reversed", "automargin": True},
        xaxis={"tickangle": -45, "automargin": True},
        height=260 + 24 * len(labels),
    )


def category_bars_figure(data: dict[str, Any]) -> go.Figure:
    labels = [_label(m) for m in data["models"]]
    ms = data["models"]

    def bars(i: int) -> dict[str, Any]:
        # a category without an interval (an imported run, say) has no error bar
        points = [(m["values"][i], m["low"][i], m["high"][i]) for m in ms]
        return {
            "type": "data",
            "array": [h - p if None not in (p, h) else 0 for p, _, h in points],
            "arrayminus": [p - lo if None not in (p, lo) else 0 for p, lo, _ in points],
            "thickness": 1,
        }

    fig = go.Figure(
        [
            go.Bar(name=c.replace("_", " "), x=labels, y=[m["values"][i] for m in ms], error_y=bars(i))
            for i, c in enumerate(data["categories"])
        ]
    )
    return _layout(fig, "Safety by category", barmode="group", yaxis={"range": [0, 1]}, xaxis={"automargin": True})


def perspectives_figure(data: dict[str, Any]) -> go.Figure:
    names = data["perspectives"]
    fig = go.Figure(
        [
            go.Scatterpolar(
                r=[*m["values"], m["values"][0]],
                theta=[*names, names[0]],
                name=_label(m),
                fill="toself",
                opacity=0.6,
            )
            for m in data["models"]
        ]
    )
    return _layout(fig, "DecodingTrust perspectives", polar={"radialaxis": {"range": [0, 1]}})
