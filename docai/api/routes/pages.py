"""/v1/documents/{id}/pages/{n}/words: the words read off a page, so a reviewer can fill a value by pointing."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from pydantic import BaseModel, Field
from sqlalchemy import select

from docai.api.deps import CallerDep, SessionDep
from docai.api.errors import NotFound
from docai.api.routes.documents import ERRORS, load
from docai.store.db.models import Page
from model.types import Word

router = APIRouter(prefix="/documents", tags=["documents"])


class WordRead(BaseModel):
    text: str
    bbox: tuple[float, float, float, float] = Field(description="x0, y0, x1, y1, normalised 0..1 to the page.")
    confidence: float
    line: int = Field(description="Words with the same number sit on one line.")
    block: int


class PageWords(BaseModel):
    page: int = Field(description="0-based page index.")
    words: list[WordRead] = Field(description="In reading order.")


@router.get("/{document_id}/pages/{n}/words", response_model=PageWords, responses=ERRORS)
def page_words(
    session: SessionDep, _caller: CallerDep, document_id: str, n: Annotated[int, Path(ge=0, le=100_000)]
) -> PageWords:
    """The words of page n (0-based) with their boxes: the text layer of a PDF, or what OCR read."""
    load(session, document_id)
    page = session.scalar(select(Page).where(Page.document_id == document_id, Page.index == n))
    if page is None:
        raise NotFound(f"Document {document_id} has no page {n} (pages are 0-based and exist once rasterized).")
    words = [Word.from_json(row) for row in page.words or []]
    return PageWords(
        page=n,
        words=[WordRead(text=w.text, bbox=w.bbox, confidence=w.confidence, line=w.line, block=w.block) for w in words],
    )
