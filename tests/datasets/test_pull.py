"""`equipoise data pull` / `data status` against a real local HTTP server, and the checksum check
at load time. The server serves files of ../shared/data (no network)."""

from __future__ import annotations

import hashlib
import json
import os
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote

import httpx
import pytest
from typer.testing import CliRunner

from equipoise.cli import app
from equipoise.datasets import ChecksumMismatch
from equipoise.datasets._loader import DataFile
from equipoise.datasets._pull import Dataset, pull_one
from equipoise.datasets._sources import Part, Source, load_sources, parse_sources
from equipoise.settings import get_settings
from equipoise.tasks import all_tasks, get_task, select_tasks
from tests.conftest import SHARED_DATA

pytestmark = pytest.mark.skipif(not SHARED_DATA.is_dir(), reason=f"the shared datasets are not at {SHARED_DATA}")

# Not fetchable by design: HEx-PHI is gated, hypothesis_stereotypes has no pinned sha256.
NEEDS_A_STEP = {"libra/hex_phi", "libra/hypothesis_stereotypes"}


class _Server(ThreadingHTTPServer):
    routes: dict[str, Path | bytes]
    requests: list[str]


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_GET(self) -> None:
        self.server.requests.append(self.path)
        found = self.server.routes.get(unquote(self.path))
        if found is None:
            self.send_error(404)
            return
        body = found.read_bytes() if isinstance(found, Path) else found
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[_Server]:
    """A local HTTP server; each test fills `routes` (URL path, %-escapes decoded -> file or bytes)."""
    httpd = _Server(("127.0.0.1", 0), _Handler)
    httpd.routes, httpd.requests = {}, []
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


def _url(server: _Server) -> str:
    return f"http://127.0.0.1:{server.server_address[1]}"


def _serve_shared_as_mirror(server: _Server) -> None:
    """The shared data folder as a mirror of a data directory (MIRROR/<file>)."""
    for path in SHARED_DATA.rglob("*"):
        if path.is_file():
            server.routes["/" + path.relative_to(SHARED_DATA).as_posix()] = path


def _env(monkeypatch: pytest.MonkeyPatch, data: Path, **extra: str) -> None:
    monkeypatch.setenv("EQUIPOISE_DATA_DIR", str(data))
    for key, value in extra.items():
        monkeypatch.setenv(f"EQUIPOISE_{key.upper()}", value)
    get_settings.cache_clear()


def _cli(*args: str):
    return CliRunner().invoke(app, list(args))


