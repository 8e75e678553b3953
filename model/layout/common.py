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
    GLUED_TAX,
    NOT_TOTAL,
    ROUNDED_TOTAL,
    SUBTOTAL,
    TAX,
    TOTAL,
    find_amounts,
    find_dates,
)
from model.types import Word

CENT = Decimal("0.01")


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


def after_label(line: Line, label: re.Pattern[str], only: Segment | None = None) -> tuple[str, list[Word]] | None:
    """The text to the right of a label on one row (same segment after a colon, or the next segments)."""
    for i, seg in enumerate(line.segments):
        if only is not None and seg is not only:
            continue
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
            right = after_label(line, label, seg)
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


# 'Total GST', 'VAT total', 'GST payable': a total word that names the tax itself
TOTAL_TAX = re.compile(
    r"total\s*(?:tax|vat|gst|btw|mwst|tva|iva|sst)|(?:tax|vat|gst|sst|tva|btw|mwst|iva)\s*(?:total|payable|amount\s*payable)",
    re.I,
)
# the words an item table's header row is made of ('Item Qty S/Price Amount Tax', 'Description Qty U.price Total TAX')
ITEM_COLUMNS = re.compile(
    r"\b(?P<item>item|article|descr\w*)|\b(?P<qty>qty|quantity)|(?P<price>price)\b|\b(?P<amount>amount|amt)\b|"
    r"\b(?P<tax>tax|gst)\b|\b(?P<uom>uom|disc)",
    re.I,
)


def item_header(text: str) -> bool:
    """A row that heads an item table: a quantity column and two more of item, price, amount, tax code, unit or
    discount ('Total Qty: 3 Total Amount:' names two, and is no header)."""
    kinds = {k for m in ITEM_COLUMNS.finditer(text) for k, v in m.groupdict().items() if v}
    return "qty" in kinds and len(kinds) >= 3


INCLUDED = re.compile(r"\bincludes?\b|\bincluded\b", re.I)
# Any word of an item column: over amounts it says item rows follow, not a summary table's totals. Looser than
# item_header on purpose (a summary table never names a price or description); with item_header's test instead, 28 of
# 460 generated invoices read differently and 23 of their subtotals were lost.
ITEM_HEADER = re.compile(
    r"\b(?:qty|quantit|qt[ée]|menge|anzahl|aantal|descr|d[ée]signation|bezeichnung|omschrijving|"
    r"u\.?\s*price|unit\s*price|price\b|prix|einzelpreis|prijs)",
    re.I,
)
TAX_BASE = re.compile(r"\b(?:amt|taxable|basis|base|grondslag|bemessungsgrundlage)\b", re.I)


@dataclass
class Totals:
    total: Pick | None = None
    subtotal: Pick | None = None
    tax: Pick | None = None


@dataclass
class _Cell:
    """A label and the amount printed after it on one row."""

    label: str
    value: Decimal
    words: list[Word]
    row: str


def _role(label: str) -> str | None:
    """What a label names: subtotal, tax, strong (final) total, total, cash, change; None for anything else."""
    if SUBTOTAL.search(label):
        return "subtotal"
    if re.search(r"\bnett?\s*total", label, re.I):
        return "net"  # the final total on many receipts, the total before tax on many invoices
    # 'Montant TVA', 'BTW bedrag', 'Tax amount': an amount word beside a tax word still names the tax
    plain = re.sub(r"\b(?:montant|importe|amount|bedrag|betrag|jumlah)\b", "", label, flags=re.I)
    if (TAX.search(label) or GLUED_TAX.search(label)) and (not TOTAL.search(plain) or TOTAL_TAX.search(label)):
        return "base" if TAX_BASE.search(label) else "tax"
    if TOTAL.search(label) and ROUNDED_TOTAL.search(label):
        return "strong"
    if CHANGE.search(label):
        return "change"
    if CASH.search(label) and not TOTAL.search(label):
        return "cash"
    if TOTAL.search(label) and not NOT_TOTAL.search(label):
        return "total"
    return None


def _included_taxes(by_role: dict[str, list[_Cell]]) -> None:
    """'Total includes GST 6%': the total on some tills, the tax inside it on others; a tax when another total is
    more than twice it (moved into by_role's taxes in place)."""
    totals = [c for role in ("strong", "total", "net") for c in by_role.get(role, [])]
    for role in ("strong", "total"):
        for cell in list(by_role.get(role, [])):
            if INCLUDED.search(cell.label) and TAX.search(cell.label) and any(t.value > 2 * cell.value for t in totals):
                by_role[role].remove(cell)
                by_role.setdefault("tax", []).append(cell)


