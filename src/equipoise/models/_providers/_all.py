"""Importing this module registers every model adapter (the registry imports it on first use)."""

from equipoise.models._providers import embedded, gguf, hf, openai_compat, scripted

__all__ = ["embedded", "gguf", "hf", "openai_compat", "scripted"]
