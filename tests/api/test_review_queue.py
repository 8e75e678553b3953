"""The review queue through the API on a real database: reasons, current issues, confirmed approvals, reopen,
bulk decisions, the audit trail, queue columns with sort and filter, full-text search and possible duplicates."""

from __future__ import annotations

import pymupdf
from fastapi.testclient import TestClient

from tests.api.conftest import AUTH, receipt_pdf, run_queued_jobs


def invoice_pdf(footer: str) -> bytes:
    """A born-digital invoice; the footer changes the bytes, not the vendor, number or total."""
    doc = pymupdf.open()
    page = doc.new_page(width=595, height=842)
    lines = [
        "Nordlicht Software GmbH",
        "Hafenstrasse 12, 20457 Hamburg",
        "INVOICE",
        "Invoice number: RE-2024-0815",
        "Invoice date: 2024-03-15",
        "Bill to: Example Customer Ltd",
        "Description            Qty   Unit price   Amount",
        "Consulting hours        10    95.00        950.00",
        "Subtotal                            950.00",
        "VAT 19%                             180.50",
        "Total due EUR                      1130.50",
        footer,
    ]
    for n, line in enumerate(lines):
        page.insert_text((50, 60 + 22 * n), line, fontsize=11)
    doc.set_metadata({})
    return doc.tobytes(no_new_id=True)


def post(client: TestClient, data: bytes, **form: str) -> str:
    response = client.post("/v1/documents", files={"file": ("doc.pdf", data)}, data=form, headers=AUTH)
    assert response.status_code == 202, response.text
    return response.json()["id"]


def patch(client: TestClient, doc_id: str, **values: object) -> dict:
    body = {"corrections": [{"field": f"/{k}", "value": v} for k, v in values.items()]}
    response = client.patch(f"/v1/documents/{doc_id}/result", json=body, headers=AUTH)
    assert response.status_code == 200, response.text
    return response.json()


def test_reasons_stay_current_and_approving_errors_needs_a_confirmed_note(api) -> None:  # type: ignore[no-untyped-def]
    client = api.client
    doc = post(client, receipt_pdf(1, total="7.70"), schema="receipt")
    run_queued_jobs(api.settings)
    # 14.10 + 0.50 is not 14.10, nor is 0.50 the tax a common rate puts inside 14.10 (6% would be 0.80)
    broken = patch(
        client, doc, merchant_name="CAFE NUMBER 1", items=[], subtotal="14.10", total_tax="0.50", total="14.10"
    )
    assert [i["code"] for i in broken["issues"]] == ["total_mismatch"]
    assert [(r["reason"], r["field"], r["label"]) for r in broken["reasons"]] == [
        ("validation_issue", "/total", "Total")
    ]
    detail = client.get(f"/v1/documents/{doc}", headers=AUTH).json()
    assert detail["status"] == "needs_review" and detail["reasons"][0]["message"].startswith("subtotal 14.10")
    assert detail["reasons_summary"] == "1 validation issue"
    assert client.get("/v1/documents", params={"reason": "validation_issue"}, headers=AUTH).json()["count"] == 1
    assert client.get("/v1/documents", params={"reason": "none"}, headers=AUTH).json()["count"] == 0

    refused = client.post(f"/v1/documents/{doc}/approve", headers=AUTH)
    assert refused.status_code == 409 and '"confirm": true' in refused.json()["error"]["message"]
    assert "1 open error" in refused.json()["error"]["message"]
    no_note = client.post(f"/v1/documents/{doc}/approve", json={"confirm": True}, headers=AUTH)
    assert no_note.status_code == 422 and "note" in no_note.json()["error"]["message"]

    fixed = patch(client, doc, subtotal="13.60")  # 13.60 + 0.50 = 14.10: the whole document is checked again
    assert fixed["issues"] == [] and fixed["reasons"] == []
    result = client.get(f"/v1/documents/{doc}/result", headers=AUTH).json()
    assert result["issues"] == [] and result["reasons"] == [] and result["status"] == "done"

    patch(client, doc, total="15.00")
    approved = client.post(
        f"/v1/documents/{doc}/approve",
        json={"confirm": True, "note": "Total checked with the supplier", "author": "Ann Clerk"},
        headers=AUTH,
    )
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    assert approved.json()["reviewed_by"] == "Ann Clerk"
    assert client.post(f"/v1/documents/{doc}/reopen", json={"author": "Ann Clerk"}, headers=AUTH).json()["status"] == (
        "needs_review"
    )
    assert client.post(f"/v1/documents/{doc}/reopen", headers=AUTH).status_code == 409  # not approved now
    trail = client.get(f"/v1/documents/{doc}/audit", headers=AUTH).json()
    decisions = [(a["action"], a["reviewer"], a["note"]) for a in trail if a["kind"] == "decision"]
    assert decisions == [("approve", "Ann Clerk", "Total checked with the supplier"), ("reopen", "Ann Clerk", None)]
    assert all(a["author"].startswith("key:") for a in trail if a["kind"] == "decision")  # the key, not the name
    assert [a["label"] for a in trail if a["kind"] == "correction"][:3] == ["Merchant name", "Items", "Subtotal"]
    assert [a["at"] for a in trail] == sorted(a["at"] for a in trail)


