"""Two to four entries of one board side by side: their scores with intervals, and per task the
paired difference of each from the first.

A paired difference compares the two entries on the samples both were scored on (same task, same
sample id, from the runs behind their rows), so the prompts they differ on decide it, not the
prompts one of them lacks. Its interval is Bonett & Price's adjusted Wald interval for paired
proportions (2012, "Adjusted Wald Confidence Interval for a Difference of Binomial Proportions
Based on Paired Data"), with a fractional score counted as that share of a win or a loss: where
the two agree on every sample it does not collapse to zero width, which a Wald or bootstrap
interval would (see `equipoise.metrics.bootstrap` for why that matters on small tasks).
"""

from __future__ import annotations

import math
from typing import Any

from equipoise.metrics.aggregate import SAFETY_CATEGORIES
from equipoise.metrics.bootstrap import Z95, Interval
from equipoise.store import Store
from equipoise.web._board import BoardRow, BoardView, QueryError

MIN_COMPARED, MAX_COMPARED = 2, 4


def paired_difference(first: list[float], other: list[float]) -> Interval:
    """The difference `other - first` of paired scores in [0, 1] (equal lengths, pair by index)."""
    n = len(first)
    if n == 0:
        return Interval(None, None, None, 0)
    gains = math.fsum(max(o - f, 0.0) for f, o in zip(first, other, strict=True))
    losses = math.fsum(max(f - o, 0.0) for f, o in zip(first, other, strict=True))
    mean = (gains - losses) / n
    # Bonett & Price: one pseudo-observation added to each discordant cell, two to the total
    p12, p21 = (gains + 1) / (n + 2), (losses + 1) / (n + 2)
    centre = p12 - p21
    half = Z95 * math.sqrt(max((p12 + p21) - centre * centre, 0.0) / (n + 2))
    # widened to reach the observed mean, as the board's intervals are
    return Interval(mean, max(-1.0, min(mean, centre - half)), min(1.0, max(mean, centre + half)), n)


def chosen_rows(board: BoardView, identities: tuple[str, ...]) -> list[BoardRow]:
    """The board rows of the entries asked for, in the order asked; a QueryError names what is wrong."""
    if not MIN_COMPARED <= len(identities) <= MAX_COMPARED:
        raise QueryError("models", f"compare {MIN_COMPARED} to {MAX_COMPARED} entries, got {len(identities)}")
    if len(set(identities)) != len(identities):
        raise QueryError("models", f"an entry is named twice in {', '.join(identities)}")
    rows = {r.row.identity: r for r in board.rows}
    missing = [i for i in identities if i not in rows]
    if missing:
        raise QueryError(
            "models",
            f"not on this board: {', '.join(missing)} (identities are on each entry's page and in /api/board)",
        )
    return [rows[i] for i in identities]


def _scores(store: Store, row: BoardRow) -> dict[str, dict[str, float]]:
    """{task: {sample id: score}} of the scored samples of the runs behind a row."""
    out: dict[str, dict[str, float]] = {}
    for run_id in dict.fromkeys(i for i in (row.row.safety_run, row.row.capability_run) if i):
        run = store.get_run(run_id, with_samples=True)
        for s in run["samples"] if run else []:
            if s["score"] is not None:
                out.setdefault(s["task"], {})[s["sample_id"]] = float(s["score"])
    return out


def _interval(row: BoardRow, key: str) -> dict[str, float | None]:
    point, low, high = row.values[key]
    return {"value": point, "low": low, "high": high}


def compare(store: Store, board: BoardView, identities: tuple[str, ...]) -> dict[str, Any]:
    """The comparison of the entries `identities` on `board` (the first is the reference); `board`
    is the whole board (no search or filter), so a link carrying a filter still finds them."""
    rows = chosen_rows(board, identities)
    results = [{t.task: t for t in board.task_results(r)} for r in rows]
    scores = [_scores(store, r) for r in rows]
    tasks = sorted({t for rs in results for t in rs})
    first = scores[0]
    task_rows = []
    for task in tasks:
        entries = []
        for i, (rs, sc) in enumerate(zip(results, scores, strict=True)):
            t = rs.get(task)
            entry: dict[str, Any] = {
                "mean": None if t is None else t.mean,
                "low": None if t is None else t.ci_low,
                "high": None if t is None else t.ci_high,
                "n": 0 if t is None else t.scored,
            }
            if i > 0:
                shared = sorted(set(first.get(task, {})) & set(sc.get(task, {})))
                d = paired_difference([first[task][s] for s in shared], [sc[task][s] for s in shared])
                entry["difference"] = {"mean": d.mean, "low": d.low, "high": d.high, "pairs": d.n}
            entries.append(entry)
        category = next(rs[task].category for rs in results if task in rs)
        task_rows.append({"task": task, "category": category, "entries": entries})
    return {
        "definition": {k: v for k, v in board.ranking.to_dict().items() if k != "rows"},
        "models": [
            {
                "identity": r.row.identity,
                "model": r.row.model,
                "spec": r.row.spec,
                "rank": r.row.rank,
                "order": r.order,
                "safety": _interval(r, "safety"),
                "capability": _interval(r, "capability"),
                "overall": _interval(r, "overall"),
                "categories": {c: _interval(r, c) for c in SAFETY_CATEGORIES},
            }
            for r in rows
        ],
        "categories": list(SAFETY_CATEGORIES),
        "tasks": task_rows,
    }
