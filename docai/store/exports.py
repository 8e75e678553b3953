"""Exports a bookkeeper can open: one table per kind, line items as rows of their own, issues and reviewer.

`tables()` turns documents into named tables (a sheet each in XLSX, a CSV each in a ZIP); `records()` is the
JSON export with evidence. Text that a spreadsheet would run as a formula is neutralised in every format.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from decimal import Decimal
from typing import Any

from pydantic import ValidationError

from docai.store.db.models import Document
from docai.store.results import latest_extraction
from docai.store.spreadsheet import cell_text
from schemas.labels import field_label
from schemas.registry import get_schema

DOCUMENT_COLUMNS = ["document_id", "filename", "status", "reviewed_by", "reviewed_at", "review_note", "issues"]
Table = tuple[list[str], list[list[Any]]]


def _typed(schema: str, data: dict[str, Any]) -> dict[str, Any]:
    """The data as the schema types it (Decimal amounts, dates), or as stored when it no longer fits."""
    try:
        return get_schema(schema).model_validate(data).model_dump(mode="python")
    except (ValidationError, KeyError):
        return dict(data)


def _issues_text(issues: list[dict[str, Any]]) -> str:
    return "; ".join(f"{field_label(i.get('field'))}: {i.get('message', '')}" for i in issues)


def tables(documents: list[Document]) -> dict[str, Table]:
    """'invoices', 'invoice_line_items', 'receipts', 'receipt_items', 'forms', 'form_fields', ... as needed."""
    out: dict[str, Table] = {}
    for document in documents:
        extraction = latest_extraction(document)
        if extraction is None:
            continue
        kind = extraction.schema
        fields = get_schema(kind).model_fields
        data = _typed(kind, extraction.current or {})
        scalars = [name for name in fields if not isinstance(data.get(name), list)]
        lists = [name for name in fields if isinstance(data.get(name), list)]
        decision = document.decisions[-1] if document.decisions else None
        head = [
            document.id,
            document.filename,
            document.status,
            document.reviewed_by,
            document.reviewed_at.replace(tzinfo=None) if document.reviewed_at else None,
            decision.note if decision else None,
            _issues_text(extraction.issues or []),
        ]
        columns, rows = out.setdefault(f"{kind}s", ([*DOCUMENT_COLUMNS, *scalars], []))
        rows.append([*head, *(data.get(name) for name in columns[len(DOCUMENT_COLUMNS) :])])
        for name in lists:
            _list_rows(out, f"{kind}_{name}", document.id, data[name], data.get("columns"))
    return out


def _list_rows(out: dict[str, Table], table: str, document_id: str, items: list[Any], headers: Any = None) -> None:
    """Line items, form fields, chart rows: one row each, numbered from 1 as printed documents count."""
    for n, item in enumerate(items, start=1):
        if isinstance(item, dict):
            keys = list(item)
            columns, rows = out.setdefault(table, (["document_id", "line", *keys], []))
            rows.append([document_id, n, *(item.get(k) for k in columns[2:])])
        elif isinstance(item, list):  # a chart row: category, then one value per series
            columns, rows = out.setdefault(table, (["document_id", "row", "column", "value"], []))
            names = headers if isinstance(headers, list) else []
            rows.extend([document_id, n, names[c] if c < len(names) else c + 1, v] for c, v in enumerate(item))
        else:
            columns, rows = out.setdefault(table, (["document_id", "line", "value"], []))
            rows.append([document_id, n, item])


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return cell_text(value) if isinstance(value, str) else str(value)


def to_zip(data: dict[str, Table]) -> bytes:
    """One CSV per table (UTF-8 with BOM, so spreadsheet programs read accents right)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, (columns, rows) in data.items():
            text = io.StringIO()
            writer = csv.writer(text)
            writer.writerow(columns)
            writer.writerows([_text(v) for v in row] for row in rows)
            archive.writestr(f"{name}.csv", "\ufeff" + text.getvalue())
    return buffer.getvalue()


def to_xlsx(data: dict[str, Table]) -> bytes:
    """A workbook with a sheet per table; amounts are numbers, dates are dates, text is never a formula."""
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for name, (columns, rows) in data.items() or {"documents": (DOCUMENT_COLUMNS, [])}.items():
        sheet = book.create_sheet(name[:31])
        sheet.append(columns)
        for row in rows:
            sheet.append([_xlsx_value(v) for v in row])
            for cell in sheet[sheet.max_row]:
                if isinstance(cell.value, str):
                    cell.data_type = "s"  # openpyxl would store '=...' as a formula otherwise
        sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _xlsx_value(value: Any) -> Any:
    if value is None or isinstance(value, int | float | Decimal | dt.date | dt.datetime):
        return value
    text = str(value)
    return text[:32_000]  # Excel's cell limit is 32,767 characters


def identity(document: Document) -> dict[str, Any]:
    return {
        "id": document.id,
        "filename": document.filename,
        "schema": document.schema,
        "status": document.status,
        "reviewed_by": document.reviewed_by,
        "reviewed_at": document.reviewed_at.isoformat() if document.reviewed_at else None,
    }


def records(documents: list[Document]) -> list[dict[str, Any]]:
    """The JSON export: per document its identity, review, corrected data, evidence, issues and decisions."""
    out = []
    for document in documents:
        extraction = latest_extraction(document)
        decisions = [
            {"action": d.action, "author": d.author, "reviewer": d.reviewer, "note": d.note, "at": d.created_at}
            for d in document.decisions
        ]
        out.append(
            {
                **identity(document),
                "data": extraction.current if extraction else None,
                "evidence": extraction.evidence if extraction else {},
                "issues": extraction.issues if extraction else [],
                "engine": extraction.engine if extraction else None,
                "decisions": decisions,
            }
        )
    return out


def flat_rows(documents: list[Document]) -> list[dict[str, Any]]:
    """One plain record per document (the single-CSV export): identity, review, issues and the corrected data."""
    rows = []
    for document in documents:
        extraction = latest_extraction(document)
        issues = _issues_text(extraction.issues or []) if extraction else ""
        rows.append({**identity(document), "issues": issues, "data": extraction.current if extraction else None})
    return rows


def to_csv(rows: list[dict[str, Any]]) -> str:
    """One line per document; scalar fields as columns, lists (line items, table rows) as JSON text."""
    fixed = ["id", "filename", "schema", "status", "reviewed_by", "reviewed_at", "issues"]
    fields: list[str] = []
    for row in rows:
        for key in (row["data"] or {}).keys():
            if key not in fields:
                fields.append(key)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(fixed + fields)
    for row in rows:
        data = row["data"] or {}
        writer.writerow([cell_text(row.get(k)) for k in fixed] + [cell_text(data.get(k)) for k in fields])
    return out.getvalue()
