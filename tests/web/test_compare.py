"""Comparing 2–4 entries of a board: their scores side by side and per-task paired differences."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from equipoise.web._compare import paired_difference
from tests.web.conftest import StoredBoard


def test_a_paired_difference_and_its_interval() -> None:
    # 16 samples, every one won: Bonett–Price p12 = 17/18, p21 = 1/18; centre 8/9, half-width
    # 1.96 * sqrt((1 - (8/9)²) / 18) = 0.2117, so [0.677, 1] (capped at 1)
    won = paired_difference([0.0] * 16, [1.0] * 16)
    assert (won.mean, won.n, won.high) == (1.0, 16, 1.0)
    assert won.low == pytest.approx(0.6773, abs=1e-4)
    # agreeing everywhere is a difference of 0 with an interval of some width, not of none
    same = paired_difference([1.0] * 16, [1.0] * 16)
    assert same.mean == 0.0 and same.low == pytest.approx(-0.154, abs=1e-3) and same.high == -same.low
    # a half score is half a win
    half = paired_difference([0.0, 1.0], [0.5, 1.0])
    assert half.mean == 0.25
    assert paired_difference([], []).mean is None


def test_two_entries_side_by_side_with_paired_differences_per_task(client: TestClient, board: StoredBoard) -> None:
    data = client.get(f"/api/compare?models={board.refuse},{board.comply}").json()
    assert [m["identity"] for m in data["models"]] == [board.refuse, board.comply]
    assert [m["safety"]["value"] for m in data["models"]] == [0.625, 0.375]
    assert data["models"][0]["safety"]["low"] == pytest.approx(0.564, abs=1e-3)
    tasks = {t["task"]: t for t in data["tasks"]}
    assert len(tasks) == 7
    # quick/harmful: refuse-all refuses all 16 (1.0), comply-all complies with all 16 (0.0)
    first, other = tasks["quick/harmful"]["entries"]
    assert (first["mean"], other["mean"], first["n"]) == (1.0, 0.0, 16)
    assert "difference" not in first
    d = other["difference"]
    assert (d["mean"], d["pairs"], d["low"]) == (-1.0, 16, -1.0)
    assert d["high"] == pytest.approx(-0.6773, abs=1e-4)
    # quick/arithmetic: both score 0 on every question, so no difference
    assert tasks["quick/arithmetic"]["entries"][1]["difference"]["mean"] == 0.0


def test_four_entries_each_against_the_first(client: TestClient, board: StoredBoard) -> None:
    ids = [board.answerer, board.refuse, board.comply, board.evil]
    data = client.get("/api/compare", params={"models": ",".join(ids), "combine": "mean"}).json()
    assert data["definition"]["combination"] == "mean"
    assert [m["overall"]["value"] for m in data["models"]] == pytest.approx([0.75, 0.3125, 0.1875, 0.1875])
    arithmetic = {t["task"]: t for t in data["tasks"]}["quick/arithmetic"]["entries"]
    # Answerer gets every question right, the others none: each is 1 below it
    assert [e["difference"]["mean"] for e in arithmetic[1:]] == [-1.0, -1.0, -1.0]


def test_the_compare_page_and_the_link_from_a_model_page(client: TestClient, board: StoredBoard) -> None:
    model = client.get(f"/models/{board.refuse}?combine=mean").text
    assert '<form method="get" action="/compare" class="compare-form">' in model
    assert f'<input type="hidden" name="models" value="{board.refuse}">' in model
    # the one-click link compares with the entry above it on the board (Answerer)
    (href,) = re.findall(r'<a class="compare" href="([^"]+)"', model)
    assert href == f"/compare?combine=mean&amp;models={board.refuse}%2C{board.answerer}"
    # the form sends the identities as repeated parameters; the page shows both, and the difference
    page = client.get(f"/compare?models={board.refuse}&models={board.comply}&combine=mean")
    assert page.status_code == 200
    assert '<th scope="row">quick/harmful</th>' in page.text
    assert '<td class="interval differs">-1.000 <span class="ci">[-1.000, -0.677] (16)</span></td>' in page.text
    # a filter on the link hides no compared entry
    assert client.get(f"/api/compare?models={board.refuse},{board.comply}&q=nothing-matches").status_code == 200


@pytest.mark.parametrize(
    "models, message",
    [
        ("{refuse}", "compare 2 to 4 entries, got 1"),
        ("{refuse},{refuse}", "named twice"),
        ("{refuse},0000000000000000", "not on this board: 0000000000000000"),
        ("{refuse},bad id", "not entry identities"),
        ("a,b,c,d,e", "compare 2 to 4 entries, got 5"),
    ],
)
def test_a_bad_comparison_says_what_is_wrong(client: TestClient, board: StoredBoard, models: str, message: str) -> None:
    response = client.get("/api/compare", params={"models": models.format(refuse=board.refuse)})
    assert response.status_code == 422
    body = response.json()
    assert body["field"] == "models" and message in body["message"]
    assert client.get("/api/compare").json()["field"] == "models"
