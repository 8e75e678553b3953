"""/v1/documents review decisions: approve (confirmed when errors are open), reject, reopen, bulk, audit trail."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from sqlalchemy import select
from sqlalchemy.orm import Session

from docai.api.deps import Caller, CallerDep, SessionDep, SettingsDep
from docai.api.errors import Conflict, InvalidInput
from docai.api.models import (
    AuditEntry,
    BulkIn,
    BulkItem,
    BulkOut,
    DocumentRead,
    ErrorResponse,
    ReviewIn,
    _utc,
)
from docai.api.routes.documents import ERRORS, REVIEWABLE, load, requeue
from docai.settings import Settings
from docai.stages.review import open_errors, refresh, refresh_copies
from docai.store.db.models import Decision, Document, DocumentStatus, utcnow
from schemas.labels import field_label

router = APIRouter(prefix="/documents", tags=["review"])
CONFLICT: dict[int | str, dict[str, Any]] = {
    **ERRORS,
    409: {"model": ErrorResponse, "description": "Not in a state for this, or errors are open (approve)."},
    422: {"model": ErrorResponse, "description": "A confirmation without a note."},
}


def decide(session: Session, caller: Caller, document: Document, action: str, to: str, body: ReviewIn | None) -> None:
    """Set the status and record the decision: the key's identity, the name the person typed, their note."""
    reviewer = (body.author if body and body.author else None) or caller.user
    session.add(
        Decision(
            document_id=document.id,
            action=action,
            from_status=document.status,
            to_status=to,
            author=caller.key_name,
            reviewer=reviewer,
            note=((body.note or "").strip() or None) if body else None,
        )
    )
    document.status = to
    if action == "reopen":
        document.reviewed_by = document.reviewed_at = None
    else:
        document.reviewed_by = reviewer or caller.key_name
        document.reviewed_at = utcnow()


def approve_one(
    session: Session, caller: Caller, settings: Settings, document: Document, body: ReviewIn | None
) -> None:
    """Approve, or Conflict/InvalidInput with the sentence that says why not."""
    if document.status not in REVIEWABLE:
        raise Conflict(f"Document {document.id} is {document.status}; it cannot be approved now.")
    errors = open_errors(document, settings.review_threshold)
    if errors and not (body and body.confirm):
        listed = "; ".join(f"{e['label']}: {e['message']}" for e in errors[:3])
        plural = "s" if len(errors) > 1 else ""
        raise Conflict(
            f"Document {document.id} has {len(errors)} open error{plural} ({listed}). Correct them, or approve "
            'anyway by sending {"confirm": true, "note": "why"}.'
        )
    if errors and not (body and body.note and body.note.strip()):
        raise InvalidInput("Approving with open errors needs a note saying why; it is kept in the audit trail.")
    decide(session, caller, document, "approve", DocumentStatus.APPROVED, body)


def reject_one(session: Session, caller: Caller, document: Document, body: ReviewIn | None) -> None:
    if document.status not in (*REVIEWABLE, DocumentStatus.FAILED):
        raise Conflict(f"Document {document.id} is {document.status}; it cannot be rejected now.")
    decide(session, caller, document, "reject", DocumentStatus.REJECTED, body)


@router.post("/{document_id}/approve", response_model=DocumentRead, responses=CONFLICT)
def approve(
    session: SessionDep, caller: CallerDep, settings: SettingsDep, document_id: str, body: ReviewIn | None = None
) -> DocumentRead:
    """Approve the (corrected) result: it becomes part of exports. With error-level issues open (or a required
    field missing), only with `{"confirm": true, "note": "why"}`; the note goes in the audit trail."""
    document = load(session, document_id)
    approve_one(session, caller, settings, document, body)
    session.commit()
    return DocumentRead.of(document)


@router.post("/{document_id}/reject", response_model=DocumentRead, responses=CONFLICT)
def reject(
    session: SessionDep, caller: CallerDep, settings: SettingsDep, document_id: str, body: ReviewIn | None = None
) -> DocumentRead:
    """Reject the document (a note may say why)."""
    document = load(session, document_id)
    reject_one(session, caller, document, body)
    refresh_copies(session, document, settings.review_threshold)  # a rejected original flags no copy
    session.commit()
    return DocumentRead.of(document)


@router.post("/{document_id}/reopen", response_model=DocumentRead, responses=CONFLICT)
def reopen(
    session: SessionDep, caller: CallerDep, settings: SettingsDep, document_id: str, body: ReviewIn | None = None
) -> DocumentRead:
    """Take back an approval or a rejection: the document can be corrected and decided again (audited)."""
    document = load(session, document_id)
    if document.status not in (DocumentStatus.APPROVED, DocumentStatus.REJECTED):
        raise Conflict(f"Document {document_id} is {document.status}; only approved or rejected documents reopen.")
    extracted = bool(document.extractions)
    decide(
        session, caller, document, "reopen", DocumentStatus.NEEDS_REVIEW if extracted else DocumentStatus.FAILED, body
    )
    if extracted:
        refresh(session, document, settings.review_threshold)  # needs_review, or done when nothing is open
    refresh_copies(session, document, settings.review_threshold)
    session.commit()
    return DocumentRead.of(document)


@router.post("/bulk", response_model=BulkOut, responses={**ERRORS, 422: {"model": ErrorResponse}})
def bulk(session: SessionDep, caller: CallerDep, settings: SettingsDep, body: BulkIn) -> BulkOut:
    """Approve, reject or retry many documents; each is decided on its own, and those skipped say why.

    Approve takes only documents with no open errors (a bulk approval never confirms errors away).
    """
    results: list[BulkItem] = []
    review = ReviewIn(author=body.author, note=body.note)
    for document_id in dict.fromkeys(body.ids):
        document = session.get(Document, document_id)
        if document is None:
            results.append(BulkItem(id=document_id, ok=False, status=None, message="No document has this id."))
            continue
        try:
            if body.action == "approve":
                approve_one(session, caller, settings, document, review)
            elif body.action == "reject":
                reject_one(session, caller, document, review)
                refresh_copies(session, document, settings.review_threshold)
            else:
                requeue(session, settings, document)
            session.commit()
            results.append(BulkItem(id=document.id, ok=True, status=document.status))
        except (Conflict, InvalidInput) as err:
            session.rollback()
            results.append(BulkItem(id=document.id, ok=False, status=document.status, message=err.message))
    done = sum(r.ok for r in results)
    return BulkOut(action=body.action, done=done, skipped=len(results) - done, results=results)


@router.get("/{document_id}/audit", response_model=list[AuditEntry], responses=ERRORS)
def audit(session: SessionDep, _caller: CallerDep, document_id: str) -> list[AuditEntry]:
    """The whole audit trail, oldest first: every correction (field, old, new) and every decision (with note)."""
    document = load(session, document_id)
    entries = [
        AuditEntry(
            kind="correction",
            at=_utc(c.created_at),
            author=c.author,
            reviewer=c.note,
            field=c.field,
            label=field_label(c.field),
            old_value=c.old_value,
            new_value=c.new_value,
        )
        for e in document.extractions
        for c in e.corrections
    ]
    decisions = session.scalars(select(Decision).where(Decision.document_id == document.id)).all()
    entries += [
        AuditEntry(
            kind="decision",
            at=_utc(d.created_at),
            author=d.author,
            reviewer=d.reviewer,
            action=d.action,
            from_status=d.from_status,
            to_status=d.to_status,
            note=d.note,
        )
        for d in decisions
    ]
    return sorted(entries, key=lambda a: a.at)
