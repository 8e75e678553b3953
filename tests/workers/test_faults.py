"""Faults with real processes: a worker killed mid-job, Redis restarted empty mid-run."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.workers.conftest import Cluster, drop_prefix, extraction_counts, free_port, job_rows, receipt_pdf

pytestmark = [pytest.mark.redis, pytest.mark.postgres, pytest.mark.slow]


def running_job(cluster: Cluster, stage: str, timeout: float = 60) -> tuple[str, int]:
    """(document id, pid of the pool process) of a job of stage that a worker is running now."""
    from sqlalchemy import select

    from docai.store.db.models import Job
    from docai.store.db.session import session_factory

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with session_factory(cluster.db_url)() as session:
            job = session.scalar(select(Job).where(Job.stage == stage, Job.status == "processing"))
            if job is not None and job.worker:
                return job.document_id, int(job.worker.rsplit(":", 1)[1])
        time.sleep(0.05)
    raise AssertionError(f"no {stage} job started\n{cluster.logs()}")


def test_pool_process_killed_mid_job_is_redelivered(cluster: Cluster) -> None:
    cluster.start_worker("w1", concurrency=1)
    cluster.start_api()
    with httpx.Client(timeout=60) as http:
        doc = cluster.upload(http, receipt_pdf(1, pages=40), "long.pdf")  # ~40 pages: seconds to rasterize
    document_id, pid = running_job(cluster, "rasterize")
    assert document_id == doc["id"]
    os.kill(pid, signal.SIGKILL)  # the pool process dies; the message was not acknowledged (acks_late)

    statuses = cluster.wait_terminal(1, timeout=120)
    assert statuses[doc["id"]] in ("done", "needs_review"), cluster.logs()
    rasterize = [row for row in job_rows(cluster.db_url) if row[1] == "rasterize"]
    assert len(rasterize) == 1 and rasterize[0][2] == "done" and rasterize[0][3] == 2  # the same job, taken twice
    assert extraction_counts(cluster.db_url) == {doc["id"]: 1}


def test_whole_worker_killed_its_document_finishes_on_another(cluster: Cluster) -> None:
    cluster.extra_env.update(DOCAI_RECONCILE_AFTER="4", DOCAI_RECONCILE_INTERVAL="1")
    doomed = cluster.start_worker("doomed", concurrency=1)
    cluster.start_api()
    with httpx.Client(timeout=60) as http:
        doc = cluster.upload(http, receipt_pdf(2, pages=40), "long.pdf")
    _, child = running_job(cluster, "rasterize")
    os.kill(child, signal.SIGKILL)
    doomed.send_signal(signal.SIGKILL)  # the main process too: nothing is left to re-queue the message
    doomed.wait()
    cluster.start_docai_worker("rescuer", concurrency=1)

    statuses = cluster.wait_terminal(1, timeout=120)
    assert statuses[doc["id"]] in ("done", "needs_review"), cluster.logs()
    assert extraction_counts(cluster.db_url) == {doc["id"]: 1}
    assert "re-sent" in cluster.log("api")  # the reconciler noticed the silent job


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[tuple[str, callable, callable]]:
    """A private redis-server without persistence, with functions to stop it and start it again (empty)."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.fail("redis-server is not installed (apt-get install redis-server)")
    port = free_port()
    argv = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    argv += ["--dir", str(tmp_path)]
    state = {"process": subprocess.Popen(argv, stdout=subprocess.DEVNULL)}

    def wait_up() -> None:
        import redis

        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                redis.Redis(port=port).ping()
                return
            except redis.ConnectionError:
                time.sleep(0.05)
        raise AssertionError("redis-server did not start")

    def stop() -> None:
        state["process"].kill()
        state["process"].wait()

    def start() -> None:
        state["process"] = subprocess.Popen(argv, stdout=subprocess.DEVNULL)
        wait_up()

    wait_up()
    yield f"redis://127.0.0.1:{port}/0", stop, start
    stop()


def test_redis_restarted_empty_reconciler_finishes_everything(
    tmp_path: Path, pg_url: str, own_redis: tuple[str, callable, callable]
) -> None:
    broker, stop_redis, start_redis = own_redis
    prefix = f"docai-test-{uuid.uuid4().hex[:8]}:"
    cluster = Cluster(home=tmp_path / "home", db_url=pg_url, broker_url=broker, prefix=prefix)
    cluster.home.mkdir()
    cluster.extra_env.update(DOCAI_RECONCILE_AFTER="5", DOCAI_RECONCILE_INTERVAL="1")
    try:
        cluster.start_worker("cpu", queues="cpu", concurrency=1)  # separate queues: routing must hold too
        cluster.start_worker("gpu", queues="gpu", concurrency=1)
        cluster.start_api()
        with httpx.Client(timeout=60) as http:
            ids = [cluster.upload(http, receipt_pdf(i, pages=2), f"r{i}.pdf")["id"] for i in range(20)]
            stop_redis()  # mid-run: most messages are still queued, and they are gone for good
            # uploads while the broker is down are still accepted: the rows are committed first
            ids += [cluster.upload(http, receipt_pdf(i, pages=2), f"r{i}.pdf")["id"] for i in range(20, 23)]
            start_redis()  # empty: no persistence
            ids += [cluster.upload(http, receipt_pdf(i, pages=2), f"r{i}.pdf")["id"] for i in range(23, 25)]
        statuses = cluster.wait_terminal(25, timeout=240)
        assert set(statuses) == set(ids)
        assert all(s in ("done", "needs_review") for s in statuses.values()), statuses
        assert extraction_counts(cluster.db_url) == dict.fromkeys(ids, 1)
        assert "re-sent" in cluster.log("api")
        assert "docai.extract" not in cluster.log("cpu") and "docai.rasterize" not in cluster.log("gpu")
    finally:
        cluster.stop()
        drop_prefix(broker, prefix)
