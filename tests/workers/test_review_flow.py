"""The review queue with real processes: `docai api` and a Celery worker on PostgreSQL and Redis.

The worker extracts; the API then shows the queue's columns and reasons, finds documents by what is printed
on them (PostgreSQL full-text search), flags the second copy of an invoice and approves in bulk.
"""

from __future__ import annotations

import httpx
import pytest

from tests.api.test_review_queue import invoice_pdf
from tests.workers.conftest import AUTH, Cluster, receipt_pdf

pytestmark = [pytest.mark.redis, pytest.mark.postgres, pytest.mark.slow]


def test_queue_search_duplicates_and_bulk_through_real_processes(cluster: Cluster) -> None:
    cluster.start_worker("w1", concurrency=1)
    cluster.start_api()
    with httpx.Client(base_url=f"{cluster.api_url}/v1", headers=AUTH, timeout=60) as http:

        def post(data: bytes, name: str, schema: str) -> str:
            response = http.post("/documents", files={"file": (name, data)}, data={"schema": schema})
            assert response.status_code == 202, response.text
            return response.json()["id"]

        first = post(invoice_pdf("Thank you for your business."), "invoice.pdf", "invoice")
        copy = post(invoice_pdf("Scanned again on Monday."), "invoice-copy.pdf", "invoice")
        receipt = post(receipt_pdf(7), "receipt.pdf", "receipt")
        cluster.wait_terminal(3, timeout=180)

        listing = http.get("/documents", params={"sort": "vendor", "order": "asc"}).json()["data"]
        rows = {d["id"]: d for d in listing}
        assert rows[first]["vendor"] == "Nordlicht Software GmbH" and rows[first]["total"] == "1130.50"
        assert rows[copy]["possible_duplicate_of"] == first and rows[copy]["status"] == "needs_review"
        assert any(r["code"] == "possible_duplicate" for r in rows[copy]["reasons"])
        assert {d["id"] for d in http.get("/documents", params={"q": "nordlicht re-2024"}).json()["data"]} == {
            first,
            copy,
        }
        assert [d["id"] for d in http.get("/documents", params={"q": "high street 9.50"}).json()["data"]] == [receipt]

        bulk = http.post("/documents/bulk", json={"action": "approve", "ids": [first, copy, receipt]}).json()
        approved = {r["id"] for r in bulk["results"] if r["ok"]}
        assert copy not in approved and first in approved, bulk
        exported = http.get("/export", params={"format": "xlsx"})
        assert exported.status_code == 200 and exported.content[:2] == b"PK"
