"""What engines take and give: pages with words, extraction requests and results."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from PIL import Image

    from schemas.common import DocSchema, Issue


@dataclass(frozen=True, slots=True)
class Word:
    """One word on a page, its box normalised 0..1 to the page (x0, y0, x1, y1)."""

    text: str
    bbox: tuple[float, float, float, float]
    confidence: float = 1.0  # 0..1; 1.0 for a PDF text layer
    line: int = 0  # words with the same line number sit on one text line, in reading order
    block: int = 0

    def to_json(self) -> list[Any]:
        return [self.text, *(round(v, 5) for v in self.bbox), round(self.confidence, 3), self.line, self.block]

    @classmethod
    def from_json(cls, row: list[Any]) -> Word:
        text, x0, y0, x1, y1, conf, line, block = row
        return cls(text, (x0, y0, x1, y1), conf, line, block)


@dataclass(slots=True)
class PageInput:
    """One page as an engine sees it: the 1024 px image and the words read off it."""

    index: int
    image: Image.Image
    words: list[Word] = field(default_factory=list)


@dataclass(slots=True)
class ExtractRequest:
    """Extract one document (one or more pages) into one schema."""

    request_id: str
    schema: str
    pages: list[PageInput]


@dataclass(slots=True)
class ExtractResult:
    """The engine's answer for one request; data is None only when error_code is set."""

    request_id: str
    schema: str
    data: DocSchema | None
    engine: str
    model: str
    revision: str | None = None
    # field path (JSON pointer, '/total', '/line_items/0/amount') -> 0..1
    confidence: dict[str, float] = field(default_factory=dict)
    # paths whose confidence is a fitted probability that the value is right (the `ocr` engine's chooser and its
    # calibrated rules): grounding finds where they are printed but leaves their confidence as it is
    calibrated: frozenset[str] = frozenset()
    issues: list[Issue] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    error_code: str | None = None
    error_message: str | None = None
