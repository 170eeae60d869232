"""The OpenAI-compatible adapter against a real local HTTP server with injected faults."""

from __future__ import annotations

import asyncio
import time

import pytest

from equipoise.models import ChatRequest, GenerateConfig, ModelEntry, ModelError, create_model, resolve_entry
from tests.openai_server import ServerState, ThreadedServer, free_port

REQ = ChatRequest.of([{"role": "user", "content": "What is 17 multiplied by 23?"}], GenerateConfig(max_tokens=16))


def _model(server: ThreadedServer, **args: object):
    entry = resolve_entry(f"openai-compat:tiny@{server.base_url}")
    entry = type(entry)(**{**entry.__dict__, "args": {"retry_base_s": 0.01, "timeout_s": 2.0, **args}})
    return create_model(entry)


async def test_answers_with_text_usage_and_wire_format() -> None:
    with ThreadedServer(ServerState()) as server:
        model = _model(server)
        response = await model.chat(REQ)
        await model.aclose()
    assert response.text == "391"
    assert response.error is None and response.finish_reason == "stop"
    assert response.usage.completion_tokens == 1 and response.latency_s > 0
    sent = server.state.received[0]
    assert sent["model"] == "tiny" and sent["max_tokens"] == 16 and sent["temperature"] == 0.0
    assert sent["messages"] == [{"role": "user", "content": "What is 17 multiplied by 23?"}]


def _ask(prompt: str) -> ChatRequest:
    return ChatRequest.of([{"role": "user", "content": prompt}], GenerateConfig(max_tokens=16))


@pytest.mark.parametrize("fault", ["429", "500"])
async def test_retries_failures_the_server_has_finished_with(fault: str) -> None:
    with ThreadedServer(ServerState(faults={0: fault, 1: fault})) as server:
        model = _model(server, timeout_s=0.5)
        response = await model.chat(REQ)
        await model.aclose()
    assert response.text == "391" and response.error is None
    assert len(server.state.received) == 3


async def test_gives_up_with_a_recorded_failure() -> None:
    with ThreadedServer(ServerState(faults={i: "500" for i in range(10)})) as server:
        model = _model(server, max_retries=2)
        response = await model.chat(REQ)
        await model.aclose()
    assert response.failed and response.text == ""
    assert "gave up after 3 attempts" in response.error and "HTTP 500" in response.error
    assert len(server.state.received) == 3


async def test_client_errors_are_not_retried() -> None:
    with ThreadedServer(ServerState(faults={0: "400"})) as server:
        model = _model(server)
        response = await model.chat(REQ)
        await model.aclose()
    assert response.failed and "HTTP 400" in response.error
    assert len(server.state.received) == 1


async def test_connection_refused_is_a_failure_not_an_exception() -> None:
    model = create_model(
        ModelEntry(
            spec=f"openai-compat:tiny@http://127.0.0.1:{free_port()}/v1", args={"max_retries": 1, "retry_base_s": 0.01}
        )
    )
    response = await model.chat(REQ)
    await model.aclose()
    # Nothing was listening, so nothing was sent: the retry is safe and was made.
    assert response.failed and "connection error" in response.error and "after 2 attempts" in response.error


async def test_a_timed_out_request_is_not_sent_again_while_the_server_still_works_on_it() -> None:
    # A serial server that takes 0.6 s, like llama.cpp on a long answer, and a 0.2 s timeout.
    with ThreadedServer(ServerState(delay_s=0.6, serial=True)) as server:
        model = _model(server, timeout_s=0.2, max_retries=3)
        response = await model.chat(REQ)
        await model.aclose()
        await asyncio.sleep(0.7)
    assert response.failed and "no answer within 0.2s of sending" in response.error
    assert "not retried" in response.error and "retry_timeouts" in response.error
    # One copy only, and the server did finish it after the client had gone.
    assert len(server.state.received) == 1
    assert server.state.served[0].finished_at is not None


async def test_no_copy_is_ever_sent_while_an_earlier_attempt_is_being_served() -> None:
    # Eight prompts, one connection, a serial server: two answers are 500 and one 429 (retried),
    # one stalls past the timeout (not retried, so it alone fails, and the request after it waits
    # in the server's queue until the abandoned one is done).
    faults = {0: "500", 2: "429", 3: "stall", 5: "500"}
    state = ServerState(delay_s=0.05, serial=True, faults=faults, stall_s=0.8)
    with ThreadedServer(state) as server:
        model = _model(server, timeout_s=0.6, max_concurrency=1, max_retries=3)
        responses = await asyncio.gather(*(model.chat(_ask(f"prompt {i}")) for i in range(8)))
        await model.aclose()
        await asyncio.sleep(0.9)
    assert state.copies_sent_while_served() == []
    assert sum(r.failed for r in responses) == 1
    assert len(state.received) == 8 + 3


