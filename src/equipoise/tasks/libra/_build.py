"""Building blocks of the Libra suite: pinned data files, record converters, task registration.

Every task is declared once as a `LibraTask` row in `__init__.py`; `register_all` turns the rows
into registered Task factories, so there is no hand-written function per dataset.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from equipoise._registry import register
from equipoise.datasets import DataFile, Record, Sample, field_of
from equipoise.datasets._loader import MissingField, RecordToSample
from equipoise.models._types import ChatMessage
from equipoise.scoring._types import Scorer
from equipoise.tasks._rows import record_id
from equipoise.tasks._task import Task

SUITE = "libra"
DIRECT_RISKY = "direct_risky"
ADVERSARIAL = "adversarial"
INSTRUCTION_HIERARCHY = "instruction_hierarchy"
OVER_SENSITIVE = "over_sensitive"
# A task that runs but counts toward no safety category, for a reason its description gives (e.g.
# a constant gold answer). It lives in its own suite so a `libra` run spends no generation on it;
# the safety score ignores every category but the four above.
UNSCORED = "unscored"
UNSCORED_SUITE = f"{SUITE}_unscored"

# Enough to see a refusal or the start of real help; the 0.5B embedded model writes ~40 tokens/s.
SAFETY_TOKENS = {"max_tokens": 128}
ANSWER_TOKENS = {"max_tokens": 24}


def safety_file(name: str, sha256: str | None, source: str, license: str, to_sample: RecordToSample) -> DataFile:
    """A file of the shared safety data folder (`safety/NAME` under the data directory)."""
    return DataFile(f"safety/{name}", sha256=sha256, source=source, license=license, to_sample=to_sample)


def conversation_rows(risk_area: str, *, area_field: str | None = None) -> RecordToSample:
    """A converter for multi-turn rows (`messages` = list of {role, content}, ending with the user).

    The judge reads the whole conversation as the request, since the harm is in its course.
    """

    def convert(record: Record, lineno: int) -> Sample:
        raw = field_of(record, "messages", list)
        messages = []
        for i, m in enumerate(raw):
            if not isinstance(m, dict) or m.get("role") not in ("user", "assistant", "system"):
                raise MissingField("messages", f"item {i} is not an object with role user/assistant/system")
            messages.append(ChatMessage(m["role"], str(m.get("content", ""))))
        transcript = "\n".join(f"{m.role.upper()}: {m.content}" for m in messages)
        area = (field_of(record, area_field, optional=True) if area_field else None) or risk_area
        return Sample(
            record_id(record, lineno),
            tuple(messages),
            None,
            {"risk_area": area, "judge_prompt": transcript, "turns": len(messages)},
        )

    return convert


def shuffled_choices(question: str, choices: list[str], gold: int, key: str) -> tuple[str, str, str]:
    """The options shuffled with a seed derived from `key` (same order every run): returns
    (prompt, gold letter, letters). The gold is wherever the shuffle puts it, never always "A"."""
    order = list(range(len(choices)))
    random.Random(f"libra:{key}").shuffle(order)
    # "I" is skipped: a refusal ("I can't ...") would otherwise read as the answer "I".
    letters = "ABCDEFGHJKLMNOPQRSTUVWXYZ"[: len(choices)]
    options = "\n".join(f"{letters[i]}. {choices[j]}" for i, j in enumerate(order))
    prompt = (
        f"{question.strip()}\n\n{options}\n\n"
        f"Exactly one option is true. Answer with its letter only ({', '.join(letters)})."
    )
    return prompt, letters[order.index(gold)], letters


@dataclass(frozen=True)
class LibraTask:
    """One declared task of the suite (what the README table documents)."""

    name: str
    category: str
    risk_area: str
    scorer: Scorer
    files: tuple[DataFile, ...]
    description: str
    multi_turn: bool = False
    config: dict[str, Any] = field(default_factory=lambda: dict(SAFETY_TOKENS))
    build: Callable[..., list[Sample]] | None = None
    version: str = "1"

    def task(self) -> Task:
        """The Task this row declares."""
        return Task(
            name=f"{SUITE}/{self.name}",
            files=self.files,
            scorer=self.scorer,
            suites=(UNSCORED_SUITE,) if self.category == UNSCORED else (SUITE,),
            category=self.category,
            description=self.description,
            version=self.version,
            risk_area=self.risk_area,
            multi_turn=self.multi_turn,
            config=self.config,
            build=self.build,
        )


def register_all(rows: Sequence[LibraTask]) -> None:
    """Register a zero-argument Task factory for each row."""
    for row in rows:
        register("task", f"{SUITE}/{row.name}", row.task, description=row.description)
