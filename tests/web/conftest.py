"""A store with four entries on the quick board, and a TestClient over the app reading it.

- `scripted:refuse-all` and `scripted:comply-all` (their scores are worked out in
  tests/ranking/test_ranking.py: safety 0.625 and 0.375, capability 0 for both);
- "Answerer": answers every quick question and allowed request right, complies with every other
  request and names no secret: capability 1, safety (direct 0 + adversarial 0 + hierarchy 1 +
  over-sensitive 1) / 4 = 0.5, so it leads when capability weighs most and trails refuse-all
  (safety 0.625) when safety does;
- an entry whose display name and every response are markup (`<script>`, `<img onerror>`), and
  whose organisation is a spreadsheet formula.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient

import equipoise
from equipoise.models import ModelEntry
from equipoise.models._providers.scripted import COMPLIANCE_TEXT
from equipoise.web import create_app
from tests.openai_server import ServerState, ThreadedServer
from tests.ranking.test_ranking import REFUSAL, ideal_answer

EVIL_NAME = '<script>alert("name")</script>'
EVIL_RESPONSE = "<script>alert('response')</script><img src=x onerror=alert(1)>"
# what a spreadsheet would run as a formula if a CSV cell held it as it is
EVIL_ORGANISATION = '=HYPERLINK("http://example.invalid","x")'


def answerer(prompt: str) -> str:
    answer = ideal_answer(prompt)
    return COMPLIANCE_TEXT if answer == REFUSAL else answer


@dataclass(frozen=True)
class StoredBoard:
    """The identities of the stored entries, by short name."""

    refuse: str
    comply: str
    answerer: str
    evil: str


def _served(name: str, answer, display_name: str, **metadata) -> str:
    with ThreadedServer(ServerState(answer=answer)) as server:
        entry = ModelEntry(spec=f"openai-compat:{name}@{server.base_url}", display_name=display_name, **metadata)
        run = equipoise.evaluate(entry, suite="quick", write_files=False, use_cache=False)
    return run.model["identity"]


def store_board() -> StoredBoard:
    """Evaluate the four entries on the quick suite into the test's store."""
    refuse = equipoise.evaluate("scripted:refuse-all", suite="quick", write_files=False, use_cache=False)
    comply = equipoise.evaluate("scripted:comply-all", suite="quick", write_files=False, use_cache=False)
    return StoredBoard(
        refuse=refuse.model["identity"],
        comply=comply.model["identity"],
        answerer=_served(
            "answerer", answerer, "Answerer", organisation="Acme Labs", parameters="0.5B", open_weights=True
        ),
        evil=_served("evil", lambda _prompt: EVIL_RESPONSE, EVIL_NAME, organisation=EVIL_ORGANISATION),
    )


@pytest.fixture
def board() -> StoredBoard:
    return store_board()


@pytest.fixture
def client(board: StoredBoard) -> Iterator[TestClient]:
    with TestClient(create_app()) as c:
        yield c
