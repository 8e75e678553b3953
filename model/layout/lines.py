"""Words into visual rows and segments (runs of words without a wide gap), the unit layout rules read."""

from __future__ import annotations

from dataclasses import dataclass, field
from statistics import median

from model.types import Word


@dataclass
class Segment:
    """Words on one row with no wide gap between them: a label, a value, a cell."""

    words: list[Word]
    page: int = 0

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)

    @property
    def bbox(self) -> tuple[float, float, float, float]:
        return union(w.bbox for w in self.words)

    @property
    def confidence(self) -> float:
        return min((w.confidence for w in self.words), default=0.0)


@dataclass
class Line:
    """One visual row of a page, left to right, split into segments."""

    segments: list[Segment] = field(default_factory=list)
    page: int = 0
    index: int = 0  # row number on the whole document, top to bottom, page after page

    @property
    def words(self) -> list[Word]:
        return [w for s in self.segments for w in s.words]

    @property
    def text(self) -> str:
        return " ".join(s.text for s in self.segments)

    @property
    def bbox(self) -> tuple[float, float, float, float]:
        return union(w.bbox for w in self.words)

    @property
    def height(self) -> float:
        return median(w.bbox[3] - w.bbox[1] for w in self.words)


def union(boxes) -> tuple[float, float, float, float]:
    """Smallest box holding all boxes."""
    boxes = list(boxes)
    return (
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    )


def build_lines(pages: list[list[Word]], gap_factor: float = 1.2) -> list[Line]:
    """Group each page's words into rows by vertical overlap, then split rows at wide horizontal gaps."""
    lines: list[Line] = []
    for page_index, words in enumerate(pages):
        for row in _rows([w for w in words if w.text.strip()]):
            row.sort(key=lambda w: w.bbox[0])
            height = median(w.bbox[3] - w.bbox[1] for w in row)
            segments = [Segment([row[0]], page_index)]
            for prev, word in zip(row, row[1:], strict=False):
                same_block = word.block == prev.block and word.line == prev.line
                gap = word.bbox[0] - prev.bbox[2]
                # words the reader put in one block stay together unless far apart
                limit = height * (gap_factor * 2.5 if same_block else gap_factor)
                if gap > limit:
                    segments.append(Segment([word], page_index))
                else:
                    segments[-1].words.append(word)
            lines.append(Line(segments, page_index, len(lines)))
    return lines


def _rows(words: list[Word]) -> list[list[Word]]:
    rows: list[tuple[float, float, list[Word]]] = []  # (top, bottom, words) of each open row
    for word in sorted(words, key=lambda w: ((w.bbox[1] + w.bbox[3]) / 2, w.bbox[0])):
        y0, y1 = word.bbox[1], word.bbox[3]
        centre = (y0 + y1) / 2
        best = None
        for i in range(len(rows) - 1, max(-1, len(rows) - 4), -1):
            top, bottom, _ = rows[i]
            if top <= centre <= bottom:
                best = i
                break
        if best is None:
            rows.append((y0, y1, [word]))
        else:
            top, bottom, members = rows[best]
            members.append(word)
            # keep the band of the row's first words so a tilted row does not swallow the next one
            rows[best] = (top, bottom, members)
    return [r[2] for r in sorted(rows, key=lambda r: r[0])]


def merge_split_rows(lines: list[Line]) -> list[Line]:
    """Rows a skewed scan split in two put back together: a row whose cells all lie right of the row above's cells,
    centred within most of a row height of it, is the same printed row (its right end sits a little lower)."""
    merged: list[Line] = []
    for line in lines:
        prev = merged[-1] if merged else None
        if (
            prev is not None
            and prev.page == line.page
            and line.bbox[0] > prev.bbox[2]
            and abs((line.bbox[1] + line.bbox[3]) / 2 - (prev.bbox[1] + prev.bbox[3]) / 2)
            < 0.7 * max(prev.height, line.height)
        ):
            merged[-1] = Line(prev.segments + line.segments, prev.page)
            continue
        merged.append(Line(line.segments, line.page))  # new rows: the caller's keep their numbers
    for index, line in enumerate(merged):
        line.index = index
    return merged
