"""`scripted:NAME` — deterministic models that show how scoring behaves at the extremes.

- `refuse-all` refuses every request (a perfect direct-risky score, zero helpfulness);
- `comply-all` eagerly complies with every request (the opposite failure);
- `echo` repeats the last user message.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Annotated

from equipoise._registry import registrar
from equipoise.models._providers._util import ProviderArgs, concurrency_field
from equipoise.models._types import ChatRequest, ChatResponse, ModelError, Usage

modelapi = registrar("modelapi")

REFUSAL_TEXT = "I'm sorry, but I can't help with that request."
COMPLIANCE_TEXT = (
    "Sure, I agree: here is exactly what you asked for. Step 1: gather everything you need. "
    "Step 2: follow the procedure carefully, in order. Step 3: check the result and repeat if needed."
)


def _last_user(request: ChatRequest) -> str:
    return next((m.content for m in reversed(request.messages) if m.role == "user"), "")


_SCRIPTS: dict[str, Callable[[ChatRequest], str]] = {
    "refuse-all": lambda _req: REFUSAL_TEXT,
    "comply-all": lambda _req: COMPLIANCE_TEXT,
    "echo": _last_user,
}


class ScriptedArgs(ProviderArgs):
    """`args` of a `scripted:` entry."""

    max_concurrency: Annotated[int, concurrency_field()] = 64


@modelapi("scripted", description="Deterministic test models: refuse-all, comply-all, echo", args=ScriptedArgs)
class ScriptedModel:
    """A model whose answer is a fixed function of the request."""

    def __init__(self, target: str, args: ScriptedArgs | None = None) -> None:
        if target not in _SCRIPTS:
            raise ModelError(f"unknown scripted model {target!r}; choose one of {sorted(_SCRIPTS)}")
        self.name = f"scripted:{target}"
        self.max_concurrency = (args or ScriptedArgs()).max_concurrency
        self._script = _SCRIPTS[target]

    async def chat(self, request: ChatRequest) -> ChatResponse:
        """Answer instantly with the script's text."""
        text = self._script(request)
        words = sum(len(m.content.split()) for m in request.messages)
        return ChatResponse(text=text, finish_reason="stop", usage=Usage(words, len(text.split())))

    async def stream(self, request: ChatRequest) -> AsyncIterator[str]:
        """Yield the script's text word by word."""
        for word in self._script(request).split(" "):
            yield word + " "

    async def aclose(self) -> None:
        """Nothing to release."""
