"""Taking a submission: per-field refusals, the endpoint check, duplicates, the daily allowance."""

from __future__ import annotations

import asyncio

import pytest

import equipoise
from equipoise.queue import Book, SubmissionError, submit
from equipoise.store import open_store
from tests.openai_server import ServerState, ThreadedServer, free_port
from tests.queue.conftest import SECRET_KEY, form


@pytest.fixture
def book() -> Book:
    return Book(open_store())


async def refused(book: Book, data: dict, ip: str = "10.0.0.1", admin: bool = False) -> SubmissionError:
    with pytest.raises(SubmissionError) as caught:
        await submit(book, data, ip, admin)
    return caught.value


async def test_a_valid_submission_is_stored_pending_with_one_job_per_task(book: Book, endpoint: ThreadedServer) -> None:
    stored, job_ids = await submit(book, form(endpoint, api_key=SECRET_KEY), "10.0.0.1")
    assert stored["status"] == "PENDING" and stored["approved"] and stored["has_api_key"]
    assert [j["task"] for j in stored["jobs"]][:2] == ["quick/adversarial", "quick/arithmetic"]
    assert len(job_ids) == len(stored["jobs"]) == 7
    # the samples each task will ask are known from the start: progress has its total while PENDING
    assert stored["progress"] == {"samples_done": 0, "samples_total": 88, "jobs_done": 0, "jobs": 7}
    assert SECRET_KEY not in repr(stored) and "client_ip" not in stored
    # the endpoint was asked one short chat request, with the key
    assert len(endpoint.state.received) == 1
    assert endpoint.state.headers[0]["Authorization"] == f"Bearer {SECRET_KEY}"


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"name": ""}, "name", "name is required"),
        ({"submitter": None}, "submitter", "submitter is required"),
        ({"base_url": "127.0.0.1:8080/v1"}, "base_url", "needs an http:// or https:// scheme"),
        ({"base_url": None}, "base_url", "base_url is required"),
        ({"base_url": "http://[::1/v1"}, "base_url", "is not a URL"),
        ({"base_url": "http://user:pw@127.0.0.1:1/v1"}, "base_url", "must not hold a user name or password"),
        ({"model": None}, "model", "model is required"),
        ({"temperature": "hot"}, "temperature", "temperature"),
        ({"max_tokens": 0}, "max_tokens", "greater than or equal to 1"),
        ({"suites": ["quick", "nope"]}, "suites", "unknown suite 'nope'"),
        ({"spec": "gguf:/models/x.gguf"}, "spec", "only an admin"),
        ({"limit": 3}, "limit", "only an admin"),
        ({"colour": "red"}, "colour", "not a field of a submission"),
    ],
)
async def test_a_bad_field_is_named_with_what_is_wrong(
    book: Book, endpoint: ThreadedServer, change: dict, field: str, words: str
) -> None:
    data = {k: v for k, v in {**form(endpoint), **change}.items() if v is not None}
    error = await refused(book, data)
    assert error.field == field and words in str(error) and error.status == 422
    assert not book.list()


async def test_every_bad_field_is_listed(book: Book, endpoint: ThreadedServer) -> None:
    error = await refused(book, {"base_url": endpoint.base_url, "max_tokens": -1})
    assert {f for f, _ in error.problems} == {"name", "submitter", "max_tokens"}
    assert len(error.to_dict()["errors"]) == 3


async def test_a_key_that_is_refused_is_never_echoed(book: Book, endpoint: ThreadedServer) -> None:
    error = await refused(book, form(endpoint, api_key="k" * 501))
    assert error.field == "api_key" and "k" * 501 not in str(error.to_dict())


async def test_an_endpoint_that_does_not_answer_is_refused_on_base_url(book: Book) -> None:
    data = {"name": "x", "submitter": "s", "base_url": f"http://127.0.0.1:{free_port()}/v1", "model": "m"}
    error = await refused(book, data)
    assert error.field == "base_url" and "did not answer a test chat request" in str(error)


async def test_an_endpoint_that_fails_the_request_is_refused_without_the_key(book: Book, settings_env) -> None:
    settings_env(endpoint_check_timeout_s="2")
    with ThreadedServer(ServerState(faults={0: "401"})) as server:
        error = await refused(book, form(server, api_key=SECRET_KEY))
    assert error.field == "base_url" and "HTTP 401" in str(error) and SECRET_KEY not in str(error)


async def test_the_servers_own_openai_key_is_never_sent_to_a_submitted_endpoint(
    book: Book, endpoint: ThreadedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-the-servers-own")
    await submit(book, form(endpoint), "10.0.0.1")
    assert "Authorization" not in endpoint.state.headers[0]


async def test_a_duplicate_submission_is_refused_with_a_link_to_it(book: Book, endpoint: ThreadedServer) -> None:
    first, _ = await submit(book, form(endpoint), "10.0.0.1")
    # the display name is not part of an entry: the same spec and parameters are the same entry
    error = await refused(book, form(endpoint, name="Another name", submitter="someone else"), ip="10.0.0.2")
    assert error.status == 409 and error.link == f"/queue#submission-{first['id']}"
    # other decoding parameters make another entry
    other, _ = await submit(book, form(endpoint, temperature=0.7), "10.0.0.1")
    assert other["identity"] != first["identity"]


async def test_an_entry_already_on_the_board_is_refused_with_a_link_to_its_page(
    book: Book, endpoint: ThreadedServer
) -> None:
    spec = f"openai-compat:local@{endpoint.base_url}"
    run = await asyncio.to_thread(equipoise.evaluate, spec, suite="quick", write_files=False)
    error = await refused(book, form(endpoint))
    assert error.status == 409 and error.link == f"/models/{run.model['identity']}"


async def test_a_submitter_gets_five_a_day_and_is_told_when_the_next_is_allowed(
    book: Book, endpoint: ThreadedServer
) -> None:
    for i in range(5):
        await submit(book, form(endpoint, seed=i), f"10.0.0.{i}")
    error = await refused(book, form(endpoint, seed=99), ip="10.0.0.99")
    assert error.status == 429 and error.field == "submitter"
    assert 23 * 3600 < error.retry_after_s <= 24 * 3600
    assert "the next is allowed in 23 h" in str(error) or "the next is allowed in 24 h" in str(error)
    # an admin is not counted
    await submit(book, form(endpoint, seed=100), "10.0.0.99", admin=True)


async def test_one_address_gets_five_a_day_whoever_submits(book: Book, endpoint: ThreadedServer) -> None:
    for i in range(5):
        await submit(book, form(endpoint, seed=i, submitter=f"person {i}"), "10.9.9.9")
    error = await refused(book, form(endpoint, seed=99, submitter="person 99"), ip="10.9.9.9")
    assert error.status == 429 and error.field is None and "your address" in str(error)


async def test_an_admins_limit_sets_the_samples_of_each_task(book: Book, endpoint: ThreadedServer) -> None:
    stored, _ = await submit(book, form(endpoint, limit=3), "::1", admin=True)
    assert stored["progress"]["samples_total"] == 21 and {j["total"] for j in stored["jobs"]} == {3}


async def test_an_admin_may_submit_a_local_spec(book: Book) -> None:
    stored, _ = await submit(
        book, {"name": "Refuser", "submitter": "admin", "spec": "scripted:refuse-all"}, "::1", True
    )
    assert stored["spec"] == "scripted:refuse-all" and not stored["has_api_key"]
    error = await refused(book, {"name": "x", "submitter": "admin", "spec": "openai-compat:m@http://h/v1"}, admin=True)
    assert error.field == "spec" and "not a local model" in str(error)
