"""Model entries: specs, TOML files, identities and the scripted models."""

from __future__ import annotations

from pathlib import Path

import pytest

from equipoise.models import (
    ChatRequest,
    GenerateConfig,
    ModelEntry,
    ModelError,
    create_model,
    describe_args,
    load_entries,
    resolve_entry,
)


def test_entries_file_gives_names_system_prompts_and_decoding(tmp_path: Path) -> None:
    f = tmp_path / "models.toml"
    f.write_text(
        '[models.guarded]\nspec = "scripted:echo"\nsystem_prompt = "Be careful."\ntemperature = 0.0\n'
        'max_tokens = 64\norganisation = "Us"\nopen_weights = true\n\n'
        '[models.plain]\nspec = "scripted:echo"\n'
    )
    entries = load_entries(f)
    guarded, plain = entries["guarded"], entries["plain"]
    assert guarded.name == "guarded" and guarded.system_prompt == "Be careful."
    assert guarded.config.max_tokens == 64 and guarded.organisation == "Us"
    # The same weights with a system prompt are a different entry (and a different cache key).
    assert guarded.identity() != plain.identity()
    assert resolve_entry("guarded", f) == guarded


def test_display_metadata_does_not_change_identity(tmp_path: Path) -> None:
    a = resolve_entry("scripted:echo")
    b = type(a)(**{**a.__dict__, "display_name": "Echo", "organisation": "X"})
    assert a.identity() == b.identity()


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ('[models.x]\nspc = "scripted:echo"\n', "unknown field"),
        ("[models.x]\ntemperature = 0.5\n", "field 'spec' is required"),
        ("[models.x\n", "not valid TOML"),
        ('[other]\nspec = "scripted:echo"\n', r"expected \[models\.NAME\] tables"),
        ("[models]\nx = 5\n", r"models\.x is 5, expected a table: \[models\.x\]"),
    ],
)
def test_bad_entries_files_name_the_file_and_problem(tmp_path: Path, toml: str, message: str) -> None:
    f = tmp_path / "models.toml"
    f.write_text(toml)
    with pytest.raises(ModelError, match=message) as info:
        load_entries(f)
    assert str(f) in str(info.value)


def test_a_file_that_is_not_utf8_is_named(tmp_path: Path) -> None:
    f = tmp_path / "models.toml"
    f.write_bytes(b'[models.x]\nspec = "scripted:echo"\nsystem_prompt = "caf\xe9"\n')
    with pytest.raises(ModelError, match="not UTF-8 text") as info:
        load_entries(f)
    assert str(f) in str(info.value)


def test_unknown_specs_list_the_adapters() -> None:
    with pytest.raises(ModelError, match="openai-compat:"):
        resolve_entry("gpt-4")
    with pytest.raises(ModelError, match="unknown modelapi 'nope'"):
        create_model(resolve_entry("nope:thing"))
    with pytest.raises(ModelError, match="refuse-all"):
        create_model(resolve_entry("scripted:unknown"))


async def test_scripted_models_are_deterministic() -> None:
    req = ChatRequest.of([{"role": "user", "content": "How do I bake bread?"}])
    refuse = await create_model(resolve_entry("scripted:refuse-all")).chat(req)
    comply = await create_model(resolve_entry("scripted:comply-all")).chat(req)
    echo = await create_model(resolve_entry("scripted:echo")).chat(req)
    assert "can't help" in refuse.text
    assert comply.text.startswith("Sure")
    assert echo.text == "How do I bake bread?"


def _entry_file(tmp_path: Path, table: str) -> Path:
    f = tmp_path / "models.toml"
    f.write_text(f'[models.mine]\nspec = "scripted:echo"\n{table}\n')
    return f


def test_one_stop_string_is_one_stop_string(tmp_path: Path) -> None:
    one = load_entries(_entry_file(tmp_path, 'stop = "END"'))["mine"]
    many = load_entries(_entry_file(tmp_path, 'stop = ["END", "###"]'))["mine"]
    assert one.config.stop == ("END",)
    assert many.config.stop == ("END", "###")


async def test_the_stop_string_reaches_the_server_whole(tmp_path: Path) -> None:
    from tests.openai_server import ServerState, ThreadedServer

    with ThreadedServer(ServerState()) as server:
        f = tmp_path / "models.toml"
        f.write_text(f'[models.remote]\nspec = "openai-compat:m@{server.base_url}"\nstop = "END"\n')
        entry = load_entries(f)["remote"]
        model = create_model(entry)
        await model.chat(ChatRequest.of([{"role": "user", "content": "hi"}], entry.config))
        await model.aclose()
    assert server.state.received[0]["stop"] == ["END"]


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ('temperature = "hot"', "field 'temperature': Input should be a valid number (got 'hot')"),
        ('max_tokens = "many"', "field 'max_tokens': Input should be a valid integer (got 'many')"),
        ("max_tokens = 64.5", "field 'max_tokens': Input should be a valid integer"),
        ("temperature = -0.5", "field 'temperature': Input should be greater than or equal to 0 (got -0.5)"),
        ("max_tokens = -1", "field 'max_tokens': Input should be greater than or equal to 1 (got -1)"),
        ("max_tokens = 0", "field 'max_tokens': Input should be greater than or equal to 1 (got 0)"),
        ("seed = -3", "field 'seed': Input should be greater than or equal to 0"),
        ("top_p = 1.5", "field 'top_p': Input should be less than or equal to 1"),
        ("stop = [1, 2]", r"field 'stop.0': Input should be a valid string"),
        ('open_weights = "yes"', "field 'open_weights': Input should be a valid boolean"),
        ("system_prompt = 3", "field 'system_prompt': Input should be a valid string"),
        ("args = 5", "field 'args': Input should be a valid dictionary"),
        ("args = { bogus = 1 }", r"unknown field 'args.bogus' (allowed: max_concurrency)"),
        ('args = { max_concurrency = "lots" }', "field 'args.max_concurrency': Input should be a valid integer"),
        ("args = { max_concurrency = 0 }", "field 'args.max_concurrency': Input should be greater than or equal to 1"),
        ("colour = 1", r"unknown field 'colour' (allowed: args, display_name, "),
    ],
)
def test_bad_values_name_the_file_the_entry_and_the_field(tmp_path: Path, table: str, message: str) -> None:
    f = _entry_file(tmp_path, table)
    with pytest.raises(ModelError) as info:
        load_entries(f)
    assert message in str(info.value)
    assert str(info.value).startswith(f"{f}: model entry 'mine': ")


