"""Why a document needs review, and keeping that current.

`review_reasons` is the one function that says why (required fields missing, error-level issues, values under
DOCAI_REVIEW_THRESHOLD), from the current data, evidence and issues. `refresh` runs after every write to a
result (extraction, correction, reopening) and stores what lists, filters and search read: the queue's columns,
a possible duplicate, the reasons, the status and the search text.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from docai.stages.grounding import leaves
from docai.store.db.models import Document, DocumentStatus, Extraction
from docai.store.results import latest_extraction
from docai.store.search import document_text, index_document
from schemas.labels import field_label


class Reason(StrEnum):
    LOW_CONFIDENCE = "low_confidence"
    VALIDATION_ISSUE = "validation_issue"
    MISSING_REQUIRED = "missing_required"


# The fields a bookkeeper cannot do without, per kind: missing, the document needs a person.
REQUIRED: dict[str, tuple[str, ...]] = {
    "invoice": ("/vendor_name", "/invoice_id", "/invoice_date", "/invoice_total"),
    "receipt": ("/merchant_name", "/transaction_date", "/total"),
    "form": ("/fields",),
    "chart": ("/rows",),
    "ui_code": ("/html",),
}
# Where the queue's columns come from, per kind.
VENDOR = {"invoice": "vendor_name", "receipt": "merchant_name"}
DATE = {"invoice": "invoice_date", "receipt": "transaction_date"}
TOTAL = {"invoice": ("invoice_total", "amount_due"), "receipt": ("total",)}
NUMBER = {"invoice": "invoice_id"}
DUPLICATE = "possible_duplicate"


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def review_reasons(
    schema: str | None,
    data: dict[str, Any] | None,
    evidence: dict[str, Any] | None,
    issues: list[dict[str, Any]] | None,
    threshold: float,
) -> list[dict[str, Any]]:
    """Every reason a person must look: required fields missing, error-level issues, values under the threshold."""
    data, evidence = data or {}, evidence or {}
    reasons: list[dict[str, Any]] = []
    for path in REQUIRED.get(schema or "", ()):
        if _empty(data.get(path[1:])):
            label = field_label(path)
            reasons.append(
                {
                    "field": path,
                    "label": label,
                    "reason": Reason.MISSING_REQUIRED.value,
                    "severity": "error",
                    "message": f"{label} was not found on the document; type it in.",
                }
            )
    for issue in issues or []:
        if issue.get("severity") == "error":
            reasons.append(
                {
                    "field": issue.get("field"),
                    "label": field_label(issue.get("field")),
                    "reason": Reason.VALIDATION_ISSUE.value,
                    "severity": "error",
                    "message": issue.get("message") or issue.get("code") or "A check failed.",
                    "code": issue.get("code"),
                }
            )
    present = {path for path, _ in leaves(data)}
    for path, ev in evidence.items():
        confidence = (ev or {}).get("confidence")
        if path not in present or confidence is None or confidence >= threshold:
            continue  # a value since cleared carries no doubt
        label = field_label(path)
        reasons.append(
            {
                "field": path,
                "label": label,
                "reason": Reason.LOW_CONFIDENCE.value,
                "severity": "warning",
                "confidence": confidence,
                "message": f"{label} is only {confidence:.0%} likely to be right (review below {threshold:.0%}); "
                "check it against the page.",
            }
        )
    return reasons


def reasons_summary(reasons: list[dict[str, Any]]) -> str:
    """'2 low confidence, 1 validation issue': one short line for a queue column."""
    counts = {kind: sum(r["reason"] == kind for r in reasons) for kind in Reason}
    return ", ".join(f"{n} {kind.value.replace('_', ' ')}" for kind, n in counts.items() if n)


def reason_codes(reasons: list[dict[str, Any]]) -> str:
    """The distinct reasons, sorted and comma-joined (',low_confidence,' style for an exact LIKE filter)."""
    kinds = sorted({r["reason"] for r in reasons})
    return f",{','.join(kinds)}," if kinds else ""


def summary(schema: str | None, data: dict[str, Any] | None) -> dict[str, Any]:
    """The queue's columns: vendor or merchant, document date, total, currency, document number."""
    data = data or {}
    kind = schema or ""
    total = None
    for name in TOTAL.get(kind, ()):
        total = _decimal(data.get(name))
        if total is not None:
            break
    return {
        "vendor": _text(data.get(VENDOR.get(kind, ""))),
        "document_date": _date(data.get(DATE.get(kind, ""))),
        "total": total,
        "currency": _text(data.get("currency"), 3),
        "doc_number": _text(data.get(NUMBER.get(kind, "")), 128),
    }


def _text(value: Any, limit: int = 255) -> str | None:
    return str(value).strip()[:limit] or None if value not in (None, "") else None


