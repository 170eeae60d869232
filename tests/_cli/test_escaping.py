"""Names, responses and paths from users, models and data files print as text: never Rich markup,
their control characters shown, not obeyed by the terminal, in every command that lists them."""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from equipoise._registry import _REGISTRY, registrar
from equipoise.cli import app
from equipoise.datasets import DataFile, FieldSpec
from equipoise.scoring import HarmScorer
from equipoise.settings import get_settings
from equipoise.store import open_store
from equipoise.tasks import Task
from equipoise.tasks._task import _register

runner = CliRunner()

# A closing tag with no opening one (Rich raised MarkupError), a bracketed word (Rich dropped it as
# an unknown style), a hyperlink tag, and terminal sequences: colour (SGR), an OSC 8 hyperlink,
# clear-screen, a C1 CSI and a right-to-left override.
EVIL = "[/x] evil"
GUARDED = "qwen [guarded]"
LINK = "[link=file:///etc/passwd]click[/link]"
ESCAPES = "ansi \x1b[31mred \x1b]8;;http://x\x1b\\link \x1b[2J\x9b1m \u202eaw"
# ESCAPES as it must appear: each control character as its Python escape.
ESCAPES_SHOWN = r"ansi \x1b[31mred \x1b]8;;http://x\x1b\link \x1b[2J\x9b1m \u202eaw"
# Rich's own styling (the consoles below are terminals); what is left after removing it must hold no ESC.
RICH_STYLE = re.compile(r"\x1b\[[0-9;]*m")


