"""Does every submitted job finish exactly once while workers are killed with `kill -9`?

PostgreSQL (pgqueuer): S submissions of the quick suite (7 jobs each, one per task) against the
tests' OpenAI-protocol server answering each request after D seconds; W `equipoise worker`
processes; every K seconds a random worker is killed with SIGKILL and a new one started in its
place. At the end every submission must be FINISHED with exactly one run, every job done, the
store must hold exactly one task result per job and every sample once. For each killed worker's
running jobs, the time from the kill until another worker took the job over is measured against
the heartbeat timeout. Model requests beyond one per sample are what re-claims re-asked: with
`--cache postgres` (the default) each worker has a cache directory of its own, as on separate
machines, and they share the response cache in the store's database (EQUIPOISE_RESPONSE_CACHE_URL);
with `--cache file` they share one cache file, as the workers of one machine do.

SQLite: `equipoise serve` (its in-process worker) with S2 submissions; the serve process is killed
with SIGKILL once some jobs are done, started again, and must finish the queue.

`--backend procrastinate` runs the same jobs (the same job function, `equipoise.queue.run_job`) on
procrastinate instead (`bench/_procrastinate_queue.py`), for the comparison; its figures go in a
section of their own.

Run: `.venv/bin/python bench/queue_chaos.py [--submissions 43] [--workers 3] [--kill-every 3]
[--backend pgqueuer|procrastinate] [--cache postgres|file]`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from importlib.metadata import version
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]

from bench._report import write_section  # noqa: E402

from equipoise.queue import Book, Queue, submit  # noqa: E402
from equipoise.store import JobRow, SubmissionRow, open_store  # noqa: E402
from tests.openai_server import free_port  # noqa: E402

ADMIN_URL = os.environ.get("EQUIPOISE_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")
SAMPLES_PER_SUBMISSION = 88
CACHES = {
    "postgres": "a table in the store's database; each worker with a cache directory of its own, as on "
    "separate machines",
    "file": "one file shared by the workers, as on one machine",
}


def _env(home: Path) -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": f"{ROOT / 'src'}{os.pathsep}{ROOT}",
        "EQUIPOISE_HOME": str(home),
        "EQUIPOISE_CACHE_DIR": str(home / "cache"),
        "EQUIPOISE_SUBMISSIONS_PER_DAY": "100000",
    }


def _equipoise(*args: str, env: dict[str, str], log: Path) -> subprocess.Popen:
    command = [sys.executable, "-c", "from equipoise.cli import app; app()", *args]
    return subprocess.Popen(command, env=env, stdout=log.open("a"), stderr=subprocess.STDOUT)


def _model_server(delay_s: float, log: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, str(ROOT / "tests" / "openai_server.py"), str(port), str(delay_s), str(log)]
    )
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.1)
    return server, f"http://127.0.0.1:{port}/v1"


def _form(i: int, base_url: str) -> dict[str, Any]:
    # each a distinct entry (its own seed), so none is refused as a duplicate
    return {"name": f"chaos {i}", "submitter": "bench", "base_url": base_url, "model": "chaos", "seed": i}


def postgres_chaos(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    name = f"equipoise_chaos_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    url = f"{ADMIN_URL.rsplit('/', 1)[0]}/{name}"
    home = work / "pg-home"
    env = _env(home)
    os.environ.update({k: v for k, v in env.items() if k.startswith("EQUIPOISE_")})
    server, base_url = _model_server(args.delay, work / "pg-requests.log")
    log = work / "pg-workers.log"
    workers: list[subprocess.Popen] = []
    try:
        store = open_store(url)
        started = time.monotonic()
        if args.backend == "pgqueuer":
            queue = Queue(store)
            for i in range(args.submissions):
                asyncio.run(queue.submit(_form(i, base_url), "127.0.0.1", admin=True))
            command: tuple[str, ...] = ("-c", "from equipoise.cli import app; app()", "worker", "--store", url)
            command += ("--heartbeat-timeout", str(args.heartbeat), "--retry-delay", "1")
        else:
            from bench import _procrastinate_queue

            asyncio.run(_procrastinate_queue.install(url))
            book = Book(store)
            for i in range(args.submissions):
                _, job_ids = asyncio.run(submit(book, _form(i, base_url), "127.0.0.1", admin=True))
                asyncio.run(_procrastinate_queue.defer(url, job_ids))
            command = (str(ROOT / "bench" / "_procrastinate_queue.py"), url, str(args.heartbeat))
        probes = args.submissions
        started_workers = 0

        def start_worker() -> subprocess.Popen:
            nonlocal started_workers
            started_workers += 1
            own = dict(env)
            if args.cache == "postgres":
                own["EQUIPOISE_CACHE_DIR"] = str(home / f"cache-{started_workers}")
                own["EQUIPOISE_RESPONSE_CACHE_URL"] = url
            return subprocess.Popen([sys.executable, *command], env=own, stdout=log.open("a"), stderr=subprocess.STDOUT)

        workers = [start_worker() for _ in range(args.workers)]
        kills, takeovers, rng = 0, [], random.Random(0)
        watched: dict[int, tuple[str, float]] = {}
        next_kill = time.monotonic() + args.kill_every
        host = socket.gethostname()
        while True:
            with Session(store.engine) as session:
                states = dict(
                    session.execute(select(SubmissionRow.status, func.count()).group_by(SubmissionRow.status)).all()
                )
                jobs = session.execute(select(JobRow.id, JobRow.status, JobRow.worker)).all()
            by_id = {j: (s, w) for j, s, w in jobs}
            for job_id, (dead, killed_at) in list(watched.items()):
                status, worker = by_id[job_id]
                if worker != dead or status == "done":
                    takeovers.append(time.monotonic() - killed_at)
                    del watched[job_id]
            if states.get("FINISHED", 0) == args.submissions or states.get("FAILED"):
                break
            if time.monotonic() > started + args.timeout:
                raise SystemExit(f"chaos run did not finish in {args.timeout} s: {states}")
            if time.monotonic() >= next_kill:
                victim = rng.randrange(len(workers))
                dead = f"{host}-{workers[victim].pid}"
                workers[victim].send_signal(signal.SIGKILL)
                workers[victim].wait()
                t = time.monotonic()
                kills += 1
                for job_id, (status, worker) in by_id.items():
                    if status == "running" and worker == dead:
                        watched[job_id] = (dead, t)
                workers[victim] = start_worker()
                next_kill = t + args.kill_every
            time.sleep(0.2)
        wall = time.monotonic() - started
        with Session(store.engine) as session:
            counts = {
                table: session.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
                for table in ("runs", "task_results", "sample_results", "submission_jobs")
            }
            done_jobs = session.execute(select(func.count()).where(JobRow.status == "done")).scalar_one()
            claims = list(session.scalars(select(JobRow.claims)))
            per_submission = [len(r) for r in session.scalars(select(SubmissionRow.run_ids))]
            states = dict(
                session.execute(select(SubmissionRow.status, func.count()).group_by(SubmissionRow.status)).all()
            )
        requests = sum(1 for _ in (work / "pg-requests.log").open()) - probes
    finally:
        for w in workers:
            if w.poll() is None:
                w.terminate()
        for w in workers:
            w.wait(30)
        server.terminate()
        server.wait()
        with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    samples = args.submissions * SAMPLES_PER_SUBMISSION
    return {
        "submissions": args.submissions,
        "jobs": counts["submission_jobs"],
        "states": states,
        "done_jobs": done_jobs,
        "runs": counts["runs"],
        "runs_per_submission": sorted(set(per_submission)),
        "task_results": counts["task_results"],
        "sample_results": counts["sample_results"],
        "samples_expected": samples,
        "kills": kills,
        "claims_over_jobs": sum(claims) - len(claims),
        "takeovers": len(takeovers),
        "takeover_median_s": statistics.median(takeovers) if takeovers else None,
        "takeover_max_s": max(takeovers) if takeovers else None,
        "model_requests": requests,
        "wall_s": wall,
    }


def _get(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=10) as r:
        return json.loads(r.read())


def _post(url: str, body: dict[str, Any]) -> Any:
    request = urllib.request.Request(url, json.dumps(body).encode(), {"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as r:
        return json.loads(r.read())


def _serve(port: int, env: dict[str, str], log: Path) -> subprocess.Popen:
    serve = _equipoise("serve", "--port", str(port), env=env, log=log)
    for _ in range(200):
        try:
            _get(f"http://127.0.0.1:{port}/api/queue")
            return serve
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"equipoise serve did not start; see {log}")


def sqlite_chaos(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    env = _env(work / "sqlite-home")
    server, base_url = _model_server(args.delay, work / "sqlite-requests.log")
    port, log = free_port(), work / "serve.log"
    serve = _serve(port, env, log)
    try:
        started = time.monotonic()
        for i in range(args.sqlite_submissions):
            _post(f"http://127.0.0.1:{port}/api/submissions", _form(i, base_url))
        jobs = args.sqlite_submissions * 7
        done_at_kill = 0
        while done_at_kill < jobs // 3:
            time.sleep(0.2)
            done_at_kill = sum(
                s["progress"]["jobs_done"] for s in _get(f"http://127.0.0.1:{port}/api/queue")["submissions"]
            )
        serve.send_signal(signal.SIGKILL)
        serve.wait()
        serve = _serve(port, env, log)
        while True:
            queue = _get(f"http://127.0.0.1:{port}/api/queue")
            if queue["counts"]["FINISHED"] == args.sqlite_submissions or queue["counts"]["FAILED"]:
                break
            if time.monotonic() > started + args.timeout:
                raise SystemExit(f"the SQLite queue did not finish in {args.timeout} s: {queue['counts']}")
            time.sleep(0.2)
        wall = time.monotonic() - started
        board = _get(f"http://127.0.0.1:{port}/api/board")
    finally:
        serve.terminate()
        serve.wait(30)
        server.terminate()
        server.wait()
    return {
        "submissions": args.sqlite_submissions,
        "jobs": jobs,
        "jobs_done_at_kill": done_at_kill,
        "counts": queue["counts"],
        "runs_per_submission": sorted({len(s["run_ids"]) for s in queue["submissions"]}),
        "board_rows": len(board["rows"]),
        "wall_s": wall,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--submissions", type=int, default=43, help="PostgreSQL submissions (7 jobs each)")
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--kill-every", type=float, default=3.0, help="seconds between kills")
    parser.add_argument("--heartbeat", type=float, default=5.0, help="the workers' heartbeat timeout, seconds")
    parser.add_argument("--delay", type=float, default=0.5, help="seconds the model takes per request")
    parser.add_argument(
        "--cache", choices=sorted(CACHES), default="postgres", help="where the workers share their response cache"
    )
    parser.add_argument("--backend", choices=("pgqueuer", "procrastinate"), default="pgqueuer")
    parser.add_argument("--sqlite-submissions", type=int, default=6)
    parser.add_argument("--timeout", type=float, default=900.0)
    args = parser.parse_args()
    # the SQLite part has no queue library: it runs once, with the pgqueuer figures
    with tempfile.TemporaryDirectory(prefix="equipoise-chaos-") as tmp:
        pg = postgres_chaos(args, Path(tmp))
        lite = sqlite_chaos(args, Path(tmp)) if args.backend == "pgqueuer" else None
    print(json.dumps({"postgresql": pg, "sqlite": lite}, indent=1))
    once = (
        pg["states"] == {"FINISHED": pg["submissions"]}
        and pg["runs"] == pg["submissions"]
        and pg["runs_per_submission"] == [1]
        and pg["task_results"] == pg["done_jobs"] == pg["jobs"]
        and pg["sample_results"] == pg["samples_expected"]
    )
    library = {
        "pgqueuer": f"pgqueuer {version('pgqueuer')}",
        "procrastinate": f"procrastinate {version('procrastinate')}",
    }
    workers = "`equipoise worker`" if args.backend == "pgqueuer" else "`bench/_procrastinate_queue.py`"
    body = f"""
