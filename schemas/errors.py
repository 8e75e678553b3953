"""Typed errors that carry a code and a sentence a person can act on."""

from __future__ import annotations

from enum import StrEnum


class ErrorCode(StrEnum):
    EMPTY_FILE = "empty_file"
    TOO_LARGE = "too_large"
    UNSUPPORTED_TYPE = "unsupported_type"
    MISLABELED = "mislabeled"
    CORRUPT = "corrupt"
    ENCRYPTED = "encrypted"
    TOO_MANY_PAGES = "too_many_pages"
    IMAGE_TOO_LARGE = "image_too_large"
    NO_PAGES = "no_pages"
    RENDER_FAILED = "render_failed"
    OCR_FAILED = "ocr_failed"
    ENGINE_UNAVAILABLE = "engine_unavailable"
    SCHEMA_UNSUPPORTED = "schema_unsupported"
    EXTRACTION_FAILED = "extraction_failed"
    RESOURCE_LIMIT = "resource_limit"  # a page needs more memory than a page may use
    TIMED_OUT = "timed_out"  # the document's work budget or the task's time limit ran out
    INTERNAL = "internal_error"


class DocaiError(Exception):
    """An error a user sees: a stable code and an actionable message."""

    def __init__(self, code: ErrorCode, message: str):
        super().__init__(message)
        self.code = code
        self.message = message

    def as_dict(self) -> dict[str, str]:
        return {"code": str(self.code), "message": self.message}