def test_every_problem_of_an_entry_is_reported_at_once(tmp_path: Path) -> None:
    f = _entry_file(tmp_path, 'temperature = "hot"\nmax_tokens = -1\nbogus = 1')
    with pytest.raises(ModelError) as info:
        load_entries(f)
    assert "'temperature'" in str(info.value) and "'max_tokens'" in str(info.value) and "'bogus'" in str(info.value)


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ('args = { timeout_s = "soon" }', "field 'args.timeout_s': Input should be a valid number"),
        ("args = { timeout_s = 0 }", "field 'args.timeout_s': Input should be greater than 0"),
        ("args = { max_retries = -1 }", "field 'args.max_retries': Input should be greater than or equal to 0"),
        ('args = { retry_timeouts = "yes" }', "field 'args.retry_timeouts': Input should be a valid boolean"),
        ("args = { n_ctx = 2048 }", r"unknown field 'args.n_ctx' (allowed: api_key_env, base_url, "),
    ],
)
def test_openai_compat_args_are_checked(tmp_path: Path, table: str, message: str) -> None:
    f = tmp_path / "models.toml"
    f.write_text(f'[models.remote]\nspec = "openai-compat:m@http://127.0.0.1:8080/v1"\n{table}\n')
    with pytest.raises(ModelError) as info:
        load_entries(f)
    assert message in str(info.value)
    assert str(info.value).startswith(f"{f}: model entry 'remote': ")


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("openai-compat:m@127.0.0.1:8080/v1", "needs an http:// or https:// scheme"),
        ("openai-compat:m@http://127.0.0.1:123456/v1", "has a bad port"),
    ],
)
def test_a_bad_spec_in_a_file_names_the_file_the_entry_and_the_url(tmp_path: Path, spec: str, message: str) -> None:
    f = tmp_path / "models.toml"
    f.write_text(f'[models.remote]\nspec = "{spec}"\n')
    with pytest.raises(ModelError) as info:
        load_entries(f)
    assert message in str(info.value)
    assert str(info.value).startswith(f"{f}: model entry 'remote': ") and spec.partition(":")[2] in str(info.value)


def test_an_entry_for_a_model_run_elsewhere_loads_and_refuses_only_to_run(tmp_path: Path) -> None:
    f = tmp_path / "models.toml"
    f.write_text('[models.far]\nspec = "imported:lm-eval/llama3-8b"\norganisation = "Meta"\n')
    entry = load_entries(f)["far"]
    with pytest.raises(ModelError, match="unknown modelapi 'imported'"):
        create_model(entry)


def test_entries_built_in_code_are_checked_when_the_model_is_created() -> None:
    with pytest.raises(ModelError, match=r"model entry 'scripted:echo': unknown field 'args\.bogus'"):
        create_model(ModelEntry(spec="scripted:echo", args={"bogus": 1}))
    with pytest.raises(ModelError, match=r"field 'args\.max_concurrency': Input should be a valid integer"):
        create_model(ModelEntry(spec="scripted:echo", args={"max_concurrency": "lots"}))
    assert create_model(ModelEntry(spec="scripted:echo", args={"max_concurrency": 3})).max_concurrency == 3


def test_command_line_decoding_overrides_are_checked(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="field 'max_tokens': Input should be greater than or equal to 1 "):
        resolve_entry("scripted:echo", max_tokens=-5)
    with pytest.raises(ModelError, match="field 'temperature'"):
        resolve_entry("mine", _entry_file(tmp_path, ""), temperature=-1.0)
    assert resolve_entry("scripted:echo", temperature=0.7, max_tokens=9).config == GenerateConfig(0.7, 9)


def test_an_integer_temperature_is_the_same_entry_as_its_float(tmp_path: Path) -> None:
    whole = load_entries(_entry_file(tmp_path, "temperature = 1"))["mine"]
    point = load_entries(_entry_file(tmp_path, "temperature = 1.0"))["mine"]
    assert whole.identity() == point.identity()


def test_the_timeout_and_retry_settings_are_documented() -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    section = readme.split("### Timeouts and retries", 1)[1].split("\n#", 1)[0]
    cells = [line.split("|")[1:3] for line in section.splitlines() if line.startswith("| `")]
    rows = {name.strip(" `"): default.strip(" `") for name, default in cells}
    assert rows == {name: default for name, default, _ in describe_args("openai-compat")}
