"""Rows of a tilted scan: the slope that lines the words up best, taken out before rows are built.

OCR gives each word an upright box, so on a scan tilted by a degree or two the right end of a printed row sits
lower (or higher) than its left end and the row falls apart into two. The slope is found the way a projection
profile finds it: among a few candidate slopes, the one whose corrected word centres group into the fewest rows.
Only pages read by OCR are looked at (a text layer is never tilted).
"""

from __future__ import annotations

from model.layout.lines import Line, _rows, build_lines
from model.types import Word

COARSE = [s / 100 for s in range(-5, 6)]  # row slope dy/dx in page units: ±0.05 is about ±2 degrees on A4
MIN_WORDS = 20
GAIN = 0.9  # a slope must group the words into at most 90% of the rows of no correction


def _shift(words: list[Word], slope: float) -> list[Word]:
    out = []
    for w in words:
        dy = slope * (w.bbox[0] + w.bbox[2]) / 2
        out.append(Word(w.text, (w.bbox[0], w.bbox[1] - dy, w.bbox[2], w.bbox[3] - dy), w.confidence, w.line, w.block))
    return out


def row_slope(words: list[Word]) -> float:
    """The slope whose correction groups the words into the fewest rows; 0 when none does clearly better."""
    if len(words) < MIN_WORDS or all(w.confidence >= 1.0 for w in words):
        return 0.0
    rows = {0.0: len(_rows(words))}

    def count(slope: float) -> int:
        if slope not in rows:
            rows[slope] = len(_rows(_shift(words, slope)))
        return rows[slope]

    best = min(COARSE, key=lambda s: (count(s), abs(s)))
    fine = [round(best + d / 400, 4) for d in (-3, -2, -1, 1, 2, 3)]
    best = min([best, *fine], key=lambda s: (count(s), abs(s)))
    return best if count(best) <= GAIN * rows[0.0] else 0.0


def straightened(lines: list[Line]) -> list[Line]:
    """The rows rebuilt from slope-corrected words on each OCR-read page whose words are tilted; else as they were."""
    pages: dict[int, list[Word]] = {}
    for line in lines:
        pages.setdefault(line.page, []).extend(line.words)
    slopes = {page: row_slope(words) for page, words in pages.items()}
    if not any(slopes.values()):
        return lines
    count = max(pages) + 1
    return build_lines([_shift(pages.get(p, []), slopes.get(p, 0.0)) for p in range(count)])
