"""The audit trail as a person reads it, and the queue's address and columns."""

from ui import audit, queue_table, uploads


def test_audit_rows_read_as_a_person_would() -> None:
    trail = [
        {"field": "/subtotal", "old_value": "14.10", "new_value": "13.30", "author": "Ada",
         "created_at": "2026-11-30T18:04:05+00:00"},
        {"field": "/line_items/1/amount", "old_value": None, "new_value": "2.50", "author": "Bo",
         "created_at": "2026-11-30T18:05:00Z", "note": "checked the paper copy"},
    ]  # fmt: skip
    frame = audit.rows(trail, "Europe/Berlin")
    assert frame.loc[0].tolist() == ["30 Nov 2026, 19:04", "Ada", "subtotal", "14.10 → 13.30"]
    assert frame.loc[1, "What"] == "line items 2 amount"
    assert frame.loc[1, "Change"] == "(empty) → 2.50 (note: checked the paper copy)"
    assert audit.local_time("2026-11-30T18:04:05Z", None) == "30 Nov 2026, 18:04 UTC"
    assert audit.local_time("2026-11-30T18:04:05Z", "Not/AZone") == "30 Nov 2026, 18:04"
    assert audit.shown(["a"] * 40).endswith("…")
    decision = {"kind": "decision", "action": "approve", "from_status": "needs_review", "to_status": "approved",
                "author": "key:1a2b3c4d", "reviewer": "Ada", "note": "paper copy checked", "at": "2026-11-30T18:06:00Z"}  # fmt: skip
    row = audit.rows([decision], None).loc[0]
    assert (row["Who"], row["What"]) == ("Ada (key:1a2b3c4d)", "approved")
    assert row["Change"] == "needs review → approved (note: paper copy checked)"
    (old,) = audit.from_corrections([{"field": "/total", "author": "key:1", "note": "Bo", "created_at": "x"}])
    assert audit.rows([old], None).loc[0, "Who"] == "Bo (key:1)"


def test_queue_state_round_trips_through_the_address() -> None:
    state = queue_table.from_address({"status": "needs_review,failed", "q": "acme", "sort": "-total", "page": "2"})
    assert queue_table.sort_params(state["sort"]) == ("total", "desc")
    assert queue_table.sort_params("Vendor A–Z") == ("vendor", "asc")
    assert state == {"status": ["needs_review", "failed"], "schema": "any", "reason": "any", "q": "acme",
                     "sort": "Total (largest)", "page": 2}  # fmt: skip
    assert queue_table.to_address(state) == {
        "status": "needs_review,failed",
        "q": "acme",
        "sort": "-total",
        "page": "2",
    }
    assert queue_table.to_address(queue_table.from_address({"page": "-3", "sort": "nonsense"})) == {}


def test_queue_columns_say_why_and_how_much() -> None:
    doc = {
        "id": "1", "filename": "a.pdf", "status": "needs_review", "vendor": "ACME GmbH", "document_date": "2026-01-31",
        "total": "1234.5", "currency": "EUR",
        "reasons": [{"field": "/total", "label": "Total", "reason": "low_confidence"},
                    {"field": "/subtotal", "reason": "validation_issue"},
                    {"field": None, "reason": "validation_issue", "code": "possible_duplicate"}],
    }  # fmt: skip
    row = queue_table.queue_frame([doc]).loc[0]
    assert (row["Vendor"], row["Date"], row["Total"]) == ("ACME GmbH", "2026-01-31", "1,234.50 EUR")
    assert row["Why"] == "Total: low confidence; subtotal: validation issue; 1 more"
    assert queue_table.why(
        {"reasons": [{"field": None, "reason": "validation_issue", "code": "possible_duplicate"}]}
    ) == ("possible duplicate")


def test_upload_summary_counts_each_fate() -> None:
    records = [{"outcome": uploads.ACCEPTED}, {"outcome": uploads.REFUSED}, {"outcome": uploads.ACCEPTED}]
    assert uploads.summary(records) == "2 accepted · 1 refused"


def test_bulk_skips_read_as_a_clerk_would() -> None:
    api_sentence = {
        "ok": False,
        "message": "Document x has 2 open errors (...). Correct them, or approve anyway by sending ...",
    }
    assert (
        queue_table.skip_reason("approve", api_sentence)
        == "errors are open: approve it on the Review page, with a note"
    )
    assert queue_table.skip_reason("retry", {"message": "Only failed documents are retried."}) == (
        "Only failed documents are retried."
    )
