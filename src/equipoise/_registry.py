"""One registry for every pluggable kind (tasks, scorers, attacks, model APIs, suites).

Entries are filled by decorators at import time, so the CLI and the About page list what the code
actually contains. A missing name raises an error that lists the names that do exist.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

Kind = Literal["task", "scorer", "attack", "modelapi", "suite", "judge"]

T = TypeVar("T")


@dataclass(frozen=True)
class RegistryEntry:
    """A registered object plus the metadata given at registration."""

    kind: Kind
    name: str
    obj: Any
    metadata: dict[str, Any] = field(default_factory=dict)


class RegistryError(LookupError):
    """An unknown or duplicated registry name."""


_REGISTRY: dict[Kind, dict[str, RegistryEntry]] = {}


def register(kind: Kind, name: str, obj: Any, **metadata: Any) -> Any:
    """Register `obj` under (kind, name); registering the same name twice is an error."""
    table = _REGISTRY.setdefault(kind, {})
    existing = table.get(name)
    if existing is not None and existing.obj is not obj:
        raise RegistryError(f"{kind} {name!r} is registered twice ({existing.obj!r} and {obj!r})")
    table[name] = RegistryEntry(kind=kind, name=name, obj=obj, metadata=metadata)
    return obj


def registrar(kind: Kind) -> Callable[..., Callable[[T], T]]:
    """Build a decorator factory `@deco(name, **metadata)` for one kind."""

    def decorator_factory(name: str, **metadata: Any) -> Callable[[T], T]:
        def decorator(obj: T) -> T:
            register(kind, name, obj, **metadata)
            return obj

        return decorator

    return decorator_factory


def lookup(kind: Kind, name: str) -> RegistryEntry:
    """Return the entry for (kind, name) or raise an error listing the known names."""
    _load_builtins()
    table = _REGISTRY.get(kind, {})
    if name not in table:
        known = ", ".join(sorted(table)) or "(none)"
        raise RegistryError(f"unknown {kind} {name!r}; known {kind}s: {known}")
    return table[name]


def entries(kind: Kind) -> list[RegistryEntry]:
    """All entries of one kind, sorted by name."""
    _load_builtins()
    return [e for _, e in sorted(_REGISTRY.get(kind, {}).items())]


_loaded = False


def _load_builtins() -> None:
    """Import the modules whose decorators fill the registry (once)."""
    global _loaded
    if _loaded:
        return
    _loaded = True
    import importlib

    for module in (
        "equipoise.models._providers._all",
        "equipoise.judges",
        "equipoise.scoring",
        "equipoise.attacks",
        "equipoise.tasks",
    ):
        importlib.import_module(module)
