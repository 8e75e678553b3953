"""Plain-JSON views of stored documents and results, shared by the CLI, the API and exports."""

from __future__ import annotations

from typing import Any

from docai.store.db.models import Document, Extraction


def latest_extraction(document: Document) -> Extraction | None:
    return document.extractions[-1] if document.extractions else None


def result_view(document: Document) -> dict[str, Any] | None:
    """The stored extraction as DESIGN.md's result shape, with the reviewer's corrections applied."""
    extraction = latest_extraction(document)
    if extraction is None:
        return None
    return {
        "document_id": document.id,
        "schema": extraction.schema,
        "schema_version": extraction.schema_version,
        "data": extraction.current,
        "original": extraction.data,
        "evidence": extraction.evidence,
        "issues": extraction.issues,
        "status": document.status,
        "engine": extraction.engine,
        "model": extraction.model,
        "model_revision": extraction.model_revision,
        "timings": extraction.timings,
        "corrections": len(extraction.corrections),
    }


def document_summary(document: Document) -> dict[str, Any]:
    """`docai process --json` per document: id, status, schema, engine, pages, data, issues, error."""
    extraction = latest_extraction(document)
    return {
        "id": document.id,
        "filename": document.filename,
        "status": document.status,
        "schema": document.schema or document.schema_requested,
        "engine": extraction.engine if extraction else document.engine_requested,
        "model": extraction.model if extraction else None,
        "media_type": document.media_type,
        "pages": document.page_count,
        "data": extraction.current if extraction else None,
        "issues": extraction.issues if extraction else [],
        "reasons": document.review_reasons or [],
        "evidence": extraction.evidence if extraction else {},
        "error": {"code": document.error_code, "message": document.error_message} if document.error_code else None,
        "created_at": document.created_at.isoformat() if document.created_at else None,
    }
