"""What the API takes and gives: Pydantic shapes, separate from the ORM rows."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, Field

from docai.stages.review import current_reasons, reasons_summary
from docai.store.db.models import Document, Job, Page
from docai.store.results import latest_extraction


class ErrorBody(BaseModel):
    code: str
    message: str


class ErrorResponse(BaseModel):
    error: ErrorBody


class ReasonRead(BaseModel):
    """Why a document needs review: one field and what is wrong with it."""

    field: str | None = Field(description="JSON pointer of the field, e.g. '/total'; null for the whole document.")
    label: str = Field(description="The field as a person reads it, e.g. 'Item 2 amount'.")
    reason: Literal["low_confidence", "validation_issue", "missing_required"]
    message: str = Field(description="A sentence a reviewer can act on.")
    severity: Literal["info", "warning", "error"]
    confidence: float | None = Field(default=None, description="The value's confidence (low_confidence only).")
    code: str | None = Field(default=None, description="The issue's code (validation_issue only).")


class DocumentRead(BaseModel):
    """One document as lists and status calls show it."""

    id: str
    filename: str
    status: str
    schema_: str | None = Field(alias="schema", serialization_alias="schema")
    schema_requested: str
    engine: str | None = Field(description="The engine that extracted it; null until extracted.")
    media_type: str | None
    page_count: int
    size_bytes: int
    source: str
    created_at: dt.datetime
    updated_at: dt.datetime
    reviewed_by: str | None
    reviewed_at: dt.datetime | None
    issue_count: int
    error: ErrorBody | None
    status_url: str
    duplicate: bool = Field(default=False, description="True when an upload matched a stored document.")
    vendor: str | None = Field(default=None, description="Vendor (invoice) or merchant (receipt).")
    document_date: dt.date | None = Field(default=None, description="Invoice or transaction date.")
    total: str | None = Field(default=None, description="Invoice total or receipt total, as a decimal string.")
    currency: str | None = None
    doc_number: str | None = Field(default=None, description="Invoice number.")
    reasons: list[ReasonRead] = Field(default_factory=list, description="Why it needs review; empty when it does not.")
    reasons_summary: str = Field(default="", description="e.g. '2 low confidence, 1 validation issue'.")
    age_seconds: int = Field(default=0, description="Seconds since upload.")
    possible_duplicate_of: str | None = Field(
        default=None, description="An earlier document with the same vendor, number and total."
    )
    possible_duplicate_url: str | None = None

    model_config = {"populate_by_name": True}

    @classmethod
    def of(
        cls, document: Document, duplicate: bool = False, reasons: list[dict[str, Any]] | None = None
    ) -> DocumentRead:
        extraction = latest_extraction(document)
        reasons = (document.review_reasons or []) if reasons is None else reasons
        created = _utc(document.created_at)
        return cls(
            id=document.id,
            filename=document.filename,
            status=document.status,
            schema=document.schema or document.schema_requested,
            schema_requested=document.schema_requested,
            engine=extraction.engine if extraction else None,
            media_type=document.media_type,
            page_count=document.page_count,
            size_bytes=document.size_bytes,
            source=document.source,
            created_at=_utc(document.created_at),
            updated_at=_utc(document.updated_at),
            reviewed_by=document.reviewed_by,
            reviewed_at=_utc(document.reviewed_at) if document.reviewed_at else None,
            issue_count=len(extraction.issues or []) if extraction else 0,
            error=ErrorBody(code=document.error_code, message=document.error_message or "")
            if document.error_code
            else None,
            status_url=f"/v1/documents/{document.id}",
            duplicate=duplicate,
            vendor=document.vendor,
            document_date=document.document_date,
            total=None if document.total is None else _amount(document.total),
            currency=document.currency,
            doc_number=document.doc_number,
            reasons=[ReasonRead.model_validate(r) for r in reasons],
            reasons_summary=reasons_summary(reasons),
            age_seconds=max(0, int((dt.datetime.now(dt.UTC) - created).total_seconds())),
            possible_duplicate_of=document.duplicate_of,
            possible_duplicate_url=f"/v1/documents/{document.duplicate_of}" if document.duplicate_of else None,
        )


def _amount(value: Decimal) -> str:
    """12.3000 (as NUMERIC(18,4) keeps it) -> '12.30'; whole cents at least, more only when there are more."""
    return str(value.quantize(Decimal("0.01")) if value == value.quantize(Decimal("0.01")) else value.normalize())


def _utc(value: dt.datetime) -> dt.datetime:
    """SQLite hands datetimes back naive; they were written in UTC."""
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


class PageRead(BaseModel):
    index: int = Field(description="0-based page index.")
    width: int
    height: int
    text_source: str
    words: int
    done: bool = Field(description="True once the page's values were extracted.")
    image_url: str


class JobRead(BaseModel):
    id: str
    stage: str
    status: str
    attempts: int
    worker: str | None
    seconds: float | None
    error: ErrorBody | None
    created_at: dt.datetime
    updated_at: dt.datetime

    @classmethod
    def of(cls, job: Job) -> JobRead:
        return cls(
            id=job.id,
            stage=job.stage,
            status=job.status,
            attempts=job.attempts,
            worker=job.worker,
            seconds=job.seconds,
            error=ErrorBody(code=job.error_code, message=job.error_message or "") if job.error_code else None,
            created_at=_utc(job.created_at),
            updated_at=_utc(job.updated_at),
        )


class Progress(BaseModel):
    stage: Literal["queued", "rasterize", "extract", "finished"]
    pages_total: int
    pages_rasterized: int
    pages_done: int


class DocumentDetail(DocumentRead):
    """A document with per-page progress and its job history."""

    pages: list[PageRead]
    progress: Progress
    jobs: list[JobRead]

    @classmethod
    def detail(cls, document: Document, threshold: float) -> DocumentDetail:
        reasons = current_reasons(document, threshold)
        base = DocumentRead.of(document, reasons=reasons).model_dump(by_alias=True)
        extracted = latest_extraction(document) is not None
        pages = [_page(document.id, p, extracted) for p in document.pages]
        jobs = sorted(document.jobs, key=lambda j: j.created_at)
        return cls(
            **base,
            pages=pages,
            progress=_progress(document, jobs, len(pages), extracted),
            jobs=[JobRead.of(j) for j in jobs],
        )


def _page(document_id: str, page: Page, extracted: bool) -> PageRead:
    return PageRead(
        index=page.index,
        width=page.width,
        height=page.height,
        text_source=page.text_source,
        words=len(page.words or []),
        done=extracted,
        image_url=f"/v1/documents/{document_id}/pages/{page.index}",
    )


def _progress(document: Document, jobs: list[Job], rasterized: int, extracted: bool) -> Progress:
    from docai.store.db.models import DocumentStatus

    total = document.page_count or rasterized
    if DocumentStatus(document.status).terminal:
        stage = "finished"
    elif jobs and jobs[-1].stage == "extract":
        stage = "extract"
    elif jobs and jobs[-1].status == "processing":
        stage = "rasterize"
    else:
        stage = "queued"
    return Progress(stage=stage, pages_total=total, pages_rasterized=rasterized, pages_done=total if extracted else 0)


class DocumentList(BaseModel):
    data: list[DocumentRead]
    count: int = Field(description="Documents matching the filters (all pages of the listing).")


class CorrectionIn(BaseModel):
    field: str = Field(
        max_length=500, description="JSON pointer of a schema field: '/total', '/line_items/0/amount', '/line_items/-'."
    )
    value: Any = Field(default=None, description="The new value (a whole row for '/line_items/-').")
    op: Literal["replace", "add", "remove"] = "replace"


class CorrectionsIn(BaseModel):
    corrections: list[CorrectionIn] = Field(min_length=1, max_length=500)
    note: str | None = Field(
        default=None, max_length=255, description="The reviewer's name as typed; stored beside the signed-in key."
    )
    author: str | None = Field(default=None, max_length=255, description="Older name of `note`.")


class CorrectionRead(BaseModel):
    id: str
    field: str
    old_value: Any
    new_value: Any
    author: str = Field(description="Who was signed in: the API key's name ('key:1a2b3c4d').")
    note: str | None = Field(description="The name the reviewer typed (X-Docai-User or the body's note).")
    created_at: dt.datetime


class ReviewIn(BaseModel):
    author: str | None = Field(default=None, max_length=255, description="The reviewer's name as they typed it.")
    note: str | None = Field(default=None, max_length=2000, description="Why; kept in the audit trail.")
    confirm: bool = Field(default=False, description="Approve although error-level issues are open (needs a note).")


class BulkIn(ReviewIn):
    action: Literal["approve", "reject", "retry"]
    ids: list[str] = Field(min_length=1, max_length=500, description="Document ids.")


class BulkItem(BaseModel):
    id: str
    ok: bool
    status: str | None = Field(description="The document's status afterwards; null when there is no such document.")
    message: str | None = Field(default=None, description="Why it was skipped.")


class BulkOut(BaseModel):
    action: str
    done: int
    skipped: int
    results: list[BulkItem]


class AuditEntry(BaseModel):
    """One line of the audit trail: a correction or a decision, in the order they happened."""

    kind: Literal["correction", "decision"]
    at: dt.datetime
    author: str = Field(description="Who: the authenticated identity (the API key's name) or the typed name.")
    reviewer: str | None = Field(default=None, description="The name the reviewer typed, when they gave one.")
    field: str | None = None
    label: str | None = Field(default=None, description="The field as a person reads it.")
    old_value: Any = None
    new_value: Any = None
    action: str | None = Field(default=None, description="approve, reject or reopen (decisions).")
    from_status: str | None = None
    to_status: str | None = None
    note: str | None = None


class EngineRead(BaseModel):
    """The engine this deployment runs, and which kinds of document it can read."""

    engine: str
    reason: str = Field(description="Why this engine was chosen.")
    supports: list[str] = Field(description="Kinds it extracts.")
    unsupported: dict[str, str] = Field(description="Kinds it cannot extract, each with a sentence saying why.")


class Health(BaseModel):
    status: Literal["ok", "degraded"]
    database: bool
    broker: bool | None
    version: str
