"""Admin routes: every one refuses without the token (and all are off when no token is set);
with it, approve, reject, cancel, rerun submissions and hide or unhide entries."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient

from equipoise.settings import get_settings
from equipoise.web import create_app
from tests.openai_server import ServerState, ThreadedServer
from tests.queue.conftest import form, wait_for

TOKEN = "s3cret-admin-token"
GOOD = {"Authorization": f"Bearer {TOKEN}"}


def _admin_routes() -> list[tuple[str, str]]:
    """Every admin route the app serves, from its OpenAPI schema (an in-memory store: this runs at collection)."""
    paths = create_app("sqlite://").openapi()["paths"]
    return sorted(
        (method.upper(), path) for path, methods in paths.items() if path.startswith("/api/admin") for method in methods
    )


def _filled(path: str) -> str:
    return path.replace("{submission_id}", "1").replace("{identity}", "abc")


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> Callable[..., None]:
    def set_env(**values: str) -> None:
        for name, value in values.items():
            monkeypatch.setenv(f"EQUIPOISE_{name.upper()}", value)
        get_settings.cache_clear()

    return set_env


@pytest.fixture
def endpoint() -> Iterator[ThreadedServer]:
    """The tests' OpenAI-protocol server, to submit."""
    with ThreadedServer(ServerState()) as server:
        yield server


@pytest.fixture
def client() -> Iterator[TestClient]:
    with TestClient(create_app()) as c:
        yield c


def test_there_are_admin_routes_for_every_action() -> None:
    paths = {p for _, p in _admin_routes()}
    for action in ("approve", "reject", "rerun", "cancel"):
        assert f"/api/admin/submissions/{{submission_id}}/{action}" in paths
    assert {"/api/admin/entries/{identity}/hide", "/api/admin/entries/{identity}/unhide"} <= paths


@pytest.mark.parametrize(("method", "path"), _admin_routes())
def test_every_admin_route_refuses_without_the_token(client: TestClient, env, method: str, path: str) -> None:
    url = _filled(path)
    # no token configured: admin is off, whatever is sent
    off = client.request(method, url, headers=GOOD)
    assert off.status_code == 403 and "admin is off" in off.json()["message"]
    env(admin_token=TOKEN)
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": TOKEN}, {"X-Admin-Token": TOKEN}):
        refused = client.request(method, url, headers=headers)
        assert refused.status_code == 401, (headers, refused.text)
        assert "Authorization: Bearer TOKEN" in refused.json()["message"]
    allowed = client.request(method, url, headers=GOOD)
    assert allowed.status_code not in (401, 403)


def test_an_empty_token_keeps_admin_off(client: TestClient, env) -> None:
    env(admin_token="")
    assert client.get("/api/admin/submissions", headers={"Authorization": "Bearer "}).status_code == 403


def test_approve_then_the_worker_runs_it(env, endpoint: ThreadedServer) -> None:
    env(admin_token=TOKEN, submissions_need_approval="true")
    with TestClient(create_app(run_queue=True)) as client:
        sid = client.post("/api/submissions", json=form(endpoint)).json()["id"]
        waiting = client.get(f"/api/submissions/{sid}").json()
        assert waiting["status"] == "PENDING" and not waiting["approved"]
        assert "awaiting approval" in client.get("/queue").text
        approved = client.post(f"/api/admin/submissions/{sid}/approve", headers=GOOD)
        assert approved.status_code == 200 and approved.json()["approved"]
        assert client.post(f"/api/admin/submissions/{sid}/approve", headers=GOOD).status_code == 409
        done = wait_for(lambda: client.get(f"/api/submissions/{sid}").json(), "FINISHED")
        # a rerun starts it again from the beginning and records a second run
        assert client.post(f"/api/admin/submissions/{sid}/rerun", headers=GOOD).status_code == 200
        again = wait_for(lambda: client.get(f"/api/submissions/{sid}").json(), "FINISHED")
        assert len(again["run_ids"]) == len(done["run_ids"]) + 1


def test_reject_and_cancel(env, endpoint: ThreadedServer, client: TestClient) -> None:
    env(admin_token=TOKEN)
    first = client.post("/api/submissions", json=form(endpoint)).json()["id"]
    second = client.post("/api/submissions", json=form(endpoint, seed=7)).json()["id"]
    rejected = client.post(f"/api/admin/submissions/{first}/reject", headers=GOOD, json={"reason": "not a chat model"})
    assert rejected.json()["status"] == "REJECTED" and rejected.json()["error"] == "not a chat model"
    assert client.post(f"/api/admin/submissions/{second}/cancel", headers=GOOD).json()["status"] == "CANCELLED"
    conflict = client.post(f"/api/admin/submissions/{second}/cancel", headers=GOOD)
    assert conflict.status_code == 409 and "it is CANCELLED" in conflict.json()["message"]
    assert client.post("/api/admin/submissions/999/cancel", headers=GOOD).status_code == 404
    listed = client.get("/api/admin/submissions", headers=GOOD).json()
    assert {(s["submitter"], s["client_ip"]) for s in listed} == {("tester", "testclient")}
    public = client.get("/api/queue").json()["submissions"][0]
    assert "client_ip" not in public and "submitter" not in public


def test_hide_takes_an_entry_off_the_board_and_unhide_brings_it_back(env, client: TestClient) -> None:
    import equipoise

    env(admin_token=TOKEN)
    identity = equipoise.evaluate("scripted:refuse-all", suite="quick", write_files=False).model["identity"]
    assert [r["identity"] for r in client.get("/api/board").json()["rows"]] == [identity]
    assert client.post(f"/api/admin/entries/{identity}/hide", headers=GOOD).json() == {
        "identity": identity,
        "hidden": True,
    }
    assert client.get("/api/board").json()["rows"] == []
    assert client.get(f"/models/{identity}").status_code == 404
    assert client.post(f"/api/admin/entries/{identity}/unhide", headers=GOOD).status_code == 200
    assert [r["identity"] for r in client.get("/api/board").json()["rows"]] == [identity]
    assert client.post("/api/admin/entries/nope/hide", headers=GOOD).status_code == 404
