"""Model entries: an adapter spec plus system prompt, decoding parameters and display metadata.

The same weights with a safety system prompt is a different entry, and so a different row on the
board. Entries can be written in a TOML file and referred to by name.
"""

from __future__ import annotations

import hashlib
import json
import tomllib
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from equipoise._registry import RegistryEntry, RegistryError, entries, lookup
from equipoise.models._providers._util import ProviderArgs
from equipoise.models._types import GENERATE_FIELDS, ChatModel, GenerateConfig, ModelError, validation_message


class EntryTable(BaseModel):
    """A `[models.NAME]` table of an entries file, less its decoding parameters (`GenerateConfig`
    checks those: they sit beside these keys in the table)."""

    model_config = ConfigDict(extra="forbid", strict=True)

    spec: str = Field(description="Adapter and target, e.g. embedded:smollm2-135m.")
    display_name: str | None = Field(None, description="Name on the board (default: the table's name).")
    system_prompt: str | None = Field(None, description="System message sent before every prompt.")
    organisation: str | None = Field(None, description="Who made the model (shown on the board).")
    open_weights: bool | None = Field(None, description="Whether the weights are public (shown on the board).")
    parameters: str | None = Field(None, description="Model size as text, e.g. '0.5B' (shown on the board).")
    args: dict[str, Any] = Field(default_factory=dict, description="Settings of the adapter (see describe_args).")


_TABLE_FIELDS = (*EntryTable.model_fields, *GENERATE_FIELDS)


@dataclass(frozen=True)
class ModelEntry:
    """One row of the leaderboard: which model, prompted and decoded how, shown as what."""

    spec: str
    display_name: str = ""
    system_prompt: str | None = None
    config: GenerateConfig = field(default_factory=GenerateConfig)
    organisation: str | None = None
    open_weights: bool | None = None
    parameters: str | None = None
    args: dict[str, Any] = field(default_factory=dict)

    @property
    def name(self) -> str:
        """The name shown on the board (the spec when no display name was given)."""
        return self.display_name or self.spec

    @property
    def provider(self) -> str:
        """The adapter prefix of the spec (`openai-compat`, `gguf`, `embedded`, ...)."""
        return self.spec.split(":", 1)[0]

    def identity(self) -> str:
        """A stable hash of everything that changes what the model says (not display metadata)."""
        payload = {
            "spec": self.spec,
            "system_prompt": self.system_prompt,
            "config": asdict(self.config),
            "args": {k: v for k, v in sorted(self.args.items()) if k not in _TRANSPORT_ARGS},
        }
        return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()[:16]

    def to_dict(self) -> dict[str, Any]:
        """JSON form for manifests and the store."""
        d = asdict(self)
        d["config"]["stop"] = list(self.config.stop)
        d["name"] = self.name
        d["identity"] = self.identity()
        return d


# Arguments that change how requests are sent, not what comes back.
_TRANSPORT_ARGS = {"api_key_env", "max_concurrency", "timeout_s", "max_retries", "retry_base_s"}


def entry_from_mapping(data: dict[str, Any], name: str = "", where: str = "") -> ModelEntry:
    """Build and check an entry from a TOML table or a dict; `where` names the source for errors.

    Every problem is a ModelError naming the source, the entry and the field.
    """
    context = f"{where}: model entry {name!r}" if where else f"model entry {name!r}"
    problems = []
    try:
        table = EntryTable.model_validate({k: v for k, v in data.items() if k not in GENERATE_FIELDS})
    except ValidationError as e:
        problems.append(validation_message(e, _TABLE_FIELDS))
    try:
        config = GenerateConfig(**{k: v for k, v in data.items() if k in GENERATE_FIELDS})
    except ValidationError as e:
        problems.append(validation_message(e, GENERATE_FIELDS))
    if problems:
        hint = ' (e.g. spec = "embedded:smollm2-135m")' if "spec" not in data else ""
        raise ModelError(f"{context}: {'; '.join(problems)}{hint}")
    entry = ModelEntry(
        spec=table.spec,
        display_name=table.display_name or name,
        system_prompt=table.system_prompt,
        config=config,
        organisation=table.organisation,
        open_weights=table.open_weights,
        parameters=table.parameters,
        args=table.args,
    )
    if entry.provider not in {e.name for e in entries("modelapi")}:
        # Possibly a model evaluated elsewhere, named only to import its results: nothing to check
        # here; running it fails in create_model, naming the spec and the known adapters.
        return entry
    try:
        registered, args = _adapter(entry)
        check_target = registered.metadata.get("check_target")
        if check_target is not None:
            check_target(entry.spec.partition(":")[2], args)
    except ModelError as e:
        raise ModelError(f"{context}: {e}") from None
    return entry


