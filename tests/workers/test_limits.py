"""Per-process memory caps and per-task time limits end in a document's own failure; the worker lives on."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from tests.workers.conftest import AUTH, REPO, Cluster, receipt_pdf


def test_a_capped_worker_process_fails_an_allocation_and_lives_on() -> None:
    script = textwrap.dedent(
        """
        from workers.tasks import cap_memory
        cap_memory(300)
        try:
            hog = bytearray(600 << 20)
        except MemoryError:
            print("refused")
        ok = bytearray(50 << 20)  # the process goes on
        print("alive", len(ok) >> 20)
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=REPO,
        env={"PYTHONPATH": str(REPO)},
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split() == ["refused", "alive", "50"]


def test_cpu_workers_are_recycled_and_capped_gpu_workers_are_not() -> None:
    from docai.cli.serve import worker_argv
    from docai.service.transport import celery_config
    from docai.settings import Settings

    cpu = worker_argv("cpu", 2, "cpu", memory_mb=3072)
    assert cpu[cpu.index("--max-memory-per-child") + 1] == str(3072 * 768)  # KiB: three quarters of the cap
    assert "--max-memory-per-child" not in worker_argv("gpu", 1, "gpu", memory_mb=3072)
    assert "--max-memory-per-child" not in worker_argv("cpu", 2, "cpu", memory_mb=0)
    config = celery_config(Settings(job_timeout=3600))
    assert config["task_time_limit"] == 3600 and config["task_soft_time_limit"] == 3570
    assert celery_config(Settings(job_timeout=12))["task_soft_time_limit"] == 6  # time left to record the failure


def test_a_task_past_its_time_limit_fails_its_documents_timed_out(session, store) -> None:  # type: ignore[no-untyped-def]
    from docai.service.jobs import claim, fail_timed_out, new_job
    from docai.stages.pipeline import ingest_bytes
    from docai.store.db.models import Document, Job

    documents, jobs = [], []
    for i in range(2):
        document = ingest_bytes(session, store, receipt_pdf(700 + i), f"r{i}.pdf").document
        jobs.append(new_job(session, document.id, "rasterize"))
        documents.append(document)
    other = new_job(session, ingest_bytes(session, store, receipt_pdf(710), "o.pdf").document.id, "rasterize")
    session.commit()
    for job in jobs:
        claim(session, job.id, "task-1", "w")
    failed = fail_timed_out(session, "task-1", 600)
    assert sorted(failed) == sorted(d.id for d in documents)
    for document in documents:
        session.refresh(document)
        assert (document.status, document.error_code) == ("failed", "timed_out")
        assert "600 s" in document.error_message and "DOCAI_JOB_TIMEOUT" in document.error_message
    assert {session.get(Job, j.id).status for j in jobs} == {"failed"}
    assert session.get(Job, other.id).status == "queued"  # another delivery's job is untouched
    assert session.get(Document, other.document_id).status == "queued"


def scanned_pdf(pages: int) -> bytes:
    """Image-only pages of print: every page is OCR'd, which takes a while."""
    import pymupdf

    source = pymupdf.open()
    page = source.new_page(width=595, height=842)
    for n in range(30):
        page.insert_text((50, 40 + 26 * n), f"LINE {n} ITEM DESCRIPTION {n * 7} TOTAL {n}.50 EUR", fontsize=12)
    image = page.get_pixmap(matrix=pymupdf.Matrix(2, 2)).tobytes("png")
    doc = pymupdf.open()
    for _ in range(pages):
        doc.new_page(width=595, height=842).insert_image(doc[-1].rect, stream=image)
    return doc.tobytes()


@pytest.mark.slow
def test_a_real_worker_fails_a_document_past_the_task_time_limit(cluster: Cluster) -> None:
    import httpx

    # soft limit at 15 s, the hard one at 30 s: the 15 s between must outlast one page's OCR on a busy machine
    cluster.extra_env["DOCAI_JOB_TIMEOUT"] = "30"
    cluster.start_api()
    cluster.start_worker("w1", queues="cpu,gpu", concurrency=1)
    with httpx.Client(timeout=30) as client:
        slow = cluster.upload(client, scanned_pdf(40), "slow.pdf")
        quick = cluster.upload(client, receipt_pdf(720), "quick.pdf")
    statuses = cluster.wait_terminal(2, timeout=240)
    with httpx.Client(timeout=30) as client:
        quick_error = client.get(f"{cluster.api_url}/v1/documents/{quick['id']}", headers=AUTH).json()["error"]
    assert statuses[quick["id"]] in ("done", "needs_review"), (
        quick_error,
        cluster.log("w1")[-1500:],
    )  # the worker lived on and took the next document
    assert statuses[slow["id"]] == "failed", cluster.logs()
    with httpx.Client(timeout=30) as client:
        error = client.get(f"{cluster.api_url}/v1/documents/{slow['id']}", headers=AUTH).json()["error"]
    assert error["code"] == "timed_out" and "DOCAI_JOB_TIMEOUT" in error["message"]


@pytest.mark.slow
def test_a_capped_worker_fails_a_document_out_of_memory_and_takes_the_next(cluster: Cluster) -> None:
    import httpx

    from tests.ingest.drawn import png16

    # no header check to stop it first: the worker's own cap (RLIMIT_DATA) is what runs out
    cluster.extra_env.update(DOCAI_WORKER_MEMORY_MB="500", DOCAI_PAGE_MEMORY_MB="65536")
    cluster.start_api()
    cluster.start_worker("cpu", queues="cpu", concurrency=1)
    cluster.start_worker("gpu", queues="gpu", concurrency=1)
    with httpx.Client(timeout=60) as client:
        hog = cluster.upload(client, png16(13_000, 13_000), "deep.png")  # 338 MB of 16-bit pixels, 507 MB with gray
        after = cluster.upload(client, receipt_pdf(730), "after.pdf")
    statuses = cluster.wait_terminal(2, timeout=240)
    with httpx.Client(timeout=30) as client:
        error = client.get(f"{cluster.api_url}/v1/documents/{hog['id']}", headers=AUTH).json()["error"]
    assert statuses[hog["id"]] == "failed" and error["code"] == "resource_limit", (error, cluster.log("cpu"))
    assert statuses[after["id"]] in ("done", "needs_review"), cluster.log("cpu")
    assert "SIGKILL" not in cluster.log("cpu") and "exited with" not in cluster.log("cpu")  # the process lived on
