"""Invoice line items read as a table: header words name the columns, each row's words fall into those columns."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from model.layout.common import Pick
from model.layout.lines import Line
from model.layout.values import SUBTOTAL, TOTAL, find_amounts
from model.types import Word
from schemas.common import parse_amount
from schemas.invoice import InvoiceLine

TABLE_HEAD = re.compile(
    r"description|omschrijving|beschreibung|bezeichnung|d[ée]signation|descripci[óo]n|artikel|article|item|product|"
    r"qty|quantity|aantal|menge|quantit[ée]|cantidad",
    re.I,
)
# Header words per column; two-word phrases are tried before single words ('Unit Price' is a price, not a unit).
PHRASES = {
    "unit_price": r"unit\s*price|prix\s*unit(?:aire|\.)?(?:\s*ht)?|pu\s*ht|e-?\s*preis|price\s*per\s*unit|prijs\s*per\s*stuk|"
    r"einzel\s*preis|unit\s*cost|net\s*price",
    "amount": r"line\s*total|total\s*ht|montant\s*ht|total\s*price|net\s*amount|gesamt\s*preis|amount\s*\(\w+\)|"
    r"betrag\s*\(\w+\)|total\s*\(\w+\)",
    "tax_rate": r"tax\s*rate|vat\s*%|taux\s*tva|btw\s*%|mwst\.?\s*%|ust\.?\s*%|gst\s*%",
}
WORDS = {
    "description": r"description|omschrijving|beschreibung|bezeichnung|d[ée]signation|descripci[óo]n|artikel|article|"
    r"item|items|product|products|service|services|leistung|libell[ée]|particulars|details",
    "quantity": r"qty|quantity|aantal|aant|menge|anzahl|quantit[ée]|qt[ée]|cantidad|units|hours|stunden|uren|"
    r"hoeveelheid|st[üu]ck|stk",
    "unit": r"unit|einheit|me|unit[ée]|eenheid|uom",
    "unit_price": r"(?:[a-zäöü]+-?)?(?:price|preis|prijs)|rate|prix|tarif|precio|cost",
    "tax_rate": r"tax|taxes|vat|mwst|ust|tva|btw|steuer|gst|iva",
    "amount": r"(?:[a-zäöü]+-?)?(?:betrag|bedrag|amount|total)|montant|gesamt|totaal|subtotal|subtotaal|importe|sum|summe",
    "discount": r"rabatt|discount|disc|remise|korting|descuento",
    "pos": r"#|pos|nr|no|line",
}
STOP = re.compile(
    rf"{SUBTOTAL.pattern}|{TOTAL.pattern}|discount|rabatt|remise|korting|escompte|acompte|paid|bezahlt|betaald|"
    r"carried\s*forward|[üu]bertrag|balance|amount\s*due|zahlbetrag|te\s*betalen|"
    r"warenwert|merchandise|marchandises|goederen|^\s*goods\b",  # the goods' total: the items' subtotal
    re.I,
)
QUANTITY_CELL = re.compile(r"^(?P<n>\d{1,6}(?:[.,]\d{1,3})?)\s*(?P<unit>[^\W\d_][^\d]{0,12})?$")


@dataclass
class Column:
    kind: str
    x0: float
    x1: float


@dataclass
class Row:
    cells: dict[str, list[Word]] = field(default_factory=dict)

    def text(self, kind: str) -> str:
        return " ".join(w.text for w in self.cells.get(kind, []))


def _classify(words: list[Word]) -> list[Column]:
    """Header words into columns, left to right; words no column claims join the column before them."""
    columns: list[Column] = []
    i = 0
    while i < len(words):
        kind, used = None, 1
        if i + 1 < len(words):
            pair = f"{words[i].text} {words[i + 1].text}".strip(" :")
            kind = next((k for k, p in PHRASES.items() if re.fullmatch(p, pair, re.I)), None)
            used = 2 if kind else 1
        joined = i > 0 and re.fullmatch(r"incl|excl|inkl|exkl|ohne|zzgl|hors", words[i - 1].text.strip(" .:"), re.I)
        if kind is None:
            token = words[i].text.strip(" :.()/%").lower()  # a glued "%Totaal" is a total
            kind = next((k for k, p in WORDS.items() if re.fullmatch(p, token, re.I)), None)
            if kind is None and (misread := _ocr_fixed(token)) != token:  # 'ltem', 'Rafe' on a scan
                kind = next((k for k, p in WORDS.items() if re.fullmatch(p, misread, re.I)), None)
        box = (words[i].bbox[0], words[i + used - 1].bbox[2])
        if kind is None or joined or (columns and columns[-1].kind == kind and kind == "description"):
            if columns:
                columns[-1].x1 = max(columns[-1].x1, box[1])
            i += used
            continue
        columns.append(Column(kind, *box))
        i += used
    return columns


# Letters OCR reads in place of others in a header word ('ltem' for 'Item', 'Rafe' for 'Rate', 'Arnount')
OCR_SLIPS = (("rn", "m"), ("l", "i"), ("1", "i"), ("0", "o"), ("f", "t"), ("c", "e"))


def _ocr_fixed(token: str) -> str:
    """A header word with the common OCR slips undone, one kind of slip at a time (the first that names a column)."""
    for seen, meant in OCR_SLIPS:
        fixed = token.replace(seen, meant)
        if fixed != token and any(re.fullmatch(p, fixed, re.I) for p in WORDS.values()):
            return fixed
    return token


def table_header(line: Line) -> list[Column] | None:
    columns = _classify(line.words)
    kinds = [c.kind for c in columns]
    if "description" not in kinds or not {"amount", "unit_price", "quantity"} & set(kinds) or len(columns) < 3:
        return None
    if any(find_amounts(w.text) for w in line.words):
        return None  # a header row holds no amounts
    if "amount" not in kinds:  # the rightmost price-like column is the line amount
        for column in reversed(columns):
            if column.kind == "unit_price":
                column.kind = "amount"
                break
    return columns


def _assign(line: Line, columns: list[Column]) -> Row:
    """Each word to the column whose span holds it: numbers by their right edge, text by their left edge."""
    row = Row()
    bounds = []
    for i, column in enumerate(columns):
        left = (columns[i - 1].x1 + column.x0) / 2 if i else -1.0
        right = (column.x1 + columns[i + 1].x0) / 2 if i + 1 < len(columns) else 2.0
        bounds.append((left, right))
    for word in line.words:
        numeric = bool(re.search(r"\d", word.text)) and not re.search(r"[A-Za-z]{3}", word.text)
        x = word.bbox[2] if numeric else word.bbox[0]
        for column, (left, right) in zip(columns, bounds, strict=True):
            if left <= x < right:
                row.cells.setdefault(column.kind, []).append(word)
                break
    return row


def _number(text: str) -> Decimal | None:
    text = text.replace("%", "").strip()
    match = re.search(r"-?\d[\d.,' ]*", text)
    if not match:
        return None
    raw = match.group(0).strip().replace("'", "").replace(" ", "")
    if re.fullmatch(r"-?\d+,\d+", raw) or re.fullmatch(r"-?\d+\.\d+", raw):
        raw = raw.replace(",", ".")
        try:
            return Decimal(raw)
        except InvalidOperation:
            return None
    try:
        return parse_amount(raw)
    except ValueError:
        return None


def _amount(row: Row, kind: str) -> Decimal | None:
    found = find_amounts(row.text(kind), allow_int=kind == "unit_price")
    if found:
        return found[-1][0]
    return None


def _items_follow(lines: list[Line], line: Line, columns: list[Column]) -> bool:
    """Whether a quantity-bearing item row comes within the next few rows (the table goes on after a subtotal)."""
    after = [ln for ln in lines if ln.index > line.index][:3]
    for nxt in after:
        row = _assign(nxt, columns)
        label = " ".join(w.text for w in nxt.words if not re.search(r"\d", w.text))
        if STOP.search(label):
            return False
        if re.search(r"\d", row.text("quantity")) and _amount(row, "amount") is not None:
            return True
    return False


def read_items(lines: list[Line]) -> tuple[list[InvoiceLine], dict[str, float]] | None:
    """Rows under each table header (a table that goes on over a page repeats it), until the totals.

    Without a header, rows of a statement that lists each charge with its breakdown indented under it;
    None when neither is found.
    """
    items: list[InvoiceLine] = []
    confidence: dict[str, float] = {}
    found, start = False, 0
    while start < len(lines):
        columns = table_header(lines[start])
        if not columns:
            start += 1
            continue
        found = True
        start = max(start + 1, _rows(lines[start + 1 :], lines[start], columns, items, confidence))
    if not found:
        return _indented(lines)
    return items, confidence


def _indented(lines: list[Line]) -> tuple[list[InvoiceLine], dict[str, float]] | None:
    """'Service  $2.22' with its own breakdown rows ('Charges $2.22', 'VAT $0.00') indented under it.

    A parent row whose amount is the sum of all the other parents' is the summary of the charges, not one.
    """
    rows = []
    for line in lines:
        if len(line.segments) == 2 and sum(c.isalpha() for c in line.segments[0].text) >= 3:
            found = find_amounts(line.segments[1].text)
            if found and len(found) == 1:
                rows.append((line, line.segments[0].bbox[0], found[0][0]))
    parents = []
    for (line, x0, amount), (nxt, nx0, _) in zip(rows, rows[1:], strict=False):
        if nxt.index == line.index + 1 and nx0 > x0 + 0.01 and not STOP.search(line.segments[0].text):
            parents.append((line, amount))
    if len(parents) < 2:
        return None
    total = sum((a for _, a in parents), Decimal(0))
    parents = [(line, a) for line, a in parents if not (len(parents) > 2 and a * 2 == total)]
    items, confidence = [], {}
    for n, (line, amount) in enumerate(parents):
        items.append(InvoiceLine(description=line.segments[0].text, amount=amount))
        conf = Pick(None, line.words, 0.6).confidence
        confidence[f"/line_items/{n}/description"] = confidence[f"/line_items/{n}/amount"] = conf
    return items, confidence


def _rows(
    lines: list[Line], header: Line, columns: list[Column], items: list[InvoiceLine], confidence: dict[str, float]
) -> int:
    """Read item rows into items; returns the index (in the whole document) of the row where the table ends."""
    desc_right = next((c.x1 for c in columns if c.kind == "description"), 0.5)
    last_y = header.bbox[3]
    counted = 0  # rows read with a quantity
    for line in lines:
        if line.page != header.page or line.bbox[1] - last_y > 6 * line.height or table_header(line):
            return line.index
        row = _assign(line, columns)
        label = " ".join(w.text for w in line.words if not re.search(r"\d", w.text))
        has_qty = bool(re.search(r"\d", row.text("quantity")))
        amount = _amount(row, "amount")
        if amount is not None and STOP.search(label) and (not has_qty or line.words[0].bbox[0] > desc_right):
            if not (SUBTOTAL.search(label) and _items_follow(lines, line, columns)):
                return line.index + 1
            continue  # a section's subtotal inside the table
        between = " ".join(row.text(k) for k in ("quantity", "unit", "unit_price", "tax_rate", "discount"))
        if (
            amount is not None
            and counted
            and (not has_qty or STOP.search(between))
            and re.search(r"[^\W\d_]{4,}", between)
        ):
            return line.index  # a totals label under the number columns ('Net amount'), bank lines or notes beside it
        last_y = line.bbox[3]
        description = row.text("description").strip(" -")
        if amount is None or sum(c.isalpha() for c in description) < 2:
            continue  # a note or a wrapped description under the row before
        unit = row.text("unit") or None
        item = _append(
            items,
            confidence,
            Pick(None, line.words, 0.75).confidence,
            description=description,
            quantity=_number(row.text("quantity")),
            unit=unit if unit and not re.search(r"\d", unit) else None,
            unit_price=_amount(row, "unit_price") or _number(row.text("unit_price")),  # '9,9000': 4 decimals
            tax_rate=_number(row.text("tax_rate")),
            amount=amount,
        )
        counted += item.quantity is not None
    return lines[-1].index + 1 if lines else header.index + 1


def _append(items: list[InvoiceLine], confidence: dict[str, float], conf: float, **values: Any) -> InvoiceLine:
    """A row as the next line item (description and amount only where a column's reading is refused), each of its
    values at the row's confidence."""
    try:
        item = InvoiceLine(**values)
    except ValueError:
        item = InvoiceLine(description=values["description"], amount=values["amount"])
    n = len(items)
    items.append(item)
    for key, value in item.model_dump().items():
        if value is not None:
            confidence[f"/line_items/{n}/{key}"] = conf
    return item


def legacy_rows(lines: list[Line]) -> tuple[list[InvoiceLine], dict[str, float]]:
    """Rows under a header line naming two columns that end in an amount, until the totals (no column reading)."""
    items: list[InvoiceLine] = []
    confidence: dict[str, float] = {}
    in_table = False
    for line in lines:
        text = line.text
        if not in_table:
            in_table = len(TABLE_HEAD.findall(text)) >= 2
            continue
        if re.search(r"sub\s*-?\s*total|subtotaal|zwischensumme|\btotal|\btotaal|gesamt|summe", text, re.I):
            break
        amounts = find_amounts(line.segments[-1].text)
        description = max((s.text for s in line.segments[:-1]), key=lambda t: sum(c.isalpha() for c in t), default="")
        if not amounts or sum(c.isalpha() for c in description) < 3:
            continue
        quantity = unit_price = None
        numbers = [
            find_amounts(s.text) or re.findall(r"^\d+(?:[.,]\d+)?$", s.text.strip()) for s in line.segments[1:-1]
        ]
        plain = [n[0] if isinstance(n[0], str) else n[0][0] for n in numbers if n]
        if plain:
            quantity = str(plain[0]).replace(",", ".")
            if len(plain) > 1:
                unit_price = plain[1]
        try:
            item = InvoiceLine(description=description, quantity=quantity, unit_price=unit_price, amount=amounts[-1][0])
        except ValueError:
            item = InvoiceLine(description=description, amount=amounts[-1][0])
        items.append(item)
        n = len(items) - 1
        conf = Pick(None, line.words, 0.7).confidence
        for key in ("description", "amount"):
            confidence[f"/line_items/{n}/{key}"] = conf
    return items, confidence


# ---------------------------------------------------------------- tables without a header row

PERCENT_CELL = re.compile(r"^(?P<n>\d{1,2}(?:[.,]\d{1,2})?)\s*%$")
POSITION = re.compile(r"^\d{1,3}\.?$")
CENT = Decimal("0.01")


@dataclass
class _Cells:
    line: Line
    description: str
    amount: Decimal
    quantity: Decimal | None = None
    unit: str | None = None
    unit_price: Decimal | None = None
    tax_rate: Decimal | None = None
    adds_up: bool = False  # quantity x unit price = amount


def _cells(line: Line) -> _Cells | None:
    """A row as [position] description, two or more number cells, the last the line amount; None otherwise.
    Quantity and unit price are the two cells whose product is the amount (a cell 'x %' is the tax rate)."""
    segments = line.segments
    start = 1 if len(segments) > 3 and POSITION.match(segments[0].text.strip()) else 0
    description = segments[start].text.strip(" -") if len(segments) > start else ""
    cells = [s.text.strip() for s in segments[start + 1 :]]
    if len(cells) < 2 or sum(c.isalpha() for c in description) < 3 or STOP.search(description):
        return None
    found = find_amounts(cells[-1])
    if len(found) != 1 or not all(re.search(r"\d", c) for c in cells):
        return None
    row = _Cells(line, description, found[0][0])
    numbers: list[tuple[Decimal, str | None]] = []
    for cell in cells[:-1]:
        if match := PERCENT_CELL.match(cell):
            row.tax_rate = _number(match.group("n"))
        elif match := QUANTITY_CELL.match(cell):
            value = _number(match.group("n"))
            if value is not None:
                numbers.append((value, (match.group("unit") or "").strip() or None))
        elif amounts := find_amounts(cell, allow_int=True):
            numbers.append((amounts[-1][0], None))
        else:
            return None
    for i, (quantity, unit) in enumerate(numbers):
        for price, _ in numbers[i + 1 :]:
            if quantity and abs(quantity * price - row.amount) <= CENT * max(1, quantity):
                row.quantity, row.unit, row.unit_price, row.adds_up = quantity, unit, price, True
                return row
    if len(numbers) >= 2:
        (row.quantity, row.unit), row.unit_price = numbers[0], numbers[1][0]
    return row


def headerless_rows(lines: list[Line]) -> tuple[list[InvoiceLine], dict[str, float]] | None:
    """Item rows of a table without a header row: runs of rows of the same shape (a description, number cells, the
    amount last and right-aligned with the rows around it), up to the totals. A run is a table when most of its rows
    add up (quantity x unit price = amount), so a single row only when it adds up."""
    runs: list[list[_Cells]] = []
    run: list[_Cells] = []
    for line in lines:
        row = _cells(line)
        last = run[-1] if run else None
        if (
            row is not None
            and last is not None
            and (
                row.line.page != last.line.page
                or abs(row.line.bbox[2] - last.line.bbox[2]) > 0.02
                or row.line.bbox[1] - last.line.bbox[3] > 4 * row.line.height
            )
        ):
            runs.append(run)
            run = []
        if row is not None:
            run.append(row)
        elif run and (STOP.search(line.text) or line.index - run[-1].line.index > 2):
            runs.append(run)
            run = []
    runs.append(run)
    tables = [r for r in runs if r and 2 * sum(c.adds_up for c in r) > len(r)]
    if not tables:
        return None
    items: list[InvoiceLine] = []
    confidence: dict[str, float] = {}
    for row in (c for table in tables for c in table):
        _append(
            items,
            confidence,
            Pick(None, row.line.words, 0.75 if row.adds_up else 0.6).confidence,
            description=row.description,
            quantity=row.quantity,
            unit=row.unit,
            unit_price=row.unit_price,
            tax_rate=row.tax_rate,
            amount=row.amount,
        )
    return items, confidence


def invoice_items(lines: list[Line]) -> tuple[list[InvoiceLine], dict[str, float]]:
    """An invoice's rows: under a header row (or an indented statement), under a header only two column names
    tell apart, else a table without a header row; none found, no rows."""
    found = read_items(lines) or legacy_rows(lines)
    return found if found[0] else headerless_rows(lines) or found
