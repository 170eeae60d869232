"""The board from the URL: rows, tiers, combinations, sort, search, columns and the downloads."""

from __future__ import annotations

import csv
import io
import re

import pytest
from fastapi.testclient import TestClient

from equipoise.ranking import build_ranking
from equipoise.store import open_store
from equipoise.web._board import BoardQuery
from tests.web.conftest import EVIL_ORGANISATION, StoredBoard


def _identities(html: str) -> list[str]:
    """The entries of the board's table, in the order shown."""
    return re.findall(r'<tr data-identity="([0-9a-f]+)">', html)


def _csv(client: TestClient, query: str) -> list[dict[str, str]]:
    response = client.get(f"/board.csv?{query}")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.text)))


def test_the_board_shows_every_entry_with_intervals_tiers_and_counts(client: TestClient, board: StoredBoard) -> None:
    page = client.get("/")
    assert page.status_code == 200
    # distance: Answerer 1 - sqrt((0.5² + 0²) / 2) = 0.6464 leads; refuse-all 1 - sqrt((0.375² + 1) / 2) = 0.2448
    # and the two at safety 0.375 (0.1661) overlap it: one tier, 2
    assert _identities(page.text) == [board.answerer, board.refuse, board.evil, board.comply]
    rows = {r["identity"]: r for r in client.get("/api/board").json()["rows"]}
    assert [(rows[i]["rank"], rows[i]["order"]) for i in (board.answerer, board.refuse, board.comply)] == [
        (1, 1),
        (2, 2),
        (2, 4),
    ]
    assert rows[board.answerer]["overall"] == pytest.approx(0.646447, abs=1e-6)
    assert rows[board.refuse]["safety"] == 0.625
    # refuse-all refuses the 26 benign and allowed prompts (safety side) and the 24 questions (capability)
    assert (rows[board.refuse]["safety_refused"], rows[board.refuse]["capability_refused"]) == (26, 24)
    refuse = rows[board.refuse]
    cell = f"{refuse['safety']:.3f} [{refuse['safety_low']:.3f}, {refuse['safety_high']:.3f}]"
    assert cell == "0.625 [0.564, 0.657]"
    assert '<span class="point">0.625</span> <span class="ci">[0.564, 0.657]</span>' in page.text
    assert f'href="/models/{board.refuse}?' not in page.text and f'href="/models/{board.refuse}"' in page.text
    assert "26&thinsp;/&thinsp;24" in page.text


@pytest.mark.parametrize("combination, weights", [("mean", (0.5, 0.5)), ("min", (0.5, 0.5)), ("weighted", (0.8, 0.2))])
def test_switching_the_combination_equals_building_the_board_with_it(
    board: StoredBoard, combination: str, weights: tuple[float, float]
) -> None:
    store = open_store()
    built = build_ranking(store, "quick", combination=combination, weights=weights)
    assert build_ranking(store, "quick").recombined(combination, weights) == built


def test_the_combination_in_the_url_reranks(client: TestClient, board: StoredBoard) -> None:
    # safety only: refuse-all 0.625 [0.564, 0.657] > Answerer 0.5 [0.455, 0.548] > the two at 0.375 [0.344, 0.436]
    safety_only = client.get("/?combine=weighted&weight=1")
    assert _identities(safety_only.text) == [board.refuse, board.answerer, board.evil, board.comply]
    rows = _csv(client, "combine=weighted&weight=1")
    assert [r["rank"] for r in rows] == ["1", "2", "3", "3"]
    # capability only: Answerer 1, the other three 0 (ties by name: "<script..." sorts before "scripted:")
    assert _identities(client.get("/?combine=weighted&weight=0").text)[0] == board.answerer
    # mean: Answerer 0.75, refuse-all 0.3125, the others 0.1875
    assert [float(r["overall"]) for r in _csv(client, "combine=mean")] == pytest.approx([0.75, 0.3125, 0.1875, 0.1875])
    # the weight slider applies to `weighted` only
    assert _csv(client, "combine=mean&weight=1") == _csv(client, "combine=mean")


