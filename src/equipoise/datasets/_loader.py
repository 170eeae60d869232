"""Reading JSONL / CSV / JSON data files with field mapping and errors that point at file:line."""

from __future__ import annotations

import csv
import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from equipoise._errors import DatasetError as DatasetError
from equipoise.datasets._sample import Sample

Record = dict[str, Any]


class ChecksumMismatch(DatasetError):
    """A data file whose sha256 is not the one pinned for it (a different version, or damaged)."""


class MissingField(KeyError):
    """Raised by `field_of` inside record converters; turned into a DatasetError with file:line."""

    def __init__(self, name: str, problem: str) -> None:
        super().__init__(name)
        self.name = name
        self.problem = problem


def field_of(record: Record, name: str, kind: type | tuple[type, ...] = str, optional: bool = False) -> Any:
    """Return `record[name]`, checking its type; raises MissingField for the error message."""
    if name not in record or record[name] is None:
        if optional:
            return None
        raise MissingField(name, "is missing")
    value = record[name]
    if not isinstance(value, kind):
        kinds = kind if isinstance(kind, tuple) else (kind,)
        raise MissingField(
            name,
            f"should be {' or '.join(k.__name__ for k in kinds)}, found {type(value).__name__} {value!r:.60}",
        )
    return value


def _not_utf8(path: Path) -> DatasetError:
    """The error for a file that is not UTF-8, at the first bad byte's line and column (the text
    reader decodes in blocks, so its own error knows neither)."""
    data = path.read_bytes()
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as e:
        line_start = data.rfind(b"\n", 0, e.start) + 1
        lineno = data.count(b"\n", 0, e.start) + 1
        column = e.start - line_start + 1
        return DatasetError(
            f"{path}:{lineno}: not UTF-8 text (byte 0x{data[e.start]:02x} at byte {column} of the line); "
            "save the file as UTF-8"
        )
    return DatasetError(f"{path}: was not UTF-8 text while being read but decodes now: it changed meanwhile")


def read_records(path: Path) -> Iterator[tuple[int, Record]]:
    """Yield (line number, record) from a .jsonl, .csv or .json file."""
    try:
        yield from _records(path)
    except UnicodeDecodeError:
        raise _not_utf8(path) from None


def _records(path: Path) -> Iterator[tuple[int, Record]]:
    suffix = path.suffix.lower()
    try:
        handle = path.open(encoding="utf-8", newline="" if suffix == ".csv" else None)
    except FileNotFoundError:
        raise DatasetError(f"data file {path} does not exist") from None
    with handle:
        if suffix == ".jsonl":
            for lineno, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                try:
                    rec = json.loads(line)
                except json.JSONDecodeError as e:
                    raise DatasetError(f"{path}:{lineno}: not valid JSON ({e.msg} at column {e.colno})") from None
                if not isinstance(rec, dict):
                    raise DatasetError(f"{path}:{lineno}: expected a JSON object, found {type(rec).__name__}")
                yield lineno, rec
        elif suffix == ".csv":
            reader = csv.DictReader(handle)
            for rec in reader:
                yield reader.line_num, dict(rec)
        elif suffix == ".json":
            try:
                data = json.load(handle)
            except json.JSONDecodeError as e:
                raise DatasetError(f"{path}:{e.lineno}: not valid JSON ({e.msg})") from None
            if not isinstance(data, list):
                raise DatasetError(f"{path}: expected a JSON array of objects")
            for i, rec in enumerate(data, start=1):
                if not isinstance(rec, dict):
                    raise DatasetError(f"{path}: item {i}: expected an object, found {type(rec).__name__}")
                yield i, rec
        else:
            raise DatasetError(f"{path}: unsupported data file type {suffix!r} (use .jsonl, .csv or .json)")


@dataclass(frozen=True)
class FieldSpec:
    """Declarative mapping from record fields to a Sample (Inspect AI style)."""

    input: str = "prompt"
    target: str | None = None
    id: str | None = "id"
    system: str | None = None
    metadata: tuple[str, ...] = ()

    def __call__(self, record: Record, lineno: int) -> Sample:
        prompt = field_of(record, self.input)
        system = field_of(record, self.system, optional=True) if self.system else None
        target = record.get(self.target) if self.target else None
        sid = str(record.get(self.id, lineno)) if self.id else str(lineno)
        meta = {k: record.get(k) for k in self.metadata}
        return Sample.user(sid, prompt, target=target, system=system, **meta)


