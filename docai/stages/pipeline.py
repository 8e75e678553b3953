"""The stages every transport runs: ingest, rasterize, extract (+ validate and ground), persist.

Stages take a database session and a blob store; they commit their own work so that a crash between
stages loses nothing and a re-run of a stage (a re-delivered task) replaces rather than duplicates.
No stage holds a transaction across slow work: files are read, rendered, OCR'd and extracted between
short writes, so uploads and other workers never wait behind a long document. One document's failure
stays that document's: an engine batch that raises is retried one document at a time, and a result that
cannot be validated or stored fails only its own document.
"""

from __future__ import annotations

import io
import logging
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from PIL import Image
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from docai.errors import DocaiError, ErrorCode
from docai.stages.corrections import VALIDATION
from docai.stages.engines import unsupported_message
from docai.stages.ingest import IngestLimits, MediaType, safe_filename, sha256_hex, sniff
from docai.stages.rasterize import RasterizeOptions, rasterize
from docai.store.db.models import Document, DocumentStatus, Extraction, Page
from docai.store.storage import BlobStore
from model.base import Engine
from model.types import ExtractRequest, ExtractResult, PageInput, Word
from schemas.registry import get_schema, schema_kinds
from schemas.validate import validate

log = logging.getLogger(__name__)

SCHEMA_CHOICES = ("auto", *schema_kinds())


@dataclass(frozen=True)
class PipelineOptions:
    limits: IngestLimits = field(default_factory=IngestLimits)
    raster: RasterizeOptions = field(default_factory=RasterizeOptions)
    review_threshold: float = 0.6

    @classmethod
    def from_settings(cls, settings) -> PipelineOptions:  # type: ignore[no-untyped-def]
        return cls(
            limits=IngestLimits.from_settings(settings),
            raster=RasterizeOptions.from_settings(settings),
            review_threshold=settings.review_threshold,
        )


@dataclass
class IngestOutcome:
    document: Document
    duplicate: bool


def fail(document: Document, error: DocaiError) -> None:
    """Mark a document failed with the error's code and message."""
    document.status = DocumentStatus.FAILED
    document.error_code = str(error.code)
    document.error_message = error.message


# ---------------------------------------------------------------- ingest


def ingest_bytes(
    session: Session,
    store: BlobStore,
    data: bytes,
    filename: str,
    *,
    schema: str = "auto",
    source: str = "cli",
    engine: str | None = None,
    webhook_url: str | None = None,
    options: PipelineOptions = PipelineOptions(),
) -> IngestOutcome:
    """Store the original and its document row; a re-upload of the same bytes returns the existing document."""
    if schema not in SCHEMA_CHOICES:
        raise DocaiError(
            ErrorCode.SCHEMA_UNSUPPORTED, f"Unknown schema {schema!r}; choose one of {', '.join(SCHEMA_CHOICES)}."
        )
    digest = sha256_hex(data)
    try:
        media_type: str | None = str(sniff(data, filename, options.limits))
        refused: DocaiError | None = None
    except DocaiError as err:
        media_type, refused = None, err
    # The blob is written before the transaction begins (content-addressed: a duplicate rewrites nothing).
    blob_key = store.put(data, _suffix(media_type)) if len(data) <= options.limits.max_file_bytes else None
    existing = session.scalar(select(Document).where(Document.sha256 == digest))
    if existing is not None:
        session.commit()
        return IngestOutcome(existing, duplicate=True)
    document = Document(
        sha256=digest,
        filename=safe_filename(filename),
        size_bytes=len(data),
        source=source,
        schema_requested=schema,
        schema=None if schema == "auto" else schema,
        engine_requested=engine,
        webhook_url=webhook_url,
        status=DocumentStatus.QUEUED,
        media_type=media_type,
        blob_key=blob_key,
    )
    if refused is not None:
        fail(document, refused)
    session.add(document)
    try:
        session.commit()
    except IntegrityError:  # the same bytes were ingested concurrently: answer with that document
        session.rollback()
        return IngestOutcome(session.scalars(select(Document).where(Document.sha256 == digest)).one(), duplicate=True)
    return IngestOutcome(document, duplicate=False)


