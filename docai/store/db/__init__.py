"""Persistence: models, sessions and migrations."""

from docai.store.db.models import (
    Base,
    Correction,
    Document,
    DocumentStatus,
    Extraction,
    Job,
    JobStatus,
    Page,
)
from docai.store.db.session import make_db_engine, session_factory, session_scope

__all__ = [
    "Base",
    "Correction",
    "Document",
    "DocumentStatus",
    "Extraction",
    "Job",
    "JobStatus",
    "Page",
    "make_db_engine",
    "session_factory",
    "session_scope",
]