def test_pull_suite_libra_fills_an_empty_data_dir(
    server: _Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _serve_shared_as_mirror(server)
    data = tmp_path / "data"
    _env(monkeypatch, data, data_mirror=_url(server))
    result = _cli("data", "pull", "--suite", "libra")
    assert result.exit_code == 0, result.output
    assert "failed" not in result.output and "is gated: accept the terms at https://huggingface.co" in result.output

    listing = _cli("tasks", "--suite", "libra", "--json")
    assert listing.exit_code == 0, listing.output
    rows = json.loads(listing.output)
    assert {r["name"] for r in rows if not r["present"]} == NEEDS_A_STEP
    assert len(rows) > 40
    # Tasks read the pulled files unchanged: byte for byte the shared copies.
    for f in {f.name for t in select_tasks(suite="libra") for f in t.files if f.sha256}:
        assert (data / f).read_bytes() == (SHARED_DATA / f).read_bytes(), f

    # A second pull downloads nothing.
    server.requests.clear()
    again = _cli("data", "pull", "--suite", "libra")
    assert again.exit_code == 0 and server.requests == []
    assert "up to date" in again.output


def test_a_copied_file_is_fetched_under_its_source_url(
    server: _Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`data_sources_base` stands in for the source hosts: the server answers at the source URLs' paths."""
    source = load_sources()["decodingtrust/stereotype/system_prompts.csv"]
    (part,) = source.parts
    assert part.sha256 is None and source.convert is None
    server.routes["/" + part.url.split("://", 1)[1]] = SHARED_DATA / source.file
    data = tmp_path / "data"
    _env(monkeypatch, data, data_sources_base=_url(server) + "/")
    result = _cli("data", "pull", "--dataset", "system_prompts")
    assert result.exit_code == 0, result.output
    assert (data / source.file).read_bytes() == (SHARED_DATA / source.file).read_bytes()
    assert server.requests == ["/raw.githubusercontent.com/" + part.url.split("raw.githubusercontent.com/", 1)[1]]


def test_wrong_bytes_are_refused_and_nothing_is_written(
    server: _Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    name = "safety/xstest.jsonl"
    wrong = (SHARED_DATA / name).read_bytes().replace(b"safe", b"SAFE", 1)
    server.routes["/" + name] = wrong
    data = tmp_path / "data"
    _env(monkeypatch, data, data_mirror=_url(server))
    result = _cli("data", "pull", "--dataset", "xstest")
    assert result.exit_code == 1
    output = " ".join(result.output.split())
    expected = hashlib.sha256((SHARED_DATA / name).read_bytes()).hexdigest()
    found = hashlib.sha256(wrong).hexdigest()
    assert f"{_url(server)}/{name}: sha256 {found}, expected {expected}; nothing was written" in output
    assert not data.exists()

    # A file already there (even a changed one) is not replaced by a download that does not verify.
    (data / "safety").mkdir(parents=True)
    (data / name).write_bytes(b'{"id": 1, "prompt": "kept"}\n')
    assert _cli("data", "pull", "--dataset", "safety/xstest").exit_code == 1
    assert (data / name).read_bytes() == b'{"id": 1, "prompt": "kept"}\n'
    assert [p.name for p in (data / "safety").iterdir()] == ["xstest.jsonl"]


def test_http_error_names_the_url(server: _Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _env(monkeypatch, tmp_path / "data", data_mirror=_url(server))
    result = _cli("data", "pull", "--dataset", "do_not_answer")
    assert result.exit_code == 1
    assert f"{_url(server)}/safety/do_not_answer.jsonl: HTTP 404" in result.output


def test_a_changed_file_fails_at_load_naming_file_and_both_sha256(tmp_path: Path) -> None:
    name = "safety/xstest.jsonl"
    original = (SHARED_DATA / name).read_bytes()
    (tmp_path / "safety").mkdir()
    changed = original.replace(b"safe", b"SAFE", 1)
    (tmp_path / name).write_bytes(changed)
    with pytest.raises(ChecksumMismatch) as info:
        get_task("libra/xstest_safe").samples(tmp_path)
    message = str(info.value)
    assert str(tmp_path / name) in message
    assert hashlib.sha256(changed).hexdigest() in message and hashlib.sha256(original).hexdigest() in message
    assert "equipoise data pull --dataset safety/xstest" in message
    # Put back, it loads again (the hash is cached by path, size and mtime, so the rewrite is seen).
    (tmp_path / name).write_bytes(original)
    assert len(get_task("libra/xstest_safe").samples(tmp_path)) == 250


def test_status_lists_present_missing_mismatch_and_gated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "safety").mkdir()
    (tmp_path / "safety/advbench.jsonl").write_bytes((SHARED_DATA / "safety/advbench.jsonl").read_bytes())
    (tmp_path / "safety/xstest.jsonl").write_text('{"id": 1}\n')
    _env(monkeypatch, tmp_path)
    result = _cli("data", "status", "--suite", "libra")
    assert result.exit_code == 0, result.output
    # Each dataset's row: its name and status, then how pull gets it (the next line).
    out = result.output.splitlines()
    lines = {line.split()[0]: line + out[i + 1] for i, line in enumerate(out[:-1]) if line.strip()}
    assert "present" in lines["safety/advbench"] and "missing" not in lines["safety/advbench"]
    assert "checksum mismatch" in lines["safety/xstest"]
    assert "missing (gated)" in lines["safety/hex_phi"]
    assert " missing " in lines["safety/do_not_answer"]
    assert "converted: LibrAIResearch/libra-eval@6c9b2d1" in lines["safety/do_not_answer"]
    assert "copy: AI-secure/DecodingTrust@161ae83" in lines["decodingtrust/stereotype/system_prompts"]
    assert "converted: google-research-datasets/aart-ai-safety-dataset@fcdb2a8" in lines["safety/aart"]
    assert "converted: qiuhuachuan/latent-jailbreak@e659ed7 (26 files)" in lines["safety/latent_jailbreak"]
    assert "place it yourself (no pinned sha256)" in lines["safety/hypothesis_stereotypes"]


def test_unknown_dataset_lists_the_known_names(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _env(monkeypatch, tmp_path)
    result = _cli("data", "pull", "--dataset", "no_such_set")
    assert result.exit_code == 2
    output = " ".join(result.output.split())
    assert "unknown dataset 'no_such_set'; known datasets:" in output
    assert "safety/xstest" in output and "capability/gsm8k_test" in output
    assert not (tmp_path / "safety").exists()


def test_gated_dataset_says_what_to_do_and_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _env(monkeypatch, tmp_path)
    result = _cli("data", "pull", "--dataset", "hex_phi")
    assert result.exit_code == 0
    output = " ".join(result.output.split())
    assert "accept the terms at https://huggingface.co/datasets/LLM-Tuning-Safety/HEx-PHI" in output
    assert str(tmp_path / "safety/hex_phi.jsonl") in output
    assert not (tmp_path / "safety").exists()


def test_the_default_data_dir_is_under_the_user_data_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("EQUIPOISE_HOME")
    get_settings.cache_clear()
    import platformdirs

    assert get_settings().data_dir == Path(platformdirs.user_data_dir("equipoise")) / "data"
    _env(monkeypatch, tmp_path / "elsewhere")
    assert get_settings().data_dir == tmp_path / "elsewhere"


def test_every_task_file_has_a_declared_source() -> None:
    files = {f.name for t in all_tasks() for f in t.files if not f.builtin}
    declared = set(load_sources())
    assert files - declared == set()
    assert declared - files == set()


def test_sources_table_is_checked() -> None:
    with pytest.raises(ValueError, match=r"\['x.jsonl'\] convert = 'nope' is no converter"):
        parse_sources('["x.jsonl"]\nurl = "https://h/x"\nsha256 = "0"\nconvert = "nope"\n', "t.toml")
    with pytest.raises(ValueError, match=r"unknown field\(s\) \['shasum'\]"):
        parse_sources('["x.jsonl"]\nurl = "https://h/x"\nshasum = "0"\n', "t.toml")
    with pytest.raises(ValueError, match="needs the download's sha256"):
        parse_sources('["x.jsonl"]\nurl = "https://h/x"\nconvert = "libra_dices350"\n', "t.toml")


def _parts_entry(
    convert: str | None, parts: str = '{ url = "https://h/a", sha256 = "0" }, { url = "https://h/b", sha256 = "1" }'
) -> str:
    return f'["x.jsonl"]\nparts = [{parts}]\n' + (f'convert = "{convert}"\n' if convert else "")


def test_sources_with_parts_are_checked() -> None:
    [source] = parse_sources(_parts_entry("advbench"), "t.toml").values()
    assert source.parts == (Part("https://h/a", "0"), Part("https://h/b", "1")) and source.automatic
    # A converter of one download cannot take parts, nor a joiner one url.
    with pytest.raises(ValueError, match=r"convert = 'harmbench' is no converter of 2 downloads; known: \['advbench'"):
        parse_sources(_parts_entry("harmbench"), "t.toml")
    with pytest.raises(ValueError, match="convert = 'advbench' is no converter of one download"):
        parse_sources('["x.jsonl"]\nurl = "https://h/x"\nsha256 = "0"\nconvert = "advbench"\n', "t.toml")
    with pytest.raises(ValueError, match="has 2 parts, so it needs `convert`"):
        parse_sources(_parts_entry(None), "t.toml")
    with pytest.raises(ValueError, match=r"part 2 should be \{url = ..., sha256 = ...\}; found \['url'\]"):
        parse_sources(
            _parts_entry("advbench", '{ url = "https://h/a", sha256 = "0" }, { url = "https://h/b" }'), "t.toml"
        )
    with pytest.raises(ValueError, match="two or more"):
        parse_sources(_parts_entry("advbench", '{ url = "https://h/a", sha256 = "0" }'), "t.toml")
    with pytest.raises(ValueError, match="either url"):
        parse_sources('["x.jsonl"]\nurl = "https://h/x"\n' + _parts_entry("advbench").split("\n", 1)[1], "t.toml")


# Placeholder parts for the advbench joiner (not dataset rows) and the file it makes of them.
_BEHAVIOURS = b"Behavior,Category,Tags,ContextString,BehaviorID\nDo x,,,,b_1\n"
_TARGETS = b'{"b_1": "Sure, x"}'
_JOINED = b'{"id": "b_1", "prompt": "Do x", "target": "Sure, x", "label": "unsafe"}\n'
_PARTS = ("/src.example/o/r/c/behaviours.csv", "/src.example/o/r/c/targets.json")


def _two_part_dataset() -> Dataset:
    parts = tuple(
        Part(f"https:/{path}", hashlib.sha256(body).hexdigest())
        for path, body in zip(_PARTS, (_BEHAVIOURS, _TARGETS), strict=True)
    )
    return Dataset(
        DataFile("safety/joined.jsonl", sha256=hashlib.sha256(_JOINED).hexdigest()),
        Source("safety/joined.jsonl", parts, convert="advbench"),
    )


def test_a_file_made_of_several_downloads(server: _Server, tmp_path: Path) -> None:
    """Every part is fetched under the sources base in order, the progress counts over all of them."""
    server.routes.update(zip(_PARTS, (_BEHAVIOURS, _TARGETS), strict=True))
    seen: list[tuple[str, int, int | None]] = []
    with httpx.Client() as client:
        outcome = pull_one(
            _two_part_dataset(),
            tmp_path,
            client,
            sources_base=_url(server),
            progress=lambda *a: seen.append(a),
        )
    assert outcome.state == "fetched", outcome.message
    assert (tmp_path / "safety/joined.jsonl").read_bytes() == _JOINED
    assert server.requests == list(_PARTS)
    # The total is known once the last part's length is: both parts' bytes.
    total = len(_BEHAVIOURS) + len(_TARGETS)
    assert seen[-1] == ("safety/joined", total, total)
    # While the first part comes the total is not known yet.
    assert ("safety/joined", len(_BEHAVIOURS), None) in seen
    assert all(t is None for _, done, t in seen if done <= len(_BEHAVIOURS))
    assert [done for _, done, _ in seen] == sorted(done for _, done, _ in seen)


def test_a_bad_part_writes_nothing_and_stops_the_pull(server: _Server, tmp_path: Path) -> None:
    ds = _two_part_dataset()
    (tmp_path / "safety").mkdir()
    (tmp_path / "safety/joined.jsonl").write_bytes(b"kept\n")
    server.routes.update({_PARTS[0]: _BEHAVIOURS, _PARTS[1]: _TARGETS.replace(b"x", b"X")})
    with httpx.Client() as client:
        outcome = pull_one(ds, tmp_path, client, sources_base=_url(server))
    found = hashlib.sha256(_TARGETS.replace(b"x", b"X")).hexdigest()
    assert outcome.state == "failed"
    assert outcome.message == (
        f"{_url(server)}{_PARTS[1]}: sha256 {found}, expected {ds.source.parts[1].sha256}; nothing was written"
    )
    assert [p.name for p in (tmp_path / "safety").iterdir()] == ["joined.jsonl"]
    assert (tmp_path / "safety/joined.jsonl").read_bytes() == b"kept\n"

    # A missing first part: the second is never asked for.
    server.routes.clear()
    server.requests.clear()
    with httpx.Client() as client:
        outcome = pull_one(ds, tmp_path, client, sources_base=_url(server))
    assert outcome.state == "failed" and outcome.message.startswith(f"{_url(server)}{_PARTS[0]}: HTTP 404")
    assert server.requests == [_PARTS[0]]
    assert (tmp_path / "safety/joined.jsonl").read_bytes() == b"kept\n"


@pytest.mark.skipif(
    not os.environ.get("EQUIPOISE_TEST_SOURCES"),
    reason="needs EQUIPOISE_TEST_SOURCES: a local copy of the source files laid out as HOST/PATH",
)
def test_converted_sources_equal_the_shared_files(
    server: _Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every automatic source, downloaded from an offline copy and converted, is the shared file."""
    root = Path(os.environ["EQUIPOISE_TEST_SOURCES"])
    for path in root.rglob("*"):
        if path.is_file():
            server.routes["/" + path.relative_to(root).as_posix()] = path
    automatic = sorted(s.file for s in load_sources().values() if s.automatic)
    data = tmp_path / "data"
    _env(monkeypatch, data, data_sources_base=_url(server))
    result = _cli("data", "pull", *(a for f in automatic for a in ("--dataset", f.rsplit(".", 1)[0])))
    assert result.exit_code == 0, result.output
    for f in automatic:
        assert (data / f).read_bytes() == (SHARED_DATA / f).read_bytes(), f