@pytest.fixture(autouse=True)
def terminal_consoles(monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI's consoles as a colour terminal, so Rich would obey markup, links and escapes."""
    for module in [m for name, m in sys.modules.items() if name.startswith("equipoise._cli")]:
        for attr, stderr in (("console", False), ("err", True)):
            if isinstance(getattr(module, attr, None), Console):
                console = Console(force_terminal=True, color_system="truecolor", width=200, stderr=stderr)
                monkeypatch.setattr(module, attr, console)


@pytest.fixture
def hostile_task(tmp_path: Path) -> Iterator[Path]:
    """A registered task (suite `hostile`) whose prompts, and so scripted:echo's responses, and
    sample ids are hostile text; yields its data directory, whose path is hostile too."""
    data_dir = tmp_path / "[/x] data \x1b[2J"
    (data_dir / "safety").mkdir(parents=True)
    rows = [
        {"id": "[/id]", "prompt": "[/INST] done"},
        {"id": "link", "prompt": LINK},
        {"id": "esc\x1b[2J", "prompt": ESCAPES},
    ]
    (data_dir / "safety" / "hostile.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    _register("test/hostile")(
        lambda: Task(
            "test/hostile",
            (DataFile("safety/hostile.jsonl", to_sample=FieldSpec()),),
            HarmScorer(),
            ("hostile",),
            "direct_risky",
        )
    )
    try:
        yield data_dir
    finally:
        _REGISTRY["task"].pop("test/hostile")


def _squashed(text: str) -> str:
    """`text` without whitespace: a long path in a table title or cell is wrapped."""
    return "".join(text.split())


def _invoke(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    # The consoles are terminals: Rich styled the output (else this test could not see a leak).
    assert RICH_STYLE.search(result.output)
    plain = RICH_STYLE.sub("", result.output)
    assert "\x1b" not in plain, plain  # no hyperlink, clear-screen or other sequence
    assert "\x9b" not in plain and "\u202e" not in plain
    # Every time ESCAPES' first word is shown, the rest follows escaped (a raw SGR would be gone).
    assert plain.count("ansi ") == plain.count(ESCAPES_SHOWN), plain
    return plain


def test_every_listing_prints_stored_names_and_responses_as_text(
    hostile_task: Path, tmp_path: Path, fresh_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # On a new SQLite file and a team's PostgreSQL store alike.
    monkeypatch.setenv("EQUIPOISE_DATABASE_URL", fresh_url)
    get_settings.cache_clear()
    for spec, name in (("scripted:echo", EVIL), ("scripted:refuse-all", GUARDED), ("scripted:comply-all", ESCAPES)):
        shown = _invoke("eval", "-m", spec, "--name", name, "--suite", "quick", "--limit", "1")
        assert (ESCAPES_SHOWN if name == ESCAPES else name) in shown
    responses = _invoke(
        "eval", "-m", "scripted:echo", "--name", EVIL, "--tasks", "test/hostile",
        "--data-dir", str(hostile_task),
    )  # fmt: skip
    assert "test/hostile" in responses

    listed = _invoke("results")
    for name in (EVIL, GUARDED, ESCAPES_SHOWN):
        assert name in listed

    board = _invoke("rank", "--suite", "quick")
    for name in (EVIL, GUARDED, ESCAPES_SHOWN):
        assert name in board
    html = tmp_path / "[bold] board \x1b[2J.html"
    assert f"wrote {tmp_path}/[bold] board " + r"\x1b[2J.html" in _invoke(
        "plot", "--suite", "quick", "--html", str(html)
    )

    stored = open_store().list_runs()
    runs = {r["model"]["name"]: r["run_id"] for r in stored if r["suite"] == "quick"}
    assert _invoke("results", "show", runs[GUARDED]).count(GUARDED) == 1  # in the title
    assert ESCAPES_SHOWN in _invoke("results", "show", runs[ESCAPES])
    hostile_run = next(r["run_id"] for r in stored if r["tasks"][0].task == "test/hostile")
    samples = _invoke("results", "show", hostile_run, "--samples")
    assert EVIL in samples
    for text in ("— [/INST] done", f"— {LINK}", "[/id]", r"esc\x1b[2J"):
        assert text in samples


def test_judge_checks_print_a_hostile_file_path(tmp_path: Path) -> None:
    # "[/x]" is the directory "[" and its subdirectory "x]".
    path = tmp_path / "[/x] labels" / "[bold] \x1b]8;;x\x1b\\.jsonl"
    path.parent.mkdir(parents=True)
    rows = [{"prompt": "p", "response": "I'm sorry, I can't help with that.", "harmful": 0}]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    shown_path = _squashed(str(path).replace("\x1b", r"\x1b"))
    assert shown_path in _squashed(_invoke("judge-check", str(path), "--judge", "keyword"))
    assert shown_path in _squashed(_invoke("judge", "checks"))


def test_tasks_print_hostile_names_and_paths(hostile_task: Path) -> None:
    listing = _invoke("tasks", "--suite", "hostile", "--data-dir", str(hostile_task))
    assert _squashed(str(hostile_task).replace("\x1b", r"\x1b")) in _squashed(listing)
    assert "test/hostile" in listing and "present" in listing


def test_models_print_a_hostile_adapter_description() -> None:
    registrar("modelapi")("test-hostile", description=f"{LINK} {EVIL} {ESCAPES}")(object)
    try:
        listing = _invoke("models")
    finally:
        _REGISTRY["modelapi"].pop("test-hostile")
    assert f"{LINK} {EVIL} {ESCAPES_SHOWN}" in listing


def test_errors_quote_user_input_as_text(hostile_task: Path, tmp_path: Path) -> None:
    # The loader's message names the data directory as given, control characters and all.
    elsewhere = tmp_path / "[/x] evil \x1b[31mred \x1b]8;;x\x1b\\ \x9b1m \u202eaw"
    result = runner.invoke(
        app, ["eval", "-m", "scripted:echo", "--tasks", "test/hostile", "--data-dir", str(elsewhere)]
    )
    assert result.exit_code == 2
    plain = RICH_STYLE.sub("", result.output)
    assert "error:" in plain and "\x1b" not in plain
    assert f"{tmp_path}" + r"/[/x] evil \x1b[31mred \x1b]8;;x\x1b\ \x9b1m \u202eaw" in plain