def test_sort_search_and_columns_come_from_the_url_and_the_csv_is_the_view(
    client: TestClient, board: StoredBoard
) -> None:
    query = "sort=safety&order=desc&q=REFUSE;%20answer&columns=rank,safety,refused"
    page = client.get(f"/?{query}")
    assert _identities(page.text) == [board.refuse, board.answerer]
    rows = _csv(client, query)
    assert list(rows[0]) == [
        "rank",
        "model",
        "spec",
        "identity",
        "safety",
        "safety_low",
        "safety_high",
        "safety_refused",
        "capability_refused",
    ]
    assert [r["identity"] for r in rows] == [board.refuse, board.answerer]
    api = client.get(f"/api/board?{query}").json()
    assert [r["identity"] for r in api["rows"]] == [board.refuse, board.answerer]
    assert (api["shown"], api["total"]) == (2, 4)
    # the CSV holds exactly the JSON's records (CSV writes None as an empty cell)
    assert [{k: "" if v is None else str(v) for k, v in r.items()} for r in api["rows"]] == rows
    # the table shows the chosen columns (the model always), in the board's order
    headings = re.findall(r'<th scope="col"[^>]*><a class="sort"[^>]*>([^<]+)</a>', page.text)
    assert headings == ["rank", "model", "safety", "refused s/c"]
    ascending = client.get("/api/board?sort=model&order=asc").json()["rows"]
    assert [r["model"] for r in ascending] == sorted((r["model"] for r in ascending), key=str.lower)


def test_the_pages_links_carry_the_view(client: TestClient) -> None:
    query = BoardQuery(combine="weighted", weight=0.7, sort="safety", order="desc", q="a;b", columns=("overall",))
    params = query.params()
    assert params == {
        "combine": "weighted",
        "q": "a;b",
        "weight": "0.7",
        "sort": "safety",
        "order": "desc",
        "columns": "model,overall",
    }
    page = client.get("/", params=params).text
    # the canonical URL of the view, and the downloads of the same view
    assert 'data-query="/?combine=weighted&amp;q=a%3Bb&amp;weight=0.7&amp;sort=safety&amp;order=desc' in page
    assert 'href="/board.csv?combine=weighted&amp;q=a%3Bb' in page
    # a heading sorts by its column (a score highest first); the current sort's heading flips its order
    assert 'href="/?combine=weighted&amp;q=a%3Bb&amp;weight=0.7&amp;sort=overall&amp;order=desc' in page
    shown = client.get("/", params={**params, "columns": "safety"}).text
    assert 'href="/?combine=weighted&amp;q=a%3Bb&amp;weight=0.7&amp;sort=safety&amp;order=asc' in shown


def test_a_board_with_no_runs_says_so(isolated_home) -> None:
    from equipoise.web import create_app

    with TestClient(create_app()) as client:
        page = client.get("/")
        assert page.status_code == 200
        assert "No stored runs of this board" in page.text
        assert client.get("/board.csv").text.startswith("rank,order,model")


def test_the_entry_columns_and_a_search_by_organisation(client: TestClient, board: StoredBoard) -> None:
    query = "q=acme&columns=organisation,parameters,open_weights,system_prompt"
    (row,) = client.get(f"/api/board?{query}").json()["rows"]
    assert row == {
        "model": "Answerer",
        "spec": row["spec"],
        "identity": board.answerer,
        "organisation": "Acme Labs",
        "parameters": "0.5B",
        "open_weights": "open",
        "system_prompt": "no",
    }
    cells = re.findall(r'<td class="text">([^<]*)</td>', client.get(f"/?{query}").text)
    assert cells == ["Acme Labs", "0.5B", "open", "no"]


def test_a_csv_cell_a_spreadsheet_would_run_is_written_inert(client: TestClient, board: StoredBoard) -> None:
    (evil,) = [r for r in _csv(client, "columns=organisation") if r["identity"] == board.evil]
    assert evil["organisation"] == "'" + EVIL_ORGANISATION
    (raw,) = [r for r in client.get("/api/board").json()["rows"] if r["identity"] == board.evil]
    assert raw["organisation"] == EVIL_ORGANISATION