def _decimal(value: Any) -> Decimal | None:
    try:
        amount = Decimal(str(value)) if value not in (None, "") else None
    except InvalidOperation:
        return None
    return amount if amount is not None and amount.is_finite() and abs(amount) < Decimal(10) ** 14 else None


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def dedupe_key(schema: str | None, data: dict[str, Any] | None) -> str | None:
    """Same vendor, number and total: the key two copies of one bill share (None when any part is missing)."""
    data = data or {}
    if schema == "invoice":
        parts = [data.get("vendor_name"), data.get("invoice_id"), _decimal(data.get("invoice_total"))]
    elif schema == "receipt":
        when = f"{data.get('transaction_date') or ''} {data.get('transaction_time') or ''}".strip()
        parts = [data.get("merchant_name"), when if data.get("transaction_time") else None, _decimal(data.get("total"))]
    else:
        return None
    if any(_empty(p) for p in parts):
        return None
    vendor = re.sub(r"[\W_]+", "", str(parts[0]).casefold())
    number = re.sub(r"[\W_]+", "", str(parts[1]).casefold())
    return f"{schema}|{vendor}|{number}|{Decimal(parts[2]).normalize()}"[:255] if vendor and number else None


# ---------------------------------------------------------------- keeping it current (database)


def earlier_copy(session: Session, document: Document, key: str) -> Document | None:
    """The first document uploaded before this one with the same vendor, number and total (not rejected)."""
    before = or_(
        Document.created_at < document.created_at,
        and_(Document.created_at == document.created_at, Document.id < document.id),
    )
    return session.scalars(
        select(Document)
        .where(Document.dedupe_key == key, Document.id != document.id, Document.status != DocumentStatus.REJECTED)
        .where(before)
        .order_by(Document.created_at, Document.id)
        .limit(1)
    ).first()


def duplicate_issue(earlier: Document) -> dict[str, Any]:
    when = earlier.created_at.strftime("%Y-%m-%d %H:%M UTC") if earlier.created_at else "earlier"
    return {
        "code": DUPLICATE,
        "field": None,
        "message": f"Same vendor, number and total as {earlier.filename!r} (uploaded {when}): "
        "it may be a second copy of the same bill.",
        "severity": "error",
        "duplicate_of": earlier.id,
        "link": f"/v1/documents/{earlier.id}",
    }


def refresh(
    session: Session, document: Document, threshold: float, extraction: Extraction | None = None
) -> list[dict[str, Any]]:
    """Recompute what derives from the current result (not committed); returns the review reasons."""
    extraction = extraction or latest_extraction(document)
    if extraction is None:
        return []
    data = extraction.current or {}
    key = dedupe_key(extraction.schema, data)
    document.dedupe_key = key
    earlier = earlier_copy(session, document, key) if key else None
    issues = [i for i in extraction.issues or [] if i.get("code") != DUPLICATE]
    if earlier is not None:
        issues.append(duplicate_issue(earlier))
    extraction.issues = issues
    document.duplicate_of = earlier.id if earlier is not None else None
    reasons = review_reasons(extraction.schema, data, extraction.evidence, issues, threshold)
    document.review_reasons = reasons
    document.reason_codes = reason_codes(reasons)
    for name, value in summary(extraction.schema, data).items():
        setattr(document, name, value)
    if document.status in (DocumentStatus.PROCESSING, DocumentStatus.DONE, DocumentStatus.NEEDS_REVIEW):
        document.status = DocumentStatus.NEEDS_REVIEW if reasons else DocumentStatus.DONE
    values = [str(value) for _path, value in leaves(data)]
    pages = [" ".join(str(row[0]) for row in page.words or []) for page in document.pages]
    index_document(session, document.id, document_text(document.filename, values, pages))
    return reasons


def refresh_copies(session: Session, document: Document, threshold: float) -> None:
    """Documents flagged as copies of this one, or sharing its key, are checked again (it was corrected,
    rejected or reopened, so it may have become, or stopped being, their original)."""
    related = Document.duplicate_of == document.id
    if document.dedupe_key:
        related = or_(related, Document.dedupe_key == document.dedupe_key)
    for copy in session.scalars(select(Document).where(related, Document.id != document.id)).all():
        refresh(session, copy, threshold)


def current_reasons(document: Document, threshold: float) -> list[dict[str, Any]]:
    """The reasons as of now (the threshold may have changed since the last write)."""
    extraction = latest_extraction(document)
    if extraction is None:
        return []
    return review_reasons(extraction.schema, extraction.current, extraction.evidence, extraction.issues, threshold)


def open_errors(document: Document, threshold: float) -> list[dict[str, Any]]:
    """Error-level reasons still open on the current result: what approving needs a confirmation for."""
    return [r for r in current_reasons(document, threshold) if r["severity"] == "error"]


def backfill(session: Session, threshold: float, batch: int = 200) -> int:
    """Refresh documents extracted before the review columns existed (reason_codes never set); returns how many."""
    done = 0
    while True:
        documents = session.scalars(
            select(Document)
            .where(Document.reason_codes.is_(None), Document.extractions.any())
            .order_by(Document.created_at)
            .limit(batch)
        ).all()
        if not documents:
            return done
        for document in documents:
            refresh(session, document, threshold)
            document.reason_codes = document.reason_codes or ""  # marks it done, even with nothing to say
        session.commit()
        done += len(documents)
