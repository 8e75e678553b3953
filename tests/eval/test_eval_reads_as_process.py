"""`docai eval` reads a document as `docai process` does: the same words, to the stored precision, so the figures it
prints are the figures of what users get (a word box differing in its 6th decimal once changed an invoice total)."""

from pathlib import Path

from sqlalchemy.orm import Session

from docai.eval.runner import rasterized_pages
from docai.settings import get_settings
from docai.stages.engines import get_engine
from docai.stages.pipeline import PipelineOptions, page_words, process_files
from docai.store.db.models import Document
from docai.synth.invoices import make_invoice
from model.types import ExtractRequest


def test_eval_pages_are_the_pages_process_stores_and_extract_the_same(
    session: Session,
    store,
    tmp_path: Path,  # type: ignore[no-untyped-def]
) -> None:
    engine = get_engine("ocr", get_settings())[0]
    path = tmp_path / "rechnung.pdf"
    path.write_bytes(make_invoice(21, 5).data)

    [outcome] = process_files(
        session,
        store,
        [(path.name, path.read_bytes())],
        engine,
        PipelineOptions.from_settings(get_settings()),
        schema="invoice",
    )
    document = session.get(Document, outcome.document.id)
    stored = [page_words(p) for p in document.pages]
    read = rasterized_pages(path)

    assert [p.words for p in read] == stored
    [result] = engine.extract_batch([ExtractRequest(request_id="eval", schema="invoice", pages=read)])
    assert result.data.model_dump(mode="json") == document.extractions[0].data
