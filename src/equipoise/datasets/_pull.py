"""`equipoise data pull` and `data status`: download, verify, convert and write data files.

A file is written only once every check passed (each download's sha256, then the result's pinned
sha256), through a temporary file in the same directory and a rename: a failed pull never leaves
a half-written file and never replaces a good one. A file made from several downloads is written
only when all of them verified. A file whose result cannot be checked (no pinned sha256) is never
written.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

import httpx

from equipoise.datasets._convert import CONVERTERS, JOINERS, Download
from equipoise.datasets._loader import DataFile, dataset_name, file_sha256
from equipoise.datasets._sources import Part, Source, load_sources

# (dataset name, bytes so far, total bytes or None while not known). For a dataset of several
# downloads the bytes count over all of them and the total is known once the last one started.
Progress = Callable[[str, int, int | None], None]

PRESENT = "present"
MISSING = "missing"
MISMATCH = "checksum mismatch"
UNPINNED = "present (not pinned)"
GATED = "missing (gated)"


class PullError(Exception):
    """A download that failed or did not verify; the message names the URL and what was found."""


@dataclass(frozen=True)
class Dataset:
    """A data file a task reads, with where it comes from."""

    file: DataFile
    source: Source

    @property
    def name(self) -> str:
        return dataset_name(self.file.name)

    def status(self, data_dir: Path) -> str:
        """present / missing / missing (gated) / checksum mismatch / present (not pinned)."""
        path = self.file.path(data_dir)
        if not path.is_file():
            return GATED if self.source.gated else MISSING
        if self.file.sha256 is None:
            return UNPINNED
        return PRESENT if file_sha256(path) == self.file.sha256 else MISMATCH

    def how(self) -> str:
        """How pull obtains it, in a few words (for `data status`)."""
        if self.source.gated:
            return f"gated: {self.source.gated}"
        if self.file.sha256 is None:
            return "place it yourself (no pinned sha256)"
        if not self.source.automatic:
            return "mirror only (no converter yet)"
        parts = self.source.parts
        where = ", ".join(dict.fromkeys(_short(p.url) for p in parts))
        files = f" ({len(parts)} files)" if len(parts) > 1 else ""
        return f"{'converted' if self.source.convert else 'copy'}: {where}{files}"


def _short(url: str) -> str:
    """owner/repo@commit for a raw GitHub URL (the URL itself otherwise)."""
    parts = urlsplit(url).path.strip("/").split("/")
    if urlsplit(url).netloc == "raw.githubusercontent.com" and len(parts) > 3:
        return f"{parts[0]}/{parts[1]}@{parts[2][:7]}"
    return url


@dataclass(frozen=True)
class Outcome:
    """What pull did for one dataset: fetched, up to date, needs you (a step only the user can
    take; `message` says which) or failed (`message` says why)."""

    name: str
    state: str
    message: str = ""


def datasets_of(files: Iterable[DataFile]) -> list[Dataset]:
    """The datasets behind these files (built-in files left out, each file once, in order)."""
    sources = load_sources()
    out: dict[str, Dataset] = {}
    for f in files:
        if not f.builtin and f.name not in out:
            source = sources.get(f.name) or Source(f.name, made="a file sources.toml does not declare")
            out[f.name] = Dataset(f, source)
    return list(out.values())


def _rebase(url: str, base: str) -> str:
    """https://HOST/PATH as BASE/HOST/PATH."""
    parts = urlsplit(url)
    tail = f"{parts.netloc}{parts.path}" + (f"?{parts.query}" if parts.query else "")
    return f"{base.rstrip('/')}/{tail}"


def _download(client: httpx.Client, url: str, on_bytes: Callable[[int, int | None], None]) -> bytes:
    try:
        with client.stream("GET", url) as response:
            if response.status_code != 200:
                raise PullError(f"{url}: HTTP {response.status_code} {response.reason_phrase}")
            length = response.headers.get("content-length")
            total = int(length) if length and length.isdigit() else None
            body = bytearray()
            for chunk in response.iter_bytes():
                body += chunk
                on_bytes(len(body), total)
            return bytes(body)
    except httpx.HTTPError as e:
        raise PullError(f"{url}: {type(e).__name__}: {e}") from None


def _counting(progress: Progress | None, name: str, before: int, last: bool) -> Callable[[int, int | None], None]:
    """A part's byte counts as the dataset's: after the `before` bytes of the parts already fetched."""

    def on_bytes(done: int, total: int | None) -> None:
        if progress:
            progress(name, before + done, before + total if last and total is not None else None)

    return on_bytes


