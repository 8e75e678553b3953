"""/v1/documents: upload, list (filters, sort, search), status, result, corrections, retry, pages, originals."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Form, Query, Response, UploadFile
from fastapi import Path as FastApiPath
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload

from docai.api.deps import CallerDep, SessionDep, SettingsDep, StoreDep
from docai.api.errors import Conflict, InvalidInput, NotFound, PayloadTooLarge, Unavailable
from docai.api.models import (
    CorrectionRead,
    CorrectionsIn,
    DocumentDetail,
    DocumentList,
    DocumentRead,
    ErrorResponse,
)
from docai.errors import DocaiError, ErrorCode
from docai.service.queue import submit
from docai.service.webhooks import AddressPolicy, check_url
from docai.settings import Settings
from docai.stages.corrections import Edit, apply_corrections
from docai.stages.pipeline import SCHEMA_CHOICES, PipelineOptions, ingest_bytes
from docai.stages.review import current_reasons, refresh, refresh_copies
from docai.store.db.models import Document, DocumentStatus, Page
from docai.store.results import latest_extraction, result_view
from docai.store.search import match_clause

router = APIRouter(prefix="/documents", tags=["documents"])
ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorResponse, "description": "No or a wrong API key."},
    404: {"model": ErrorResponse, "description": "No such document."},
}
REVIEWABLE = (DocumentStatus.DONE, DocumentStatus.NEEDS_REVIEW)
MAX_INDEX = 2**31 - 1  # offsets and page numbers beyond it name nothing (and overflow a database integer)


def load(session: SessionDep, document_id: str) -> Document:
    document = session.get(Document, document_id)
    if document is None:
        raise NotFound(f"No document has the id {document_id!r}.")
    return document


@router.post(
    "",
    status_code=202,
    response_model=DocumentRead,
    responses={
        **ERRORS,
        200: {"model": DocumentRead, "description": "The same file was uploaded before: that document."},
        413: {"model": ErrorResponse, "description": "The file is over DOCAI_MAX_FILE_BYTES."},
        415: {"model": ErrorResponse, "description": "Not a PDF or an image docai reads."},
        503: {
            "model": ErrorResponse,
            "description": "The file could not be stored right now; retry after Retry-After.",
        },
    },
)
def upload(
    response: Response,
    session: SessionDep,
    store: StoreDep,
    settings: SettingsDep,
    _caller: CallerDep,
    file: Annotated[UploadFile, File(description="A PDF or an image (PNG, JPEG, TIFF, WebP, BMP, GIF, HEIC).")],
    schema_: Annotated[str, Form(alias="schema", description=f"One of {', '.join(SCHEMA_CHOICES)}.")] = "auto",
    webhook_url: Annotated[
        str | None, Form(description="Called (POST, HMAC-signed) when the document is done.")
    ] = None,
    source: Annotated[Literal["rest", "ui"], Form(description="Which door the file came through.")] = "rest",
) -> DocumentRead:
    """Store a document and queue it; 202 with its status URL, or 200 with the document stored before."""
    limit = settings.max_file_bytes
    data = file.file.read(limit + 1)
    if len(data) > limit:
        raise PayloadTooLarge(f"The file is over the {limit / 1e6:.0f} MB limit (DOCAI_MAX_FILE_BYTES).")
    if webhook_url:
        try:
            check_url(webhook_url, AddressPolicy.from_settings(settings))
        except ValueError as err:
            raise InvalidInput(str(err)) from err
    options = PipelineOptions.from_settings(settings)
    try:
        outcome = ingest_bytes(
            session,
            store,
            data,
            file.filename or "upload",
            schema=schema_,
            source=source,
            webhook_url=webhook_url or None,
            options=options,
        )
    except OSError as err:  # the blob store is full or unreachable: the client did nothing wrong
        raise Unavailable(
            f"The file could not be stored right now ({err.strerror or err}); try again shortly."
        ) from err
    document = outcome.document
    if _refused_at_the_door(document):
        raise DocaiError(_code(document.error_code), document.error_message or "The file was refused.")
    if outcome.duplicate:
        response.status_code = 200
        return DocumentRead.of(document, duplicate=True)
    submit(session, settings, document)
    response.headers["Location"] = f"/v1/documents/{document.id}"
    return DocumentRead.of(document)


def _refused_at_the_door(document: Document) -> bool:
    """Failed on upload (not a readable type, too large): its file was never queued."""
    return document.status == DocumentStatus.FAILED and (document.media_type is None or document.blob_key is None)


def _code(code: str | None) -> ErrorCode:
    try:
        return ErrorCode(code)
    except ValueError:
        return ErrorCode.UNSUPPORTED_TYPE


SORTS = {
    "created": Document.created_at,
    "age": Document.created_at,  # the oldest first when descending
    "vendor": Document.vendor,
    "date": Document.document_date,
    "total": Document.total,
    "reason": Document.reason_codes,
    "status": Document.status,
    "filename": Document.filename,
}
REASONS = ("low_confidence", "validation_issue", "missing_required", "none")


@router.get("", response_model=DocumentList, responses=ERRORS)
def list_documents(
    session: SessionDep,
    _caller: CallerDep,
    status: Annotated[str | None, Query(description="Comma-separated statuses, e.g. 'needs_review,done'.")] = None,
    schema: Annotated[str | None, Query(description="Schema kind, e.g. 'receipt'.")] = None,
    q: Annotated[
        str | None,
        Query(
            max_length=200,
            description="Words to find (each a prefix): vendor or merchant, invoice number, amounts, dates, page "
            "text, file name. '12.30' finds 12.30; several words must all match.",
        ),
    ] = None,
    reason: Annotated[
        str | None,
        Query(description=f"Comma-separated review reasons ({', '.join(REASONS)}); 'none' means no reason."),
    ] = None,
    sort: Annotated[
        Literal["created", "age", "vendor", "date", "total", "reason", "status", "filename"],
        Query(description="Column to sort by."),
    ] = "created",
    order: Annotated[Literal["asc", "desc"], Query(description="Direction; age desc is the oldest first.")] = "desc",
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_INDEX)] = 0,
) -> DocumentList:
    """Documents, newest first unless sorted otherwise, with filters and paging; count is the total matching."""
    where = filters(session, status, schema, q, reason)
    count = session.scalar(select(func.count()).select_from(Document).where(*where)) or 0
    column = SORTS[sort]
    descending = (order == "desc") != (sort == "age")
    key = column.desc() if descending else column.asc()
    rows = session.scalars(
        select(Document)
        .where(*where)
        .options(selectinload(Document.extractions))
        .order_by(key.nulls_last(), Document.created_at.desc(), Document.id)
        .limit(limit)
        .offset(offset)
    ).all()
    return DocumentList(data=[DocumentRead.of(d) for d in rows], count=count)


def filters(
    session: Session, status: str | None, schema: str | None, q: str | None, reason: str | None = None
) -> list[Any]:
    where: list[Any] = []
    if status:
        wanted = [s.strip() for s in status.split(",") if s.strip()]
        unknown = [s for s in wanted if s not in DocumentStatus.__members__.values()]
        if unknown:
            known = ", ".join(s.value for s in DocumentStatus)
            raise InvalidInput(f"Unknown status {unknown[0]!r}; use one of {known}.")
        where.append(Document.status.in_(wanted))
    if schema:
        where.append(func.coalesce(Document.schema, Document.schema_requested) == schema)
    if reason:
        wanted = [r.strip() for r in reason.split(",") if r.strip()]
        unknown = [r for r in wanted if r not in REASONS]
        if unknown:
            raise InvalidInput(f"Unknown review reason {unknown[0]!r}; use one of {', '.join(REASONS)}.")
        any_of = [Document.reason_codes.like(f"%,{r},%") for r in wanted if r != "none"]
        if "none" in wanted:
            any_of.append(or_(Document.reason_codes.is_(None), Document.reason_codes == ""))
        where.append(or_(*any_of))
    if q and q.strip():
        escaped = q.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        by_name = Document.filename.ilike(f"%{escaped}%", escape="\\")
        found = match_clause(session, q)
        where.append(or_(by_name, found) if found is not None else by_name)
    return where


@router.get("/{document_id}", response_model=DocumentDetail, responses=ERRORS)
def get_document(session: SessionDep, settings: SettingsDep, _caller: CallerDep, document_id: str) -> DocumentDetail:
    """Status, review reasons, per-page progress and job history."""
    return DocumentDetail.detail(load(session, document_id), settings.review_threshold)


@router.get("/{document_id}/result", responses=ERRORS)
def get_result(session: SessionDep, settings: SettingsDep, _caller: CallerDep, document_id: str) -> dict[str, Any]:
    """The extraction with corrections applied (`data`), the engine's original (`original`), evidence, issues
    and the review `reasons`."""
    document = load(session, document_id)
    view = result_view(document)
    if view is None:
        raise NotFound(f"Document {document_id} has no result yet (status {document.status}).")
    return {**view, "reasons": current_reasons(document, settings.review_threshold)}


@router.patch(
    "/{document_id}/result", responses={**ERRORS, 409: {"model": ErrorResponse}, 422: {"model": ErrorResponse}}
)
def correct(
    session: SessionDep, settings: SettingsDep, caller: CallerDep, document_id: str, body: CorrectionsIn
) -> dict[str, Any]:
    """Apply corrections (JSON pointer + value) to the current data; each is audited; the whole document is
    validated again, so issues and reasons are those of the corrected data."""
    document = load(session, document_id)
    extraction = latest_extraction(document)
    if extraction is None:
        raise NotFound(f"Document {document_id} has no result to correct yet (status {document.status}).")
    if document.status not in REVIEWABLE:
        raise Conflict(f"Document {document_id} is {document.status}; only done or needs_review results can change.")
    edits = [Edit(c.field, c.value, c.op) for c in body.corrections]
    apply_corrections(session, extraction, edits, caller.key_name, body.note or body.author or caller.user)
    reasons = refresh(session, document, settings.review_threshold, extraction)
    refresh_copies(session, document, settings.review_threshold)
    session.commit()
    session.refresh(extraction)
    return {**(result_view(document) or {}), "reasons": reasons}


@router.get("/{document_id}/corrections", response_model=list[CorrectionRead], responses=ERRORS)
def corrections(session: SessionDep, _caller: CallerDep, document_id: str) -> list[CorrectionRead]:
    """The audit trail: every correction, oldest first."""
    document = load(session, document_id)
    return [
        CorrectionRead(
            id=c.id,
            field=c.field,
            old_value=c.old_value,
            new_value=c.new_value,
            author=c.author,
            note=c.note,
            created_at=c.created_at,
        )
        for e in document.extractions
        for c in e.corrections
    ]


@router.post("/{document_id}/retry", response_model=DocumentRead, responses={**ERRORS, 409: {"model": ErrorResponse}})
def retry(session: SessionDep, settings: SettingsDep, _caller: CallerDep, document_id: str) -> DocumentRead:
    """Queue a failed document again."""
    document = load(session, document_id)
    requeue(session, settings, document)
    return DocumentRead.of(document)


def requeue(session: Session, settings: Settings, document: Document) -> None:
    """Send a failed document through the stages again (committed); Conflict when it is not failed."""
    if document.status != DocumentStatus.FAILED:
        raise Conflict(f"Document {document.id} is {document.status}; only failed documents are retried.")
    if _refused_at_the_door(document):
        raise Conflict(f"Document {document.id} was refused on upload ({document.error_code}); upload a fixed file.")
    document.status = DocumentStatus.QUEUED
    document.error_code = document.error_message = None
    submit(session, settings, document)


@router.get(
    "/{document_id}/pages/{n}",
    responses={**ERRORS, 200: {"content": {"image/png": {}}, "description": "The page, 1024 px on its longest side."}},
    response_class=Response,
)
def page_image(
    session: SessionDep,
    store: StoreDep,
    _caller: CallerDep,
    document_id: str,
    n: Annotated[int, FastApiPath(ge=0, le=MAX_INDEX, description="0-based page index.")],
) -> Response:
    """Page n (0-based) as PNG."""
    load(session, document_id)
    page = session.scalar(select(Page).where(Page.document_id == document_id, Page.index == n))
    if page is None:
        raise NotFound(f"Document {document_id} has no page {n} (pages are 0-based and exist once rasterized).")
    session.commit()  # the row is read: no transaction stays open while the blob store is read
    return Response(store.get(page.blob_key), media_type="image/png", headers={"Cache-Control": "max-age=86400"})


@router.get("/{document_id}/file", responses=ERRORS, response_class=Response)
def original(session: SessionDep, store: StoreDep, _caller: CallerDep, document_id: str) -> Response:
    """The original file as uploaded."""
    document = load(session, document_id)
    if document.blob_key is None:
        raise NotFound(f"Document {document_id} was refused on upload; its file was not stored.")
    from urllib.parse import quote

    disposition = f"attachment; filename*=UTF-8''{quote(document.filename, safe='')}"
    session.commit()  # the row is read: no transaction stays open while the blob store is read
    return Response(
        store.get(document.blob_key),
        media_type=document.media_type or "application/octet-stream",
        headers={"Content-Disposition": disposition, "X-Content-Type-Options": "nosniff"},
    )