def _cells(lines: list[Line], line: Line, allow_int: bool) -> list[_Cell]:
    """(label, amount) pairs of a row: each amount with the text left of it since the previous amount."""
    cells: list[_Cell] = []
    label_parts: list[str] = []
    label_words: list[Word] = []
    for seg in line.segments:
        amounts = find_amounts(seg.text, allow_int=allow_int)
        if not amounts:
            label_parts.append(seg.text)
            label_words += seg.words
            continue
        value, start, _ = amounts[-1]
        label_parts.append(seg.text[:start])
        label = " ".join(label_parts).strip()
        if re.search(r"[^\W\d_]", label) or not cells:
            cells.append(_Cell(label, value, seg.words, line.text))
        else:
            # 'Tax 15% on $ 112.90 || $ 16.94': the rightmost amount after a label is its value
            cells[-1].value, cells[-1].words = value, seg.words
        label_parts, label_words = [], []
    if not cells and label_parts:
        found = row_amount(lines, line, allow_int)
        if found:
            cells.append(_Cell(" ".join(label_parts), found[0], found[1], line.text))
    return cells


def _column_cells(lines: list[Line], allow_int: bool) -> tuple[list[_Cell], set[int]]:
    """Summary tables: a header row of labels (net, VAT, total) over rows of amounts in the same columns. Of several
    rows (one per tax rate), the row labelled as their total is read; with no such row, the rate rows' sums."""
    cells: list[_Cell] = []
    used: set[int] = set()
    for i, head in enumerate(lines):
        if find_amounts(head.text, allow_int=allow_int) or sum(1 for s in head.segments if _role(s.text)) < 1:
            continue
        if len({_role(w.text) for w in head.words} - {None}) + len([s for s in head.segments if _role(s.text)]) < 3:
            continue
        if ITEM_HEADER.search(head.text):
            continue  # 'Description Qty U.price Total TAX': the item table's columns, a row per item under them
        body = _table_rows(lines, i, allow_int)
        if not body:
            continue
        total_row = next((r for r in body if _total_row(r.text)), None)
        if total_row is not None:
            body = [total_row]
        elif len(body) > 1 and not all(RATE_IN_ROW.search(r.text) for r in body):
            body = body[:1]  # rows that are no rate rows: the first one, as before
        for phrase in _phrases(head.words):
            label = " ".join(w.text for w in phrase)
            if not _role(label):
                continue
            found = [_under(phrase, r.segments) for r in body]
            amounts = [find_amounts(c.text, allow_int=allow_int) if c else [] for c in found]
            if all(amounts):
                value = sum((a[-1][0] for a in amounts), Decimal(0))
                words = [w for c in found if c is not None for w in c.words]
                cells.append(_Cell(label, value, words, f"{head.text} / {' / '.join(r.text for r in body)}"))
                used.add(head.index)
                if total_row is not None:
                    used.add(total_row.index)  # read here: its own label is the table's, not each amount's
    return cells, used


RATE_IN_ROW = re.compile(r"\d\s*%")
TABLE_TOTAL = re.compile(r"^\W*(?:total|totaal|summe|gesamt|sum|totale?)\b", re.I)


def _total_row(text: str) -> bool:
    """A summary table's last row: 'Total 1 230,00 130,50', no rate of its own."""
    return bool(TABLE_TOTAL.search(text)) and not RATE_IN_ROW.search(text)


def _table_rows(lines: list[Line], i: int, allow_int: bool) -> list[Line]:
    """The rows of amounts under header row i: from the first with two amounts on to the last in a run of them."""
    head, body = lines[i], []
    for k, nxt in enumerate(lines[i + 1 : i + 12]):
        if nxt.page != head.page or not body and (k >= 5 or nxt.bbox[1] - head.bbox[3] > 8 * head.height):
            break
        if body and nxt.bbox[1] - body[-1].bbox[3] > 3 * head.height:
            break
        if len([s for s in nxt.segments if find_amounts(s.text, allow_int=allow_int)]) >= 2:
            body.append(nxt)
        elif body:
            break
    return body


