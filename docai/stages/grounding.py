"""Find every extracted value again among the page words: page, box, matched text and a confidence."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from rapidfuzz import fuzz

from model.layout.values import AMOUNT, INT_AMOUNT, currency_marks, find_dates
from model.types import Word
from schemas.common import DocSchema, Evidence, parse_amount

DEFAULT_ENGINE_CONFIDENCE = 0.7  # an engine that says nothing about a field
MIN_SIMILARITY = 0.75  # text matches below this count as not found
NOT_FOUND_FACTOR = 0.3  # what is left of the engine's confidence for a value on no page
MAX_WINDOW = 40  # words one value may span


@dataclass
class Match:
    page: int
    words: list[Word]
    quality: float  # 0..1


def norm(text: str) -> str:
    """Lower case, accents folded, only letters and digits."""
    text = unicodedata.normalize("NFKD", text)
    return re.sub(r"[\W_]+", "", "".join(c for c in text if not unicodedata.combining(c)).lower())


def leaves(data: Any, path: str = "") -> list[tuple[str, Any]]:
    """(JSON pointer, value) for every non-empty scalar in a dumped schema instance."""
    if isinstance(data, dict):
        return [leaf for key, value in data.items() for leaf in leaves(value, f"{path}/{key}")]
    if isinstance(data, list):
        return [leaf for i, value in enumerate(data) for leaf in leaves(value, f"{path}/{i}")]
    if data is None or data == "":
        return []
    return [(path, data)]


def ground(
    data: DocSchema,
    pages: list[list[Word]],
    engine_confidence: dict[str, float],
    threshold: float,
    calibrated: frozenset[str] = frozenset(),
) -> tuple[dict[str, Evidence], bool]:
    """Evidence per field path, and whether any field is under the threshold. A calibrated path keeps the engine's
    probability (it was fitted on values found, corrected and computed alike); the others are scaled by how well, if
    at all, the value was found on the page."""
    index = [_PageIndex(i, words) for i, words in enumerate(pages)]
    evidence: dict[str, Evidence] = {}
    for path, value in leaves(data.model_dump(mode="python")):
        engine = engine_confidence.get(path, DEFAULT_ENGINE_CONFIDENCE)
        fitted = path in calibrated
        match = _find(value, path, index)
        if match is None:
            confidence = engine if fitted else engine * NOT_FOUND_FACTOR
            evidence[path] = Evidence(confidence=round(confidence, 3), source="engine")
            continue
        ocr = sum(w.confidence for w in match.words) / len(match.words)
        quality = match.quality * (0.8 + 0.2 * ocr)
        evidence[path] = Evidence(
            page=match.page,
            bbox=_union([w.bbox for w in match.words]),
            text=" ".join(w.text for w in match.words),
            confidence=round(engine if fitted else max(0.0, min(1.0, engine * (0.4 + 0.6 * quality))), 3),
            source="grounding",
        )
    low = any(e.confidence < threshold for e in evidence.values())
    return evidence, low


def locate(value: Any, path: str, pages: list[list[Word]]) -> Evidence | None:
    """Where one value (as the schema types it) is printed, without a confidence; None when it is on no page."""
    match = _find(value, path, [_PageIndex(i, words) for i, words in enumerate(pages)])
    if match is None:
        return None
    return Evidence(
        page=match.page,
        bbox=_union([w.bbox for w in match.words]),
        text=" ".join(w.text for w in match.words),
        source="grounding",
    )


def _union(boxes: list[tuple[float, float, float, float]]) -> tuple[float, float, float, float]:
    return (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))


class _PageIndex:
    """One page's words in reading order: normalized and plain joined strings with each word's offsets."""

    def __init__(self, page: int, words: list[Word]):
        self.page = page
        self.words = [w for w in words if norm(w.text)]
        self.norms = [norm(w.text) for w in self.words]
        self.starts: list[int] = []  # offsets into the normalized string
        self.plain_starts: list[int] = []  # offsets into the words joined by single spaces
        pos = plain = 0
        for word, n in zip(self.words, self.norms, strict=True):
            self.starts.append(pos)
            self.plain_starts.append(plain)
            pos += len(n)
            plain += len(word.text) + 1
        self.joined = "".join(self.norms)
        self.plain = " ".join(w.text for w in self.words)
        self._amounts: list[tuple[Decimal, int, int]] | None = None
        self._dates: list[tuple[dt.date, int, int]] | None = None

    def span(self, start: int, end: int) -> list[Word]:
        """Words overlapping the character range [start, end) of the normalized string."""
        return [
            w for w, s, n in zip(self.words, self.starts, self.norms, strict=True) if s < end and s + len(n) > start
        ]

    def plain_span(self, start: int, end: int) -> list[Word]:
        """Words overlapping the character range [start, end) of the space-joined string."""
        return [w for w, s in zip(self.words, self.plain_starts, strict=True) if s < end and s + len(w.text) > start]

    @property
    def amounts(self) -> list[tuple[Decimal, int, int]]:
        # one pass over the page text, whatever the number of fields asked about
        if self._amounts is None:
            found: list[tuple[Decimal, int, int]] = []
            taken: list[tuple[int, int]] = []
            for regex in (AMOUNT, INT_AMOUNT):
                for match in regex.finditer(self.plain):
                    if any(s <= match.start() < e for s, e in taken):
                        continue
                    try:
                        value = parse_amount(match.group(0).replace(" ", ""))
                    except ValueError:
                        continue
                    if value is not None:
                        found.append((value, match.start(), match.end()))
                        taken.append((match.start(), match.end()))
            self._amounts = found
        return self._amounts

    @property
    def dates(self) -> list[tuple[dt.date, int, int]]:
        if self._dates is None:
            self._dates = find_dates(self.plain)
        return self._dates


def _find(value: Any, path: str, pages: list[_PageIndex]) -> Match | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, dt.date):
        return _first(pages, lambda page: [(s, e) for d, s, e in page.dates if d == value])
    if isinstance(value, Decimal | int | float) and not path.endswith(("/quantity", "/tax_rate")):
        amount = Decimal(str(value))
        return _first(pages, lambda page: [(s, e) for a, s, e in page.amounts if a == amount])
    text = str(value)
    if path.endswith("/currency"):
        marks = currency_marks(text)  # 'USD' where the page prints '$', as the reader took it
        return _first(
            pages,
            lambda page: [(m.start(), m.end()) for mark in marks for m in re.finditer(_mark(mark), page.plain)],
        )
    return _text(norm(text), pages)


def _mark(mark: str) -> str:
    """A currency mark as a pattern: one starting with a letter ('RM', 'USD') not inside a word ('FORM', 'BUSD')."""
    return rf"(?<![A-Za-z]){re.escape(mark)}" if mark[0].isalpha() else re.escape(mark)


def _first(pages: list[_PageIndex], spans) -> Match | None:  # type: ignore[no-untyped-def]
    """The first place, page by page, where the value is printed."""
    for page in pages:
        found = sorted(spans(page))
        if found:
            start, end = found[0]
            words = page.plain_span(start, end)
            if words:
                return Match(page.page, words, 1.0)
    return None


def _text(target: str, pages: list[_PageIndex]) -> Match | None:
    if not target:
        return None
    best: Match | None = None
    for page in pages:
        if not page.joined:
            continue
        at = page.joined.find(target)
        if at >= 0:
            return Match(page.page, page.span(at, at + len(target)), 1.0)
        if len(target) < 3:
            continue
        found = fuzz.partial_ratio_alignment(target, page.joined, score_cutoff=MIN_SIMILARITY * 100)
        if found is None:
            continue
        quality = found.score / 100
        words = page.span(found.dest_start, found.dest_end)[:MAX_WINDOW]
        if words and (best is None or quality > best.quality):
            best = Match(page.page, words, quality)
    return best
