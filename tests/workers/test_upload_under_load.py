"""Embedded mode (SQLite, the filesystem broker), real API and worker processes: while a scan is rendered
and OCR'd, every other upload is stored at once (issue 12: 20 of 20 were refused with "database is locked")."""

from __future__ import annotations

import signal
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from tests.workers.conftest import AUTH, Cluster, receipt_pdf

pytestmark = pytest.mark.slow


def scanned_pdf(shared_data: Path, pages: int) -> bytes:
    """An image-only PDF, one real SROIE receipt photo per page: every page goes through OCR."""
    import pymupdf

    doc = pymupdf.open()
    for jpg in sorted((shared_data / "sroie").glob("*.jpg"))[:pages]:
        with pymupdf.open(jpg) as image:
            rect = image[0].rect
        page = doc.new_page(width=rect.width * 72 / 150, height=rect.height * 72 / 150)
        page.insert_image(page.rect, filename=str(jpg))
    return doc.tobytes()


def _rasterize_job(client: httpx.Client, api: str, document_id: str) -> str | None:
    jobs = client.get(f"{api}/v1/documents/{document_id}", headers=AUTH).json()["jobs"]
    return next((j["status"] for j in jobs if j["stage"] == "rasterize"), None)


def test_uploads_are_stored_while_a_scan_is_ocrd(tmp_path: Path, shared_data: Path) -> None:
    from docai.store.db.migrate import upgrade

    home = tmp_path / "home"
    home.mkdir()
    cluster = Cluster(home=home, db_url=f"sqlite:///{home / 'docai.db'}", broker_url="filesystem://", prefix="")
    upgrade(cluster.db_url)
    cluster.start_api()
    worker = cluster.start_worker("cpu", queues="cpu", concurrency=1)
    try:
        with httpx.Client(timeout=120) as client:
            scan = cluster.upload(client, scanned_pdf(shared_data, 8), "scan.pdf")
            deadline = time.monotonic() + 60
            while _rasterize_job(client, cluster.api_url, scan["id"]) != "processing":
                assert time.monotonic() < deadline, f"the scan was never picked up:\n{cluster.logs()}"
                time.sleep(0.3)
            time.sleep(1.0)  # well inside rendering and OCR

            def upload(i: int) -> httpx.Response:
                return client.post(
                    f"{cluster.api_url}/v1/documents", files={"file": (f"r{i}.pdf", receipt_pdf(100 + i))}, headers=AUTH
                )

            started = time.monotonic()
            with ThreadPoolExecutor(max_workers=20) as pool:
                answers = list(pool.map(upload, range(20)))
            took = time.monotonic() - started
            refused = [a.text for a in answers if a.status_code != 202]
            assert [a.status_code for a in answers] == [202] * 20, f"in {took:.1f}s: {refused}"
            # the scenario held: the scan was still being OCR'd while all 20 were stored
            assert _rasterize_job(client, cluster.api_url, scan["id"]) == "processing"
            for answer in answers:
                stored = client.get(f"{cluster.api_url}/v1/documents/{answer.json()['id']}", headers=AUTH)
                assert stored.status_code == 200 and stored.json()["status"] == "queued"
    finally:
        worker.send_signal(signal.SIGKILL)  # no need to let it finish the scan
        cluster.stop()