PostgreSQL, {library[args.backend]}: {pg["submissions"]} submissions × 7 tasks = **{pg["jobs"]} jobs**,
{args.workers} {workers} processes (2 jobs at a time each), model answering after
{args.delay * 1000:.0f} ms; a random worker killed with `kill -9` every {args.kill_every:g} s and replaced at once;
heartbeat timeout {args.heartbeat:g} s.

| figure | value |
|---|---|
| wall time | {pg["wall_s"]:.1f} s ({pg["jobs"] / pg["wall_s"]:.1f} jobs/s) |
| workers killed | {pg["kills"]} |
| submissions FINISHED | {pg["states"].get("FINISHED", 0)} of {pg["submissions"]} |
| jobs done / task results stored | {pg["done_jobs"]} / {pg["task_results"]} (of {pg["jobs"]}) |
| runs stored (one per submission) | {pg["runs"]} |
| samples stored / expected | {pg["sample_results"]} / {pg["samples_expected"]} |
| **every job finished exactly once** | **{"yes" if once else "NO"}** |
| jobs a killed worker was running, taken over | {pg["takeovers"]} |
| kill → taken over: median / max | {_s(pg["takeover_median_s"])} / {_s(pg["takeover_max_s"])} |
| claims beyond one per job | {pg["claims_over_jobs"]} |
| model requests / samples | {pg["model_requests"]} / {pg["samples_expected"]} |
| requests asked again after a take-over | {pg["model_requests"] - pg["samples_expected"]} |

