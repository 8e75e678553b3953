"""One document's failure stays that document's, and no stage holds the database while it works."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy.engine import make_url

from docai.settings import get_settings
from docai.stages.engines import get_engine
from docai.stages.pipeline import PipelineOptions, extract_documents, ingest_bytes, process_files, rasterize_document
from docai.store.db.models import Document, DocumentStatus
from tests.api.conftest import receipt_pdf


@pytest.fixture
def ocr_engine():
    return get_engine("ocr", get_settings())[0]


@pytest.fixture
def options():
    return PipelineOptions.from_settings(get_settings())


class Faulty:
    """The real ocr engine with a fault injected for one document: raise, or a result that cannot be stored."""

    def __init__(self, inner, raise_on: str = "", garbage_on: str = ""):
        self.inner, self.raise_on, self.garbage_on = inner, raise_on, garbage_on
        self.name, self.batches = inner.name, 0

    def supports(self, schema: str) -> bool:
        return self.inner.supports(schema)

    def _text(self, request) -> str:
        return " ".join(w.text for p in request.pages for w in p.words)

    def extract_batch(self, requests):
        self.batches += 1
        if self.raise_on and any(self.raise_on in self._text(r) for r in requests):
            raise ValueError(f"engine choked on {self.raise_on}")
        results = self.inner.extract_batch(requests)
        for request, result in zip(requests, results, strict=True):
            if self.garbage_on and self.garbage_on in self._text(request):
                result.timings["garbage"] = object()  # type: ignore[assignment]  # fails when the row is written
        return results


def test_a_raising_document_fails_alone_and_its_batch_goes_on(session, store, ocr_engine, options) -> None:  # type: ignore[no-untyped-def]
    engine = Faulty(ocr_engine, raise_on="CAFE NUMBER 2", garbage_on="CAFE NUMBER 3")
    files = [(f"r{i}.pdf", receipt_pdf(i)) for i in range(1, 5)]
    outcomes = process_files(session, store, files, engine, options, schema="receipt", batch_size=8)
    status = {o.document.filename: session.get(Document, o.document.id) for o in outcomes}
    assert status["r2.pdf"].status == DocumentStatus.FAILED and "choked" in status["r2.pdf"].error_message
    assert status["r3.pdf"].status == DocumentStatus.FAILED and status["r3.pdf"].error_code == "extraction_failed"
    for name in ("r1.pdf", "r4.pdf"):
        assert status[name].status in (DocumentStatus.DONE, DocumentStatus.NEEDS_REVIEW), status[name].error_message
        assert len(status[name].extractions) == 1
    assert status["r3.pdf"].extractions == []  # the failed result's rows were rolled back, not half-stored
    assert engine.batches == 1 + 4  # the batch, then each document alone


def _can_write(db_url: str) -> bool:
    """Whether another process could take the write lock right now (SQLite)."""
    other = sqlite3.connect(make_url(db_url).database, timeout=0.2, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        other.execute("ROLLBACK")
        return True
    except sqlite3.OperationalError:
        return False
    finally:
        other.close()


def test_no_transaction_is_held_while_pages_render_or_the_engine_runs(
    docai_home, store, ocr_engine, options, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    """On SQLite (where a held transaction locks out every other writer), another process can write throughout."""
    from docai.store.db.migrate import upgrade
    from docai.store.db.session import session_factory

    db_url = f"sqlite:///{docai_home / 'probe.db'}"
    upgrade(db_url)
    session = session_factory(db_url)()
    import docai.stages.pipeline as pipeline

    seen: list[tuple[str, bool]] = []
    real_rasterize = pipeline.rasterize

    def rasterize_and_probe(*args, **kwargs):  # type: ignore[no-untyped-def]
        pages = real_rasterize(*args, **kwargs)
        seen.append(("rasterize", _can_write(db_url)))
        return pages

    class Probing(Faulty):
        def extract_batch(self, requests):  # type: ignore[no-untyped-def]
            seen.append(("engine", _can_write(db_url)))
            return super().extract_batch(requests)

    monkeypatch.setattr(pipeline, "rasterize", rasterize_and_probe)
    document = ingest_bytes(session, store, receipt_pdf(7), "r.pdf", schema="receipt", options=options).document
    assert rasterize_document(session, store, document, options)
    extract_documents(session, store, [document], Probing(ocr_engine), options)
    assert seen == [("rasterize", True), ("engine", True)]
    assert session.get(Document, document.id).status in (DocumentStatus.DONE, DocumentStatus.NEEDS_REVIEW)
    session.close()
