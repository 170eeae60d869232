"""Where each data file comes from: the table in `sources.toml` (see its header for the fields)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from equipoise.datasets._convert import CONVERTERS, JOINERS
from equipoise.datasets._loader import DatasetError

SOURCES_FILE = Path(__file__).with_name("sources.toml")
_FIELDS = ("url", "sha256", "parts", "convert", "gated", "made")


@dataclass(frozen=True)
class Part:
    """One file to download: its URL and the sha256 the download must have (None for a copied
    file, which is checked against the data file's own pinned sha256)."""

    url: str
    sha256: str | None = None


@dataclass(frozen=True)
class Source:
    """How `equipoise data pull` obtains one data file (`file` = its path under the data directory):
    the downloads in `parts`, in order, made into the file by the converter `convert`."""

    file: str
    parts: tuple[Part, ...] = ()
    convert: str | None = None
    gated: str | None = None
    made: str | None = None

    @property
    def automatic(self) -> bool:
        """True when pull can make the file from its source with no step by the user."""
        return bool(self.parts) and self.gated is None and self.made is None


def _parts(entry: dict[str, Any], where: str) -> tuple[Part, ...]:
    """`url` (+ `sha256`) for one download, or `parts = [{url, sha256}, ...]` for several."""
    if "parts" not in entry:
        return (Part(entry["url"], entry.get("sha256")),) if "url" in entry else ()
    if "url" in entry or "sha256" in entry:
        raise DatasetError(f"{where}: give either url (and sha256) or parts, not both")
    parts = entry["parts"]
    if not isinstance(parts, list) or len(parts) < 2:
        raise DatasetError(f"{where}: parts should list two or more {{url, sha256}} tables (one file: use url)")
    out = []
    for k, part in enumerate(parts, start=1):
        if not isinstance(part, dict) or set(part) != {"url", "sha256"}:
            found = sorted(part) if isinstance(part, dict) else type(part).__name__
            raise DatasetError(f"{where}: part {k} should be {{url = ..., sha256 = ...}}; found {found}")
        out.append(Part(part["url"], part["sha256"]))
    return tuple(out)


def parse_sources(text: str, where: str) -> dict[str, Source]:
    """The sources table in `text` (TOML), checked: known fields, a converter taking as many
    downloads as the entry declares, a sha256 for every converted download."""
    try:
        table = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise DatasetError(f"{where}: not valid TOML ({e})") from None
    out: dict[str, Source] = {}
    for file, entry in table.items():
        at = f"{where}: [{file!r}]"
        if not isinstance(entry, dict):
            raise DatasetError(f"{at} should be a table")
        unknown = sorted(set(entry) - set(_FIELDS))
        if unknown:
            raise DatasetError(f"{at} has unknown field(s) {unknown}; known: {sorted(_FIELDS)}")
        parts = _parts(entry, at)
        source = Source(file, parts, **{k: entry.get(k) for k in ("convert", "gated", "made")})
        converters = JOINERS if len(parts) > 1 else CONVERTERS
        if source.convert is not None and source.convert not in converters:
            kind = f"converter of {len(parts)} downloads" if len(parts) > 1 else "converter of one download"
            raise DatasetError(f"{at} convert = {source.convert!r} is no {kind}; known: {sorted(converters)}")
        if len(parts) > 1 and source.convert is None:
            raise DatasetError(f"{at} has {len(parts)} parts, so it needs `convert` to make one file of them")
        if source.convert is not None and any(p.sha256 is None for p in parts):
            raise DatasetError(f"{at} is converted, so it needs the download's sha256")
        if not parts and source.made is None:
            raise DatasetError(f"{at} needs a url (or parts), or `made` saying how the file was made")
        out[file] = source
    return out


@lru_cache(maxsize=1)
def load_sources() -> dict[str, Source]:
    """Every declared source, by file path under the data directory."""
    return parse_sources(SOURCES_FILE.read_text(encoding="utf-8"), str(SOURCES_FILE))
