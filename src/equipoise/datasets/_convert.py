"""Converters: a downloaded source file (bytes) -> the JSONL file a task reads (bytes).

Each one repeats how the data folder's README says the file was made, so its output is byte for
byte the pinned file (`equipoise data pull` checks the result's sha256 before writing it). Written
as the README's files were: one `json.dumps(row, ensure_ascii=False)` per line.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from typing import Any

from equipoise.datasets._loader import DatasetError, Record

Converter = Callable[[bytes], bytes]


def _jsonl_rows(data: bytes, source: str) -> list[Record]:
    rows = []
    for lineno, line in enumerate(data.decode("utf-8").splitlines(), start=1):
        if line.strip():
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError as e:
                raise DatasetError(f"{source}:{lineno}: not valid JSON ({e.msg})") from None
    return rows


def _jsonl(rows: list[dict[str, Any]]) -> bytes:
    return "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows).encode("utf-8")


def _last_user(record: Record) -> str:
    """The prompt of a libra-eval row: its (only) user message."""
    return next(m["content"] for m in reversed(record["messages"]) if m["role"] == "user")


def _libra(build: Callable[[int, Record], dict[str, Any]], sample: int | None = None) -> Converter:
    """A libra-eval `messages` file, one output row per source row (`id` = source row index);
    `sample` keeps that many rows drawn with `random.Random(0).sample`, in source order."""

    def convert(data: bytes) -> bytes:
        rows = _jsonl_rows(data, "libra-eval file")
        keep = range(len(rows)) if sample is None else sorted(random.Random(0).sample(range(len(rows)), sample))
        return _jsonl([build(i, rows[i]) for i in keep])

    return convert


def _prompt_row(label: str, *fields: str) -> Callable[[int, Record], dict[str, Any]]:
    return lambda i, r: {"id": i, "prompt": _last_user(r), **{f: r[f] for f in fields}, "label": label}


def _do_not_answer_variant(label: str) -> Callable[[int, Record], dict[str, Any]]:
    def build(i: int, r: Record) -> dict[str, Any]:
        harm = {f: r[f] for f in ("risk_area", "types_of_harm", "specific_harms")}
        return {"id": i, "prompt": _last_user(r), "seed": r["seed"], **harm, "variant": r["type"], "label": label}

    return build


def _gandalf(i: int, r: Record) -> dict[str, Any]:
    system = next(m["content"] for m in r["messages"] if m["role"] == "system")
    # libra-eval's system prompt names the secret; the README's `secret` field is that word.
    return {"id": i, "system": system, "prompt": _last_user(r), "similarity": r["similarity"], "secret": "STRAWBERRY"}


def _dices(i: int, r: Record) -> dict[str, Any]:
    turns = [m for m in r["messages"] if m["role"] != "system"]
    return {"id": i, "messages": turns, **r["metadata"]}


CONVERTERS: dict[str, Converter] = {
    "libra_do_not_answer": _libra(_prompt_row("unsafe", "risk_area", "types_of_harm", "specific_harms")),
    "libra_do_not_answer_fp": _libra(_do_not_answer_variant("safe")),
    "libra_do_not_answer_fn": _libra(_do_not_answer_variant("unsafe")),
    "libra_tdc_redteaming": _libra(_prompt_row("unsafe")),
    "libra_beavertails_bad": _libra(_prompt_row("unsafe_pair"), sample=1000),
    "libra_gandalf": _libra(_gandalf),
    "libra_dices350": _libra(_dices),
}
