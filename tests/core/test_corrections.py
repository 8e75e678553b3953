"""Reviewer corrections: audited, re-validated, and re-grounded on the page."""

from docai.stages.corrections import Edit, apply_corrections
from docai.store.db.models import Document, Extraction, Page
from model.types import Word

WORDS = [
    Word("TOTAL", (0.1, 0.80, 0.2, 0.82), 0.9, line=5),
    Word("14.10", (0.6, 0.80, 0.7, 0.82), 0.9, line=5),
    Word("CASH", (0.1, 0.84, 0.2, 0.86), 0.9, line=6),
    Word("20.00", (0.6, 0.84, 0.7, 0.86), 0.9, line=6),
]


def _receipt(session) -> Extraction:
    doc = Document(sha256="d" * 64, filename="r.png", size_bytes=1, schema="receipt")
    session.add(doc)
    session.flush()
    session.add(
        Page(document_id=doc.id, index=0, blob_key="k", width=10, height=10, words=[w.to_json() for w in WORDS])
    )
    data = {"total": "14.10", "subtotal": "14.10", "merchant_name": "SHOP"}
    extraction = Extraction(
        document_id=doc.id,
        schema="receipt",
        schema_version="1",
        data=data,
        current=dict(data),
        engine="ocr",
        model="m",
        evidence={
            "/total": {
                "page": 0,
                "bbox": [0.6, 0.8, 0.7, 0.82],
                "text": "14.10",
                "confidence": 0.7,
                "source": "grounding",
            }
        },
        issues=[],
    )
    session.add(extraction)
    session.commit()
    return extraction


def test_a_corrected_value_printed_elsewhere_gets_its_own_box(session):
    extraction = _receipt(session)
    [row] = apply_corrections(session, extraction, [Edit("/total", "20")], author="ann")
    session.commit()
    assert (row.field, row.old_value, row.new_value, row.author) == ("/total", "14.10", "20", "ann")
    assert extraction.data["total"] == "14.10"  # the original is never overwritten
    assert extraction.current["total"] == "20"
    evidence = extraction.evidence["/total"]
    assert evidence["text"] == "20.00" and evidence["bbox"] == [0.6, 0.84, 0.7, 0.86]
    assert (evidence["confidence"], evidence["source"]) == (1.0, "correction")
    assert [i["code"] for i in extraction.issues] == ["total_mismatch"]  # subtotal 14.10 no longer adds up


def test_a_value_printed_nowhere_keeps_the_box_it_was_read_from(session):
    extraction = _receipt(session)
    apply_corrections(session, extraction, [Edit("/total", "14.16")], author="ann")
    evidence = extraction.evidence["/total"]
    assert evidence["bbox"] == [0.6, 0.8, 0.7, 0.82] and evidence["source"] == "correction"


def _audit_rows(session) -> int:
    from sqlalchemy import func, select

    from docai.store.db.models import Correction

    return session.scalar(select(func.count()).select_from(Correction))


def test_paths_outside_the_schema_are_refused_and_not_audited(session):
    import pytest

    from docai.stages.corrections import InvalidCorrection

    extraction = _receipt(session)
    before = dict(extraction.current)
    for pointer in ("/nonexistent", "/__class__", "/items/0/__init__", "/total/digits", "/", "total", "/items/00"):
        with pytest.raises(InvalidCorrection):
            apply_corrections(session, extraction, [Edit(pointer, "x")], author="key:1")
    session.commit()
    assert _audit_rows(session) == 0 and extraction.current == before


def test_appending_a_row_with_dash_names_the_new_row(session):
    extraction = _receipt(session)
    rows = apply_corrections(
        session, extraction, [Edit("/items/-", {"description": "TEA", "amount": "2.50"})], author="key:1", note="ann"
    )
    session.commit()
    assert extraction.current["items"] == [
        {"description": "TEA", "quantity": None, "unit_price": None, "amount": "2.50"}
    ]
    assert (rows[0].field, rows[0].author, rows[0].note) == ("/items/0", "key:1", "ann")
    assert extraction.evidence["/items/0"]["source"] == "correction"


def test_oversized_values_are_refused(session):
    import pytest

    from docai.stages.corrections import InvalidCorrection

    extraction = _receipt(session)
    with pytest.raises(InvalidCorrection, match="longer than the 10,000"):
        apply_corrections(session, extraction, [Edit("/merchant_name", "A" * 10_001)], author="key:1")
    with pytest.raises(InvalidCorrection, match="more than 5000 items"):
        apply_corrections(session, extraction, [Edit("/items", [{"description": "x"}] * 3000)], author="key:1")
    apply_corrections(session, extraction, [Edit("/merchant_name", "A" * 10_000)], author="key:1")
    assert extraction.current["merchant_name"] == "A" * 10_000


def test_a_field_may_allow_longer_text_than_the_default():
    from schemas.paths import DEFAULT_MAX_CHARS, resolve
    from schemas.registry import get_schema

    assert resolve(get_schema("ui_code"), "/html").max_chars == 200_000  # a page of code
    assert resolve(get_schema("ui_code"), "/notes").max_chars == DEFAULT_MAX_CHARS
    assert resolve(get_schema("invoice"), "/line_items/-", append=True).max_chars == DEFAULT_MAX_CHARS
