"""The pages: text from models and users shown as text, the model page, about, charts offline."""

from __future__ import annotations

import html
import json
import re

from fastapi.testclient import TestClient
from markupsafe import escape

from equipoise._registry import entries
from equipoise.results import Agreement, JudgeCheck
from equipoise.store import open_store
from equipoise.tasks import all_tasks
from tests.web.conftest import EVIL_NAME, EVIL_RESPONSE, StoredBoard


def _no_markup_from_the_model(page: str) -> None:
    assert "<script>alert" not in page and "<img src=x" not in page


def test_a_name_and_responses_made_of_markup_are_shown_as_text(client: TestClient, board: StoredBoard) -> None:
    pages = {
        "/": client.get("/").text,
        "/?q=script": client.get("/?q=<script>").text,
        "/charts": client.get("/charts").text,
        "/models": client.get(f"/models/{board.evil}").text,
    }
    for url, page in pages.items():
        _no_markup_from_the_model(page)
        assert str(escape(EVIL_NAME)) in page, url
    assert str(escape(EVIL_RESPONSE)) in pages["/models"]
    # the search box shows what was typed, as text
    assert 'value="&lt;script&gt;"' in pages["/?q=script"]
    # the charts' figures travel in attributes; Plotly reads names and labels as HTML, so they are escaped once more
    figures = [json.loads(html.unescape(a)) for a in re.findall(r'data-figure="([^"]*)"', pages["/charts"])]
    assert len(figures) == 3
    (scatter, heat_map, bars) = figures
    assert any(html.escape(EVIL_NAME, quote=False) in t.get("name", "") for t in scatter["data"])
    assert any(html.escape(EVIL_NAME, quote=False) in y for y in heat_map["data"][0]["y"])
    assert any(html.escape(EVIL_NAME, quote=False) in x for x in bars["data"][0]["x"])
    assert "<script" not in json.dumps(figures) and "<img" not in json.dumps(figures)


def test_the_model_page_shows_scores_tasks_manifest_examples_and_history(
    client: TestClient, board: StoredBoard
) -> None:
    page = client.get(f"/models/{board.refuse}").text
    assert '<span class="point">0.625</span> <span class="ci">[0.564, 0.657]</span>' in page
    # refuse-all on quick/benign_scary: 16 samples, all refused, mean 0
    assert re.search(
        r"<th scope=\"row\">quick/benign_scary</th><td>over_sensitive</td><td>16</td><td>16</td>"
        r"<td>0</td><td>0</td><td>16</td><td class=\"interval\"><span class=\"point\">0.000</span>",
        page,
    )
    (stored,) = [r for r in open_store().list_runs() if r["model"]["identity"] == board.refuse]
    sha = stored["manifest"]["data_files"]["quick/data/harmful.jsonl"]["sha256"]
    assert f"<code>{sha}</code>" in page
    assert '<details class="content-warning">' in page and "Content warning" in page
    assert "<h2>Safety by attack</h2>" in page and '<th scope="row">base64</th><td>1</td>' in page
    assert f"<code>{stored['run_id']}</code>" in page


def test_a_second_run_of_an_entry_is_in_its_history_and_the_newest_is_used(client: TestClient) -> None:
    import equipoise

    first = client.get("/api/board").json()["rows"]
    identity = next(r["identity"] for r in first if r["model"] == "scripted:refuse-all")
    again = equipoise.evaluate("scripted:refuse-all", suite="quick", write_files=False, use_cache=False)
    entry = client.get(f"/api/models/{identity}").json()
    assert len(entry["history"]) == 2
    assert [m["run_id"] for m in entry["manifests"]] == [again.run_id]
    # the board itself picked the new run up without a restart
    rows = client.get("/api/board?columns=rank").json()["rows"]
    assert len(rows) == 4


def test_about_is_generated_from_the_registries_and_the_stored_checks(client: TestClient) -> None:
    agreement = Agreement(n=40, accuracy=0.9, precision=0.8, recall=0.75, f1=0.774, kappa=0.61, tp=6, fp=2, fn=2, tn=30)
    open_store().record_judge_checks(
        [JudgeCheck(file="labels.jsonl", task="harm", judge="mini-v2", n=40, unparseable=0, agreement=agreement)],
        "a" * 64,
    )
    page = client.get("/about").text
    for t in all_tasks():
        assert f'<th scope="row">{html.escape(t.name)}' in page
    for a in entries("attack"):
        assert f'<th scope="row">{a.name}</th>' in page
    assert "<code>1 - sqrt(((1 - s)^2 + (1 - c)^2) / 2)</code>" in page
    assert "<td>labels.jsonl</td><td>40</td><td>40</td><td>0.900</td><td>0.800</td><td>0.750</td>" in page
    about = client.get("/api/about").json()
    (mini,) = [j for j in about["judges"] if j["name"] == "mini"]
    assert mini["checks"][0]["kappa"] == 0.61
    quick = {t["name"]: t for t in about["tasks"]}["quick/harmful"]
    # n where known: the stored runs had 16 samples of it
    assert (quick["n"], quick["scorer"], quick["category"]) == (16, "harm", "direct_risky")


def test_charts_are_served_by_the_app(client: TestClient) -> None:
    from plotly.offline import get_plotlyjs

    page = client.get("/charts?combine=min").text
    assert '<script src="/static/plotly.min.js" defer></script>' in page
    assert "cdn" not in page.lower()
    assert "overall = min, <code>min(s, c)</code>" in page
    js = client.get("/static/plotly.min.js")
    assert js.status_code == 200 and js.text == get_plotlyjs()
    # the table view beside the chart holds every placed entry
    assert page.count('<th scope="row"><a href="/models/') == 4


def test_the_model_page_says_what_is_known_of_the_entry(client: TestClient, board: StoredBoard) -> None:
    page = client.get(f"/models/{board.answerer}").text
    assert "organisation Acme Labs · size 0.5B · open weights · unknown tuning · without system prompt" in page
    assert "organisation unknown · size unknown · unknown weights" in client.get(f"/models/{board.refuse}").text
