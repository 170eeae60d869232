"""LLM-as-judge: any model adapter reads a rubric and answers in strict JSON.

A verdict that cannot be parsed after the retries is recorded as unparseable (value None) and
excluded from the mean with a count — never silently scored 0.5 or "safe".
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from equipoise.models._types import ChatModel, ChatRequest, GenerateConfig

_JSON_OBJECT_RE = re.compile(r"\{.*\}", re.DOTALL)


class JudgeParseError(ValueError):
    """The judge's output was not the JSON the rubric asked for."""


def parse_judge_json(text: str, required: dict[str, type | tuple[type, ...]]) -> dict[str, Any]:
    """Extract the first JSON object from `text` and check its required fields and their types.

    Tolerates code fences and prose around the object; anything else is a JudgeParseError.
    """
    match = _JSON_OBJECT_RE.search(text)
    if match is None:
        raise JudgeParseError(f"no JSON object in judge output: {text[:120]!r}")
    candidate = match.group(0)
    try:
        data = json.loads(candidate)
    except json.JSONDecodeError:
        # A model may add a second object or trailing prose inside the braces; try the shortest.
        end = candidate.find("}") + 1
        try:
            data = json.loads(candidate[:end])
        except json.JSONDecodeError as e:
            raise JudgeParseError(f"invalid JSON in judge output ({e.msg}): {candidate[:120]!r}") from None
    if not isinstance(data, dict):
        raise JudgeParseError("judge output is not a JSON object")
    for key, kind in required.items():
        if key not in data:
            raise JudgeParseError(f"judge output lacks field {key!r}: {candidate[:120]!r}")
        if not isinstance(data[key], kind):
            raise JudgeParseError(f"judge field {key!r} has type {type(data[key]).__name__}")
    return data


@dataclass(frozen=True)
class JudgeVerdict:
    """A parsed verdict, or the reason none could be parsed."""

    data: dict[str, Any] | None
    raw: str
    error: str | None = None
    attempts: int = 1


async def ask_judge(
    judge: ChatModel,
    prompt: str,
    required: dict[str, type | tuple[type, ...]],
    system: str | None = None,
    retries: int = 2,
    max_tokens: int = 256,
) -> JudgeVerdict:
    """Ask `judge` and parse its JSON; on bad output, show it its reply and ask again (`retries` times)."""
    messages: list[dict[str, str]] = [{"role": "system", "content": system}] if system else []
    messages.append({"role": "user", "content": prompt})
    raw, error = "", "no attempt"
    for attempt in range(retries + 1):
        request = ChatRequest.of(messages, GenerateConfig(temperature=0.0, max_tokens=max_tokens, seed=0))
        response = await judge.chat(request)
        if response.failed:
            raw, error = "", f"judge call failed: {response.error}"
            continue
        raw = response.text
        try:
            return JudgeVerdict(parse_judge_json(raw, required), raw, None, attempt + 1)
        except JudgeParseError as e:
            error = str(e)
            messages = [
                *messages,
                {"role": "assistant", "content": raw},
                {
                    "role": "user",
                    "content": f"That reply could not be read ({error}). "
                    "Answer again with only the JSON object, nothing else.",
                },
            ]
    return JudgeVerdict(None, raw, error, retries + 1)
