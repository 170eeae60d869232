"""The chat interface every model adapter implements."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import asdict, dataclass, field
from typing import Any, Literal, Protocol, runtime_checkable

from equipoise._errors import ModelError as ModelError

Role = Literal["system", "user", "assistant"]


@dataclass(frozen=True)
class ChatMessage:
    """One turn of a conversation."""

    role: Role
    content: str


@dataclass(frozen=True)
class GenerateConfig:
    """Decoding parameters. Part of the response-cache key."""

    temperature: float = 0.0
    max_tokens: int = 256
    seed: int | None = 0
    stop: tuple[str, ...] = ()
    top_p: float | None = None

    def merged(self, **overrides: Any) -> GenerateConfig:
        """A copy with the non-None overrides applied."""
        values = asdict(self)
        values.update({k: v for k, v in overrides.items() if v is not None})
        if isinstance(values.get("stop"), list):
            values["stop"] = tuple(values["stop"])
        return GenerateConfig(**values)


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