A job is taken over once its heartbeat is older than the timeout *and* a live worker has a free slot,
so the median is the timeout itself; an orphan that finds every slot of the surviving workers busy
(one of the three is often starting: a worker starts in about 2 s here) waits longer. Requests asked
again are only those in flight at a kill (at most 8 per job): the response cache hands a new claimant
every answer the dead worker received. The cache here: {CACHES[args.cache]}.
"""
    lite_ok = True
    if lite is not None:
        lite_ok = lite["counts"]["FINISHED"] == lite["submissions"] and lite["runs_per_submission"] == [1]
        body += f"""
SQLite: `equipoise serve` with {lite["submissions"]} submissions ({lite["jobs"]} jobs); the serve process killed
with `kill -9` after {lite["jobs_done_at_kill"]} jobs were done and started again: it re-queued what was running and
finished the queue (**{lite["counts"]["FINISHED"]} of {lite["submissions"]} FINISHED, one run each:
{"yes" if lite_ok else "NO"}**, {lite["board_rows"]} rows on the board) in {lite["wall_s"]:.1f} s.
"""
    write_section("queue-chaos" if args.backend == "pgqueuer" else "queue-chaos-procrastinate", body)
    if not (once and lite_ok):
        raise SystemExit("chaos run lost or repeated work: see the figures above")


def _s(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f} s"


if __name__ == "__main__":
    main()
