"""Reading JSONL / CSV / JSON data files with field mapping and errors that point at file:line."""

from __future__ import annotations

import csv
import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from equipoise.datasets._sample import Sample

Record = dict[str, Any]


class DatasetError(ValueError):
    """A data file that is missing or malformed; the message names the file, line and field."""


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


@dataclass(frozen=True)
class DataFile:
    """A dataset file: where it lives, where it came from, and how its rows become samples.

    `name` is relative to the data directory. `source` is the pinned remote origin (URL or Hub
    dataset at a fixed revision) for users who are online; equipoise itself never downloads it.
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
                f"data file {self.name} needs a data directory: set EQUIPOISE_DATA_DIR "
                "(e.g. EQUIPOISE_DATA_DIR=../shared/data) or pass --data-dir"
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
            raise DatasetError(f"data file {self.name} not found{where} (looked for {path})")
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

    def checksum(self, data_dir: Path | None) -> str:
        """sha256 of the file as read now (recorded in the run manifest)."""
        return hashlib.sha256(self.path(data_dir).read_bytes()).hexdigest()
