"""The human-labelled training data of the mini judge (shared/data/judges), read into one row type.

Every row keeps where it came from (source), which question it answers and which model wrote it,
so validation can keep a question or a model on one side of a split.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from equipoise.datasets import DatasetError, MissingField, Record, field_of, harm_label, read_records, refusal_label


@dataclass(frozen=True, slots=True)
class LabelledResponse:
    """One human-labelled response. `harmful` / `refusal` are None when the source does not label it.

    `model` is None when the source does not say which model responded.
    """

    source: str
    prompt: str
    response: str
    question: str
    model: str | None
    harmful: int | None = None
    refusal: str | None = None


def _gptfuzz(record: Record) -> LabelledResponse:
    # GPTFuzz does not record the responding model; validation can group these rows by question only.
    qid = field_of(record, "question_id", int)
    return LabelledResponse(
        "gptfuzz", field_of(record, "prompt"), field_of(record, "response"), f"gptfuzz:{qid}", None, harm_label(record)
    )


def _latent(record: Record) -> LabelledResponse:
    prompt = field_of(record, "prompt")
    return LabelledResponse(
        "latent_jailbreak",
        prompt,
        field_of(record, "response"),
        f"latent_jailbreak:{prompt}",
        field_of(record, "model"),
        harm_label(record),
    )


def _xstest(record: Record) -> LabelledResponse:
    prompt = field_of(record, "prompt")
    # llama2orig and llama2new are one model (Llama-2-70b-chat) under two system prompts: one group.
    model = field_of(record, "model")
    return LabelledResponse(
        "xstest",
        prompt,
        field_of(record, "response"),
        f"xstest:{prompt}",
        "llama2" if model.startswith("llama2") else model,
        None,
        refusal_label(record),
    )


SOURCES: dict[str, tuple[str, Callable[[Record], LabelledResponse]]] = {
    "gptfuzz": ("judges/gptfuzz_train.jsonl", _gptfuzz),
    "latent_jailbreak": ("judges/latent_jailbreak_p1_human.jsonl", _latent),
    "xstest": ("judges/xstest_refusal.jsonl", _xstest),
}


def load_source(name: str, data_dir: Path) -> list[LabelledResponse]:
    """Read one training source; a malformed row fails with file:line and the field."""
    relative, convert = SOURCES[name]
    path = data_dir / relative
    rows = []
    for lineno, record in read_records(path):
        try:
            rows.append(convert(record))
        except MissingField as e:
            raise DatasetError(f"{path}:{lineno}: field {e.name!r} {e.problem}") from None
    return rows


def load_training_data(data_dir: Path) -> list[LabelledResponse]:
    """Every training source, in a fixed order."""
    return [row for name in SOURCES for row in load_source(name, data_dir)]
