"""Submitting through the web app: the form and the API, their refusals, the queue, and the API
key that no page, API answer, log line or export ever shows."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from equipoise.store import open_store
from equipoise.web import create_app, export_site
from tests.conftest import _fresh_postgres
from tests.openai_server import ServerState, ThreadedServer
from tests.queue.conftest import SECRET_KEY, form, wait_for, worker_in_thread
from tests.web.conftest import EVIL_NAME


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def served(request: pytest.FixtureRequest) -> Iterator[TestClient]:
    """The app with a worker running: in-process on SQLite, a pgqueuer worker on PostgreSQL."""
    if request.param == "sqlite":
        with TestClient(create_app(run_queue=True)) as client:
            yield client
        return
    fresh = contextmanager(_fresh_postgres)(request.getfixturevalue("postgres_url"))
    with fresh as url, worker_in_thread(open_store(url)), TestClient(create_app(url)) as client:
        yield client


@pytest.fixture
def endpoint() -> Iterator[ThreadedServer]:
    """The tests' OpenAI-protocol server, to submit."""
    with ThreadedServer(ServerState()) as server:
        yield server


def _status(client: TestClient, sid: int) -> dict:
    return client.get(f"/api/submissions/{sid}").json()


def test_a_submission_is_pending_at_once_then_runs_to_finished_on_the_board(
    served: TestClient, endpoint: ThreadedServer
) -> None:
    posted = time.monotonic()
    response = served.post("/api/submissions", json=form(endpoint, name="Submitted"))
    assert response.status_code == 201, response.text
    sid = response.json()["id"]
    listed = served.get("/api/queue").json()
    assert time.monotonic() - posted < 2
    assert listed["submissions"][0]["id"] == sid and listed["submissions"][0]["status"] in ("PENDING", "RUNNING")
    done = wait_for(lambda: _status(served, sid), "FINISHED")
    assert done["progress"]["samples_done"] == done["progress"]["samples_total"] == 88
    # on the board, without a restart, and its page links from the queue
    assert [r["model"] for r in served.get("/api/board").json()["rows"]] == ["Submitted"]
    page = served.get("/queue").text
    assert f'href="/models/{done["identity"]}"' in page and 'data-status="FINISHED"' in page


def test_a_refusal_is_json_with_the_message_and_the_field(client_app: TestClient, endpoint: ThreadedServer) -> None:
    bad = client_app.post("/api/submissions", json=form(endpoint, base_url="localhost:1234"))
    assert bad.status_code == 422
    assert bad.json()["field"] == "base_url" and "http://" in bad.json()["message"]
    missing = client_app.post("/api/submissions", json={"base_url": endpoint.base_url, "model": "m"})
    assert missing.status_code == 422 and missing.json()["field"] in ("name", "submitter")
    first = client_app.post("/api/submissions", json=form(endpoint))
    again = client_app.post("/api/submissions", json=form(endpoint))
    assert again.status_code == 409 and again.json()["link"] == f"/queue#submission-{first.json()['id']}"


def test_the_daily_limit_says_when_the_next_is_allowed(client_app: TestClient, endpoint: ThreadedServer) -> None:
    for seed in range(5):
        assert client_app.post("/api/submissions", json=form(endpoint, seed=seed)).status_code == 201
    over = client_app.post("/api/submissions", json=form(endpoint, seed=9))
    assert over.status_code == 429 and over.json()["field"] == "submitter"
    assert int(over.headers["Retry-After"]) == over.json()["retry_after_s"] > 23 * 3600


def test_the_form_works_without_javascript(client_app: TestClient, endpoint: ThreadedServer) -> None:
    page = client_app.get("/submit")
    assert page.status_code == 200 and '<form method="post" action="/submit"' in page.text
    values = {**form(endpoint, name=EVIL_NAME), "api_key": SECRET_KEY, "temperature": "", "max_tokens": "0"}
    refused = client_app.post("/submit", data=values)
    assert refused.status_code == 422
    # the message stands beside its field; what was typed is kept, escaped, and the key is not
    assert "max_tokens: Input should be greater than or equal to 1" in refused.text
    assert EVIL_NAME not in refused.text and "&lt;script&gt;" in refused.text
    assert SECRET_KEY not in refused.text
    taken = client_app.post("/submit", data={**values, "max_tokens": "64"}, follow_redirects=False)
    assert taken.status_code == 303 and taken.headers["location"].startswith("/queue#submission-")
    queue = client_app.get("/queue").text
    assert EVIL_NAME not in queue and "&lt;script&gt;alert(&#34;name&#34;)&lt;/script&gt;" in queue


@pytest.fixture
def client_app() -> Iterator[TestClient]:
    """The app without a worker: submissions stay PENDING."""
    with TestClient(create_app()) as client:
        yield client


def test_the_api_key_is_never_shown(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    caplog.set_level(logging.DEBUG)
    state = ServerState()
    with ThreadedServer(state) as server, TestClient(create_app(run_queue=True)) as client:
        submitted = client.post("/api/submissions", json=form(server, api_key=SECRET_KEY))
        sid = submitted.json()["id"]
        done = wait_for(lambda: _status(client, sid), "FINISHED")
        identity, run_id = done["identity"], done["run_ids"][0]
        monkeypatch.setenv("EQUIPOISE_ADMIN_TOKEN", "admin-token")
        from equipoise.settings import get_settings

        get_settings.cache_clear()
        admin = {"Authorization": "Bearer admin-token"}
        shown = [
            submitted.text,
            *(
                client.get(path).text
                for path in (
                    "/",
                    "/queue",
                    "/submit",
                    "/api/queue",
                    f"/api/submissions/{sid}",
                    "/api/board",
                    "/board.csv",
                    f"/models/{identity}",
                    f"/api/models/{identity}",
                    f"/api/runs/{run_id}",
                    f"/api/runs/{run_id}/samples",
                    "/openapi.json",
                )
            ),
            client.get("/api/admin/submissions", headers=admin).text,
        ]
    assert all(SECRET_KEY not in page for page in shown)
    assert state.headers[-1]["Authorization"] == f"Bearer {SECRET_KEY}", "the key was used"
    pages = export_site(tmp_path / "site")
    assert all(SECRET_KEY not in p.read_text() for p in pages)
    assert all(SECRET_KEY not in f.read_text() for f in (tmp_path / "site").rglob("*.json"))
    assert SECRET_KEY not in caplog.text
    # in the store, only the submission's own column holds it
    store = open_store()
    with store.engine.connect() as conn:
        for table in ("runs", "sample_results", "task_results", "model_entries", "submission_jobs"):
            rows = conn.execute(text(f"SELECT * FROM {table}")).all()
            assert SECRET_KEY not in json.dumps([list(map(str, r)) for r in rows]), table
