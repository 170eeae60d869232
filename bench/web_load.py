"""Web board under load: p50 / p95 latency and throughput of `/` and `/api/board` under 32
concurrent clients on loopback, beside a static file server serving the same bytes, in one run.

The store (SQLite in a temporary directory) holds `--entries` model entries (default 200), each
with a run of the libra suite and one of the capability suite: 57 + 8 = 65 tasks, `--samples`
scored samples a task (default 10), written through the public store API (`Store.record_run`) with
scores drawn per entry from a seeded generator. The app runs in a uvicorn subprocess (one worker,
as `equipoise serve` runs it); the static server is uvicorn serving Starlette's StaticFiles from a
directory holding the bytes the app answered, so the two differ only by the app's own work. The
clients (aiohttp, `--clients` at once, each sending its next request when the last is answered)
run in this process; every target is loaded for `--seconds` after a warm-up request, which also
gives the board's cold build time (ranking 200 entries from the stored samples).

Targets (issue 18): page p95 < 50 ms; API throughput within 2x of the static server.

Run: .venv/bin/python bench/web_load.py [--entries 200] [--clients 32] [--seconds 10]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _report import write_section
from equipoise._version import __version__
from equipoise.judges import judge_label
from equipoise.results import EvalRun, RunManifest, SampleResult, TaskInfo, TaskResult
from equipoise.settings import get_settings
from equipoise.store import open_store
from equipoise.tasks import select_tasks

SUITES = ("libra", "capability")
PAGE_TARGET_MS = 50.0
THROUGHPUT_TARGET = 2.0


def _run(model: dict, suite: str, tasks: list, ability: float, samples: int, rng: np.random.Generator, at: datetime):
    """One stored-looking run of `suite` with `samples` Bernoulli(ability) scores per task."""
    run_id = uuid.uuid4().hex[:12]
    judge = judge_label(get_settings().default_judge) if suite != "capability" else None
    results, rows = [], []
    for t in tasks:
        scores = (rng.random(samples) < ability).astype(float)
        rows += [
            SampleResult(
                task=t.name,
                sample_id=f"{t.name}-{i}",
                messages=[{"role": "user", "content": f"prompt {i} of {t.name}"}],
                target=None,
                response="refused" if s else "complied",
                score=float(s),
                label="safe" if s else "unsafe",
                judge=judge or "exact",
            )
            for i, s in enumerate(scores)
        ]
        mean = float(scores.mean())
        results.append(
            TaskResult(
                task=t.name,
                category=t.category,
                n=samples,
                scored=samples,
                mean=mean,
                ci_low=mean,
                ci_high=mean,
                unparseable=0,
                failed=0,
                version=t.version,
            )
        )
    manifest = RunManifest(
        run_id=run_id,
        equipoise_version=__version__,
        model=model,
        suite=suite,
        tasks={t.name: TaskInfo(version=t.version, category=t.category, scorer={}, samples=samples) for t in tasks},
        judge=judge,
        started=at.isoformat(),
    )
    return EvalRun(run_id=run_id, model=model, suite=suite, tasks=results, samples=rows, manifest=manifest)


def fill_store(url: str, entries: int, samples: int, seed: int = 0) -> int:
    """Write `entries` entries with a run of each suite; returns the tasks per entry."""
    store = open_store(url)
    rng = np.random.default_rng(seed)
    tasks = {s: select_tasks(suite=s) for s in SUITES}
    start = datetime.now(UTC) - timedelta(days=1)
    for i in range(entries):
        identity = f"{i:016x}"
        model = {
            "spec": f"openai-compat:model-{i}@http://127.0.0.1:9/v1",
            "name": f"model {i:03d}",
            "identity": identity,
            "organisation": f"org {i % 12}",
            "parameters": f"{(i % 9 + 1) * 1.5:g}B",
            "open_weights": bool(i % 2),
            "system_prompt": None,
        }
        ability = float(rng.uniform(0.2, 0.95))
        for j, suite in enumerate(SUITES):
            store.record_run(
                _run(model, suite, tasks[suite], ability, samples, rng, start + timedelta(seconds=2 * i + j))
            )
    return sum(len(t) for t in tasks.values())


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(args: list[str], env: dict[str, str]) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", *args, "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return proc, base
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit(f"uvicorn {' '.join(args)} did not listen on port {port} within 60 s")


async def _load(url: str, clients: int, seconds: float) -> dict[str, float]:
    """Latencies and throughput of GET `url` with `clients` requests in flight."""
    latencies: list[float] = []
    errors = 0
    connector = aiohttp.TCPConnector(limit=clients)
    async with aiohttp.ClientSession(connector=connector) as session:
        stop = time.perf_counter() + seconds

        async def client() -> None:
            nonlocal errors
            while time.perf_counter() < stop:
                t0 = time.perf_counter()
                async with session.get(url) as r:
                    await r.read()
                    if r.status != 200:
                        errors += 1
                latencies.append(time.perf_counter() - t0)

        began = time.perf_counter()
        await asyncio.gather(*(client() for _ in range(clients)))
        elapsed = time.perf_counter() - began
    q = statistics.quantiles(latencies, n=100)
    return {
        "n": len(latencies),
        "errors": errors,
        "p50": q[49] * 1e3,
        "p95": q[94] * 1e3,
        "rps": len(latencies) / elapsed,
    }


async def _get(url: str) -> tuple[bytes, float]:
    async with aiohttp.ClientSession() as session:
        t0 = time.perf_counter()
        async with session.get(url, timeout=aiohttp.ClientTimeout(total=600)) as r:
            body = await r.read()
            assert r.status == 200, (url, r.status, body[:300])
        return body, time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entries", type=int, default=200)
    parser.add_argument("--samples", type=int, default=10, help="scored samples per task")
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=10.0, help="load time per target")
    parser.add_argument("--no-write", action="store_true", help="print the figures, leave BENCHMARKS.md alone")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="equipoise-web-load-") as tmp:
        url = f"sqlite:///{tmp}/store.db"
        t0 = time.perf_counter()
        tasks = fill_store(url, args.entries, args.samples)
        filled = time.perf_counter() - t0
        print(f"stored {args.entries} entries x {tasks} tasks in {filled:.1f} s", flush=True)
        here = str(Path(__file__).resolve().parent)
        path = os.pathsep.join(p for p in (here, os.environ.get("PYTHONPATH")) if p)
        env = {**os.environ, "EQUIPOISE_DATABASE_URL": url, "EQUIPOISE_HOME": tmp, "PYTHONPATH": path}
        app, app_base = _serve(["--factory", "equipoise.web:create_app"], env)
        static_dir = Path(tmp) / "static"
        static_dir.mkdir()
        try:
            page, cold_page = asyncio.run(_get(f"{app_base}/?suite=libra"))
            api, cold_api = asyncio.run(_get(f"{app_base}/api/board?suite=libra"))
            (static_dir / "index.html").write_bytes(page)
            (static_dir / "board.json").write_bytes(api)
            static, static_base = _serve(["--factory", "_static_server:app"], {**env, "STATIC_DIR": str(static_dir)})
            try:
                targets = {
                    "app `/`": f"{app_base}/?suite=libra",
                    "app `/api/board`": f"{app_base}/api/board?suite=libra",
                    "static `index.html`": f"{static_base}/index.html",
                    "static `board.json`": f"{static_base}/board.json",
                }
                figures, alone = {}, {}
                for name, target in targets.items():
                    figures[name] = asyncio.run(_load(target, args.clients, args.seconds))
                    # one client at a time: the time a request takes with no queue in front of it
                    alone[name] = asyncio.run(_load(target, 1, min(args.seconds, 3.0)))
                    f = figures[name]
                    print(f"{name}: p50 {f['p50']:.1f} ms, p95 {f['p95']:.1f} ms, {f['rps']:.0f} req/s", flush=True)
            finally:
                static.terminate()
                static.wait(10)
        finally:
            app.terminate()
            app.wait(10)

    page_p95 = figures["app `/`"]["p95"]
    ratio = figures["static `board.json`"]["rps"] / figures["app `/api/board`"]["rps"]
    rows = "\n".join(
        f"| {name} | {f['n']} | {f['errors']} | {f['p50']:.1f} | {f['p95']:.1f} | {f['rps']:.0f} "
        f"| {alone[name]['p50']:.2f} | {alone[name]['p95']:.2f} |"
        for name, f in figures.items()
    )
    body = f"""
