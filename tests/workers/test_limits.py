"""Per-process memory caps and per-task time limits end in a document's own failure; the worker lives on."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from tests.workers.conftest import REPO, receipt_pdf


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
    assert celery_config(Settings(job_timeout=8))["task_soft_time_limit"] == 6  # time left to record the failure


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
