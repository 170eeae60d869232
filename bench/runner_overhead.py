"""How close does a client get to keeping a fast OpenAI-compatible endpoint busy?

A local server (a bare asyncio protocol on uvloop, so that it adds next to nothing) answers every
`/v1/chat/completions` request after a fixed 50 ms with a canned completion. Each client sends
the same N prompts with at most C requests in flight, so the physical limit is C / 0.05 s requests
per second (1,280 at C = 64). The server timestamps the first request it receives and the last
response it sends; the request phase is the time between.
It also records each connection's turnaround: from a response going out to the next request on
that connection coming in, the client's whole share of the cycle.

Clients, each a fresh process with fresh cache / home / log directories:
- equipoise (library): `equipoise.evaluate(...)` with an empty response cache, no store, no run dir;
- equipoise (CLI): `equipoise eval` with the response cache, the SQLite store and the run directory on;
- lm-evaluation-harness `local-chat-completions` with `num_concurrent=C`;
- Inspect AI `openai-api/local/...` with `--max-connections C`;
- the `openai` SDK alone (default httpx transport, and its aiohttp transport), and a bare aiohttp
  session, to show what the transport and the SDK cost.

Run: `.venv/bin/python bench/runner_overhead.py [--n 10000] [--concurrency 64] [--repeats 3]`.
The default N is 10,000 rather than the 2,000 the target asks at least: 2,000 requests last under
two seconds at this rate, short enough for one burst of another job on this shared machine to
decide a round.
The peers come from the `bench` extra (`make bench` installs it).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

DELAY_S = 0.05
MODEL = "bench-model"
TASK = "bench/overhead"
ANSWER = 391
CANNED = json.dumps(
    {
        "id": "chatcmpl-bench",
        "object": "chat.completion",
        "created": 1_700_000_000,
        "model": MODEL,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": f"The answer is {ANSWER}."},
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 20, "completion_tokens": 6, "total_tokens": 26},
    }
).encode()
MAX_TOKENS = 16
BIN = Path(sys.executable).parent
HERE = Path(__file__).resolve()


def prompts(n: int) -> list[dict[str, object]]:
    """N distinct prompts (distinct, so no client can answer one from another) with one answer."""
    return [{"id": f"q{i}", "question": f"Item {i}: what is 17 times 23?", "answer": ANSWER} for i in range(n)]


# ---------------------------------------------------------------- the server (its own process)


def serve() -> None:
    """Serve chat completions after DELAY_S; GET /stats reports the request phase, POST /reset clears it.

    A bare asyncio protocol on uvloop, not a web framework: the server must add as little as it can
    to the 50 ms, or it and not the client sets the limit (an aiohttp.web server here cost every
    client about 3 points of the limit). A request costs it one header scan and one timer. HTTP/1.1
    keep-alive with one request at a time per connection, which is what every client here sends.
    """
    import uvloop

    stats: dict[str, Any] = {}

    def reset() -> None:
        stats.update(count=0, first=None, last=None, inflight=0, peak=0, turnarounds=[])

    def http(body: bytes) -> bytes:
        head = f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
        return head.encode() + body

    canned = http(CANNED)

    class Endpoint(asyncio.Protocol):
        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            self.transport = cast(asyncio.Transport, transport)
            self.buffer = b""
            self.answered: float | None = None  # when the last response on this connection went out

        def data_received(self, data: bytes) -> None:
            self.buffer += data
            while (end := self.buffer.find(b"\r\n\r\n")) >= 0:
                head = self.buffer[:end].decode("latin-1").split("\r\n")
                length = next(
                    (int(v) for k, _, v in (h.partition(":") for h in head[1:]) if k.lower() == "content-length"), 0
                )
                if len(self.buffer) < end + 4 + length:
                    return
                self.buffer = self.buffer[end + 4 + length :]
                method, path, _ = head[0].split(" ", 2)
                self.handle(method, path)

        def handle(self, method: str, path: str) -> None:
            if path != "/v1/chat/completions":
                if path == "/reset" and method == "POST":
                    reset()
                self.transport.write(http(json.dumps(stats).encode()))
                return
            now = time.monotonic()
            if stats["first"] is None:
                stats["first"] = now
            if self.answered is not None:
                stats["turnarounds"].append(now - self.answered)
            stats["count"] += 1
            stats["inflight"] += 1
            stats["peak"] = max(stats["peak"], stats["inflight"])
            loop = asyncio.get_running_loop()
            loop.call_at(loop.time() + DELAY_S, self.answer)

        def answer(self) -> None:
            stats["inflight"] -= 1
            self.transport.write(canned)
            stats["last"] = self.answered = time.monotonic()

    async def main() -> None:
        reset()
        server = await asyncio.get_running_loop().create_server(Endpoint, "127.0.0.1", 0, backlog=1024)
        print(f"READY {server.sockets[0].getsockname()[1]}", flush=True)
        await asyncio.Event().wait()

    uvloop.run(main())


class Server:
    """The server subprocess, with helpers to reset and read its counters."""

    def __init__(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, str(HERE), "_serve"], stdout=subprocess.PIPE, text=True, start_new_session=True
        )
        line = self.proc.stdout.readline() if self.proc.stdout else ""
        if not line.startswith("READY "):
            raise RuntimeError(f"bench server did not start: {line!r}")
        self.port = int(line.split()[1])
        self.base = f"http://127.0.0.1:{self.port}"

    def _call(self, path: str, method: str = "GET") -> dict[str, Any]:
        req = urllib.request.Request(self.base + path, method=method)
        with urllib.request.urlopen(req, timeout=10) as resp:
            return json.loads(resp.read())

    def reset(self) -> None:
        """Clear the counters before a client starts."""
        self._call("/reset", "POST")

    def stats(self) -> dict[str, Any]:
        """count, first / last (time.monotonic, shared by every process), peak in flight, turnarounds (s)."""
        return self._call("/stats")

    def stop(self) -> None:
        """Stop the server process."""
        self.proc.terminate()
        self.proc.wait(timeout=10)


# ---------------------------------------------------------------- the clients (each its own process)


def _register_task(n: int) -> None:
    """Register the benchmark task (N prompts, number scorer) in this process's task registry."""
    from equipoise.datasets import Sample
    from equipoise.scoring import NumberScorer
    from equipoise.tasks import Task, task

    def build(_data_dir: Path | None) -> list[Sample]:
        return [Sample.user(str(p["id"]), str(p["question"]), target=p["answer"]) for p in prompts(n)]

    @task()
    def bench_overhead() -> Task:
        return Task(
            name=TASK,
            files=(),
            scorer=NumberScorer(),
            suites=("bench",),
            category="capability",
            description="runner-overhead benchmark prompts",
            config={"max_tokens": MAX_TOKENS},
            build=build,
        )