def _phrases(words: list[Word]) -> list[list[Word]]:
    """Words split where the gap is wider than a space: the column headers of a row."""
    ordered = sorted(words, key=lambda w: w.bbox[0])
    height = sorted(w.bbox[3] - w.bbox[1] for w in ordered)[len(ordered) // 2]
    phrases = [[ordered[0]]]
    for prev, word in zip(ordered, ordered[1:], strict=False):
        if word.bbox[0] - prev.bbox[2] > 0.6 * height:
            phrases.append([word])
        else:
            phrases[-1].append(word)
    return phrases


def _under(phrase: list[Word], segments: list[Segment]) -> Segment | None:
    """The cell of the next row in the phrase's column: most overlap, else the nearest within a little."""
    x0, x1 = min(w.bbox[0] for w in phrase), max(w.bbox[2] for w in phrase)
    best, best_overlap = None, 0.0
    for seg in segments:
        overlap = min(x1, seg.bbox[2]) - max(x0, seg.bbox[0])
        if overlap > best_overlap:
            best, best_overlap = seg, overlap
    if best is not None:
        return best
    centre = (x0 + x1) / 2
    near = min(segments, key=lambda s: abs((s.bbox[0] + s.bbox[2]) / 2 - centre))
    return near if abs((near.bbox[0] + near.bbox[2]) / 2 - centre) < 0.05 else None


def find_totals(lines: list[Line], allow_int: bool = False) -> Totals:
    """Total, subtotal and tax from the rows that name them, made consistent with each other and with cash - change."""
    by_role: dict[str, list[_Cell]] = {}
    column, headers = _column_cells(lines, allow_int)
    rows = [c for line in lines if line.index not in headers for c in _cells(lines, line, allow_int)]
    for cell in column + rows:
        role = _role(cell.label)
        if role is None or (cell.value <= 0 and role not in ("tax", "change")) or item_header(cell.label):
            continue  # an amount after 'Item Qty S/Price Amount Tax' is the first item's
        by_role.setdefault(role, []).append(cell)
    _included_taxes(by_role)
    cash = by_role.get("cash", [None])[0]
    change = by_role.get("change", [None])[0]
    strong, plain = by_role.get("strong", []), by_role.get("total", []) + by_role.get("net", [])
    total = None
    if cash is not None and change is not None:
        paid = cash.value - change.value
        for cell in strong + plain + by_role.get("subtotal", []):
            if cell.value == paid:
                total = Pick(cell.value, cell.words, 0.95)
    if total is None and strong:
        # a summary table names the final total once; rows repeat it (or a rounded one) at the end
        total = Pick(strong[-1].value, strong[-1].words, 0.9)
    if total is None and plain:
        best = max(plain, key=lambda c: c.value)
        total = Pick(best.value, best.words, 0.8)
    subtotals, taxes = by_role.get("subtotal", []), by_role.get("tax", [])
    if total is not None:
        # a tax is a share of what was paid: no rate makes it half the total ('5 Item(s) ... GST(MYR)' columns)
        taxes = [t for t in taxes if t.value < total.value / 2]
    taxes.sort(key=lambda t: t.value <= 0)  # a zero-rated row pairs only where no positive tax does
    subtotals += [c for c in by_role.get("net", []) if total is None or c.value != total.value]
    subtotal = tax = None
    if total is not None:
        # 'TAX AMT (S) 6% 13.30': the amount a rate was charged on, a subtotal where its tax makes the total;
        # taxes outside, positive ones first, so a zero-rated row pairs only where no charged tax does
        for tx in taxes:
            for sub in subtotals + by_role.get("base", []):
                if abs(sub.value + tx.value - total.value) <= CENT:
                    subtotal, tax = Pick(sub.value, sub.words, 0.9), Pick(tx.value, tx.words, 0.9)
                    break
            if subtotal:
                break
        if subtotal is None and not taxes:
            same = [c for c in subtotals if c.value == total.value]
            if same:
                subtotal = Pick(same[0].value, same[0].words, 0.75)
    if subtotal is None and subtotals:
        subtotal = Pick(subtotals[0].value, subtotals[0].words, 0.6)
    if tax is None and taxes:
        positive = [t for t in taxes if t.value > 0] or taxes
        tax = Pick(positive[0].value, positive[0].words, 0.7)
    if total is None and subtotal is not None:
        # no total row read: the subtotal plus any tax is what was paid
        value = subtotal.value + (tax.value if tax is not None else Decimal(0))
        total = Pick(value, subtotal.words, 0.45)
    if subtotal is None and total is not None and tax is not None and tax.value < total.value:
        subtotal = Pick(total.value - tax.value, [], 0.5)  # derived: total minus tax
    return Totals(total, subtotal, tax)
