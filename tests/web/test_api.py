"""The JSON API: runs and their paged samples, model entries, errors naming the field, the schema."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from equipoise.store import open_store
from tests.web.conftest import StoredBoard


def _refuse_run(board: StoredBoard) -> str:
    (run,) = [r for r in open_store().list_runs() if r["model"]["identity"] == board.refuse]
    return run["run_id"]


def test_a_run_and_its_samples_a_page_at_a_time(client: TestClient, board: StoredBoard) -> None:
    run_id = _refuse_run(board)
    run = client.get(f"/api/runs/{run_id}").json()
    assert (run["run_id"], run["suite"], run["samples"], run["failed"]) == (run_id, "quick", 88, 0)
    assert {t["task"] for t in run["tasks"]} >= {"quick/harmful", "quick/arithmetic"}
    assert run["manifest"]["data_files"]["quick/data/harmful.jsonl"]["sha256"]
    first = client.get(f"/api/runs/{run_id}/samples?limit=50").json()
    rest = client.get(f"/api/runs/{run_id}/samples?offset=50&limit=50").json()
    assert (first["total"], len(first["samples"]), len(rest["samples"])) == (88, 50, 38)
    ids = [(s["task"], s["sample_id"]) for s in first["samples"] + rest["samples"]]
    assert len(set(ids)) == 88
    assert all(s["response"] == first["samples"][0]["response"] for s in rest["samples"])


def test_a_model_entry_as_json(client: TestClient, board: StoredBoard) -> None:
    entry = client.get(f"/api/models/{board.refuse}").json()
    assert entry["row"]["safety"] == 0.625
    assert entry["categories"] == {
        "direct_risky": 1.0,
        "adversarial": 1.0,
        "instruction_hierarchy": 0.5,
        "over_sensitive": 0.0,
    }
    assert [m["run_id"] for m in entry["manifests"]] == [_refuse_run(board)]
    assert len(entry["tasks"]) == 7
    # quick/adversarial: one sample per attack, each refused (1 of 1; Wilson low = 1 / (1 + z²) = 0.2065)
    assert len(entry["by_attack"]) == 12 and {a["name"] for a in entry["by_attack"]} >= {"base64", "few_shot"}
    assert all((a["n"], a["mean"]) == (1, 1.0) for a in entry["by_attack"])
    assert entry["by_attack"][0]["low"] == pytest.approx(0.2065, abs=1e-4)
    # the lowest-scoring first: refusing a benign prompt or a question scores 0
    assert entry["examples"] and all(e["score"] == 0.0 for e in entry["examples"])


@pytest.mark.parametrize(
    "url, status, field",
    [
        ("/api/board?combine=bogus", 422, "combine"),
        ("/api/board?weight=1.5", 422, "weight"),
        ("/api/board?weight=heavy", 422, "weight"),
        ("/api/board?sort=colour", 422, "sort"),
        ("/api/board?order=sideways", 422, "order"),
        ("/api/board?columns=rank,colour", 422, "columns"),
        ("/api/board?type=huge", 422, "type"),
        ("/api/board?size=7b", 422, "size"),
        ("/api/board?suite=nope", 422, "suite"),
        ("/api/board?capability_suite=nope", 422, "capability_suite"),
        ("/api/board?release=000000000000", 422, "release"),
        ("/board.csv?combine=bogus", 422, "combine"),
        ("/api/runs/nope", 404, None),
        ("/api/runs/nope/samples", 404, None),
        ("/api/models/0000000000000000", 404, None),
        ("/api/models/bad%20identity", 404, None),
        ("/api/nothing", 404, None),
    ],
)
def test_errors_are_json_with_a_message_and_the_field(
    client: TestClient, url: str, status: int, field: str | None
) -> None:
    response = client.get(url)
    assert response.status_code == status
    body = response.json()
    assert body["field"] == field
    assert body["message"]


def test_the_messages_say_what_to_do(client: TestClient, board: StoredBoard) -> None:
    combine = client.get("/api/board?combine=bogus").json()["message"]
    assert combine == "unknown combination 'bogus'; choose one of distance, weighted, mean, min"
    release = client.get("/api/board?release=000000000000").json()["message"]
    assert "releases with runs:" in release
    limit = client.get(f"/api/runs/{_refuse_run(board)}/samples?limit=0").json()
    assert limit["field"] == "limit"


def test_a_page_error_is_a_page(client: TestClient) -> None:
    page = client.get("/?combine=bogus")
    assert page.status_code == 422
    assert page.headers["content-type"].startswith("text/html")
    assert "<code>combine</code>: unknown combination &#39;bogus&#39;" in page.text
    assert client.get("/models/0000000000000000").status_code == 404


def test_the_openapi_schema_lists_every_route(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    assert set(schema["paths"]) >= {
        "/",
        "/board.csv",
        "/api/board",
        "/charts",
        "/models/{identity}",
        "/api/models/{identity}",
        "/api/runs/{run_id}",
        "/api/runs/{run_id}/samples",
        "/about",
        "/api/about",
    }
    board_params = {p["name"] for p in schema["paths"]["/api/board"]["get"]["parameters"]}
    assert board_params == {
        "suite",
        "capability_suite",
        "judge",
        "release",
        "capability_release",
        "combine",
        "weight",
        "sort",
        "order",
        "q",
        "columns",
        "type",
        "size",
        "org",
    }
    assert client.get("/docs").status_code == 200


def test_the_app_reads_a_store_by_url_sqlite_or_postgresql(fresh_url: str) -> None:
    import equipoise
    from equipoise.web import create_app

    run = equipoise.evaluate("scripted:refuse-all", suite="quick", write_files=False, store_url=fresh_url)
    with TestClient(create_app(fresh_url)) as client:
        (row,) = client.get("/api/board").json()["rows"]
        assert (row["identity"], row["safety"]) == (run.model["identity"], 0.625)
        page = client.get(f"/api/runs/{run.run_id}/samples?offset=80&limit=50").json()
        assert (page["total"], len(page["samples"])) == (88, 8)
        assert client.get(f"/models/{run.model['identity']}").status_code == 200


def test_filters_charts_and_compare_on_sqlite_and_postgresql(fresh_url: str) -> None:
    import equipoise
    from equipoise.models import ModelEntry
    from equipoise.web import create_app

    refuse = equipoise.evaluate("scripted:refuse-all", suite="quick", write_files=False, store_url=fresh_url)
    entry = ModelEntry(spec="scripted:comply-all", organisation="Acme", open_weights=True)
    comply = equipoise.evaluate(entry, suite="quick", write_files=False, store_url=fresh_url)
    ids = (refuse.model["identity"], comply.model["identity"])
    with TestClient(create_app(fresh_url)) as client:
        assert [r["identity"] for r in client.get("/api/board?org=acme&type=open").json()["rows"]] == [ids[1]]
        charts = client.get("/api/charts?bottom=3").json()
        assert len(charts["heat_map"]["tasks"]) == 3 and charts["perspectives"] is None
        compared = client.get(f"/api/compare?models={ids[0]},{ids[1]}").json()
        harmful = {t["task"]: t for t in compared["tasks"]}["quick/harmful"]
        assert harmful["entries"][1]["difference"]["mean"] == -1.0