def client_equipoise(base: str, n: int, concurrency: int, _work: Path) -> None:
    """The library call, with an empty response cache, no store and no run directory."""
    _register_task(n)
    from equipoise import evaluate

    run = evaluate(
        f"openai-compat:{MODEL}@{base}/v1",
        tasks=[TASK],
        max_connections=concurrency,
        record=False,
        write_files=False,
    )
    _check(sum(s.score == 1.0 for s in run.samples), n)


def client_equipoise_cli(base: str, n: int, concurrency: int, _work: Path) -> None:
    """`equipoise eval` as a user runs it: response cache, SQLite store and run directory on."""
    _register_task(n)
    from equipoise.cli import app

    spec = f"openai-compat:{MODEL}@{base}/v1"
    app(["eval", "-m", spec, "--tasks", TASK, "--max-connections", str(concurrency)], prog_name="equipoise")


def _run_sdk(base: str, n: int, concurrency: int, http_client: object | None) -> None:
    from openai import AsyncOpenAI

    async def main() -> int:
        client = AsyncOpenAI(base_url=f"{base}/v1", api_key="x", http_client=http_client)  # type: ignore[arg-type]
        gate = asyncio.Semaphore(concurrency)

        async def one(p: dict[str, object]) -> str:
            async with gate:
                r = await client.chat.completions.create(
                    model=MODEL,
                    messages=[{"role": "user", "content": str(p["question"])}],
                    max_tokens=MAX_TOKENS,
                    temperature=0,
                )
            return r.choices[0].message.content or ""

        texts = await asyncio.gather(*(one(p) for p in prompts(n)))
        await client.close()
        return sum(str(ANSWER) in t for t in texts)

    _check(asyncio.run(main()), n)


