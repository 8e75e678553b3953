"""Queue overhead and throughput: REST -> queue -> worker -> database, beside a bare Celery round trip.

Three measurements, each with real processes (`docai api`, Celery workers) on Redis:
  1. bare Celery: a no-op task sent and its result awaited (one hop, Redis result backend);
  2. docai per-document overhead: small text-layer PDFs uploaded one at a time; server-side time from
     upload to terminal state, minus the engine's time (and minus all time inside job bodies);
  3. documents per second on the dev receipts (../shared/data/sroie, OCR needed) with 1 and 2 worker processes.

  python benchmarks/queue_bench.py                              # Redis on 127.0.0.1:6379, SQLite per run
  python benchmarks/queue_bench.py --docs 30 --receipts 20 --json
  python benchmarks/queue_bench.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/bench
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
SROIE = REPO.parent / "shared" / "data" / "sroie"
KEY = "bench-key"
TERMINAL = {"done", "needs_review", "failed"}

# ---------------------------------------------------------------- the bare Celery app (worker side too)

from celery import Celery  # noqa: E402

bare = Celery("bare")
bare.conf.update(
    broker_url=os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/0"),
    result_backend=os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/0"),
    broker_transport_options={"global_keyprefix": os.environ.get("BENCH_PREFIX", "bench:")},
    task_serializer="json",
    accept_content=["json"],
    result_expires=120,
    task_acks_late=True,
    worker_prefetch_multiplier=1,
    task_default_queue="bench",
)


@bare.task(name="bench.noop")
def noop() -> int:
    return 1


# ---------------------------------------------------------------- helpers


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def text_pdf(i: int, run: str) -> bytes:
    import pymupdf

    doc = pymupdf.open()
    page = doc.new_page(width=300, height=420)
    for n, line in enumerate([f"SHOP {i} {run}", "Date: 2024-03-15", "TEA 2.50", f"TOTAL {i % 90 + 2}.50"]):
        page.insert_text((20, 40 + 22 * n), line, fontsize=10)
    return doc.tobytes()


class Services:
    """`docai api` and Celery workers as child processes on a fresh DOCAI_HOME."""

    def __init__(self, redis_url: str, database_url: str | None):
        self.home = Path(tempfile.mkdtemp(prefix="docai-bench-"))
        self.prefix = f"docai-bench-{uuid.uuid4().hex[:8]}:"
        self.redis_url = redis_url
        self.db_url = database_url or f"sqlite:///{self.home / 'docai.db'}"
        self.children: list[subprocess.Popen[bytes]] = []
        self.api = ""

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("DOCAI_")}
        env.update(
            PYTHONPATH=str(REPO),
            DOCAI_HOME=str(self.home),
            DOCAI_DATABASE_URL=self.db_url,
            DOCAI_BROKER_URL=self.redis_url,
            DOCAI_BROKER_KEY_PREFIX=self.prefix,
            DOCAI_API_KEYS=KEY,
            DOCAI_ENGINE="ocr",
            DOCAI_RECONCILE_INTERVAL="0",
        )
        return env

    def start(self, workers: int) -> None:
        from docai.store.db.migrate import upgrade

        upgrade(self.db_url)
        log = (self.home / "services.log").open("wb")
        port = free_port()
        self.api = f"http://127.0.0.1:{port}"
        self.children.append(
            subprocess.Popen(
                [sys.executable, "-m", "docai", "api", "--port", str(port)],
                env=self.env(),
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=REPO,
            )
        )
        argv = [sys.executable, "-m", "celery", "-A", "workers.app", "worker", "-Q", "cpu,gpu", "-c", str(workers)]
        argv += ["-n", f"bench-{uuid.uuid4().hex[:6]}@%h", "--without-gossip", "--without-mingle", "-l", "warning"]
        self.children.append(subprocess.Popen(argv, env=self.env(), stdout=log, stderr=subprocess.STDOUT, cwd=REPO))
        import httpx

        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.api}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        time.sleep(3)  # let the worker's pool processes load the engine

    def upload(self, client: Any, data: bytes, name: str, schema: str) -> str:
        response = client.post(
            f"{self.api}/v1/documents",
            files={"file": (name, data)},
            data={"schema": schema},
            headers={"Authorization": f"Bearer {KEY}"},
        )
        response.raise_for_status()
        return response.json()["id"]

    def rows(self) -> list[dict[str, Any]]:
        from sqlalchemy import select

        from docai.store.db.models import Document, Job
        from docai.store.db.session import session_factory

        with session_factory(self.db_url)() as session:
            out = []
            for document in session.scalars(select(Document)):
                jobs = {j.stage: j for j in session.scalars(select(Job).where(Job.document_id == document.id))}
                extraction = document.extractions[-1] if document.extractions else None
                out.append(
                    {
                        "id": document.id,
                        "status": document.status,
                        "created": document.created_at.timestamp(),
                        "finished": document.updated_at.timestamp(),
                        "rasterize_s": jobs["rasterize"].seconds if "rasterize" in jobs else None,
                        "extract_s": jobs["extract"].seconds if "extract" in jobs else None,
                        "engine_s": (extraction.timings or {}).get("batch_seconds", 0.0) if extraction else 0.0,
                    }
                )
            return out

    def wait(self, n: int, timeout: float) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            rows = self.rows()
            if len(rows) >= n and all(r["status"] in TERMINAL for r in rows):
                return rows
            time.sleep(0.02)
        raise SystemExit(f"documents did not finish in {timeout}s; see {self.home / 'services.log'}")

    def stop(self) -> None:
        for child in self.children:
            child.send_signal(signal.SIGTERM)
        for child in self.children:
            try:
                child.wait(timeout=15)
            except subprocess.TimeoutExpired:
                child.kill()
        _drop(self.redis_url, self.prefix)


def _drop(redis_url: str, prefix: str) -> None:
    import redis

    client = redis.Redis.from_url(redis_url)
    keys = list(client.scan_iter(match=f"{prefix}*", count=1000))
    if keys:
        client.delete(*keys)


def ms(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    return {
        "median_ms": round(statistics.median(ordered) * 1000, 1),
        "p90_ms": round(ordered[int(0.9 * (len(ordered) - 1))] * 1000, 1),
    }


# ---------------------------------------------------------------- measurements


def bare_round_trip(redis_url: str, n: int) -> dict[str, float]:
    prefix = f"bench-bare-{uuid.uuid4().hex[:6]}:"
    env = {**os.environ, "BENCH_REDIS": redis_url, "BENCH_PREFIX": prefix, "PYTHONPATH": str(REPO)}
    argv = [sys.executable, "-m", "celery", "-A", "benchmarks.queue_bench:bare", "worker", "-Q", "bench", "-c", "1"]
    argv += ["-n", f"bare-{uuid.uuid4().hex[:6]}@%h", "--without-gossip", "--without-mingle", "-l", "warning"]
    worker = subprocess.Popen(argv, env=env, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    bare.conf.update(
        broker_url=redis_url, result_backend=redis_url, broker_transport_options={"global_keyprefix": prefix}
    )
    try:
        noop.apply_async().get(timeout=60)  # warm up: the worker is ready
        times = []
        for _ in range(n):
            started = time.perf_counter()
            noop.apply_async().get(timeout=30)
            times.append(time.perf_counter() - started)
        return ms(times)
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=15)
        _drop(redis_url, prefix)


def docai_overhead(redis_url: str, database_url: str | None, n: int) -> dict[str, Any]:
    import httpx

    services = Services(redis_url, database_url)
    services.start(workers=1)
    run = uuid.uuid4().hex[:6]
    posts = []
    try:
        with httpx.Client(timeout=60) as client:
            services.upload(client, text_pdf(-1, run), "warm.pdf", "receipt")
            services.wait(1, 120)
            for i in range(n):
                started = time.perf_counter()
                services.upload(client, text_pdf(i, run), f"d{i}.pdf", "receipt")
                posts.append(time.perf_counter() - started)
                services.wait(i + 2, 120)
        rows = [r for r in services.rows() if r["status"] in TERMINAL][1:]
    finally:
        services.stop()
    e2e = [r["finished"] - r["created"] for r in rows]
    return {
        "documents": len(rows),
        "rest_post": ms(posts),
        "server_end_to_end": ms(e2e),
        "engine": ms([r["engine_s"] for r in rows]),
        "rasterize_job": ms([r["rasterize_s"] or 0.0 for r in rows]),
        "overhead_excluding_engine": ms([t - r["engine_s"] for t, r in zip(e2e, rows, strict=True)]),
        "overhead_outside_job_bodies": ms(
            [t - (r["rasterize_s"] or 0) - (r["extract_s"] or 0) for t, r in zip(e2e, rows, strict=True)]
        ),
    }


def receipts_throughput(redis_url: str, database_url: str | None, workers: int, limit: int) -> dict[str, Any]:
    import httpx

    files = sorted(SROIE.glob("*.jpg"))[:limit]
    services = Services(redis_url, database_url)
    services.start(workers=workers)
    try:
        started = time.time()
        with httpx.Client(timeout=120) as client, ThreadPoolExecutor(4) as pool:
            list(pool.map(lambda p: services.upload(client, p.read_bytes(), p.name, "receipt"), files))
        rows = services.wait(len(files), 60 * 20)
    finally:
        services.stop()
    elapsed = max(r["finished"] for r in rows) - started
    return {
        "workers": workers,
        "documents": len(rows),
        "seconds": round(elapsed, 1),
        "docs_per_second": round(len(rows) / elapsed, 3),
        "failed": sum(r["status"] == "failed" for r in rows),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--database-url", default=None, help="default: SQLite in a fresh temp DOCAI_HOME per run")
    parser.add_argument("--round-trips", type=int, default=50)
    parser.add_argument("--docs", type=int, default=20, help="documents for the per-document overhead")
    parser.add_argument("--receipts", type=int, default=16, help="SROIE receipts per throughput run (of 63)")
    parser.add_argument("--workers", default="1,2", help="worker process counts for the throughput runs")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    report: dict[str, Any] = {"bare_celery_round_trip": bare_round_trip(args.redis, args.round_trips)}
    report["docai_per_document"] = docai_overhead(args.redis, args.database_url, args.docs)
    if args.receipts <= 0:
        report["sroie_throughput"] = "skipped: --receipts 0"
    elif SROIE.is_dir():
        report["sroie_throughput"] = [
            receipts_throughput(args.redis, args.database_url, int(w), args.receipts) for w in args.workers.split(",")
        ]
    else:
        report["sroie_throughput"] = f"skipped: {SROIE} not found"
    if args.json:
        print(json.dumps(report, indent=2))
        return
    b, d = report["bare_celery_round_trip"], report["docai_per_document"]
    print(f"bare Celery round trip (no-op, Redis):     median {b['median_ms']} ms  p90 {b['p90_ms']} ms")
    print(f"docai REST POST (upload answered):         median {d['rest_post']['median_ms']} ms")
    print(f"docai upload -> terminal (server side):    median {d['server_end_to_end']['median_ms']} ms")
    print(f"  engine time:                             median {d['engine']['median_ms']} ms")
    print(f"  rasterize job (render + text layer):     median {d['rasterize_job']['median_ms']} ms")
    print(f"  overhead, engine excluded:               median {d['overhead_excluding_engine']['median_ms']} ms")
    print(f"  overhead outside job bodies (2 hops):    median {d['overhead_outside_job_bodies']['median_ms']} ms")
    for row in report["sroie_throughput"] if isinstance(report["sroie_throughput"], list) else []:
        print(
            f"SROIE receipts, {row['workers']} worker process(es): {row['documents']} docs in {row['seconds']} s = "
            f"{row['docs_per_second']} docs/s ({row['failed']} failed)"
        )


if __name__ == "__main__":
    main()