def record_rejected(
    session: Session, filename: str, size: int, digest: str, error: DocaiError, *, source: str = "cli"
) -> IngestOutcome:
    """A document row for a file refused before its bytes were read (too large): failed, never silently dropped."""
    existing = session.scalar(select(Document).where(Document.sha256 == digest))
    if existing is not None:
        session.commit()
        return IngestOutcome(existing, duplicate=True)
    document = Document(sha256=digest, filename=safe_filename(filename), size_bytes=size, source=source)
    fail(document, error)
    session.add(document)
    session.commit()
    return IngestOutcome(document, duplicate=False)


def _suffix(media_type: str | None) -> str:
    return {
        MediaType.PDF: ".pdf",
        MediaType.PNG: ".png",
        MediaType.JPEG: ".jpg",
        MediaType.TIFF: ".tif",
        MediaType.WEBP: ".webp",
        MediaType.BMP: ".bmp",
        MediaType.GIF: ".gif",
        MediaType.HEIC: ".heic",
        MediaType.XML: ".xml",
    }.get(media_type, "")  # type: ignore[call-overload]


# ---------------------------------------------------------------- rasterize


def rasterize_document(session: Session, store: BlobStore, document: Document, options: PipelineOptions) -> bool:
    """Render every page to a 1024 px PNG with its words; False (and the document failed) on bad input."""
    if document.status == DocumentStatus.FAILED or document.blob_key is None:
        return False
    document.status = DocumentStatus.PROCESSING
    session.commit()  # a short write; rendering and OCR below run with no transaction open
    started = time.perf_counter()
    try:
        pages = rasterize(store.get(document.blob_key), MediaType(document.media_type), options.raster)
        keys = [store.put(raster_page.png, ".png") for raster_page in pages]
    except DocaiError as err:
        fail(document, err)
        session.commit()
        return False
    session.execute(delete(Page).where(Page.document_id == document.id))  # a re-run replaces the pages
    session.expire(document, ["pages"])
    for raster_page, key in zip(pages, keys, strict=True):
        session.add(
            Page(
                document_id=document.id,
                index=raster_page.index,
                blob_key=key,
                width=raster_page.width,
                height=raster_page.height,
                rotation=raster_page.rotation,
                text_source=raster_page.text_source,
                words=[w.to_json() for w in raster_page.words],
            )
        )
    document.page_count = len(pages)
    log.info("rasterized %s: %d pages in %.2fs", document.id, len(pages), time.perf_counter() - started)
    session.commit()
    return True


# ---------------------------------------------------------------- extract


def page_words(page: Page) -> list[Word]:
    return [Word.from_json(row) for row in page.words or []]


def build_request(store: BlobStore, document: Document) -> ExtractRequest:
    """The engine's view of a rasterized document; resolves schema 'auto' by classifying the words."""
    pages = [
        PageInput(index=p.index, image=Image.open(io.BytesIO(store.get(p.blob_key))), words=page_words(p))
        for p in document.pages
    ]
    if document.schema is None:
        from docai.stages.classify import classify

        document.schema, _score = classify([p.words for p in pages], images=[p.image for p in pages[:1]])
    return ExtractRequest(request_id=document.id, schema=document.schema, pages=pages)