def client_openai_httpx(base: str, n: int, concurrency: int, _work: Path) -> None:
    """`AsyncOpenAI` on its default httpx transport."""
    _run_sdk(base, n, concurrency, None)


def client_openai_aiohttp(base: str, n: int, concurrency: int, _work: Path) -> None:
    """`AsyncOpenAI` on its aiohttp transport (`DefaultAioHttpClient`)."""
    from openai import DefaultAioHttpClient

    _run_sdk(base, n, concurrency, DefaultAioHttpClient())


def client_aiohttp(base: str, n: int, concurrency: int, _work: Path) -> None:
    """A bare aiohttp session: JSON body out, JSON parsed back, nothing else."""
    import aiohttp

    async def main() -> int:
        connector = aiohttp.TCPConnector(limit=concurrency)
        async with aiohttp.ClientSession(connector=connector) as session:

            async def one(p: dict[str, object]) -> str:
                body = {
                    "model": MODEL,
                    "messages": [{"role": "user", "content": p["question"]}],
                    "max_tokens": MAX_TOKENS,
                }
                async with session.post(f"{base}/v1/chat/completions", json=body) as resp:
                    data = await resp.json()
                return data["choices"][0]["message"]["content"]

            texts = await asyncio.gather(*(one(p) for p in prompts(n)))
        return sum(str(ANSWER) in t for t in texts)

    _check(asyncio.run(main()), n)


def _check(correct: int, n: int) -> None:
    if correct != n:
        raise SystemExit(f"client scored {correct} of {n} answers: the run did not complete as expected")


CLIENTS = {
    "equipoise": client_equipoise,
    "equipoise-cli": client_equipoise_cli,
    "openai-sdk-httpx": client_openai_httpx,
    "openai-sdk-aiohttp": client_openai_aiohttp,
    "aiohttp": client_aiohttp,
}


# ---------------------------------------------------------------- peer command lines


def lm_eval_command(base: str, n: int, concurrency: int, work: Path) -> tuple[list[str], dict[str, str]]:
    """lm-evaluation-harness on a local JSONL task written into `work`."""
    data = work / "prompts.jsonl"
    data.write_text("".join(json.dumps(p) + "\n" for p in prompts(n)))
    (work / "bench_overhead.yaml").write_text(
        "task: bench_overhead\n"
        "dataset_path: json\n"
        f"dataset_kwargs:\n  data_files:\n    test: {data}\n"
        "test_split: test\n"
        "output_type: generate_until\n"
        'doc_to_text: "{{question}}"\n'
        'doc_to_target: "{{answer}}"\n'
        f"generation_kwargs:\n  until: []\n  max_gen_toks: {MAX_TOKENS}\n  do_sample: false\n  temperature: 0\n"
        "metric_list:\n  - metric: exact_match\n    aggregation: mean\n    higher_is_better: true\n"
    )
    args = f"model={MODEL},base_url={base}/v1/chat/completions,tokenizer_backend=None,num_concurrent={concurrency}"
    cmd = [
        str(BIN / "lm_eval"),
        "--model",
        "local-chat-completions",
        "--model_args",
        args,
        "--tasks",
        "bench_overhead",
        "--include_path",
        str(work),
        "--apply_chat_template",
    ]
    env = {"HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1", "HF_HOME": str(work / "hf")}
    return cmd, env


