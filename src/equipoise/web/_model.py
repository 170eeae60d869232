"""A model entry's page as data: its row on a board, the runs behind it, their tasks and manifests,
its lowest-scoring samples and the history of its runs."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from equipoise.metrics.safety import ScoredSample, safety_report
from equipoise.ranking import Ranking
from equipoise.releases import run_release
from equipoise.store import Store
from equipoise.web._board import row_notes

# Samples shown per run as failure examples (the lowest-scoring first).
EXAMPLES = 8


def run_summary(run: dict[str, Any]) -> dict[str, Any]:
    """A stored run without its samples, as JSON: what the history and the run API show."""
    m = run["manifest"]
    return {
        "run_id": run["run_id"],
        "suite": run["suite"],
        "release": run_release(run),
        "judge": run["judge"],
        "started": run["started"],
        "finished": m.get("finished"),
        "equipoise_version": run["equipoise_version"],
        "samples": sum(t.n for t in run["tasks"]),
        "failed": sum(t.failed for t in run["tasks"]),
    }


def manifest(run: dict[str, Any]) -> dict[str, Any]:
    """What a run was: release, model entry and decoding parameters, data files with their sha256,
    judge, run parameters, package version, timings and call counts."""
    m = run["manifest"]
    return {
        **run_summary(run),
        "model": m.get("model"),
        "data_files": {name: info.get("sha256") for name, info in (m.get("data_files") or {}).items()},
        "missing_tasks": m.get("missing_tasks") or [],
        "params": m.get("params"),
        "timings": m.get("timings"),
        "calls": m.get("calls"),
        "python": m.get("python"),
        "imported": m.get("imported"),
    }


def task_rows(run: dict[str, Any]) -> list[dict[str, Any]]:
    """The run's per-task results as JSON."""
    return [{"run_id": run["run_id"], **t.to_dict()} for t in run["tasks"]]


def prompt_text(messages: list[dict[str, Any]] | None) -> list[dict[str, str]]:
    """A sample's messages as (role, content) pairs; an imported sample may have none."""
    return [{"role": str(m.get("role", "")), "content": str(m.get("content", ""))} for m in messages or []]


def lowest_scoring(run: dict[str, Any], n: int = EXAMPLES) -> list[dict[str, Any]]:
    """The run's `n` lowest-scoring samples below full marks (ties by task and id): prompt,
    response, the judge's rationale."""
    scored = [s for s in run.get("samples", []) if s["score"] is not None and s["score"] < 1.0]
    scored.sort(key=lambda s: (s["score"], s["task"], s["sample_id"]))
    return [
        {
            "run_id": run["run_id"],
            "task": s["task"],
            "sample_id": s["sample_id"],
            "score": s["score"],
            "label": s["label"],
            "judge": s["judge"],
            "messages": prompt_text(s["messages"]),
            "response": s["response"],
            "rationale": s["rationale"],
        }
        for s in scored[:n]
    ]


def breakdowns(run: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """The run's safety samples pooled by attack and by risk area (`equipoise.metrics.safety`, as
    a run's report has them), each with its Wilson 95% interval; empty when it has no safety task."""
    samples = [ScoredSample(s["task"], s["score"], s["meta"] or {}) for s in run.get("samples", [])]
    report = safety_report(samples, {name: info["category"] for name, info in run["manifest"]["tasks"].items()})
    if report is None:
        return {"attack": [], "risk_area": []}

    def rows(groups: dict[str, Any]) -> list[dict[str, Any]]:
        return [{"name": k, "mean": i.mean, "low": i.low, "high": i.high, "n": i.n} for k, i in groups.items()]

    return {"attack": rows(report.by_attack), "risk_area": rows(report.by_risk_area)}


def model_page(store: Store, ranking: Ranking, identity: str) -> dict[str, Any] | None:
    """The page of the entry `identity` on `ranking`'s board (None when no run of it is stored).

    The runs used are the board's for this entry; an entry not on this board shows its newest run.
    """
    history = [r for r in store.list_runs() if r["model"]["identity"] == identity]
    if not history:
        return None
    row = next((r for r in ranking.rows if r.identity == identity), None)
    used_ids = [i for i in dict.fromkeys((row.safety_run, row.capability_run)) if i] if row else []
    used = [store.get_run(i, with_samples=True) for i in used_ids or [history[0]["run_id"]]]
    runs = [r for r in used if r is not None]
    # the safety side's run (the first used) is the one broken down by attack and risk area
    by = breakdowns(runs[0]) if runs else {"attack": [], "risk_area": []}
    return {
        "identity": identity,
        "model": history[0]["model"],
        "on_board": row is not None,
        "row": None if row is None else {**row.to_dict(), "notes": row_notes(row)},
        "rank_order": None if row is None else ranking.rows.index(row) + 1,
        "categories": {} if row is None else row.categories,
        "category_intervals": {}
        if row is None
        else {c: {"mean": i.mean, "low": i.low, "high": i.high} for c, i in row.category_intervals.items()},
        "counts": None
        if row is None
        else {"safety": asdict(row.safety_counts), "capability": asdict(row.capability_counts)},
        "tasks": [t for r in runs for t in task_rows(r)],
        "manifests": [manifest(r) for r in runs],
        "by_attack": by["attack"],
        "by_risk_area": by["risk_area"],
        "examples": [e for r in runs for e in lowest_scoring(r)],
        "history": [run_summary(r) for r in history],
    }