## Web board under load

{args.entries} model entries x {tasks} tasks (libra + capability, {args.samples} samples a task), SQLite store;
{args.clients} concurrent aiohttp clients on loopback, {args.seconds:g} s per target; app and static
server each one uvicorn process; the page is {len(page):,} bytes, the JSON {len(api):,} bytes.
Cold build of the board (first request): page {cold_page:.1f} s, then the JSON {cold_api * 1e3:.0f} ms.

| target | requests | errors | p50 ms | p95 ms | req/s | 1 client: p50 ms | 1 client: p95 ms |
|---|---|---|---|---|---|---|---|
{rows}

Page p95 {page_p95:.1f} ms (target < {PAGE_TARGET_MS:g} ms: {"met" if page_p95 < PAGE_TARGET_MS else "missed"});
static JSON / app JSON throughput = {ratio:.2f}x (target within {THROUGHPUT_TARGET:g}x:
{"met" if ratio <= THROUGHPUT_TARGET else "missed"}). The clients share the machine's 2 cores with the servers
(load average {os.getloadavg()[0]:.1f} at the end); the static server's own page p95 was
{figures["static `index.html`"]["p95"]:.1f} ms, so on this machine 32 clients queue whatever serves them.
"""
    print(body)
    if not args.no_write:
        write_section("web_load", body)


if __name__ == "__main__":
    main()
