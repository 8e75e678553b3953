"""The in-process pipeline end to end: real rasterizing, real OCR, the real `ocr` engine, SQLite and PostgreSQL."""

import io

import pytest
from PIL import Image
from sqlalchemy import func, select

from docai.samples import sample_invoice_pdf, sample_receipt_png
from docai.settings import get_settings
from docai.stages.engines import get_engine
from docai.stages.pipeline import PipelineOptions, extract_documents, ingest_bytes, process_files, rasterize_document
from docai.store.db.models import Document, DocumentStatus, Extraction, Page


@pytest.fixture
def engine():
    loaded, _reason = get_engine("ocr", get_settings())
    return loaded


@pytest.fixture
def options():
    return PipelineOptions.from_settings(get_settings())


def test_sample_invoice_is_extracted_grounded_and_stored(session, store, engine, options):
    [outcome] = process_files(session, store, [("invoice.pdf", sample_invoice_pdf())], engine, options)
    doc = session.get(Document, outcome.document.id)
    assert doc.status in (DocumentStatus.DONE, DocumentStatus.NEEDS_REVIEW), doc.error_message
    assert doc.schema == "invoice"  # classified from the words
    assert doc.page_count == 1
    page = doc.pages[0]
    image = Image.open(io.BytesIO(store.get(page.blob_key)))
    assert max(image.size) == 1024
    assert page.text_source == "pdf" and len(page.words) > 30
    extraction = doc.extractions[0]
    assert extraction.engine == "ocr"
    assert extraction.data["invoice_total"] == "435.60"
    assert extraction.data["invoice_id"] == "INV-2024-0042"
    evidence = extraction.evidence["/invoice_total"]
    assert evidence["page"] == 0 and evidence["text"] and 0 < evidence["bbox"][0] < evidence["bbox"][2] <= 1
    assert extraction.current == extraction.data


def test_receipt_photo_goes_through_ocr(session, store, engine, options):
    [outcome] = process_files(
        session, store, [("receipt.png", sample_receipt_png())], engine, options, schema="receipt"
    )
    doc = session.get(Document, outcome.document.id)
    assert doc.status in (DocumentStatus.DONE, DocumentStatus.NEEDS_REVIEW), doc.error_message
    assert doc.pages[0].text_source == "ocr"
    assert doc.extractions[0].data["total"] == "14.00"


def test_reupload_returns_the_existing_document(session, store, options):
    data = sample_invoice_pdf()
    first = ingest_bytes(session, store, data, "a.pdf", options=options)
    second = ingest_bytes(session, store, data, "copy-of-a.pdf", options=options)
    assert not first.duplicate and second.duplicate
    assert second.document.id == first.document.id
    assert session.scalar(select(func.count()).select_from(Document)) == 1


def test_bad_files_fail_with_a_reason_and_the_batch_goes_on(session, store, engine, options):
    files = [
        ("empty.pdf", b""),
        ("page.pdf", b"<!DOCTYPE html><html><body>not a pdf</body></html>"),
        ("invoice.pdf", sample_invoice_pdf()),
        ("truncated.pdf", sample_invoice_pdf()[:300]),
    ]
    outcomes = process_files(session, store, files, engine, options)
    by_name = {o.document.filename: session.get(Document, o.document.id) for o in outcomes}
    assert by_name["empty.pdf"].error_code == "empty_file"
    assert by_name["page.pdf"].error_code == "unsupported_type"
    assert "HTML" in by_name["page.pdf"].error_message
    assert by_name["truncated.pdf"].status == DocumentStatus.FAILED and by_name["truncated.pdf"].error_message
    assert by_name["invoice.pdf"].status in (DocumentStatus.DONE, DocumentStatus.NEEDS_REVIEW)
    for doc in by_name.values():  # nothing lost: every original that was read is kept
        assert doc.blob_key is None or store.exists(doc.blob_key)
    assert all(DocumentStatus(d.status).terminal for d in by_name.values())


def test_stages_rerun_without_duplicating(session, store, engine, options):
    outcome = ingest_bytes(session, store, sample_invoice_pdf(), "a.pdf", options=options)
    doc = outcome.document
    assert rasterize_document(session, store, doc, options)
    assert rasterize_document(session, store, doc, options)  # a re-delivered task replaces the pages
    assert session.scalar(select(func.count()).select_from(Page).where(Page.document_id == doc.id)) == 1
    extract_documents(session, store, [doc], engine, options)
    extract_documents(session, store, [doc], engine, options)  # terminal documents are not extracted again
    assert session.scalar(select(func.count()).select_from(Extraction).where(Extraction.document_id == doc.id)) == 1


def test_unsupported_schema_for_the_engine_fails_clearly(session, store, engine, options):
    [outcome] = process_files(session, store, [("chart.png", sample_receipt_png())], engine, options, schema="chart")
    doc = session.get(Document, outcome.document.id)
    assert doc.status == DocumentStatus.FAILED
    assert doc.error_code == "schema_unsupported"
    assert "DeepSeek-VL" in doc.error_message