def extract_documents(
    session: Session,
    store: BlobStore,
    documents: Sequence[Document],
    engine: Engine,
    options: PipelineOptions,
) -> None:
    """Run one engine batch over the rasterized documents, then validate, ground and persist each result.

    A document whose pages cannot be read, whose schema the engine lacks, on which the engine raises, or
    whose result cannot be checked or stored fails alone; the others of the batch get their results.
    """
    todo = [d for d in documents if d.status == DocumentStatus.PROCESSING and d.page_count > 0]
    by_id = {d.id: d for d in todo}
    for document in todo:
        document.pages  # noqa: B018 - loaded now: blobs, the classifier and the engine then run with no transaction open
    session.commit()
    requests: list[ExtractRequest] = []
    read: list[tuple[ExtractRequest, ExtractResult | Exception]] = []
    for document in todo:
        try:
            request = build_request(store, document)
        except Exception as err:
            _fail_alone(document, err, "Its page images could not be read back")
            continue
        try:
            einvoice = einvoice_of(store, document, request)
        except Exception as err:  # an e-invoice that cannot be read fails alone, like an engine result
            read.append((request, err))
            continue
        if einvoice is not None:
            read.append((request, einvoice))
        elif engine.supports(request.schema):
            requests.append(request)
        else:
            readable = [kind for kind in schema_kinds() if engine.supports(kind)]
            guessed = document.schema_requested == "auto"
            message = unsupported_message(engine.name, readable, request.schema, guessed)
            fail(document, DocaiError(ErrorCode.SCHEMA_UNSUPPORTED, message))
    started = time.perf_counter()
    results = run_engine(engine, requests)
    batch_seconds = time.perf_counter() - started
    for result in results:
        if not isinstance(result, Exception):
            result.timings.setdefault("batch_seconds", round(batch_seconds, 3))
    session.commit()  # classified schemas and failures so far
    engine_failed, xml_failed = "The engine failed on this document", "Its e-invoice XML could not be read"
    outcomes = [(r, res, engine_failed) for r, res in zip(requests, results, strict=True)]
    for request, result, failed in [*outcomes, *((r, res, xml_failed) for r, res in read)]:
        document = by_id[request.request_id]
        if isinstance(result, Exception):
            _fail_alone(document, result, failed)
        else:
            try:
                persist_result(session, document, request, result, options)
                session.commit()  # each result in its own short write
            except Exception as err:
                session.rollback()  # a result that cannot be checked or stored is undone alone
                _fail_alone(document, err, "Its result could not be checked and stored")
        session.commit()


def run_engine(engine: Engine, requests: Sequence[ExtractRequest]) -> list[ExtractResult | Exception]:
    """The engine's result for each request, in order; when the batch raises, each request alone, so the
    exception lands on the document that causes it (a transient error is raised for the caller to retry)."""
    if not requests:
        return []
    try:
        results: list[ExtractResult | Exception] = list(engine.extract_batch(list(requests)))
        if len(results) != len(requests):
            raise RuntimeError(f"the engine returned {len(results)} results for {len(requests)} documents")
        return results
    except Exception as err:
        if transient(err):
            raise
        if len(requests) == 1:
            return [err]
        log.warning("engine batch of %d documents failed (%s); running them one at a time", len(requests), err)
        return [result for request in requests for result in run_engine(engine, [request])]


def _fail_alone(document: Document, err: Exception, what: str) -> None:
    """Fail one document with err (a transient error is raised instead: the whole delivery is retried)."""
    if transient(err):
        raise err
    log.error("document %s failed: %s: %s", document.id, what, err, exc_info=err)
    fail(document, err if isinstance(err, DocaiError) else DocaiError(ErrorCode.EXTRACTION_FAILED, f"{what}: {err}"))


def transient(err: BaseException) -> bool:
    """Errors worth a retry of the whole delivery: the database, the blob store or the network blinked."""
    from sqlalchemy.exc import DBAPIError

    if isinstance(err, DBAPIError):
        return err.connection_invalidated or type(err).__name__ in ("OperationalError", "InterfaceError")
    return isinstance(err, ConnectionError | TimeoutError)


def einvoice_of(store: BlobStore, document: Document, request: ExtractRequest) -> ExtractResult | None:
    """The result read from an e-invoice's XML (a Factur-X/ZUGFeRD/XRechnung PDF, or the XML itself), else None.

    Only where the invoice schema was asked for or left to docai; the XML's values replace any engine's guess.
    """
    if document.media_type not in (MediaType.PDF, MediaType.XML) or document.schema_requested not in (
        "auto",
        "invoice",
    ):
        return None
    from docai.stages.einvoice import einvoice_result, embedded_xml

    data = store.get(document.blob_key) if document.blob_key else b""
    xml = data if document.media_type == MediaType.XML else embedded_xml(data)
    if xml is None:
        return None
    document.schema = request.schema = "invoice"
    return einvoice_result(
        request.request_id, xml, [p.words for p in request.pages], page_less=document.media_type == MediaType.XML
    )


