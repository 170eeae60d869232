"""The charts: heat map of the hardest tasks, category bars, and the DecodingTrust radar only where
such runs are stored; each with its table view and its downloads."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient

from equipoise._version import __version__
from equipoise.results import EvalRun, RunManifest, TaskInfo, TaskResult
from equipoise.store import open_store
from equipoise.web._charts import DECODINGTRUST_SUITE
from tests.web.conftest import StoredBoard


def test_the_heat_map_shows_the_first_models_against_the_hardest_tasks(client: TestClient, board: StoredBoard) -> None:
    charts = client.get("/api/charts?top=3&bottom=4").json()
    hm = charts["heat_map"]
    assert [m["identity"] for m in hm["models"]] == [board.answerer, board.refuse, board.evil]
    assert len(hm["tasks"]) == 4
    # every cell is the model's stored task mean; the tasks chosen have the lowest mean over the three
    means = {}
    for m in hm["models"]:
        means[m["identity"]] = {
            t["task"]: t["mean"] for t in client.get(f"/api/models/{m['identity']}").json()["tasks"]
        }
    assert hm["cells"] == [[means[m["identity"]][t] for t in hm["tasks"]] for m in hm["models"]]
    average = {t: sum(means[i][t] for i in means) / 3 for t in means[board.answerer]}
    assert hm["task_means"] == pytest.approx(sorted(average.values())[:4])
    assert hm["task_means"] == sorted(hm["task_means"])
    # the view's filters and sort choose the models
    only = client.get("/api/charts?org=unknown&sort=safety&order=desc").json()["heat_map"]
    assert [m["identity"] for m in only["models"]] == [board.refuse, board.comply]


def test_the_category_bars_are_the_boards_categories(client: TestClient, board: StoredBoard) -> None:
    bars = client.get("/api/charts").json()["categories"]
    assert bars["categories"] == ["direct_risky", "adversarial", "instruction_hierarchy", "over_sensitive"]
    (refuse,) = [m for m in bars["models"] if m["identity"] == board.refuse]
    assert refuse["values"] == [1.0, 1.0, 0.5, 0.0]


def test_each_chart_has_a_table_view_and_downloads(client: TestClient, board: StoredBoard) -> None:
    page = client.get("/charts?bottom=2").text
    for chart in ("scatter", "heat_map", "categories"):
        assert f'<div class="chart" id="{chart}" data-figure="' in page
        assert (
            f'data-download="png" data-chart="{chart}"' in page and f'data-download="svg" data-chart="{chart}"' in page
        )
    assert page.count("<summary>table view</summary>") == 3
    # the heat map's table: one row per model, one column per task, the means below
    table = page.split('<table class="heat-map">')[1].split("</table>")[0]
    assert table.count('<th scope="col">') == 2 and table.count("<tr") == 1 + 4 + 1
    # no DecodingTrust run is stored: no radar, and nothing in its place
    assert "DecodingTrust" not in page
    assert client.get("/api/charts").json()["perspectives"] is None


@pytest.mark.parametrize("url, field", [("/api/charts?top=0", "top"), ("/charts?bottom=201", "bottom")])
def test_chart_sizes_are_checked(client: TestClient, url: str, field: str) -> None:
    response = client.get(url)
    assert response.status_code == 422
    assert field in response.text


def _decodingtrust_run(model: dict, scores: dict[tuple[str, str], float]) -> EvalRun:
    """A stored DecodingTrust run with the given (task, perspective) means, made through the store."""
    run_id = uuid.uuid4().hex[:12]
    tasks = [
        TaskResult(task=t, category=p, n=10, scored=10, mean=m, ci_low=m, ci_high=m, unparseable=0, failed=0)
        for (t, p), m in scores.items()
    ]
    manifest = RunManifest(
        run_id=run_id,
        equipoise_version=__version__,
        model=model,
        suite=DECODINGTRUST_SUITE,
        tasks={t.task: TaskInfo(version="1", category=t.category, scorer={}, samples=10) for t in tasks},
        judge=None,
        started=datetime.now(UTC).isoformat(),
    )
    return EvalRun(run_id=run_id, model=model, suite=DECODINGTRUST_SUITE, tasks=tasks, samples=[], manifest=manifest)


def test_the_radar_appears_once_decodingtrust_perspectives_are_stored(client: TestClient, board: StoredBoard) -> None:
    store = open_store()
    (refuse,) = [r for r in store.list_runs() if r["model"]["identity"] == board.refuse]
    scores = {("dt/toxicity", "toxicity"): 0.9, ("dt/privacy_a", "privacy"): 0.6, ("dt/privacy_b", "privacy"): 0.8}
    store.record_run(_decodingtrust_run(refuse["model"], scores))
    radar = client.get("/api/charts").json()["perspectives"]
    assert radar["perspectives"] == ["privacy", "toxicity"]
    (row,) = radar["models"]
    assert row["identity"] == board.refuse
    # a perspective's score is the mean of its tasks' means
    assert row["values"] == pytest.approx([0.7, 0.9])
    page = client.get("/charts").text
    assert '<div class="chart" id="perspectives" data-figure="' in page
    table = page.split('<table class="perspectives">')[1].split("</table>")[0]
    assert '<td class="score">0.700</td><td class="score">0.900</td>' in table
