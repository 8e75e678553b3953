"""Pydantic v2 models for each document kind, shared types, validation and JSON-schema export."""

from schemas.common import DocSchema, Evidence, Issue, Severity
from schemas.registry import UnknownSchema, get_schema, json_schema, register_schema, schema_kinds

__all__ = [
    "DocSchema",
    "Evidence",
    "Issue",
    "Severity",
    "UnknownSchema",
    "get_schema",
    "json_schema",
    "register_schema",
    "schema_kinds",
]
