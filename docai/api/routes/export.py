"""/v1/export: approved (or filtered) results as XLSX or ZIP (a table per kind, line items as rows), JSON, CSV."""

from __future__ import annotations

import json
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from docai.api.deps import CallerDep, SessionDep
from docai.api.routes.documents import ERRORS, filters
from docai.store.db.models import Document
from docai.store.exports import flat_rows, records, tables, to_csv, to_xlsx, to_zip

router = APIRouter(tags=["export"])
MAX_EXPORT = 50_000
MEDIA = {
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "zip": "application/zip",
}


@router.get("/export", responses=ERRORS, response_class=Response)
def export(
    session: SessionDep,
    _caller: CallerDep,
    format: Annotated[
        Literal["xlsx", "zip", "json", "csv"],
        Query(
            description="xlsx: a sheet per kind (invoices, receipts, forms...) and one for their line items; "
            "zip: the same tables as CSV files; json: everything, with evidence; csv: one line per document."
        ),
    ] = "json",
    status: Annotated[str, Query(description="Comma-separated statuses.")] = "approved",
    schema: Annotated[str | None, Query()] = None,
    q: Annotated[str | None, Query(max_length=200)] = None,
) -> Response:
    """Results of approved documents (or the statuses asked for), oldest first."""
    documents = list(
        session.scalars(
            select(Document)
            .where(*filters(session, status, schema, q))
            .options(selectinload(Document.extractions), selectinload(Document.decisions))
            .order_by(Document.created_at, Document.id)
            .limit(MAX_EXPORT)
        ).all()
    )
    session.commit()  # all is loaded: the file is built with no transaction open (on SQLite it would lock out writers)
    if format == "xlsx":
        body: bytes | str = to_xlsx(tables(documents))
    elif format == "zip":
        body = to_zip(tables(documents))
    elif format == "csv":
        body = to_csv(flat_rows(documents))
    else:
        body = json.dumps(records(documents), ensure_ascii=False, default=str, indent=1)
    headers = {"Content-Disposition": f'attachment; filename="docai-export.{format}"'}
    return Response(body, media_type=MEDIA[format], headers=headers)
