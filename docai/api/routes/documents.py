"""/v1/documents: upload, list, status, result, corrections, review, retry, page images, originals."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Form, Query, Response, UploadFile
from fastapi import Path as FastApiPath
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from docai.api.deps import CallerDep, SessionDep, SettingsDep, StoreDep
from docai.api.errors import Conflict, InvalidInput, NotFound, PayloadTooLarge
from docai.api.models import (
    CorrectionRead,
    CorrectionsIn,
    DocumentDetail,
    DocumentList,
    DocumentRead,
    ErrorResponse,
    ReviewIn,
)
from docai.errors import DocaiError, ErrorCode
from docai.service.queue import submit
from docai.service.webhooks import AddressPolicy, check_url
from docai.stages.corrections import Edit, apply_corrections
from docai.stages.pipeline import SCHEMA_CHOICES, PipelineOptions, ingest_bytes
from docai.store.db.models import Document, DocumentStatus, Page, utcnow
from docai.store.results import latest_extraction, result_view

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


@router.get("", response_model=DocumentList, responses=ERRORS)
def list_documents(
    session: SessionDep,
    _caller: CallerDep,
    status: Annotated[str | None, Query(description="Comma-separated statuses, e.g. 'needs_review,done'.")] = None,
    schema: Annotated[str | None, Query(description="Schema kind, e.g. 'receipt'.")] = None,
    q: Annotated[str | None, Query(max_length=200, description="Part of the file name.")] = None,
    order: Annotated[Literal["asc", "desc"], Query(description="By upload time.")] = "desc",
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_INDEX)] = 0,
) -> DocumentList:
    """Documents, newest first unless order=asc, with filters and paging; count is the total matching."""
    where = filters(status, schema, q)
    count = session.scalar(select(func.count()).select_from(Document).where(*where)) or 0
    created = Document.created_at.asc() if order == "asc" else Document.created_at.desc()
    rows = session.scalars(
        select(Document)
        .where(*where)
        .options(selectinload(Document.extractions))
        .order_by(created, Document.id)
        .limit(limit)
        .offset(offset)
    ).all()
    return DocumentList(data=[DocumentRead.of(d) for d in rows], count=count)


def filters(status: str | None, schema: str | None, q: str | None) -> list[Any]:
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
    if q:
        escaped = q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        where.append(Document.filename.ilike(f"%{escaped}%", escape="\\"))
    return where


@router.get("/{document_id}", response_model=DocumentDetail, responses=ERRORS)
def get_document(session: SessionDep, _caller: CallerDep, document_id: str) -> DocumentDetail:
    """Status, per-page progress and job history."""
    return DocumentDetail.detail(load(session, document_id))


@router.get("/{document_id}/result", responses=ERRORS)
def get_result(session: SessionDep, _caller: CallerDep, document_id: str) -> dict[str, Any]:
    """The extraction with corrections applied (`data`), the engine's original (`original`), evidence and issues."""
    document = load(session, document_id)
    view = result_view(document)
    if view is None:
        raise NotFound(f"Document {document_id} has no result yet (status {document.status}).")
    return view


@router.patch(
    "/{document_id}/result", responses={**ERRORS, 409: {"model": ErrorResponse}, 422: {"model": ErrorResponse}}
)
def correct(session: SessionDep, caller: CallerDep, document_id: str, body: CorrectionsIn) -> dict[str, Any]:
    """Apply corrections (JSON pointer + value) to the current data; each is audited; issues are re-checked."""
    document = load(session, document_id)
    extraction = latest_extraction(document)
    if extraction is None:
        raise NotFound(f"Document {document_id} has no result to correct yet (status {document.status}).")
    if document.status not in REVIEWABLE:
        raise Conflict(f"Document {document_id} is {document.status}; only done or needs_review results can change.")
    edits = [Edit(c.field, c.value, c.op) for c in body.corrections]
    apply_corrections(session, extraction, edits, caller.key_name, body.note or body.author or caller.user)
    session.commit()
    session.refresh(extraction)
    return result_view(document) or {}


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


def _review(session: SessionDep, caller: CallerDep, document_id: str, body: ReviewIn | None, to: str) -> DocumentRead:
    document = load(session, document_id)
    allowed = REVIEWABLE if to == DocumentStatus.APPROVED else (*REVIEWABLE, DocumentStatus.FAILED)
    if document.status not in allowed:
        raise Conflict(f"Document {document_id} is {document.status}; it cannot be {to} now.")
    document.status = to
    document.reviewed_by = (body.author if body and body.author else None) or caller.author
    document.reviewed_at = utcnow()
    session.commit()
    return DocumentRead.of(document)


@router.post("/{document_id}/approve", response_model=DocumentRead, responses={**ERRORS, 409: {"model": ErrorResponse}})
def approve(session: SessionDep, caller: CallerDep, document_id: str, body: ReviewIn | None = None) -> DocumentRead:
    """Mark the (corrected) result approved: it becomes part of exports."""
    return _review(session, caller, document_id, body, DocumentStatus.APPROVED)


@router.post("/{document_id}/reject", response_model=DocumentRead, responses={**ERRORS, 409: {"model": ErrorResponse}})
def reject(session: SessionDep, caller: CallerDep, document_id: str, body: ReviewIn | None = None) -> DocumentRead:
    """Mark the document rejected."""
    return _review(session, caller, document_id, body, DocumentStatus.REJECTED)


@router.post("/{document_id}/retry", response_model=DocumentRead, responses={**ERRORS, 409: {"model": ErrorResponse}})
def retry(session: SessionDep, settings: SettingsDep, _caller: CallerDep, document_id: str) -> DocumentRead:
    """Queue a failed document again."""
    document = load(session, document_id)
    if document.status != DocumentStatus.FAILED:
        raise Conflict(f"Document {document_id} is {document.status}; only failed documents are retried.")
    if _refused_at_the_door(document):
        raise Conflict(f"Document {document_id} was refused on upload ({document.error_code}); upload a fixed file.")
    document.status = DocumentStatus.QUEUED
    document.error_code = document.error_message = None
    submit(session, settings, document)
    return DocumentRead.of(document)


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
    return Response(store.get(page.blob_key), media_type="image/png", headers={"Cache-Control": "max-age=86400"})


@router.get("/{document_id}/file", responses=ERRORS, response_class=Response)
def original(session: SessionDep, store: StoreDep, _caller: CallerDep, document_id: str) -> Response:
    """The original file as uploaded."""
    document = load(session, document_id)
    if document.blob_key is None:
        raise NotFound(f"Document {document_id} was refused on upload; its file was not stored.")
    from urllib.parse import quote

    disposition = f"attachment; filename*=UTF-8''{quote(document.filename, safe='')}"
    return Response(
        store.get(document.blob_key),
        media_type=document.media_type or "application/octet-stream",
        headers={"Content-Disposition": disposition, "X-Content-Type-Options": "nosniff"},
    )
