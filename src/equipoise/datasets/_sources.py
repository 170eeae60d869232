"""Where each data file comes from: the table in `sources.toml` (see its header for the fields)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, fields
from functools import lru_cache
from pathlib import Path

from equipoise.datasets._convert import CONVERTERS
from equipoise.datasets._loader import DatasetError

SOURCES_FILE = Path(__file__).with_name("sources.toml")


@dataclass(frozen=True)
class Source:
    """How `equipoise data pull` obtains one data file (`file` = its path under the data directory)."""

    file: str
    url: str | None = None
    sha256: str | None = None
    convert: str | None = None
    gated: str | None = None
    made: str | None = None

    @property
    def automatic(self) -> bool:
        """True when pull can make the file from its source with no step by the user."""
        return self.url is not None and self.gated is None and self.made is None


def parse_sources(text: str, where: str) -> dict[str, Source]:
    """The sources table in `text` (TOML), checked: known fields, known converters, a sha256 for
    every converted download."""
    try:
        table = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise DatasetError(f"{where}: not valid TOML ({e})") from None
    known = {f.name for f in fields(Source)} - {"file"}
    out: dict[str, Source] = {}
    for file, entry in table.items():
        if not isinstance(entry, dict):
            raise DatasetError(f"{where}: [{file!r}] should be a table")
        unknown = sorted(set(entry) - known)
        if unknown:
            raise DatasetError(f"{where}: [{file!r}] has unknown field(s) {unknown}; known: {sorted(known)}")
        source = Source(file, **entry)
        if source.convert is not None and source.convert not in CONVERTERS:
            raise DatasetError(
                f"{where}: [{file!r}] convert = {source.convert!r} is no converter; known: {sorted(CONVERTERS)}"
            )
        if source.convert is not None and source.sha256 is None:
            raise DatasetError(f"{where}: [{file!r}] is converted, so it needs the download's sha256")
        if source.url is None and source.made is None:
            raise DatasetError(f"{where}: [{file!r}] needs a url, or `made` saying how the file was made")
        out[file] = source
    return out


@lru_cache(maxsize=1)
def load_sources() -> dict[str, Source]:
    """Every declared source, by file path under the data directory."""
    return parse_sources(SOURCES_FILE.read_text(encoding="utf-8"), str(SOURCES_FILE))
