"""Model adapters behind one async chat interface, model entries and the response cache.

The adapters (`_providers/`) register themselves when the registry is first used, not when this
package is imported: naming a model error or an entry costs no HTTP client and no llama.cpp.
"""

from typing import Any

from equipoise.models._cache import CachedModel, ResponseCache, open_response_cache, request_key
from equipoise.models._entry import (
    ModelEntry,
    create_model,
    describe_args,
    entry_from_mapping,
    load_entries,
    resolve_entry,
)
from equipoise.models._types import (
    ChatMessage,
    ChatModel,
    ChatRequest,
    ChatResponse,
    GenerateConfig,
    ModelError,
    Usage,
)

__all__ = [
    "EMBEDDED_MODELS",
    "CachedModel",
    "ChatMessage",
    "ChatModel",
    "ChatRequest",
    "ChatResponse",
    "GenerateConfig",
    "ModelEntry",
    "ModelError",
    "ResponseCache",
    "Usage",
    "assemble",
    "create_model",
    "describe_args",
    "embedded_path",
    "entry_from_mapping",
    "load_entries",
    "open_response_cache",
    "request_key",
    "resolve_entry",
]


_EMBEDDED = ("EMBEDDED_MODELS", "assemble", "embedded_path")


def __getattr__(name: str) -> Any:
    # The embedded-model helpers live with their adapter; importing it loads the GGUF runtime's glue.
    if name in _EMBEDDED:
        from equipoise.models._providers import embedded

        return getattr(embedded, name)
    raise AttributeError(f"module 'equipoise.models' has no attribute {name!r}")
