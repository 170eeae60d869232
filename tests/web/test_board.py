"""The board from the URL: rows, tiers, combinations, sort, search, columns and the downloads."""

from __future__ import annotations

import csv
import io
import re

import pytest
from fastapi.testclient import TestClient
from markupsafe import escape

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


def _shown(client: TestClient, query: str) -> list[str]:
    response = client.get(f"/api/board?{query}")
    assert response.status_code == 200, response.text
    return [r["identity"] for r in response.json()["rows"]]


def test_the_filters_narrow_the_rows_and_keep_the_plain_order(client: TestClient, board: StoredBoard) -> None:
    everyone = [board.answerer, board.refuse, board.evil, board.comply]
    # only Answerer's entry says it has open weights and 0.5B parameters; none sends a system prompt
    assert _shown(client, "type=open") == [board.answerer]
    assert _shown(client, "type=closed") == []
    assert _shown(client, "type=unprompted") == everyone
    assert _shown(client, "type=prompted") == []
    # within one dimension any value, across dimensions all: open or closed, and without a system prompt
    assert _shown(client, "type=open,closed&type=unprompted") == [board.answerer]
    assert _shown(client, "size=under-1b") == [board.answerer]
    assert _shown(client, "size=unknown") == [board.refuse, board.evil, board.comply]
    assert _shown(client, "size=1-3b,3-10b") == []
    assert _shown(client, "org=ACME%20LABS") == [board.answerer]
    assert _shown(client, "org=unknown") == [board.refuse, board.comply]
    assert _shown(client, "org=Acme%20Labs;unknown&sort=model") == [board.answerer, board.comply, board.refuse]
    assert _shown(client, "type=open&org=unknown") == []
    # the filtered view keeps each row's place on the whole board and its download is the same rows
    api = client.get("/api/board?org=unknown&columns=order,overall").json()
    assert [r["order"] for r in api["rows"]] == [2, 4]
    assert (api["shown"], api["total"], api["query"]["org"]) == (2, 4, "unknown")
    assert [r["identity"] for r in _csv(client, "org=unknown&columns=order,overall")] == [board.refuse, board.comply]
    assert set(_csv(client, "org=unknown&columns=order,overall")[0]) >= {"overall", "overall_low", "overall_high"}


def test_the_filters_are_in_the_url_and_the_form(client: TestClient, board: StoredBoard) -> None:
    query = BoardQuery(type=("unprompted", "open"), size=("under-1b",), org=("Acme Labs", "unknown"))
    assert query.params() == {"type": "open,unprompted", "size": "under-1b", "org": "Acme Labs;unknown"}
    page = client.get("/", params=query.params()).text
    assert _identities(page) == [board.answerer]
    assert '<details class="filters" open>' in page
    for name, value in (("type", "open"), ("type", "unprompted"), ("size", "under-1b"), ("org", "Acme Labs")):
        assert f'name="{name}" value="{value}" checked>' in page
    assert 'name="type" value="closed">' in page
    # the organisations to choose from are those on the board, the unnamed as "unknown"
    orgs = re.findall(r'name="org" value="([^"]*)"', page)
    assert orgs == [str(escape(EVIL_ORGANISATION)), "Acme Labs", "unknown"]
    assert 'href="/board.csv?type=open%2Cunprompted&amp;size=under-1b&amp;org=Acme+Labs%3Bunknown"' in page
    # the release chooser lists the releases with runs, the board's first
    (release,) = {r["safety_release"] for r in client.get("/api/board?columns=release").json()["rows"]}
    assert f'<select name="release"><option value="">newest</option><option>{release}</option></select>' in page


def test_an_entry_that_does_not_say_shows_unknown(client: TestClient, board: StoredBoard) -> None:
    query = f"q={board.refuse}&columns=organisation,parameters,open_weights,tuning,system_prompt"
    (row,) = client.get(f"/api/board?{query}").json()["rows"]
    assert [row[k] for k in ("organisation", "parameters", "open_weights", "tuning", "system_prompt")] == [
        None,
        None,
        None,
        None,
        "no",
    ]
    cells = re.findall(r'<td class="text">([^<]*)</td>', client.get(f"/?{query}").text)
    assert cells == ["unknown", "unknown", "unknown", "unknown", "no"]


def test_sorting_by_size_sorts_by_the_parameter_count(client: TestClient, board: StoredBoard) -> None:
    rows = client.get("/api/board?sort=parameters&order=desc&columns=parameters").json()["rows"]
    # the one size known first, the unknown after it either way
    assert [r["parameters"] for r in rows] == ["0.5B", None, None, None]


def test_requests_for_a_board_being_built_wait_for_it_instead_of_building_it_again(board: StoredBoard) -> None:
    import threading
    import time

    from equipoise.web._board import RankingCache

    calls = []

    def slow_build(*args, **kwargs):
        calls.append(args[1])
        time.sleep(0.3)
        return build_ranking(*args, **kwargs)

    cache, store = RankingCache(build=slow_build), open_store()
    boards = []
    threads = [threading.Thread(target=lambda: boards.append(cache.get(store, BoardQuery()))) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert calls == ["quick"]
    assert len(boards) == 8 and all(b is boards[0] for b in boards)


def test_the_category_columns_carry_their_intervals_into_the_downloads(client: TestClient, board: StoredBoard) -> None:
    (refuse,) = [r for r in _csv(client, "columns=direct_risky,over_sensitive") if r["identity"] == board.refuse]
    # refuse-all refuses all 16 harmful requests (1.0) and all 16 benign ones (0.0): neither interval is a point
    assert (refuse["direct_risky"], refuse["over_sensitive"]) == ("1.0", "0.0")
    assert float(refuse["direct_risky_low"]) < 1.0 == float(refuse["direct_risky_high"])
    assert float(refuse["over_sensitive_low"]) == 0.0 < float(refuse["over_sensitive_high"])
    entry = client.get(f"/api/models/{board.refuse}").json()
    assert entry["category_intervals"]["direct_risky"]["low"] == pytest.approx(float(refuse["direct_risky_low"]))
    compared = client.get(f"/api/compare?models={board.refuse},{board.comply}").json()
    assert compared["models"][0]["categories"]["direct_risky"]["low"] == pytest.approx(
        float(refuse["direct_risky_low"])
    )
    bars = client.get("/api/charts").json()["categories"]
    (row,) = [m for m in bars["models"] if m["identity"] == board.refuse]
    assert row["low"][0] == pytest.approx(float(refuse["direct_risky_low"]))


def test_concurrent_requests_share_run_id_reads_and_each_sees_the_runs_stored_before_it(board: StoredBoard) -> None:
    import threading
    import time

    import equipoise
    from equipoise.web._board import RunIds

    store, reads = open_store(), []
    real = store.run_ids

    def slow_run_ids(suite: str | None = None) -> list[str]:
        reads.append(time.monotonic())
        time.sleep(0.05)
        return real(suite)

    store.run_ids = slow_run_ids  # type: ignore[method-assign]
    run_ids, seen = RunIds(), []
    threads = [threading.Thread(target=lambda: seen.append(run_ids.get(store))) for _ in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # 16 requests at once: the first read, then one read for all who arrived during it
    assert len(seen) == 16 and len(reads) <= 3
    assert len(set(seen)) == 1 and len(seen[0]) == 4
    # a run stored before a request is in what that request gets
    stored = equipoise.evaluate("scripted:echo", suite="quick", write_files=False, use_cache=False)
    assert stored.run_id in run_ids.get(store)
