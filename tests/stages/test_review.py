"""Review reasons, queue columns and the duplicate key: one function each, from the current data."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from docai.stages.review import dedupe_key, reason_codes, reasons_summary, review_reasons, summary
from schemas.labels import field_label

RECEIPT = {"merchant_name": "Cafe", "transaction_date": "2024-03-15", "total": "7.70", "items": []}


def test_a_confident_complete_document_has_no_reason() -> None:
    evidence = {"/merchant_name": {"confidence": 0.9}, "/total": {"confidence": 0.95}}
    assert review_reasons("receipt", RECEIPT, evidence, [], 0.6) == []
    assert reasons_summary([]) == "" and reason_codes([]) == ""


def test_low_confidence_error_issue_and_missing_field_are_reasons() -> None:
    data = {**RECEIPT, "merchant_name": None, "items": [{"description": "Tea", "amount": "2.50"}]}
    evidence = {"/total": {"confidence": 0.41}, "/items/0/amount": {"confidence": 0.2}, "/merchant_name": {}}
    issues = [
        {"code": "total_mismatch", "field": "/total", "message": "7.70 is not 2.50.", "severity": "error"},
        {"code": "implausible_date", "field": "/transaction_date", "message": "m", "severity": "warning"},
    ]
    reasons = review_reasons("receipt", data, evidence, issues, 0.6)
    by_kind = {(r["reason"], r["field"]): r for r in reasons}
    assert set(by_kind) == {
        ("missing_required", "/merchant_name"),
        ("validation_issue", "/total"),
        ("low_confidence", "/total"),
        ("low_confidence", "/items/0/amount"),
    }  # a warning is shown with the issues, but is no reason to stop
    low = by_kind[("low_confidence", "/items/0/amount")]
    assert low["confidence"] == 0.2 and low["label"] == "Item 1 amount" and "20%" in low["message"]
    assert by_kind[("missing_required", "/merchant_name")]["severity"] == "error"
    assert by_kind[("validation_issue", "/total")]["code"] == "total_mismatch"
    assert reasons_summary(reasons) == "2 low confidence, 1 validation issue, 1 missing required"
    assert reason_codes(reasons) == ",low_confidence,missing_required,validation_issue,"


def test_a_cleared_value_carries_no_doubt() -> None:
    evidence = {"/merchant_phone": {"confidence": 0.1}}
    assert review_reasons("receipt", {**RECEIPT, "merchant_phone": None}, evidence, [], 0.6) == []
    assert review_reasons("receipt", RECEIPT, {"/total": {"confidence": 0.59}}, [], 0.5) == []  # the threshold counts


def test_labels_read_as_a_person_counts() -> None:
    assert field_label("/line_items/2/unit_price") == "Line 3 unit price"
    assert field_label("/invoice_id") == "Invoice number"
    assert field_label("/rows/0/1") == "Row 1 cell 2"
    assert field_label(None) == "Document"


def test_queue_columns() -> None:
    invoice = {"vendor_name": "ACME", "invoice_date": "2024-01-31", "invoice_total": "1190.00", "currency": "EUR"}
    assert summary("invoice", {**invoice, "invoice_id": "RE-7"}) == {
        "vendor": "ACME",
        "document_date": dt.date(2024, 1, 31),
        "total": Decimal("1190.00"),
        "currency": "EUR",
        "doc_number": "RE-7",
    }
    assert summary("invoice", {"amount_due": "5.00"})["total"] == Decimal("5.00")  # no total: the amount due
    assert summary("form", {"fields": []}) == dict.fromkeys(
        ("vendor", "document_date", "total", "currency", "doc_number")
    )


def test_duplicate_key_needs_vendor_number_and_total() -> None:
    a = {"vendor_name": "ACME GmbH", "invoice_id": "RE-7", "invoice_total": "119.00"}
    b = {"vendor_name": "Acme  GmbH.", "invoice_id": "re 7", "invoice_total": "119.0"}
    assert dedupe_key("invoice", a) == dedupe_key("invoice", b) is not None
    assert dedupe_key("invoice", {**a, "invoice_total": "119.01"}) != dedupe_key("invoice", a)
    assert dedupe_key("invoice", {**a, "invoice_id": None}) is None
    receipt = {"merchant_name": "Cafe", "transaction_date": "2024-03-15", "transaction_time": "10:42", "total": "7.70"}
    assert dedupe_key("receipt", receipt) is not None
    assert dedupe_key("receipt", {**receipt, "transaction_time": None}) is None  # many bills a day share a total
    assert dedupe_key("form", {"fields": []}) is None