RecordToSample = Callable[[Record, int], Sample | None]

# (resolved path, size, mtime in ns) -> sha256: a file read again in the same process is hashed once.
_SHA256_SEEN: dict[tuple[str, int, int], str] = {}


def file_sha256(path: Path) -> str:
    """The sha256 of a file, remembered per (path, size, mtime) so repeated loads stay fast."""
    stat = path.stat()
    key = (str(path.resolve()), stat.st_size, stat.st_mtime_ns)
    if key not in _SHA256_SEEN:
        digest = hashlib.sha256()
        with path.open("rb") as handle:
            while chunk := handle.read(1 << 20):
                digest.update(chunk)
        _SHA256_SEEN[key] = digest.hexdigest()
    return _SHA256_SEEN[key]


def dataset_name(file_name: str) -> str:
    """The name `equipoise data pull --dataset` takes: the path under the data directory without
    its extension (e.g. `safety/xstest`)."""
    return file_name.rsplit(".", 1)[0]


@dataclass(frozen=True)
class DataFile:
    """A dataset file: where it lives, where it came from, and how its rows become samples.

    `name` is relative to the data directory. `source` is the pinned origin (a repository file at
    a fixed commit) as documented; `equipoise data pull` fetches and converts it (see
    `equipoise.datasets._sources`). When `sha256` is set, loading refuses a file with another hash.
    """

    name: str
    sha256: str | None = None
    source: str | None = None
    license: str | None = None
    to_sample: RecordToSample = field(default_factory=FieldSpec)
    builtin: bool = False

    def path(self, data_dir: Path | None) -> Path:
        """The file's location: inside the package for built-in data, else under `data_dir`."""
        if self.builtin:
            return Path(__file__).resolve().parent.parent / "tasks" / self.name
        if data_dir is None:
            raise DatasetError(
                f"data file {self.name} needs a data directory: run `equipoise data pull`, "
                "or set EQUIPOISE_DATA_DIR / pass --data-dir to a directory holding the datasets"
            )
        return data_dir / self.name

    def present(self, data_dir: Path | None) -> bool:
        """True when the file can be read."""
        try:
            return self.path(data_dir).is_file()
        except DatasetError:
            return False

    def load(self, data_dir: Path | None) -> list[Sample]:
        """Read every row into samples; a malformed row fails with file:line and the field."""
        path = self.path(data_dir)
        if not path.is_file():
            where = f" in data directory {data_dir}" if not self.builtin else ""
            fetch = "" if self.builtin else f"; fetch it with `equipoise data pull --dataset {dataset_name(self.name)}`"
            raise DatasetError(f"data file {self.name} not found{where} (looked for {path}){fetch}")
        self.verify(path)
        samples: list[Sample] = []
        for lineno, record in read_records(path):
            try:
                sample = self.to_sample(record, lineno)
            except MissingField as e:
                raise DatasetError(f"{path}:{lineno}: field {e.name!r} {e.problem}") from None
            except DatasetError:
                raise
            except ValueError as e:  # a converter's check of a value, e.g. a label out of range
                raise DatasetError(f"{path}:{lineno}: {e}") from None
            if sample is not None:
                samples.append(sample)
        return samples

    def verify(self, path: Path) -> None:
        """Refuse the file at `path` when its sha256 is not the pinned one."""
        if self.sha256 is None:
            return
        found = file_sha256(path)
        if found != self.sha256:
            raise ChecksumMismatch(
                f"{path}: sha256 {found} does not match the pinned sha256 {self.sha256} of {self.name}; "
                "the file is another version or was changed. Restore it with "
                f"`equipoise data pull --dataset {dataset_name(self.name)}` (it replaces the file)"
            )

    def checksum(self, data_dir: Path | None) -> str:
        """sha256 of the file as read now (recorded in the run manifest)."""
        return file_sha256(self.path(data_dir))
