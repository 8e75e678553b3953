"""Real services for worker tests: PostgreSQL, Redis (a key prefix per test), `docai api` and Celery workers
started as separate processes, exactly as they run in production."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

REPO = Path(__file__).resolve().parents[2]
PG_ADMIN_URL = os.environ.get("DOCAI_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
KEY = "worker-test-key"
AUTH = {"Authorization": f"Bearer {KEY}"}
TERMINAL = {"done", "needs_review", "failed", "approved", "rejected"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_healthy(api_url: str, timeout: float = 90) -> bool:
    """Poll /healthz until the API answers 200; False when it never did."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{api_url}/healthz", timeout=1).status_code == 200:
                return True
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    return False


def receipt_pdf(i: int, pages: int = 1) -> bytes:
    """A receipt with a text layer (no OCR needed); i makes its bytes unique."""
    import pymupdf

    doc = pymupdf.open()
    for p in range(pages):
        page = doc.new_page(width=300, height=420)
        lines = [f"SHOP {i} PAGE {p}", f"{i} HIGH STREET", "Date: 2024-03-15", "TEA   2.50", f"TOTAL {i % 90 + 2}.50"]
        for n, line in enumerate(lines):
            page.insert_text((20, 40 + 22 * n), line, fontsize=10)
    doc.set_metadata({})
    return doc.tobytes(no_new_id=True)


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh, migrated PostgreSQL database for one test."""
    import sqlalchemy as sa

    from docai.store.db.migrate import upgrade

    name = f"docai_wtest_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except sa.exc.OperationalError:
        pytest.fail(f"PostgreSQL is not answering at {PG_ADMIN_URL}; `make test` starts it")
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    upgrade(url)
    yield url
    from docai.store.db.session import _factory

    _factory.cache_clear()
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@dataclass
class Cluster:
    """API and workers as child processes sharing one database and one broker."""

    home: Path
    db_url: str
    broker_url: str
    prefix: str
    extra_env: dict[str, str] = field(default_factory=dict)
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    api_url: str = ""

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("DOCAI_")}
        env.update(
            PYTHONPATH=str(REPO),
            DOCAI_HOME=str(self.home),
            DOCAI_DATABASE_URL=self.db_url,
            DOCAI_BROKER_URL=self.broker_url,
            DOCAI_BROKER_KEY_PREFIX=self.prefix,
            DOCAI_API_KEYS=KEY,
            DOCAI_ENGINE="ocr",
            DOCAI_RECONCILE_INTERVAL="0",
        )
        env.update(self.extra_env)
        return env

    def _start(self, name: str, argv: list[str]) -> subprocess.Popen[bytes]:
        log = (self.home / f"{name}.log").open("wb")
        process = subprocess.Popen(argv, env=self.env(), cwd=REPO, stdout=log, stderr=subprocess.STDOUT)
        self.processes[name] = process
        return process

    def start_api(self) -> None:
        port = free_port()
        self.api_url = f"http://127.0.0.1:{port}"
        self._start("api", [sys.executable, "-m", "docai", "api", "--port", str(port)])
        if not wait_healthy(self.api_url, 60):
            raise AssertionError(f"the API did not start:\n{self.log('api')}")

    def start_worker(self, name: str, queues: str = "cpu,gpu", concurrency: int = 2) -> subprocess.Popen[bytes]:
        argv = [sys.executable, "-m", "celery", "-A", "workers.app", "worker", "-Q", queues, "-c", str(concurrency)]
        argv += ["-n", f"{name}-{uuid.uuid4().hex[:6]}@%h", "--without-gossip", "--without-mingle", "-l", "info"]
        return self._start(name, argv)

    def start_docai_worker(self, name: str, queues: str = "cpu,gpu", concurrency: int = 1) -> subprocess.Popen[bytes]:
        """The same worker through the CLI that docker-compose runs (`docai worker`)."""
        argv = [sys.executable, "-m", "docai", "worker", "-Q", queues, "-c", str(concurrency), "--name", name]
        return self._start(name, argv)

    def log(self, name: str) -> str:
        path = self.home / f"{name}.log"
        return path.read_text(errors="replace")[-4000:] if path.exists() else ""

    def upload(self, client: httpx.Client, data: bytes, name: str) -> dict:
        response = client.post(
            f"{self.api_url}/v1/documents", files={"file": (name, data)}, data={"schema": "receipt"}, headers=AUTH
        )
        assert response.status_code in (200, 202), response.text
        return response.json()

    def statuses(self) -> dict[str, str]:
        from sqlalchemy import select

        from docai.store.db.models import Document
        from docai.store.db.session import session_factory

        with session_factory(self.db_url)() as session:
            return dict(session.execute(select(Document.id, Document.status)).all())

    def wait_terminal(self, expected: int, timeout: float) -> dict[str, str]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            statuses = self.statuses()
            if len(statuses) >= expected and all(s in TERMINAL for s in statuses.values()):
                return statuses
            time.sleep(0.5)
        waiting = {k: v for k, v in self.statuses().items() if v not in TERMINAL}
        raise AssertionError(
            f"{len(waiting)} documents never finished: {list(waiting.items())[:5]}\n--- worker logs ---\n{self.logs()}"
        )

    def logs(self) -> str:
        return "\n".join(f"== {name}\n{self.log(name)}" for name in self.processes)

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def drop_prefix(broker_url: str, prefix: str) -> None:
    """Delete the keys one test run wrote, and nothing else."""
    import redis

    client = redis.Redis.from_url(broker_url)
    try:
        keys = list(client.scan_iter(match=f"{prefix}*", count=1000))
        if keys:
            client.delete(*keys)
    except redis.ConnectionError:
        pass


@pytest.fixture
def cluster(tmp_path: Path, pg_url: str) -> Iterator[Cluster]:
    """Shared Redis on 6379 with a key prefix unique to this test."""
    prefix = f"docai-test-{uuid.uuid4().hex[:8]}:"
    broker = os.environ.get("DOCAI_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
    c = Cluster(home=tmp_path / "home", db_url=pg_url, broker_url=broker, prefix=prefix)
    c.home.mkdir()
    yield c
    c.stop()
    drop_prefix(broker, prefix)


def job_rows(db_url: str) -> list[tuple[str, str, str, int]]:
    from sqlalchemy import select

    from docai.store.db.models import Job
    from docai.store.db.session import session_factory

    with session_factory(db_url)() as session:
        return list(session.execute(select(Job.document_id, Job.stage, Job.status, Job.attempts)).all())


def extraction_counts(db_url: str) -> dict[str, int]:
    from sqlalchemy import func, select

    from docai.store.db.models import Extraction
    from docai.store.db.session import session_factory

    with session_factory(db_url)() as session:
        rows = session.execute(select(Extraction.document_id, func.count()).group_by(Extraction.document_id)).all()
        return {doc: n for doc, n in rows}
