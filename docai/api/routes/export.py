"""/v1/export: approved (or filtered) results as CSV or JSON."""

from __future__ import annotations

import csv
import io
import json
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Response
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from docai.api.deps import CallerDep, SessionDep
from docai.api.routes.documents import ERRORS, filters
from docai.store.db.models import Document
from docai.store.results import latest_extraction
from docai.store.spreadsheet import cell_text

router = APIRouter(tags=["export"])
MAX_EXPORT = 50_000
FIXED = ["id", "filename", "schema", "status", "reviewed_by", "reviewed_at"]


def export_rows(documents: list[Document]) -> list[dict[str, Any]]:
    """One plain record per document: identity, review and the corrected data."""
    rows = []
    for document in documents:
        extraction = latest_extraction(document)
        rows.append(
            {
                "id": document.id,
                "filename": document.filename,
                "schema": document.schema,
                "status": document.status,
                "reviewed_by": document.reviewed_by,
                "reviewed_at": document.reviewed_at.isoformat() if document.reviewed_at else None,
                "data": extraction.current if extraction else None,
            }
        )
    return rows


def to_csv(rows: list[dict[str, Any]]) -> str:
    """One line per document; scalar fields as columns, lists (line items, table rows) as JSON text."""
    fields: list[str] = []
    for row in rows:
        for key in (row["data"] or {}).keys():
            if key not in fields:
                fields.append(key)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(FIXED + fields)
    for row in rows:
        data = row["data"] or {}
        cells = [cell_text(row[k]) for k in FIXED] + [cell_text(data.get(k)) for k in fields]
        writer.writerow(cells)
    return out.getvalue()


@router.get("/export", responses=ERRORS, response_class=Response)
def export(
    session: SessionDep,
    _caller: CallerDep,
    format: Annotated[Literal["csv", "json"], Query(description="csv or json.")] = "json",
    status: Annotated[str, Query(description="Comma-separated statuses.")] = "approved",
    schema: Annotated[str | None, Query()] = None,
    q: Annotated[str | None, Query(max_length=200)] = None,
) -> Response:
    """Results of approved documents (or the statuses asked for), oldest first."""
    documents = session.scalars(
        select(Document)
        .where(*filters(status, schema, q))
        .options(selectinload(Document.extractions))
        .order_by(Document.created_at, Document.id)
        .limit(MAX_EXPORT)
    ).all()
    rows = export_rows(list(documents))
    if format == "csv":
        body, media = to_csv(rows), "text/csv; charset=utf-8"
    else:
        body, media = json.dumps(rows, ensure_ascii=False, default=str, indent=1), "application/json"
    headers = {"Content-Disposition": f'attachment; filename="docai-export.{format}"'}
    return Response(body, media_type=media, headers=headers)
