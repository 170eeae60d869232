"""An entry's facts: its own first, else what its spec makes known, else unknown."""

from __future__ import annotations

import pytest

from equipoise.web._facts import entry_facts, parameter_count, size_bucket


@pytest.mark.parametrize(
    "text, count",
    [("0.5B", 0.5e9), ("135M", 135e6), ("7b", 7e9), ("1.2T", 1.2e12), ("8x7B", 56e9), (" 70 B", 70e9)],
)
def test_a_parameter_count_as_people_write_it(text: str, count: float) -> None:
    assert parameter_count(text) == pytest.approx(count)


@pytest.mark.parametrize("text", [None, "", "big", "B7", "about seven"])
def test_what_is_not_a_size_is_unknown(text: str | None) -> None:
    assert parameter_count(text) is None
    assert size_bucket(parameter_count(text)) == "unknown"


@pytest.mark.parametrize(
    "count, bucket", [(135e6, "under-1b"), (1e9, "1-3b"), (7e9, "3-10b"), (70e9, "35-100b"), (405e9, "100b-plus")]
)
def test_size_buckets(count: float, bucket: str) -> None:
    assert size_bucket(count) == bucket


def test_an_embedded_model_is_known_by_its_spec() -> None:
    facts = entry_facts({"spec": "embedded:smollm2-135m", "system_prompt": "Be careful."})
    assert (facts.organisation, facts.parameters, facts.weights, facts.tuning, facts.system_prompt) == (
        "Hugging Face",
        "135M",
        "open",
        "chat",
        "yes",
    )
    assert facts.size == "under-1b"
    assert facts.is_of(("open", "chat", "prompted")) and not facts.is_of(("base",))


def test_the_entry_wins_over_the_spec_and_other_specs_stay_unknown() -> None:
    said = entry_facts({"spec": "embedded:qwen2.5-coder-1.5b", "organisation": "Us", "open_weights": False})
    assert (said.organisation, said.parameters, said.weights) == ("Us", "1.5B", "closed")
    served = entry_facts({"spec": "openai-compat:llama@http://127.0.0.1:1/v1"})
    assert (served.organisation, served.parameters, served.weights, served.tuning) == (None, None, None, None)
    # an unknown fact passes no type filter, not even with every value of it asked
    assert not served.is_of(("open", "closed"))
    assert served.is_of(("unprompted",))
