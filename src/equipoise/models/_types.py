"""The chat interface every model adapter implements."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, field, fields, replace
from typing import Annotated, Any, Literal, Protocol, runtime_checkable

from pydantic import ConfigDict, Field, StrictFloat, StrictInt, ValidationError, field_validator
from pydantic.dataclasses import dataclass as validated_dataclass

from equipoise._errors import ModelError as ModelError

Role = Literal["system", "user", "assistant"]


@dataclass(frozen=True)
class ChatMessage:
    """One turn of a conversation."""

    role: Role
    content: str


@validated_dataclass(frozen=True, config=ConfigDict(extra="forbid"))
class GenerateConfig:
    """Decoding parameters, validated on construction. Part of the response-cache key.

    Strict types: a TOML entry's `max_tokens = "many"` or `temperature = true` is refused rather
    than coerced, and an integer temperature is stored as a float, so `0` and `0.0` are one entry.
    """

    temperature: Annotated[StrictFloat, Field(ge=0, description="Sampling temperature; 0 is greedy.")] = 0.0
    max_tokens: Annotated[StrictInt, Field(ge=1, description="Most tokens generated per answer.")] = 256
    seed: Annotated[StrictInt, Field(ge=0, description="Sampling seed; none lets the backend choose.")] | None = 0
    stop: Annotated[tuple[str, ...], Field(description="Strings that end the answer (one string or a list).")] = ()
    top_p: Annotated[StrictFloat, Field(gt=0, le=1, description="Nucleus-sampling mass.")] | None = None

    @field_validator("stop", mode="before")
    @classmethod
    def _one_stop_string(cls, value: Any) -> Any:
        # `stop = "END"` means one stop string; iterating it would stop at every "E", "N" or "D".
        return (value,) if isinstance(value, str) else value

    def merged(self, **overrides: Any) -> GenerateConfig:
        """A copy with the non-None overrides applied; a bad value raises ModelError naming the field."""
        try:
            return replace(self, **{k: v for k, v in overrides.items() if v is not None})
        except ValidationError as e:
            raise ModelError(f"decoding parameters: {validation_message(e, GENERATE_FIELDS)}") from None


GENERATE_FIELDS = tuple(f.name for f in fields(GenerateConfig))


def validation_message(error: ValidationError, allowed: Iterable[str] = (), prefix: str = "") -> str:
    """One line per problem of a pydantic error, for a person: the field, what was wrong, the value.

    `prefix` is put before every field name (`args.`); `allowed` is listed for unknown fields.
    """
    problems = []
    for e in error.errors():
        name = prefix + ".".join(str(part) for part in e["loc"])
        if e["type"] in ("extra_forbidden", "unexpected_keyword_argument"):
            known = ", ".join(sorted(allowed))
            problems.append(f"unknown field {name!r}" + (f" (allowed: {known})" if known else ""))
        elif e["type"] == "missing":
            problems.append(f"field {name!r} is required")
        else:
            problems.append(f"field {name!r}: {e['msg']} (got {e['input']!r})")
    return "; ".join(problems)


@dataclass(frozen=True)
class ChatRequest:
    """Messages plus decoding parameters."""

    messages: tuple[ChatMessage, ...]
    config: GenerateConfig = field(default_factory=GenerateConfig)

    @staticmethod
    def of(messages: list[dict[str, str]] | list[ChatMessage], config: GenerateConfig | None = None) -> ChatRequest:
        """Build a request from plain dicts or ChatMessages."""
        msgs = tuple(m if isinstance(m, ChatMessage) else ChatMessage(m["role"], m["content"]) for m in messages)  # type: ignore[arg-type]
        return ChatRequest(msgs, config or GenerateConfig())

    def message_dicts(self) -> list[dict[str, str]]:
        """The messages in the OpenAI wire format."""
        return [{"role": m.role, "content": m.content} for m in self.messages]


@dataclass(frozen=True)
class Usage:
    """Token counts reported by the backend (0 when unknown)."""

    prompt_tokens: int = 0
    completion_tokens: int = 0


@dataclass(frozen=True)
class ChatResponse:
    """What a model returned, or why it failed.

    A response with `error` set is a recorded failure: it is never scored.
    """

    text: str
    finish_reason: str | None = None
    usage: Usage = field(default_factory=Usage)
    latency_s: float = 0.0
    error: str | None = None
    cached: bool = False

    @property
    def failed(self) -> bool:
        """True when the call did not produce a response."""
        return self.error is not None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serialisable form (for the cache and the run directory)."""
        # Spelled out: asdict deep-copies every field, a cost paid once per model call.
        return {
            "text": self.text,
            "finish_reason": self.finish_reason,
            "usage": {"prompt_tokens": self.usage.prompt_tokens, "completion_tokens": self.usage.completion_tokens},
            "latency_s": self.latency_s,
            "error": self.error,
        }

    @staticmethod
    def from_dict(d: dict[str, Any], cached: bool = False) -> ChatResponse:
        """Inverse of `to_dict`."""
        usage = Usage(**d.get("usage") or {})
        return ChatResponse(
            text=d.get("text", ""),
            finish_reason=d.get("finish_reason"),
            usage=usage,
            latency_s=d.get("latency_s", 0.0),
            error=d.get("error"),
            cached=cached,
        )


@runtime_checkable
class ChatModel(Protocol):
    """An async chat model. Adapters never raise for a failed call: they return `error`."""

    name: str
    max_concurrency: int

    async def chat(self, request: ChatRequest) -> ChatResponse:
        """Generate one response."""
        ...

    def stream(self, request: ChatRequest) -> AsyncIterator[str]:
        """Yield the response text in pieces."""
        ...

    async def aclose(self) -> None:
        """Release connections, threads or weights."""
        ...