async def test_the_timeout_runs_from_sending_not_from_queueing() -> None:
    # One connection, four requests of 0.3 s each: the last waits 0.9 s for its turn, longer than
    # the 0.5 s timeout, and must still be answered since it was sent only then.
    with ThreadedServer(ServerState(delay_s=0.3, serial=True)) as server:
        model = _model(server, timeout_s=0.5, max_concurrency=1, max_retries=0)
        start = time.perf_counter()
        responses = await asyncio.gather(*(model.chat(_ask(f"prompt {i}")) for i in range(4)))
        elapsed = time.perf_counter() - start
        await model.aclose()
    assert [r.error for r in responses] == [None] * 4
    assert elapsed >= 1.2 and len(server.state.received) == 4
    # Latency is the request's own time at the server, not its wait for a connection.
    assert all(0.3 <= r.latency_s < 0.5 for r in responses)


async def test_timeouts_are_retried_only_when_asked() -> None:
    with ThreadedServer(ServerState(faults={0: "stall", 1: "stall"}, stall_s=1.0)) as server:
        model = _model(server, timeout_s=0.3, retry_timeouts=True)
        response = await model.chat(REQ)
        await model.aclose()
    assert response.text == "391" and response.error is None
    assert len(server.state.received) == 3


async def test_the_api_key_is_sent_as_a_bearer_token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EQUIPOISE_TEST_KEY", "sk-test-123")
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    with ThreadedServer(ServerState()) as server:
        keyed = _model(server, api_key_env="EQUIPOISE_TEST_KEY")
        await keyed.chat(REQ)
        await keyed.aclose()
        keyless = _model(server)
        await keyless.chat(REQ)
        await keyless.aclose()
    with_key, without_key = server.state.headers
    assert with_key["Authorization"] == "Bearer sk-test-123"
    assert "Authorization" not in without_key


async def test_streams_deltas() -> None:
    with ThreadedServer(ServerState(answer=lambda p: "one two three")) as server:
        model = _model(server)
        pieces = [p async for p in model.stream(REQ)]
        await model.aclose()
    assert "".join(pieces).split() == ["one", "two", "three"]


def test_spec_without_base_url_says_what_to_write() -> None:
    with pytest.raises(ModelError, match="expected openai-compat:MODEL@BASE_URL"):
        create_model(resolve_entry("openai-compat:tiny"))


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("localhost:8080/v1", "needs an http:// or https:// scheme: write 'http://localhost:8080/v1'"),
        ("ftp://127.0.0.1:8080/v1", "needs an http:// or https:// scheme: write 'http://127.0.0.1:8080/v1'"),
        ("http://127.0.0.1:99999/v1", "has a bad port: expected a number from 1 to 65535"),
        ("http://127.0.0.1:80a/v1", "has a bad port"),
        ("http://127.0.0.1:0/v1", "has a bad port"),
        ("http:///v1", "has no host"),
    ],
)
def test_a_bad_base_url_names_the_url_and_what_is_wrong(url: str, message: str) -> None:
    with pytest.raises(ModelError, match=message) as info:
        create_model(resolve_entry(f"openai-compat:m@{url}"))
    assert f"openai-compat:m@{url}" in str(info.value) and repr(url) in str(info.value)


def test_a_bad_base_url_names_the_entry_it_came_from() -> None:
    entry = ModelEntry(spec="openai-compat:m@127.0.0.1:8080/v1", display_name="local")
    with pytest.raises(ModelError, match=r"^model entry 'local': openai-compat:m@127\.0\.0\.1:8080/v1: base URL"):
        create_model(entry)


async def test_concurrency_is_bounded_per_endpoint() -> None:
    with ThreadedServer(ServerState(delay_s=0.05)) as server:
        model = _model(server, max_concurrency=4)
        # The adapter's connection pool bounds what reaches the server, whatever the caller does.
        await asyncio.gather(*(model.chat(REQ) for _ in range(12)))
        await model.aclose()
    assert len(server.state.received) == 12
    assert server.state.peak_in_flight == 4