def load_entries(path: Path) -> dict[str, ModelEntry]:
    """Read `[models.NAME]` tables from a TOML file."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ModelError(f"model entries file {path} does not exist") from None
    except UnicodeDecodeError as e:
        raise ModelError(f"{path}: not UTF-8 text (byte {e.start}); save the file as UTF-8") from None
    except tomllib.TOMLDecodeError as e:
        raise ModelError(f"{path}: not valid TOML: {e}") from None
    models = data.get("models")
    if not isinstance(models, dict):
        raise ModelError(f"{path}: expected [models.NAME] tables, found none")
    for name, table in models.items():
        if not isinstance(table, dict):
            raise ModelError(f"{path}: models.{name} is {table!r}, expected a table: [models.{name}]")
    return {name: entry_from_mapping(table, name, str(path)) for name, table in models.items()}


def resolve_entry(
    name_or_spec: str,
    models_file: Path | None = None,
    system_prompt: str | None = None,
    **config: Any,
) -> ModelEntry:
    """Turn a CLI argument into an entry: a name from the entries file, or a spec like `gguf:PATH`."""
    if models_file is not None and models_file.exists():
        named = load_entries(models_file)
        if name_or_spec in named:
            entry = named[name_or_spec]
            if system_prompt is not None or config:
                entry = ModelEntry(
                    **{
                        **entry.__dict__,
                        "system_prompt": system_prompt or entry.system_prompt,
                        "config": entry.config.merged(**config),
                    }
                )
            return entry
    if ":" not in name_or_spec:
        providers = ", ".join(e.name + ":" for e in entries("modelapi"))
        hint = f" or a name from {models_file}" if models_file else ""
        raise ModelError(f"model {name_or_spec!r} is not a spec ({providers}){hint}")
    return ModelEntry(spec=name_or_spec, system_prompt=system_prompt, config=GenerateConfig().merged(**config))


def _adapter(entry: ModelEntry) -> tuple[RegistryEntry, ProviderArgs]:
    """The registered adapter of the entry's spec prefix and its checked `args`."""
    prefix = entry.provider
    try:
        registered = lookup("modelapi", prefix)
    except RegistryError as e:
        raise ModelError(f"model spec {entry.spec!r}: {e}") from None
    schema: type[ProviderArgs] = registered.metadata["args"]
    try:
        return registered, schema.model_validate(entry.args)
    except ValidationError as e:
        raise ModelError(validation_message(e, schema.model_fields, prefix="args.")) from None


def create_model(entry: ModelEntry) -> ChatModel:
    """Instantiate the adapter named by the entry's spec prefix, with its checked `args`."""
    try:
        registered, args = _adapter(entry)
    except ModelError as e:
        raise ModelError(f"model entry {entry.name!r}: {e}") from None
    try:
        return registered.obj(entry.spec.partition(":")[2], args)
    except ModelError as e:
        if entry.name == entry.spec:  # the adapter's message already names the spec
            raise
        raise ModelError(f"model entry {entry.name!r}: {e}") from None


def describe_args(prefix: str) -> list[tuple[str, str, str]]:
    """(name, default, description) of each `args` setting of one adapter, for help texts and docs."""
    schema: type[ProviderArgs] = lookup("modelapi", prefix).metadata["args"]
    return [
        (name, "unset" if f.default is None else json.dumps(f.default), f.description or "")
        for name, f in schema.model_fields.items()
    ]
