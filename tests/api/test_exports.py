"""Exports a bookkeeper can open (XLSX sheets and CSV files per kind, line items as rows), and the engine's
kinds: what it cannot read is said in a sentence, before and after an upload."""

from __future__ import annotations

import io
import json
import zipfile

from openpyxl import load_workbook

from tests.api.conftest import AUTH, receipt_pdf, run_queued_jobs
from tests.api.test_review_queue import invoice_pdf, patch, post


def test_exports_have_a_table_per_kind_and_line_items_as_rows(api) -> None:  # type: ignore[no-untyped-def]
    client = api.client
    invoice = post(client, invoice_pdf("Thank you."), schema="invoice")
    receipt = post(client, receipt_pdf(3, total="7.70"), schema="receipt")
    run_queued_jobs(api.settings)
    patch(client, receipt, merchant_name='=HYPERLINK("http://evil")', items=[{"description": "Tea", "amount": "7.70"}])
    for doc in (invoice, receipt):
        body = {"author": "Ann Clerk", "note": "checked", "confirm": True}
        assert client.post(f"/v1/documents/{doc}/approve", json=body, headers=AUTH).status_code == 200

    xlsx = client.get("/v1/export", params={"format": "xlsx"}, headers=AUTH)
    assert xlsx.status_code == 200 and "docai-export.xlsx" in xlsx.headers["content-disposition"]
    book = load_workbook(io.BytesIO(xlsx.content))
    assert {"invoices", "invoice_line_items", "receipts", "receipt_items"} <= set(book.sheetnames)
    invoices = list(book["invoices"].values)
    head, row = invoices[0], dict(zip(invoices[0], invoices[1], strict=True))
    assert {"document_id", "reviewed_by", "review_note", "issues", "vendor_name", "invoice_total"} <= set(head)
    assert row["vendor_name"] == "Nordlicht Software GmbH" and float(row["invoice_total"]) == 1130.50
    assert row["reviewed_by"] == "Ann Clerk" and row["review_note"] == "checked"
    lines = list(book["invoice_line_items"].values)
    assert lines[0][:3] == ("document_id", "line", "description") and lines[1][:2] == (invoice, 1)
    merchant = next(c for c in book["receipts"][2] if c.column_letter == _column(book["receipts"], "merchant_name"))
    assert merchant.data_type == "s" and merchant.value.startswith("=HYPERLINK")  # text, never a formula
    items = list(book["receipt_items"].values)
    assert items[1][:3] == (receipt, 1, "Tea")

    archive = zipfile.ZipFile(io.BytesIO(client.get("/v1/export", params={"format": "zip"}, headers=AUTH).content))
    assert {"invoices.csv", "invoice_line_items.csv", "receipts.csv", "receipt_items.csv"} <= set(archive.namelist())
    receipts_csv = archive.read("receipts.csv").decode("utf-8-sig")
    assert "'=HYPERLINK" in receipts_csv and "Ann Clerk" in receipts_csv

    records = json.loads(client.get("/v1/export", params={"format": "json"}, headers=AUTH).text)
    by_id = {r["id"]: r for r in records}
    assert by_id[invoice]["evidence"]["/vendor_name"]["page"] == 0
    assert by_id[receipt]["decisions"][0]["note"] == "checked"


def _column(sheet, name: str) -> str:  # type: ignore[no-untyped-def]
    return next(c.column_letter for c in sheet[1] if c.value == name)


def test_the_engine_says_which_kinds_it_reads(api) -> None:  # type: ignore[no-untyped-def]
    client = api.client
    engine = client.get("/v1/engine", headers=AUTH).json()
    assert engine["engine"] == "ocr" and set(engine["supports"]) == {"invoice", "receipt", "form"}
    assert set(engine["unsupported"]) == {"chart", "ui_code"}
    assert "cannot read charts" in engine["unsupported"]["chart"]
    doc = post(client, receipt_pdf(4), schema="chart")
    run_queued_jobs(api.settings)
    failed = client.get(f"/v1/documents/{doc}", headers=AUTH).json()
    assert failed["status"] == "failed" and failed["error"]["code"] == "schema_unsupported"
    assert failed["error"]["message"].startswith("docai cannot read charts on this server")
    assert "reads invoices, receipts and forms only" in failed["error"]["message"]


def test_a_chart_uploaded_as_auto_is_recognised_and_refused_in_words(api, shared_data) -> None:  # type: ignore[no-untyped-def]
    data = (shared_data / "chartqa" / "two_col_20869.png").read_bytes()
    response = api.client.post("/v1/documents", files={"file": ("chart.png", data)}, headers=AUTH)
    assert response.status_code == 202, response.text
    run_queued_jobs(api.settings)
    doc = api.client.get(f"/v1/documents/{response.json()['id']}", headers=AUTH).json()
    assert doc["schema"] == "chart" and doc["status"] == "failed"
    assert doc["error"]["code"] == "schema_unsupported"
    assert doc["error"]["message"].startswith("This document looks like a chart. docai cannot read charts")
