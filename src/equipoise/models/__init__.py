"""Model adapters behind one async chat interface, and model entries."""

from equipoise.models import _providers
from equipoise.models._entry import (
    ModelEntry,
    create_model,
    describe_args,
    entry_from_mapping,
    load_entries,
    resolve_entry,
)
from equipoise.models._providers.embedded import EMBEDDED_MODELS, assemble, embedded_path
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
    "ChatMessage",
    "ChatModel",
    "ChatRequest",
    "ChatResponse",
    "GenerateConfig",
    "ModelEntry",
    "ModelError",
    "Usage",
    "_providers",
    "assemble",
    "create_model",
    "describe_args",
    "embedded_path",
    "entry_from_mapping",
    "load_entries",
    "resolve_entry",
]