def persist_result(
    session: Session, document: Document, request: ExtractRequest, result: ExtractResult, options: PipelineOptions
) -> Extraction | None:
    """Validate and ground one engine result, store it as a new extraction, set the document status."""
    if result.data is None:
        fail(
            document,
            DocaiError(
                _error_code(result.error_code),
                result.error_message or "The engine returned no data for this document.",
            ),
        )
        return None
    from docai.stages.grounding import ground
    from docai.stages.review import refresh

    checks = validate(result.data)
    pages = [p.words for p in request.pages]
    evidence, _low = ground(result.data, pages, result.confidence, options.review_threshold, result.calibrated)
    if result.engine == "e-invoice":  # the XML is the invoice: exact whether or not (or where) the page prints it
        evidence = {
            path: ev.model_copy(update={"confidence": 1.0, "source": "e-invoice"}) for path, ev in evidence.items()
        }
    data = result.data.model_dump(mode="json")
    extraction = Extraction(
        document_id=document.id,
        schema=request.schema,
        schema_version=get_schema(request.schema).version,
        data=data,
        current=data,
        evidence={path: ev.model_dump(mode="json") for path, ev in evidence.items()},
        issues=[
            *(i.model_dump(mode="json") for i in result.issues),
            *({**i.model_dump(mode="json"), "source": VALIDATION} for i in checks),  # redone on each correction
        ],
        engine=result.engine,
        model=result.model,
        model_revision=result.revision,
        timings=result.timings,
    )
    session.add(extraction)
    document.error_code = document.error_message = None
    refresh(session, document, options.review_threshold, extraction)  # reasons, status, duplicate, search text
    return extraction


def _error_code(value: str | None) -> ErrorCode:
    try:
        return ErrorCode(value)
    except ValueError:
        return ErrorCode.EXTRACTION_FAILED


# ---------------------------------------------------------------- in-process runner


@dataclass
class ProcessOutcome:
    document: Document
    duplicate: bool


def process_files(
    session: Session,
    store: BlobStore,
    files: Iterable[tuple[str, bytes]],  # read lazily: a folder of scans need not sit in memory at once
    engine: Engine,
    options: PipelineOptions,
    *,
    schema: str = "auto",
    batch_size: int = 8,
    on_progress: Callable[[str, Document], None] | None = None,
) -> list[ProcessOutcome]:
    """Ingest, rasterize and extract files in this process; each ends in a terminal state."""
    outcomes: list[ProcessOutcome] = []
    pending: list[Document] = []

    def flush() -> None:
        try:
            extract_documents(session, store, pending, engine, options)
        except Exception as err:  # an engine crash fails these documents, never the batch run
            log.exception("engine failed on %d documents", len(pending))
            session.rollback()
            for document in pending:
                fail(document, DocaiError(ErrorCode.EXTRACTION_FAILED, f"The engine failed: {err}"))
            session.commit()
        for document in pending:
            if on_progress:
                on_progress("extracted", document)
        pending.clear()

    for filename, data in files:
        outcome = ingest_bytes(session, store, data, filename, schema=schema, source="cli", options=options)
        outcomes.append(ProcessOutcome(outcome.document, outcome.duplicate))
        document = outcome.document
        if outcome.duplicate or document.status == DocumentStatus.FAILED:
            if on_progress:
                on_progress("skipped", document)
            continue
        if rasterize_document(session, store, document, options):
            pending.append(document)
            if len(pending) >= batch_size:
                flush()
        elif on_progress:
            on_progress("failed", document)
    if pending:
        flush()
    return outcomes
