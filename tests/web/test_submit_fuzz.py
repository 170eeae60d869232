"""Whatever is posted to the submission routes, the answer is a refusal or a submission, never a 500."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from equipoise.settings import get_settings
from equipoise.web import create_app
from tests.openai_server import free_port

FIELDS = ("name", "organisation", "submitter", "base_url", "model", "api_key", "spec", "system_prompt", "suites")
NUMBERS = ("temperature", "max_tokens", "top_p", "seed", "limit")
# nothing listens here: a well-formed URL is refused by the endpoint check at once
DEAD = f"http://127.0.0.1:{free_port()}/v1"

values = st.one_of(st.none(), st.text(max_size=40), st.integers(), st.floats(allow_nan=False, allow_infinity=False))
bodies = st.fixed_dictionaries(
    {},
    optional={
        **{f: st.one_of(values, st.lists(st.text(max_size=10), max_size=3)) for f in FIELDS},
        **{f: values for f in NUMBERS},
        "base_url": st.one_of(st.just(DEAD), st.text(max_size=30), st.just("http://[::1")),
        "extra": values,
    },
)


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    # one store for all examples: the per-test home fixture does not run per example
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("EQUIPOISE_ENDPOINT_CHECK_TIMEOUT_S", "1")
        get_settings.cache_clear()
        url = f"sqlite:///{tmp_path_factory.mktemp('fuzz') / 'store.sqlite'}"
        with TestClient(create_app(url), raise_server_exceptions=False) as c:
            yield c
        get_settings.cache_clear()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=bodies)
def test_posting_anything_as_json_is_never_a_server_error(client: TestClient, body: dict) -> None:
    response = client.post("/api/submissions", json=body)
    assert response.status_code in (201, 409, 422, 429), response.text
    if response.status_code != 201:
        assert set(response.json()) >= {"message", "field"}


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.dictionaries(st.sampled_from((*FIELDS, *NUMBERS, "x")), st.text(max_size=20), max_size=6))
def test_posting_anything_in_the_form_is_never_a_server_error(client: TestClient, body: dict) -> None:
    response = client.post("/submit", data=body, follow_redirects=False)
    assert response.status_code in (303, 409, 422, 429), response.text
