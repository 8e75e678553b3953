"""Errors the application raises: the shared codes (defined beside the schemas, where engines use them too)."""

from __future__ import annotations

from schemas.errors import DocaiError, ErrorCode

__all__ = ["DocaiError", "DuplicateDocument", "ErrorCode"]


class DuplicateDocument(Exception):
    """The same bytes were ingested before; carries the existing document's id."""

    def __init__(self, existing_id: str):
        super().__init__(existing_id)
        self.existing_id = existing_id
