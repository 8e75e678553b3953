"""Building blocks shared by the layout rules: picks with certainty, labelled values, totals."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from model.layout.lines import Line, Segment
from model.layout.values import (
    CASH,
    CHANGE,
    NOT_TOTAL,
    ROUNDED_TOTAL,
    SUBTOTAL,
    TAX,
    TOTAL,
    find_amounts,
    find_dates,
)
from model.types import Word


@dataclass
class Pick:
    """A value chosen by a rule, the words it came from and how sure the rule is (0..1)."""

    value: Any
    words: list[Word]
    certainty: float

    @property
    def confidence(self) -> float:
        ocr = sum(w.confidence for w in self.words) / len(self.words) if self.words else 0.5
        return round(max(0.0, min(1.0, self.certainty * (0.5 + 0.5 * ocr))), 3)


def after_label(line: Line, label: re.Pattern[str]) -> tuple[str, list[Word]] | None:
    """The text to the right of a label on one row (same segment after a colon, or the next segments)."""
    for i, seg in enumerate(line.segments):
        match = label.search(seg.text)
        if not match:
            continue
        rest = seg.text[match.end() :]
        rest_words = _words_after(seg, match.end())
        rest = rest.lstrip(" :#.-)").strip()
        if rest and re.search(r"\w", rest):
            return rest, rest_words
        following = line.segments[i + 1 :]
        if following:
            return " ".join(s.text for s in following).lstrip(" :").strip(), [w for s in following for w in s.words]
    return None


def _words_after(seg: Segment, offset: int) -> list[Word]:
    pos, words = 0, []
    for word in seg.words:
        end = pos + len(word.text)
        if end > offset:
            words.append(word)
        pos = end + 1
    return words


def below(lines: list[Line], line: Line, anchor: tuple[float, float, float, float], max_rows: int = 2) -> list[Segment]:
    """Segments in the next rows under a label that overlap it horizontally."""
    found = []
    start = lines.index(line)
    for nxt in lines[start + 1 : start + 1 + max_rows]:
        if nxt.page != line.page or nxt.bbox[1] - anchor[3] > 4 * line.height:
            break
        for seg in nxt.segments:
            x0, _, x1, _ = seg.bbox
            if x0 < anchor[2] + 0.02 and x1 > anchor[0] - 0.02:
                found.append(seg)
        if found:
            break
    return found


def labelled_date(lines: list[Line], label: re.Pattern[str], exclude: re.Pattern[str] | None = None) -> Pick | None:
    """The date printed next to or under a label."""
    for line in lines:
        for seg in line.segments:
            match = label.search(seg.text)
            if not match or (exclude and exclude.search(seg.text)):
                continue
            right = after_label(line, label)
            if right:
                dates = find_dates(right[0])
                if dates:
                    return Pick(dates[0][0], right[1], 0.9)
            for cell in below(lines, line, seg.bbox):
                dates = find_dates(cell.text)
                if dates:
                    return Pick(dates[0][0], cell.words, 0.8)
    return None


def first_date(lines: list[Line]) -> Pick | None:
    for line in lines:
        for seg in line.segments:
            dates = find_dates(seg.text)
            if dates:
                return Pick(dates[0][0], seg.words, 0.6)
    return None


def row_amount(lines: list[Line], line: Line, allow_int: bool = False) -> tuple[Decimal, list[Word]] | None:
    """The rightmost amount on a row, or right under the row's end when the row has none."""
    for seg in reversed(line.segments):
        amounts = find_amounts(seg.text, allow_int=allow_int)
        if amounts:
            return amounts[-1][0], seg.words
    idx = lines.index(line)
    if idx + 1 < len(lines):
        nxt = lines[idx + 1]
        if (
            nxt.page == line.page
            and nxt.bbox[1] - line.bbox[3] < line.height
            and not re.search(r"[A-Za-z]{3}", nxt.text)
        ):
            amounts = find_amounts(nxt.text, allow_int=allow_int)
            if amounts:
                return amounts[-1][0], nxt.words
    return None


TOTAL_TAX = re.compile(r"total\s*(?:tax|vat|gst|btw|mwst|tva|iva|sst)", re.I)


@dataclass
class Totals:
    total: Pick | None = None
    subtotal: Pick | None = None
    tax: Pick | None = None


def find_totals(lines: list[Line], allow_int: bool = False) -> Totals:
    """Total, subtotal and tax from the rows that name them, cross-checked with cash minus change."""
    strong: list[Pick] = []
    plain: list[Pick] = []
    subtotal = tax = None
    cash = change = None
    for line in lines:
        text = line.text
        label = line.segments[0].text if len(line.segments) > 1 else text
        found = row_amount(lines, line, allow_int)
        if not found:
            continue
        value, words = found
        if value <= 0:
            continue
        if SUBTOTAL.search(label):
            subtotal = subtotal or Pick(value, words, 0.8)
            continue
        if TOTAL.search(label) and ROUNDED_TOTAL.search(label):
            strong.append(Pick(value, words, 0.9))
            continue
        if TAX.search(label) and (not TOTAL.search(label) or TOTAL_TAX.search(label)):
            # 'TAX AMT (S) 6%' rows carry the taxable base, not the tax
            if tax is None and not re.search(r"\b(?:amt|taxable|basis|base|grondslag)\b", label, re.I):
                tax = Pick(value, words, 0.75)
            continue
        if CHANGE.search(label):
            change = value
            continue
        if CASH.search(label) and not TOTAL.search(label):
            cash = cash or value
            continue
        if TOTAL.search(label) and not NOT_TOTAL.search(label):
            plain.append(Pick(value, words, 0.8))
    total = None
    if cash is not None and change is not None:
        paid = cash - change
        for pick in strong + plain:
            if pick.value == paid:
                total = Pick(pick.value, pick.words, 0.95)
    if total is None and strong:
        total = strong[-1]
    if total is None and plain:
        total = max(plain, key=lambda p: p.value)
    return Totals(total, subtotal, tax)
