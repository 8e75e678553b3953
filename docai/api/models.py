"""What the API takes and gives: Pydantic shapes, separate from the ORM rows."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, Field

from docai.store.db.models import Document, Job, Page
from docai.store.results import latest_extraction


class ErrorBody(BaseModel):
    code: str
    message: str


class ErrorResponse(BaseModel):
    error: ErrorBody


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

    model_config = {"populate_by_name": True}

    @classmethod
    def of(cls, document: Document, duplicate: bool = False) -> DocumentRead:
        extraction = latest_extraction(document)
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
        )


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
    def detail(cls, document: Document) -> DocumentDetail:
        base = DocumentRead.of(document).model_dump(by_alias=True)
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
    author: str | None = Field(default=None, max_length=255)
    note: str | None = Field(default=None, max_length=2000)


class Health(BaseModel):
    status: Literal["ok", "degraded"]
    database: bool
    broker: bool | None
    version: str
