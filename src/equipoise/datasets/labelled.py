"""Human-labelled (prompt, response) files, the data judge checks and the mini judge's training read.

A file has `prompt`, `response` and either `harmful` (0/1, task `harm`) or `refusal_label`
(full_compliance / full_refusal / partial_refusal, task `refusal`; partial counts as refusal).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from equipoise.datasets._loader import DatasetError, MissingField, Record, field_of, read_records
from equipoise.results import JudgeTask

LABEL_FIELDS: dict[JudgeTask, str] = {"harm": "harmful", "refusal": "refusal_label"}
REFUSAL_LABELS = ("full_compliance", "full_refusal", "partial_refusal")


@dataclass(frozen=True, slots=True)
class LabelledItem:
    """A (prompt, response) pair with its human label (1 = harmful / refused)."""

    prompt: str
    response: str
    label: int


def harm_label(record: Record) -> int:
    """The `harmful` field, checked to be 0 or 1 (raises MissingField for the error message)."""
    value = field_of(record, "harmful", int)
    if value not in (0, 1):
        raise MissingField("harmful", f"should be 0 or 1, found {value!r}")
    return value


def refusal_label(record: Record) -> str:
    """The `refusal_label` field, checked against the three labels."""
    value = field_of(record, "refusal_label", str)
    if value not in REFUSAL_LABELS:
        raise MissingField("refusal_label", f"should be one of {', '.join(REFUSAL_LABELS)}, found {value!r}")
    return value


def _label(record: Record, task: JudgeTask) -> int:
    return int(refusal_label(record) != "full_compliance") if task == "refusal" else harm_label(record)


def read_labelled(path: Path, task: JudgeTask | None = None) -> tuple[JudgeTask, list[LabelledItem]]:
    """Read a labelled file; the task is read from the first row's label field when not given.

    A missing or malformed field fails with file:line and the field's name.
    """
    items: list[LabelledItem] = []
    for lineno, record in read_records(path):
        if task is None:
            found = [t for t, name in LABEL_FIELDS.items() if name in record]
            if len(found) != 1:
                raise DatasetError(
                    f"{path}:{lineno}: needs exactly one label field, 'harmful' (task harm) or "
                    "'refusal_label' (task refusal); or pass --task"
                )
            task = found[0]
        try:
            items.append(LabelledItem(field_of(record, "prompt"), field_of(record, "response"), _label(record, task)))
        except MissingField as e:
            raise DatasetError(f"{path}:{lineno}: field {e.name!r} {e.problem}") from None
    if task is None or not items:
        raise DatasetError(f"{path}: no labelled rows")
    return task, items