def test_queue_columns_sort_search_duplicates_and_bulk(api) -> None:  # type: ignore[no-untyped-def]
    client = api.client
    cheap = post(client, receipt_pdf(11, total="9.10"), schema="receipt")
    dear = post(client, receipt_pdf(12, total="25.00"), schema="receipt")
    first = post(client, invoice_pdf("Thank you for your business."))
    copy = post(client, invoice_pdf("Copy for your records."))
    run_queued_jobs(api.settings)

    listing = client.get("/v1/documents", params={"sort": "total", "order": "asc"}, headers=AUTH).json()
    assert [d["id"] for d in listing["data"]][:2] == [cheap, dear]
    row = {d["id"]: d for d in listing["data"]}[first]
    assert (row["vendor"], row["document_date"], row["total"], row["currency"]) == (
        "Nordlicht Software GmbH",
        "2024-03-15",
        "1130.50",
        "EUR",
    )
    assert row["age_seconds"] >= 0 and row["doc_number"] == "RE-2024-0815"
    by_vendor = client.get("/v1/documents", params={"sort": "vendor", "order": "desc"}, headers=AUTH).json()
    assert by_vendor["data"][0]["id"] in (first, copy)

    flagged = client.get(f"/v1/documents/{copy}", headers=AUTH).json()  # other bytes, same vendor, number, total
    assert flagged["possible_duplicate_of"] == first and flagged["possible_duplicate_url"] == f"/v1/documents/{first}"
    issue = next(i for i in client.get(f"/v1/documents/{copy}/result", headers=AUTH).json()["issues"])
    assert issue["code"] == "possible_duplicate" and issue["duplicate_of"] == first
    assert client.get(f"/v1/documents/{first}", headers=AUTH).json()["possible_duplicate_of"] is None

    def found(q: str) -> set[str]:
        return {d["id"] for d in client.get("/v1/documents", params={"q": q}, headers=AUTH).json()["data"]}

    assert found("nordlicht") == {first, copy}  # vendor
    assert found("RE-2024-0815") == {first, copy}  # invoice number
    assert found("25.00") == {dear} and found("1130.50") == {first, copy}  # amounts
    assert found("1.130,50") == {first, copy} and found("nordlicht 15.03.2024") == {first, copy}  # other spellings
    assert found("croissant 9.10") == {cheap}  # page text and an amount, both
    assert found("consult hours") == {first, copy}  # prefixes
    assert found("zebra") == set()
    patch(client, cheap, merchant_name="Zebra Bakery")  # kept current on correction
    assert found("zebra") == {cheap}

    bulk = client.post(
        "/v1/documents/bulk", json={"action": "approve", "ids": [cheap, copy, "nope"], "author": "Bo"}, headers=AUTH
    ).json()
    outcome = {r["id"]: (r["ok"], r["status"]) for r in bulk["results"]}
    assert outcome[cheap] == (True, "approved") and outcome[copy] == (False, "needs_review")
    assert outcome["nope"] == (False, None) and bulk["done"] == 1 and bulk["skipped"] == 2
    assert "open error" in next(r["message"] for r in bulk["results"] if r["id"] == copy)
    assert client.post(f"/v1/documents/{first}/reject", json={"note": "bad scan"}, headers=AUTH).status_code == 200
    assert client.get(f"/v1/documents/{copy}", headers=AUTH).json()["possible_duplicate_of"] is None  # no original
    assert client.post(f"/v1/documents/{first}/reopen", headers=AUTH).status_code == 200
    assert client.get(f"/v1/documents/{copy}", headers=AUTH).json()["possible_duplicate_of"] == first  # again
    rejected = client.post("/v1/documents/bulk", json={"action": "reject", "ids": [copy], "note": "dup"}, headers=AUTH)
    assert rejected.json()["done"] == 1
    retry = client.post("/v1/documents/bulk", json={"action": "retry", "ids": [dear]}, headers=AUTH).json()
    assert retry["results"][0]["ok"] is False and "only failed" in retry["results"][0]["message"]
    bad = client.get("/v1/documents", params={"reason": "sleepy"}, headers=AUTH)
    assert bad.status_code == 422 and "low_confidence" in bad.json()["error"]["message"]


def test_documents_from_before_the_review_columns_are_filled_in_at_start(api) -> None:  # type: ignore[no-untyped-def]
    import sqlalchemy as sa

    from docai.api import create_app

    doc = post(api.client, receipt_pdf(21, total="3.30"), schema="receipt")
    run_queued_jobs(api.settings)
    engine = sa.create_engine(api.db_url)
    with engine.begin() as conn:  # as a database upgraded from before revision 0003 has them
        conn.execute(sa.text("UPDATE documents SET vendor = NULL, total = NULL, reason_codes = NULL"))
        conn.execute(sa.text("DELETE FROM document_search"))
    engine.dispose()
    assert api.client.get("/v1/documents", params={"q": "croissant"}, headers=AUTH).json()["count"] == 0
    with TestClient(create_app(api.settings, reconcile=False)) as restarted:
        row = restarted.get("/v1/documents", params={"q": "croissant"}, headers=AUTH).json()["data"][0]
    assert row["id"] == doc and row["vendor"].startswith("CAFE NUMBER") and row["total"] == "3.30"


def test_any_search_text_is_an_answer_not_an_error(api) -> None:  # type: ignore[no-untyped-def]
    for q in ['"', "'", "a:b", "NEAR(x y)", "foo OR", "*", "½ ñ 東京", "\\", "-x", "(12.00)", "%_", "AND NOT"]:
        response = api.client.get("/v1/documents", params={"q": q}, headers=AUTH)
        assert response.status_code == 200, (q, response.text)
