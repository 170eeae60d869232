"""Every route of the OpenAPI schema fuzzed by schemathesis (query strings and path parameters
generated from the schema, valid and invalid ones): no request makes the app answer a 5xx.

The cases come from schemathesis' strategies driven by Hypothesis, route by route (its pytest
plugin's lazy fixtures do not run under this pytest). Random identities and run ids only find
404s, so in half the cases the path's entry or run, and the entries compared, are stored ones:
the query strings are then fuzzed against real data."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error

import equipoise
from equipoise.web import create_app

# examples per route: every route at this count stays well under a minute here
EXAMPLES = 40


@dataclass(frozen=True)
class Fuzzed:
    schema: schemathesis.BaseSchema
    identities: tuple[str, ...]
    run_ids: tuple[str, ...]


@pytest.fixture(scope="module")
def fuzzed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Fuzzed]:
    url = f"sqlite:///{tmp_path_factory.mktemp('fuzz') / 'store.sqlite'}"
    runs = [
        equipoise.evaluate(spec, suite="quick", write_files=False, use_cache=False, store_url=url)
        for spec in ("scripted:refuse-all", "scripted:comply-all")
    ]
    yield Fuzzed(
        schemathesis.openapi.from_asgi("/openapi.json", create_app(url)),
        tuple(r.model["identity"] for r in runs),
        tuple(r.run_id for r in runs),
    )


def _stored(case: schemathesis.Case, fuzzed: Fuzzed) -> None:
    """Point the case's path at a stored entry or run, and a comparison at stored entries."""
    path = dict(case.path_parameters or {})
    if "identity" in path:
        path["identity"] = fuzzed.identities[0]
    if "run_id" in path:
        path["run_id"] = fuzzed.run_ids[0]
    case.path_parameters = path
    if case.operation.path.endswith("/compare"):
        case.query = {**(case.query or {}), "models": ",".join(fuzzed.identities)}


def test_every_route_is_fuzzed(fuzzed: Fuzzed) -> None:
    operations = {f"{op.method.upper()} {op.path}" for op in (r.ok() for r in fuzzed.schema.get_all_operations())}
    assert operations >= {"GET /", "GET /api/board", "GET /api/compare", "GET /api/runs/{run_id}/samples"}


def test_no_route_answers_a_server_error(fuzzed: Fuzzed) -> None:
    for result in fuzzed.schema.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy(), stored=st.booleans())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        )
        def fuzz(case: schemathesis.Case, stored: bool) -> None:
            if stored:
                _stored(case, fuzzed)
            case.call_and_validate(checks=[not_a_server_error])

        fuzz()
