"""Row converters and source links shared by every suite's data files."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from equipoise.datasets import Record, Sample, field_of
from equipoise.datasets._loader import RecordToSample


def github(repo: str, commit: str, path: str) -> str:
    """A GitHub file at a fixed commit."""
    return f"https://github.com/{repo}/blob/{commit}/{path}"


def record_id(record: Record, lineno: int, key: str = "id") -> str:
    """The record's id as a string (the line number when the file has none)."""
    value = record.get(key)
    return str(lineno) if value is None else str(value)


def prompt_rows(
    risk_area: str,
    *,
    prompt: str | Callable[[Record], str] = "prompt",
    area_field: str | None = None,
    keep: Callable[[Record], bool] | None = None,
    target: Callable[[Record], Any] | None = None,
    system: str | None = None,
    metadata: Sequence[str] = (),
    id_field: str = "id",
) -> RecordToSample:
    """A converter for single-turn rows.

    `prompt` is a field name or a function building the prompt; `area_field` a per-row risk area
    (else `risk_area`); `keep` filters rows (None = dropped, documented where used); the judge
    reads `judge_prompt` when the prompt wraps the request in extra context.
    """

    def convert(record: Record, lineno: int) -> Sample | None:
        if keep is not None and not keep(record):
            return None
        text = field_of(record, prompt) if isinstance(prompt, str) else prompt(record)
        area = (field_of(record, area_field, optional=True) if area_field else None) or risk_area
        meta: dict[str, Any] = {"risk_area": area, **{k: record.get(k) for k in metadata}}
        sys_text = field_of(record, system) if system else None
        return Sample.user(
            record_id(record, lineno, id_field),
            text,
            target=target(record) if target else None,
            system=sys_text,
            **meta,
        )

    return convert
