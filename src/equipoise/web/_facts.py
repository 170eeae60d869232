"""What the board knows about a model entry: its organisation, size, weights and tuning, as the
entry gives them, else as its spec makes them known, else unknown (never guessed).

An entry names its organisation, parameter count and open weights when it was written with them
(`ModelEntry`). When it does not, the spec may still say: an `embedded:` model is an open chat
model whose maker and size are in the embedded table. Base or chat tuning is not a field of an
entry: it is known only for embedded models. A system prompt is always known.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

UNKNOWN = "unknown"

# Parameter counts as people write them: "0.5B", "135M", "1.2T", "7b", "8x7B" (a mixture of experts, all counted).
_SIZE = re.compile(r"^\s*(?:(\d+)\s*x\s*)?(\d+(?:\.\d+)?)\s*([KMBT])\b", re.IGNORECASE)
_SCALE = {"K": 1e3, "M": 1e6, "B": 1e9, "T": 1e12}


@dataclass(frozen=True)
class SizeBucket:
    """A range of parameter counts [low, high) the board filters by."""

    key: str
    label: str
    low: float
    high: float


SIZE_BUCKETS: tuple[SizeBucket, ...] = (
    SizeBucket("under-1b", "< 1B", 0, 1e9),
    SizeBucket("1-3b", "1–3B", 1e9, 3e9),
    SizeBucket("3-10b", "3–10B", 3e9, 10e9),
    SizeBucket("10-35b", "10–35B", 10e9, 35e9),
    SizeBucket("35-100b", "35–100B", 35e9, 100e9),
    SizeBucket("100b-plus", "≥ 100B", 100e9, float("inf")),
)
SIZE_KEYS = (*(b.key for b in SIZE_BUCKETS), UNKNOWN)

# The type filter's choices: the fact each tests, the value it wants, its label.
TYPES: dict[str, tuple[str, str, str]] = {
    "open": ("weights", "open", "open weights"),
    "closed": ("weights", "closed", "closed weights"),
    "base": ("tuning", "base", "base"),
    "chat": ("tuning", "chat", "chat"),
    "prompted": ("system_prompt", "yes", "with system prompt"),
    "unprompted": ("system_prompt", "no", "without system prompt"),
}


def parameter_count(text: str | None) -> float | None:
    """The number of parameters `text` ("0.5B", "135M", "8x7B") stands for; None when it is not a size."""
    m = _SIZE.match(text or "")
    if m is None:
        return None
    experts, count, unit = m.groups()
    return (int(experts) if experts else 1) * float(count) * _SCALE[unit.upper()]


def size_bucket(count: float | None) -> str:
    """The key of the bucket holding `count` parameters (`unknown` for none)."""
    if count is None:
        return UNKNOWN
    return next(b.key for b in SIZE_BUCKETS if b.low <= count < b.high)


@dataclass(frozen=True)
class EntryFacts:
    """An entry's display facts; None where they are unknown."""

    organisation: str | None
    parameters: str | None
    weights: str | None  # "open" / "closed"
    tuning: str | None  # "base" / "chat"
    system_prompt: str  # "yes" / "no"

    @property
    def parameter_count(self) -> float | None:
        return parameter_count(self.parameters)

    @property
    def size(self) -> str:
        return size_bucket(self.parameter_count)

    def is_of(self, kinds: tuple[str, ...]) -> bool:
        """Whether the entry is of every asked dimension (open/closed, base/chat, prompted/unprompted),
        any of the asked values within one: `open,chat` is open and chat, `open,closed` is either. An
        unknown fact matches no value."""
        asked: dict[str, set[str]] = {}
        for kind in kinds:
            fact, value, _label = TYPES[kind]
            asked.setdefault(fact, set()).add(value)
        return all(getattr(self, fact) in values for fact, values in asked.items())


def _embedded(spec: str) -> Any:
    if not spec.startswith("embedded:"):
        return None
    from equipoise.models import EMBEDDED_MODELS

    return EMBEDDED_MODELS.get(spec.removeprefix("embedded:"))


def entry_facts(model: dict[str, Any]) -> EntryFacts:
    """The facts of a stored model entry (`ModelEntry.to_dict()`), the entry's own first."""
    embedded = _embedded(str(model.get("spec", "")))
    open_weights = model.get("open_weights")
    if open_weights is None and embedded is not None:
        open_weights = True
    return EntryFacts(
        organisation=model.get("organisation") or (embedded.organisation if embedded else None),
        parameters=model.get("parameters") or (embedded.parameters if embedded else None),
        weights=None if open_weights is None else "open" if open_weights else "closed",
        tuning="chat" if embedded is not None else None,
        system_prompt="yes" if model.get("system_prompt") else "no",
    )
