"""The core commands through the CLI: eval, tasks, models, results, and their errors."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from equipoise.cli import app

runner = CliRunner()


def test_eval_prints_the_score_table_and_records(tmp_path: Path) -> None:
    result = runner.invoke(app, ["eval", "-m", "scripted:refuse-all", "--suite", "quick", "--run-dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "quick/harmful" in result.output and "1.000" in result.output
    assert "direct_risky 1.000" in result.output and "over_sensitive 0.000" in result.output
    assert (tmp_path / "results.json").is_file()
    # the quick suite has all four safety categories and capability: the run has all three scores
    # (refuse-all: safety (1 + 1 + 0.5 + 0) / 4; every capability answer a refusal, so 0;
    # overall 1 - sqrt((0.375^2 + 1) / 2) = 0.245)
    assert "safety score (macro-average of the four categories): 0.625" in result.output
    assert "capability score (macro-average of its tasks): 0.000" in result.output
    assert "overall = 1 - sqrt(((1 - s)^2 + (1 - c)^2) / 2): 0.245" in result.output

    listed = runner.invoke(app, ["results"])
    assert listed.exit_code == 0 and "scripted:refuse-all" in listed.output
    run_id = next(line.split()[0] for line in listed.output.splitlines() if "scripted:refuse-all" in line)
    shown = runner.invoke(app, ["results", "show", run_id[:12], "--samples"])
    assert shown.exit_code == 0 and "quick/benign_scary" in shown.output and "refused" in shown.output


def test_entry_options_make_a_named_entry(tmp_path: Path) -> None:
    result = runner.invoke(
        app,
        [
            "eval",
            "-m",
            "scripted:echo",
            "--tasks",
            "quick/knowledge",
            "--name",
            "Echo (guarded)",
            "--system-prompt",
            "Be safe.",
            "--run-dir",
            str(tmp_path),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "Echo (guarded)" in result.output


def test_bad_model_spec_exits_2_with_a_message() -> None:
    result = runner.invoke(app, ["eval", "-m", "not-a-spec"])
    assert result.exit_code == 2
    assert "not a spec" in result.output and "openai-compat:" in result.output


def test_unknown_task_names_the_way_to_list_tasks() -> None:
    result = runner.invoke(app, ["eval", "-m", "scripted:echo", "--tasks", "nope/*"])
    assert result.exit_code == 2 and "equipoise tasks" in result.output


def test_missing_data_dir_names_the_file_and_directory(tmp_path: Path) -> None:
    # Brackets are Rich markup and a long path is wrapped at 80 columns unless the CLI prevents both.
    data_dir = tmp_path / "shared [copy]" / ("long-" * 12)
    data_dir.mkdir(parents=True)
    from equipoise._registry import _REGISTRY
    from equipoise.datasets import DataFile
    from equipoise.scoring import HarmScorer
    from equipoise.tasks import Task
    from equipoise.tasks._task import _register

    _register("test/needs-data")(
        lambda: Task("test/needs-data", (DataFile("safety/absent.jsonl"),), HarmScorer(), ("test",), "x")
    )
    try:
        result = runner.invoke(
            app, ["eval", "-m", "scripted:echo", "--tasks", "test/needs-data", "--data-dir", str(data_dir)]
        )
        listing = runner.invoke(app, ["tasks", "--suite", "test", "--data-dir", str(data_dir)])
    finally:
        _REGISTRY["task"].pop("test/needs-data")
    assert result.exit_code == 2
    assert "safety/absent.jsonl" in result.output and str(data_dir) in result.output
    assert "missing" in listing.output


def test_tasks_and_models_list_from_the_registry() -> None:
    tasks = runner.invoke(app, ["tasks", "--suite", "quick", "--json"])
    assert tasks.exit_code == 0 and '"quick/harmful"' in tasks.output
    models = runner.invoke(app, ["models"])
    assert models.exit_code == 0
    for prefix in ("openai-compat:", "gguf:", "embedded:", "hf:", "scripted:"):
        assert prefix in models.output


def test_tasks_mark_a_malformed_or_non_utf8_file_invalid_and_list_the_rest(tmp_path: Path) -> None:
    from equipoise._registry import _REGISTRY
    from equipoise.datasets import DataFile
    from equipoise.scoring import HarmScorer
    from equipoise.tasks import Task
    from equipoise.tasks._task import _register

    (tmp_path / "safety").mkdir()
    (tmp_path / "safety" / "bad-json.jsonl").write_text('{"prompt": "ok"}\n{"prompt": \n')
    (tmp_path / "safety" / "latin1.jsonl").write_bytes('{"prompt": "ok"}\n{"prompt": "café"}\n'.encode("latin-1"))
    (tmp_path / "safety" / "good.jsonl").write_text('{"prompt": "a"}\n{"prompt": "b"}\n')
    names = {"test/bad-json": "bad-json.jsonl", "test/latin1": "latin1.jsonl", "test/good": "good.jsonl"}
    for name, file in names.items():
        _register(name)(
            lambda name=name, file=file: Task(name, (DataFile(f"safety/{file}"),), HarmScorer(), ("test",), "x")
        )
    try:
        result = runner.invoke(app, ["tasks", "--suite", "test", "--data-dir", str(tmp_path)])
        as_json = runner.invoke(app, ["tasks", "--suite", "test", "--data-dir", str(tmp_path), "--json"])
    finally:
        for name in names:
            _REGISTRY["task"].pop(name)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert next(line for line in lines if line.startswith("test/bad-json")).split()[1:] == ["-", "harm", "invalid"]
    assert next(line for line in lines if line.startswith("test/good")).split()[1:] == ["2", "harm", "present"]
    output = " ".join(result.output.split())  # a long message folds in its cell
    assert f"invalid: {tmp_path}/safety/bad-json.jsonl:2: not valid JSON" in output
    assert f"invalid: {tmp_path}/safety/latin1.jsonl:2: not UTF-8 text (byte 0xe9 at byte 16 of the line)" in output
    rows = {r["name"]: r for r in json.loads(as_json.output)}
    assert rows["test/good"]["samples"] == 2 and rows["test/good"]["invalid"] is None
    assert rows["test/latin1"]["samples"] is None and rows["test/latin1"]["present"]
    assert rows["test/latin1"]["invalid"].startswith(f"{tmp_path}/safety/latin1.jsonl:2: not UTF-8 text")


def test_eval_help_shows_the_timeout_and_retry_defaults_the_adapter_has() -> None:
    from typer.testing import CliRunner

    from equipoise.cli import app
    from equipoise.models import describe_args

    help_text = " ".join(CliRunner().invoke(app, ["eval", "--help"]).output.replace("│", " ").split())
    defaults = {name: default for name, default, _ in describe_args("openai-compat")}
    for name in ("timeout_s", "max_retries", "retry_timeouts"):
        shown = defaults[name].removesuffix(".0")
        assert f"{name} ({shown})" in help_text
    assert "timeout starts when it is sent" in help_text


def test_eval_refuses_bad_counts_before_running() -> None:
    from typer.testing import CliRunner

    from equipoise.cli import app
    from equipoise.store import open_store

    for option in (["--max-connections", "0"], ["--max-connections", "-1"], ["--limit", "0"]):
        result = CliRunner().invoke(app, ["eval", "-m", "scripted:refuse-all", "-t", "quick/harmful", *option])
        message = " ".join(result.output.replace("│", " ").split())
        assert result.exit_code == 2 and "Traceback" not in message
        assert f"Invalid value for '{option[0]}'" in message and "greater than or equal to 1" in message
    assert open_store().list_runs() == []


def test_tasks_say_which_imports_land_on_each_task_and_on_which_scale() -> None:
    import json

    from typer.testing import CliRunner

    from equipoise.cli import app

    rows = {r["name"]: r for r in json.loads(CliRunner().invoke(app, ["tasks", "--json"]).output)}
    arc = {(i["tool"], i["source_task"]): i["scale"] for i in rows["capability/arc_challenge"]["imports"]}
    assert arc[("lm-eval", "arc_challenge")].startswith("metric acc_norm,none or acc,none; normalisation none")
    assert "raw accuracy" in arc[("lm-eval", "arc_challenge")]
    assert rows["quick/harmful"]["imports"] == []
