"""Form schema: key-value pairs read off a filled-in form."""

from __future__ import annotations

from enum import StrEnum
from typing import ClassVar

from pydantic import Field

from schemas.common import DocSchema, Record
from schemas.registry import register_schema


class FieldKind(StrEnum):
    TEXT = "text"
    CHECKBOX = "checkbox"
    DATE = "date"
    NUMBER = "number"


class FormField(Record):
    key: str = Field(description="The printed label or question, without a trailing colon.")
    value: str | None = Field(default=None, description="The answer filled in; for a checkbox 'true' or 'false'.")
    kind: FieldKind = Field(default=FieldKind.TEXT, description="text, checkbox, date or number.")


@register_schema
class Form(DocSchema):
    kind: ClassVar[str] = "form"
    fields: list[FormField] = Field(default_factory=list, description="Every label and its answer, in reading order.")