def inspect_command(base: str, n: int, concurrency: int, work: Path) -> tuple[list[str], dict[str, str]]:
    """Inspect AI on a task file written into `work`."""
    data = work / "prompts.jsonl"
    data.write_text("".join(json.dumps({**p, "answer": str(p["answer"])}) + "\n" for p in prompts(n)))
    task_file = work / "bench_task.py"
    task_file.write_text(
        "from inspect_ai import Task, task\n"
        "from inspect_ai.dataset import FieldSpec, json_dataset\n"
        "from inspect_ai.model import GenerateConfig\n"
        "from inspect_ai.scorer import includes\n"
        "from inspect_ai.solver import generate\n\n\n"
        "@task\n"
        "def bench_overhead():\n"
        f"    dataset = json_dataset({str(data)!r}, FieldSpec(input='question', target='answer', id='id'))\n"
        "    return Task(dataset=dataset, solver=generate(), scorer=includes(),\n"
        f"                config=GenerateConfig(max_tokens={MAX_TOKENS}, temperature=0))\n"
    )
    cmd = [
        str(BIN / "inspect"),
        "eval",
        task_file.name,  # relative to the working directory: Inspect rejects absolute task paths
        "--model",
        f"openai-api/local/{MODEL}",
        "--max-connections",
        str(concurrency),
        "--log-dir",
        str(work / "logs"),
        "--display",
        "none",
    ]
    env = {"LOCAL_BASE_URL": f"{base}/v1", "LOCAL_API_KEY": "x", "INSPECT_LOG_DIR": str(work / "logs")}
    return cmd, env


PEERS = {"lm-eval": lm_eval_command, "inspect-ai": inspect_command}
ORDER = ["equipoise", "equipoise-cli", "lm-eval", "inspect-ai", "openai-sdk-httpx", "openai-sdk-aiohttp", "aiohttp"]
LABELS = {
    "equipoise": "equipoise `evaluate` (empty cache, no store)",
    "equipoise-cli": "equipoise `eval` CLI (cache + SQLite store + run dir)",
    "lm-eval": "lm-evaluation-harness `local-chat-completions`",
    "inspect-ai": "Inspect AI `openai-api/local`",
    "openai-sdk-httpx": "`AsyncOpenAI`, default httpx transport",
    "openai-sdk-aiohttp": "`AsyncOpenAI`, `DefaultAioHttpClient` (aiohttp)",
    "aiohttp": "bare `aiohttp.ClientSession` (transport floor)",
}


# ---------------------------------------------------------------- measuring one run


@dataclass(frozen=True)
class Measurement:
    """One client run: request-phase rate, whole-run wall time, client CPU."""

    client: str
    requests: int
    rate: float
    phase_s: float
    wall_s: float
    cpu_s: float
    phase_cpu_pct: float
    peak_inflight: int
    turnaround_ms: float


def _cpu_ticks(pid: int) -> int | None:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return None
    return int(fields[11]) + int(fields[12])  # utime + stime of every thread, in clock ticks


def _sample_cpu(proc: subprocess.Popen[bytes], out: list[tuple[float, int]]) -> None:
    """Record (monotonic time, CPU ticks) of the client every 20 ms until it exits."""
    while proc.poll() is None:
        ticks = _cpu_ticks(proc.pid)
        if ticks is not None:
            out.append((time.monotonic(), ticks))
        time.sleep(0.02)


def _ticks_at(samples: list[tuple[float, int]], t: float) -> float:
    before = [s for s in samples if s[0] <= t] or samples[:1]
    after = [s for s in samples if s[0] >= t] or samples[-1:]
    (t0, c0), (t1, c1) = before[-1], after[0]
    return c0 if t1 == t0 else c0 + (c1 - c0) * (t - t0) / (t1 - t0)


