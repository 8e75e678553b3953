"""UI-to-code schema: one self-contained HTML document reproducing a screenshot."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from schemas.common import DocSchema
from schemas.registry import register_schema


@register_schema
class UICode(DocSchema):
    kind: ClassVar[str] = "ui_code"
    text_limits: ClassVar[dict[str, int]] = {"html": 200_000}  # a correction may replace a whole page of code
    html: str = Field(default="", description="One self-contained HTML document (inline CSS, no external scripts).")
    framework: str = Field(default="html", description="What the code uses: html, tailwind, bootstrap...")
    notes: str | None = Field(default=None, description="Anything the reviewer should know about the code.")