def _download_all(client: httpx.Client, parts: tuple[Part, ...], name: str, progress: Progress | None) -> list[bytes]:
    """Each part's bytes, in order, each checked against its sha256 as soon as it arrived (so a
    bad part stops the pull before the rest are fetched)."""
    out: list[bytes] = []
    for k, part in enumerate(parts):
        data = _download(client, part.url, _counting(progress, name, sum(map(len, out)), k == len(parts) - 1))
        found = hashlib.sha256(data).hexdigest()
        if found != part.sha256:
            raise PullError(f"{part.url}: sha256 {found}, expected {part.sha256}; nothing was written")
        out.append(data)
    return out


def _convert(name: str, parts: tuple[Part, ...], downloads: list[bytes]) -> bytes:
    """The converter `name` on the downloads (a joiner gets them all, named by their URLs' file names)."""
    if len(downloads) == 1:
        return CONVERTERS[name](downloads[0])
    named = [
        Download(unquote(urlsplit(p.url).path).rsplit("/", 1)[-1], d) for p, d in zip(parts, downloads, strict=True)
    ]
    return JOINERS[name](named)


def _write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def _needs_you(ds: Dataset, path: Path) -> str | None:
    """Why pull cannot fetch `ds` by itself (None when it can)."""
    if ds.source.gated:
        return f"{ds.name} is gated: accept the terms at {ds.source.gated}, then save {ds.source.made} as {path}"
    if ds.file.sha256 is None:
        return (
            f"{ds.name} has no pinned sha256, so no download could be checked: place the file at {path} "
            f"({ds.source.made or ds.file.source})"
        )
    return None


def pull_one(
    ds: Dataset,
    data_dir: Path,
    client: httpx.Client,
    *,
    mirror: str | None = None,
    sources_base: str | None = None,
    progress: Progress | None = None,
) -> Outcome:
    """Fetch one dataset into `data_dir` (see the module doc for when a file is written)."""
    path = ds.file.path(data_dir)
    if (why := _needs_you(ds, path)) is not None:
        return Outcome(ds.name, "needs you", why)
    before = ds.status(data_dir)
    if before == PRESENT:
        return Outcome(ds.name, "up to date")
    if mirror:
        parts, convert = (Part(f"{mirror.rstrip('/')}/{ds.file.name}", ds.file.sha256),), None
    elif ds.source.automatic:
        # A copied file's download is the file: without its own sha256 it must have the file's.
        parts = tuple(
            Part(_rebase(p.url, sources_base) if sources_base else p.url, p.sha256 or ds.file.sha256)
            for p in ds.source.parts
        )
        convert = ds.source.convert
    else:
        return Outcome(
            ds.name,
            "needs you",
            f"equipoise cannot make {ds.name} from its source yet (it is {ds.source.made}; source "
            f"{ds.file.source}): fetch it from a copy of a data directory with --mirror URL (or "
            f"EQUIPOISE_DATA_MIRROR), or place it at {path} (sha256 {ds.file.sha256})",
        )
    try:
        downloads = _download_all(client, parts, ds.name, progress)
        data = downloads[0]
        if convert:
            data = _convert(convert, ds.source.parts, downloads)
            made = hashlib.sha256(data).hexdigest()
            if made != ds.file.sha256:
                where = parts[0].url if len(parts) == 1 else f"{len(parts)} downloads ({parts[0].url}, ...)"
                raise PullError(
                    f"{where}: converter {convert!r} made sha256 {made}, expected {ds.file.sha256}; nothing was written"
                )
        _write_atomically(path, data)
    except PullError as e:
        return Outcome(ds.name, "failed", str(e))
    note = "replaced a file with another sha256" if before == MISMATCH else ""
    return Outcome(ds.name, "fetched", note)


def pull(
    datasets: list[Dataset],
    data_dir: Path,
    *,
    mirror: str | None = None,
    sources_base: str | None = None,
    progress: Progress | None = None,
    timeout_s: float = 60.0,
) -> list[Outcome]:
    """Fetch every dataset in turn; one failure does not stop the others."""
    with httpx.Client(follow_redirects=True, timeout=timeout_s) as client:
        return [
            pull_one(ds, data_dir, client, mirror=mirror, sources_base=sources_base, progress=progress)
            for ds in datasets
        ]