def measure(client: str, server: Server, n: int, concurrency: int) -> Measurement:
    """Run one client in a fresh process with fresh directories and read the server's counters."""
    with tempfile.TemporaryDirectory(prefix=f"bench-{client}-") as tmp:
        work = Path(tmp)
        env = {
            **os.environ,
            "EQUIPOISE_CACHE_DIR": str(work / "cache"),
            "EQUIPOISE_HOME": str(work / "home"),
        }
        env.pop("EQUIPOISE_DATABASE_URL", None)
        if client in PEERS:
            cmd, extra = PEERS[client](server.base, n, concurrency, work)
            env.update(extra)
        else:
            cmd = [sys.executable, str(HERE), "_client", client, server.base, str(n), str(concurrency), str(work)]
        server.reset()
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.monotonic()
        proc = subprocess.Popen(cmd, env=env, cwd=work, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        samples: list[tuple[float, int]] = []
        sampler = threading.Thread(target=_sample_cpu, args=(proc, samples), daemon=True)
        sampler.start()
        _, stderr = proc.communicate()
        wall = time.monotonic() - start
        sampler.join()
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if proc.returncode != 0:
            raise RuntimeError(f"{client} failed (exit {proc.returncode}):\n{stderr.decode()[-3000:]}")
    stats = server.stats()
    count, first, last = int(stats["count"] or 0), stats["first"], stats["last"]
    if count < n or first is None or last is None:
        raise RuntimeError(f"{client}: the server saw {count} requests, expected {n}")
    phase = float(last) - float(first)
    tick = os.sysconf("SC_CLK_TCK")
    phase_cpu = (_ticks_at(samples, float(last)) - _ticks_at(samples, float(first))) / tick if samples else 0.0
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    turns = stats["turnarounds"]
    turnaround_ms = 1000 * sum(turns) / len(turns) if turns else 0.0
    return Measurement(
        client, count, count / phase, phase, wall, cpu, 100 * phase_cpu / phase, int(stats["peak"] or 0), turnaround_ms
    )


def median_of(runs: list[Measurement]) -> Measurement:
    """The run with the median request rate (its other figures are kept together with it)."""
    ordered = sorted(runs, key=lambda m: m.rate)
    return ordered[(len(ordered) - 1) // 2]


# ---------------------------------------------------------------- report


def report(
    results: dict[str, list[Measurement]], n: int, concurrency: int, repeats: int, load: tuple[float, float]
) -> str:
    """The BENCHMARKS.md section: one row per client, the median-rate run of `repeats`; `load` is the
    machine's 1-minute load average before and after."""
    limit = concurrency / DELAY_S
    waves_bound = n / (math.ceil(n / concurrency) * concurrency)
    rows = [
        "| client | req/s in the request phase | % of limit | request phase | whole run | client CPU (run) "
        "| client CPU in the phase | mean turnaround | peak in flight | req/s of each run |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name in ORDER:
        if name not in results:
            continue
        m = median_of(results[name])
        each = ", ".join(f"{r.rate:,.0f}" for r in results[name])
        rows.append(
            f"| {LABELS[name]} | {m.rate:,.0f} | {100 * m.rate / limit:.1f}% | {m.phase_s:.2f} s | {m.wall_s:.2f} s "
            f"| {m.cpu_s:.2f} s | {m.phase_cpu_pct:.0f}% | {m.turnaround_ms:.2f} ms | {m.peak_inflight} | {each} |"
        )
    eq = median_of(results["equipoise"]).rate if "equipoise" in results else None
    verdict = ""
    if eq is not None:
        verdict = f"\nequipoise reached **{100 * eq / limit:.1f}%** of the physical limit (target ≥ 90%)"
        peers = {p: median_of(results[p]).rate for p in PEERS if p in results}
        if peers:
            ahead = all(eq > r for r in peers.values())
            verdict += f", {'ahead of' if ahead else 'NOT ahead of'} " + ", ".join(
                f"{p} ({100 * r / limit:.1f}%)" for p, r in peers.items()
            )
        verdict += "."
        for p in peers:
            wins = sum(a.rate > b.rate for a, b in zip(results["equipoise"], results[p], strict=False))
            verdict += f" Round by round equipoise was faster than {p} in {wins} of {len(results[p])}."
        if "aiohttp" in results:
            floor = median_of(results["aiohttp"]).rate
            verdict += f" That is {100 * eq / floor:.0f}% of what a bare aiohttp session reached in the same run."
        verdict += "\n"
    return (
        f"{n:,} distinct prompts, concurrency {concurrency}, a local server (bare asyncio protocol on uvloop) "
        f"answering every `/v1/chat/completions` request after {DELAY_S * 1000:.0f} ms: the physical limit is "
        f"{concurrency} / {DELAY_S} s = **{limit:,.0f} requests/s**; as {n:,} prompts are {n / concurrency:.2f} "
        f"waves of {concurrency}, a client with no overhead at all would reach {100 * waves_bound:.1f}% of it. "
        "The request phase runs from the first "
        "request the server receives to the last response it sends. Each row is the run with the median "
        f"rate of {repeats}; every client ran in a fresh process with empty cache, home and log "
        "directories. Whole run = process start to exit (imports, data loading, writing results). "
        "Client CPU in the phase = CPU seconds of the client process (all threads) during the request "
        "phase / its length; the server runs in another process. Mean turnaround = from the server sending "
        "a response to the next request arriving on that connection: the client's share of each cycle.\n\n"
        + "\n".join(rows)
        + "\n"
        + verdict
        + f"\nThe machine (2 cores) was shared with other engineers' jobs while this ran (1-minute load "
        f"average {load[0]:.1f} before, {load[1]:.1f} after), so absolute figures are low and noisy; the "
        "clients ran interleaved in the same run so their ratios are comparable. "
        "The `openai` SDK rows are why equipoise's adapter speaks the protocol over aiohttp itself."
    )


def main() -> None:
    """Run every client `repeats` times, interleaved, and write the BENCHMARKS.md section."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=10_000, help="prompts per run")
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--clients", default=",".join(ORDER), help="comma-separated subset of: " + ", ".join(ORDER))
    parser.add_argument("--no-write", action="store_true", help="print the table without updating BENCHMARKS.md")
    args = parser.parse_args()
    chosen = [c for c in args.clients.split(",") if c]
    unknown = set(chosen) - set(ORDER)
    if unknown:
        parser.error(f"unknown clients {sorted(unknown)}; choose from {ORDER}")
    load_before = os.getloadavg()[0]
    server = Server()
    results: dict[str, list[Measurement]] = {}
    try:
        for round_ in range(args.repeats):
            for client in chosen:
                m = measure(client, server, args.n, args.concurrency)
                results.setdefault(client, []).append(m)
                print(
                    f"round {round_ + 1} {client:20} {m.rate:8.1f} req/s "
                    f"({100 * m.rate * DELAY_S / args.concurrency:5.1f}%)"
                    f"  phase {m.phase_s:6.2f} s  wall {m.wall_s:6.2f} s  cpu {m.cpu_s:6.2f} s"
                    f"  phase cpu {m.phase_cpu_pct:4.0f}%  turnaround {m.turnaround_ms:5.2f} ms"
                    f"  peak {m.peak_inflight}",
                    flush=True,
                )
    finally:
        server.stop()
    body = report(results, args.n, args.concurrency, args.repeats, (load_before, os.getloadavg()[0]))
    print(body)
    if not args.no_write:
        sys.path.insert(0, str(HERE.parent))
        from _report import write_section

        write_section("runner_overhead", body)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "_serve":
        serve()
    elif len(sys.argv) > 1 and sys.argv[1] == "_client":
        name, base, n, concurrency, work = sys.argv[2:7]
        CLIENTS[name](base, int(n), int(concurrency), Path(work))
    else:
        main()
