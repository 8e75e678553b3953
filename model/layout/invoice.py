"""Layout rules that read an invoice: labelled header fields, parties, line items and totals."""

from __future__ import annotations

import re
from decimal import Decimal
from statistics import median

from model.layout.common import Pick, after_label, below, find_totals, first_date, labelled_date, row_amount
from model.layout.invoice_labels import (
    AMOUNT_DUE,
    ANY_DATE,
    CONTACT,
    CUSTOMER_LABEL,
    DISCOUNT,
    DOC_TITLE,
    INVOICE_DATE,
    INVOICE_DUE,
    INVOICE_NO,
    NUMBER_BEFORE,
    NUMBER_LABEL,
    OTHER_DATE,
    OTHER_ID,
    OTHER_LABEL,
    PAYEE,
    PO,
    SENDER_LINE,
    SHIP_LABEL,
    TAX_ID,
    TAX_ID_VALUE,
    TERMS,
    TITLE,
    VENDOR_LABEL,
)
from model.layout.invoice_totals import reconcile
from model.layout.items import TABLE_HEAD, invoice_items
from model.layout.items import table_header as read_header
from model.layout.lines import Line, Segment, merge_split_rows, union
from model.layout.receipt import ADDRESS_STOP, COMPANY_MARK, NOT_NAME
from model.layout.skew import straightened
from model.layout.values import find_amounts, find_currency, find_dates
from schemas.invoice import Invoice


def extract_invoice(lines: list[Line]) -> tuple[Invoice, dict[str, float]]:
    """Invoice fields from the rows of a document."""
    lines = merge_split_rows(straightened(lines))
    picks: dict[str, Pick | None] = {}
    picks["invoice_id"] = _invoice_id(lines, NUMBER_LABEL) or _titled_id(lines) or _invoice_id(lines, OTHER_ID)
    picks["invoice_date"] = (
        labelled_date(lines, INVOICE_DATE)
        or _date_with_number(lines)
        or labelled_date(lines, ANY_DATE, exclude=OTHER_DATE)
        or first_date(lines)
    )
    picks["due_date"] = labelled_date(lines, INVOICE_DUE)
    if _month_first(lines):
        for key in ("invoice_date", "due_date"):
            picks[key] = _as_month_first(picks[key])
    picks["vendor_name"], vendor_line = _vendor(lines)
    if picks["vendor_name"] is not None and vendor_line is None:
        head = _letterhead(lines, picks["vendor_name"].value)
        if head is not None:  # the name as the letterhead prints it, its address under it
            vendor_line = head[0]
            picks["vendor_name"] = Pick(picks["vendor_name"].value, head[1].words, picks["vendor_name"].certainty)
    picks["vendor_address"] = _block_under(lines, vendor_line, picks["vendor_name"])
    picks["vendor_tax_id"] = _tax_id(lines)
    picks["customer_name"], customer_line = _customer(lines)
    picks["customer_address"] = _block_under(lines, customer_line, picks["customer_name"])
    vendor, customer = picks["vendor_name"], picks["customer_name"]
    if vendor is not None and customer is not None and vendor.value == customer.value:
        picks["vendor_name"] = picks["vendor_address"] = None  # the only name found is the customer's
    picks["payment_terms"] = _labelled_text(lines, TERMS)
    picks["purchase_order"] = _labelled_code(lines, PO)
    currency = find_currency([line.text for line in lines])
    totals = find_totals(lines, allow_int=currency in {"INR", "JPY", "KRW", "IDR"})
    picks["invoice_total"], picks["subtotal"], picks["total_tax"] = totals.total, totals.subtotal, totals.tax
    picks["amount_due"] = _labelled_amount(lines, AMOUNT_DUE, allow_int=False)
    picks["total_discount"] = _labelled_amount(lines, DISCOUNT, allow_int=False, after_table=True)
    if picks["total_discount"] is not None:
        picks["total_discount"].value = abs(picks["total_discount"].value)
    due, sub, tax = picks["amount_due"], picks["subtotal"], picks["total_tax"]
    if due is not None and sub is not None and tax is not None and (total := picks["invoice_total"]) is not None:
        discount = picks["total_discount"].value if picks["total_discount"] else Decimal(0)
        if sub.value + tax.value - discount == due.value != total.value:
            picks["invoice_total"] = Pick(due.value, due.words, 0.75)  # the amounts add up to the amount due
    items, item_conf = invoice_items(lines)
    amounts = [i.amount for i in items if i.amount is not None]
    discount = picks["total_discount"].value if picks["total_discount"] else Decimal(0)
    added_up = reconcile(lines, sum(amounts, Decimal(0)) if amounts else None, discount)
    for key, pick in (added_up or {}).items():
        picks[key] = pick
    total = picks["invoice_total"]
    if picks["subtotal"] is None and total is not None and items and all(i.amount is not None for i in items):
        # no subtotal printed: the lines add up to the total, so nothing was added on top
        if abs(sum((i.amount for i in items), Decimal(0)) - total.value) <= Decimal("0.01"):
            picks["subtotal"] = Pick(total.value, total.words, 0.6)
    data = {k: p.value for k, p in picks.items() if p is not None}
    invoice = Invoice(**data, currency=currency, line_items=items)
    confidence = {f"/{k}": p.confidence for k, p in picks.items() if p is not None}
    if currency:
        confidence["/currency"] = 0.75
    confidence.update(item_conf)
    return invoice, confidence


def _labelled_amount(
    lines: list[Line], label: re.Pattern[str], allow_int: bool, after_table: bool = False
) -> Pick | None:
    """The amount on the last row whose text starts with label (totals sit low on the page)."""
    for line in reversed(lines):
        first = line.segments[0].text if not after_table else " ".join(s.text for s in line.segments[:-1])
        if not label.search(first) or (after_table and read_header(line)):
            continue
        found = row_amount(lines, line, allow_int=allow_int)
        if found:
            return Pick(found[0], found[1], 0.7)
    return None


US_DATE = re.compile(r"\b(\d{1,2})/(\d{1,2})/(\d{2}|\d{4})\b")


def _month_first(lines: list[Line]) -> bool:
    """Whether the document writes dates month first: one of its a/b/y dates can only be read that way, none the other."""
    month_first = day_first = False
    for line in lines:
        for a, b, _ in US_DATE.findall(line.text):
            month_first |= int(b) > 12 >= int(a)
            day_first |= int(a) > 12 >= int(b)
    return month_first and not day_first


def _as_month_first(pick: Pick | None) -> Pick | None:
    """An ambiguous date ('02/03/2022') read day first, read again month first."""
    if pick is None:
        return None
    match = US_DATE.search(" ".join(w.text for w in pick.words))
    if not match or pick.value.day != int(match.group(1)) or pick.value.month != int(match.group(2)):
        return pick
    try:
        return Pick(pick.value.replace(month=pick.value.day, day=pick.value.month), pick.words, pick.certainty)
    except ValueError:
        return pick


def _code_token(text: str) -> str | None:
    for token in re.split(r"\s+", text.strip(" :#.")):
        token = token.strip(" :,;")
        if len(token) >= 3 and re.search(r"\d", token) and not find_dates(token) and not find_amounts(token):
            return token
    return None


def _invoice_id(lines: list[Line], label: re.Pattern[str]) -> Pick | None:
    for line in lines:
        for seg in line.segments:
            match = label.search(seg.text)
            if (
                not match
                or INVOICE_DATE.search(seg.text)
                or re.search(r"date|datum|adres|address", seg.text[match.end() :], re.I)
            ):
                continue
            right = after_label(line, label, seg)
            if right:
                token = _code_token(right[0])
                if token:
                    return Pick(token, [w for w in right[1] if token in w.text or w.text in token] or right[1], 0.85)
            elif (cell := _beside(lines, line, seg)) is not None and (token := _code_token(cell.text)):
                return Pick(token, cell.words, 0.8)
            for cell in below(lines, line, seg.bbox):
                token = _code_token(cell.text)
                if token:
                    return Pick(token, cell.words, 0.75)
    return None


def _titled_id(lines: list[Line]) -> Pick | None:
    """'Rechnung 2023-118': a number printed right after the document's title, in the same cell."""
    for line in lines:
        for seg in line.segments:
            match = TITLE.search(seg.text)
            if not match:
                continue
            token = _code_token(seg.text[match.end() :])
            if token:
                return Pick(token, [w for w in seg.words if token in w.text] or seg.words, 0.75)
            for cell in below(lines, line, seg.bbox, max_rows=1):  # a title or column heading over its number
                token = _code_token(cell.text.lstrip("#: "))
                if token and not INVOICE_DATE.search(cell.text):
                    return Pick(token, [w for w in cell.words if token in w.text] or cell.words, 0.7)
    return None


def _beside(lines: list[Line], line: Line, seg: Segment) -> Segment | None:
    """The cell right of a label that the row grouping put on the row above or below (baselines a little apart)."""
    idx = lines.index(line)
    centre = (seg.bbox[1] + seg.bbox[3]) / 2
    for other in lines[max(0, idx - 1) : idx + 2]:
        if other is line or other.page != line.page:
            continue
        for cell in other.segments:
            middle = (cell.bbox[1] + cell.bbox[3]) / 2
            if cell.bbox[0] > seg.bbox[2] and abs(middle - centre) < 0.8 * line.height:
                return cell
    return None


def _date_with_number(lines: list[Line]) -> Pick | None:
    """'Facture n° 562044387 du 02 Juillet 2015': the date printed with the invoice number."""
    for line in lines:
        for seg in line.segments:
            match = INVOICE_NO.search(seg.text)
            if match:
                dates = find_dates(seg.text[match.end() :])
                if dates:
                    return Pick(dates[0][0], seg.words, 0.8)
    return None


def _labelled_code(lines: list[Line], label: re.Pattern[str]) -> Pick | None:
    """A code right of its label, or under it (a grid of label-over-value cells)."""
    for line in lines:
        if label.search(line.text):
            right = after_label(line, label)
            token = _code_token(right[0]) if right else None
            if token:
                return Pick(token, right[1], 0.7)
            seg = next(s for s in line.segments if label.search(s.text))
            for cell in below(lines, line, seg.bbox, max_rows=1):
                token = _code_token(cell.text)
                if token:
                    return Pick(token, cell.words, 0.65)
    return None


def _labelled_text(lines: list[Line], label: re.Pattern[str]) -> Pick | None:
    for line in lines:
        if label.search(line.text):
            right = after_label(line, label)
            if right and re.search(r"\w{2}", right[0]):
                return Pick(right[0], right[1], 0.65)
    return None


def _tax_id(lines: list[Line]) -> Pick | None:
    for line in lines:
        match = TAX_ID.search(line.text)
        if not match:
            continue
        value = TAX_ID_VALUE.search(line.text[match.end() :])
        if value and re.search(r"\d{5}", value.group(0)):
            return Pick(value.group(0).strip(), line.words, 0.7)
    return None


def _name_like(text: str) -> bool:
    letters = sum(c.isalpha() for c in text)
    digits = sum(c.isdigit() for c in text)
    return (
        letters >= 3
        and digits <= letters / 4
        and not NOT_NAME.search(text)
        and not find_dates(text)
        and not OTHER_LABEL.search(text)
        and not CUSTOMER_LABEL.search(text)
        and not SHIP_LABEL.search(text)
        and not CONTACT.search(text)  # a party's contact person ('Buyer contact name'), not the party
        and not INVOICE_NO.search(text)
    )


def _vendor(lines: list[Line]) -> tuple[Pick | None, Line | None]:
    """The issuer: a labelled seller, a letter's return address, the payee, a company-form name, the largest print."""
    for line in lines:
        label = VENDOR_LABEL.search(line.text)
        if label is None:
            continue
        # the label alone as a segment, over its party's block ('Émetteur | Destinataire' over two blocks)
        alone = next((s for s in line.segments if VENDOR_LABEL.fullmatch(s.text.strip(" :"))), None)
        # a label ('Sold by: X', or alone beside another party's), not a sentence ('All services are sold by X')
        if label.start() == 0 or alone is not None or re.match(r"\s*:", line.text[label.end() :]):
            right = after_label(line, VENDOR_LABEL)
            if right and _name_like(right[0]) and not CUSTOMER_LABEL.search(right[0]):
                return Pick(right[0].strip(" ,;"), right[1], 0.75), line
            if alone is not None:
                under = below(lines, line, alone.bbox, 1)
                if under and _name_like(under[0].text) and not CUSTOMER_LABEL.search(under[0].text):
                    return Pick(under[0].text.strip(" ,;"), under[0].words, 0.75), line
    page0 = [line for line in lines if line.page == 0]
    for line in page0:
        if line.bbox[1] > 0.45:
            break
        for seg in line.segments:
            match = SENDER_LINE.match(seg.text)
            if match and _name_like(match.group("name")):
                name = match.group("name").strip()
                return Pick(name, seg.words[: len(name.split())], 0.75), None
    for line in lines:
        for seg in line.segments:
            match = PAYEE.search(seg.text)
            if not match:
                continue
            rest = re.split(r"[,;(]|\s[-–]\s|\.\s|\bwe\b|\bfor\b", seg.text[match.end() :].lstrip(" :"))[0].strip(" .")
            if rest and rest[0].isupper() and _name_like(rest) and len(rest) <= 60:
                return Pick(rest, seg.words[-len(rest.split()) :], 0.7), None
    top = [line for line in page0 if line.bbox[1] < 0.35]
    customer = _customer(lines)[1]
    for line in top:
        for seg in line.segments:
            if COMPANY_MARK.search(seg.text) and _name_like(seg.text) and not ADDRESS_STOP.search(seg.text):
                if customer is not None and customer.index <= line.index <= customer.index + 2:
                    continue  # the customer's own company line
                return Pick(seg.text.strip(" ,"), seg.words, 0.7), line
    if not top:
        return None, None
    body = median(line.height for line in page0)
    candidates = [
        (seg, line)
        for line in top
        for seg in line.segments
        if _name_like(seg.text)
        and not ATTENTION.match(seg.text)
        and not re.fullmatch(r"\W*(invoice|factuur|rechnung|facture|factura)\W*", seg.text, re.I)
    ]
    if not candidates:
        return None, None
    seg, line = max(
        candidates, key=lambda c: (max(w.bbox[3] - w.bbox[1] for w in c[0].words) > body * 1.3, -c[1].index)
    )
    return Pick(DOC_TITLE.sub("", seg.text).strip(" ,"), seg.words, 0.5), line


def _customer(lines: list[Line]) -> tuple[Pick | None, Line | None]:
    """The party under or beside a customer label, else the addressee under a letter's return-address line (the
    addressee in a window without one is looked for once the chooser has named the vendor: window_customer)."""
    for line in lines:
        for seg in line.segments:
            match = CUSTOMER_LABEL.search(seg.text)
            if not match or NUMBER_BEFORE.search(seg.text[: match.start()]):
                continue
            right = after_label(line, CUSTOMER_LABEL, seg)
            if (
                right
                and _name_like(right[0])
                and not re.search(r"\d{3,}", right[0])
                and not VENDOR_LABEL.search(right[0])
            ):
                return Pick(_addressee_name(right[0]), right[1], 0.7), line
            cells = below(lines, line, seg.bbox)
            if cells and all(CONTACT.search(c.text) for c in cells):  # a contact person first, the party under it
                cells = below(lines, next(ln for ln in lines if cells[0] in ln.segments), cells[0].bbox)
            for cell in cells:
                if _name_like(cell.text):
                    row = next(ln for ln in lines if cell in ln.segments)
                    return Pick(_addressee_name(cell.text), cell.words, 0.65), row
    return _addressee(lines)


POSTCODE_ROW = re.compile(r"\b\d{4,5}\b|\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b")  # '04109 Leipzig', 'EC1A 1BB'


def window_customer(lines: list[Line], vendor: str) -> tuple[Pick, Pick | None] | None:
    """The addressee in a letter's window once the vendor is known: its name and address. Only after the chooser has
    named the vendor: the rules' customer block is kept out of the vendor's candidates, and a block taken for the
    customer on the rules' (wrong) vendor was the vendor itself on a real invoice."""
    lines = merge_split_rows(straightened(lines))
    name, line = _window(lines, Pick(vendor, [], 1.0))
    return None if name is None else (name, _block_under(lines, line, name))


def _key(text: str) -> str:
    return re.sub(r"\W+", "", text).lower()


def _window(lines: list[Line], vendor: Pick) -> tuple[Pick | None, Line | None]:
    """The first text at the top left, where it is a name over left-aligned address rows (one with a postcode) and
    not the vendor: the addressee of a letter without a return-address line, the vendor named elsewhere."""
    for i, line in enumerate(lines):
        if line.page or line.bbox[1] > 0.4:
            break
        seg = line.segments[0]
        if seg.bbox[0] > 0.45:
            continue
        if not _name_like(seg.text) or _key(seg.text) == _key(vendor.value) or seg.text.rstrip().endswith(":"):
            return None, None  # the first text on the left is no addressee (a title, a label, the vendor)
        rows = [s.text for nxt in lines[i + 1 : i + 4] for s in nxt.segments[:1] if abs(s.bbox[0] - seg.bbox[0]) < 0.03]
        if len(rows) >= 2 and any(POSTCODE_ROW.search(r) for r in rows):
            return Pick(_addressee_name(seg.text), seg.words, 0.55), line
        return None, None
    return None, None


ATTENTION = re.compile(
    r"^\s*(?:attn\.?|attention|t\.\s*a\.\s*v\.|z\.\s*hd\.?|c/o|[àa]\s*l.attention\s*de)\s*:?\s*", re.I
)


def _addressee_name(text: str) -> str:
    """'ATTN: Harbor Ltd' names Harbor Ltd: an attention prefix is not part of the name."""
    return ATTENTION.sub("", text)


def _addressee(lines: list[Line]) -> tuple[Pick | None, Line | None]:
    """A letter's window: the first row right under the small return-address line ('Firm · Street 1 · City')."""
    for i, line in enumerate(lines[:-1]):
        if line.page or line.bbox[1] > 0.45:
            break
        seg = line.segments[0]
        if not SENDER_LINE.match(seg.text) and seg.text.count("·") < 2 and seg.text.count(" - ") < 2:
            continue
        for nxt in lines[i + 1 : i + 3]:
            cell = next((s for s in nxt.segments if abs(s.bbox[0] - seg.bbox[0]) < 0.03), None)
            if cell is not None and _name_like(cell.text):
                return Pick(cell.text, cell.words, 0.6), nxt
    return None, None


def _letterhead(lines: list[Line], name: str) -> tuple[Line, Segment] | None:
    """The row and cell where the vendor's name stands on its own at the top (its address is printed under it)."""
    for line in lines:
        if line.page != 0 or line.bbox[1] >= 0.35:
            continue
        for seg in line.segments:
            if seg.text.strip(" ,") == name:
                return line, seg
    return None


def _block_under(lines: list[Line], start: Line | None, name: Pick | None = None) -> Pick | None:
    """Address rows right under a name, in the same column (left- or right-aligned with the name)."""
    if start is None:
        return None
    anchor = union(w.bbox for w in name.words) if name is not None and name.words else start.bbox
    right = anchor[2] > 0.7 and anchor[0] > 0.5  # a block set flush right, like a letterhead
    centre = (anchor[0] + anchor[2]) / 2
    centred = abs(centre - 0.5) < 0.05 and anchor[0] > 0.15  # a letterhead centred on the page
    parts, words = [], []
    idx = lines.index(start)
    previous = start
    for line in lines[idx + 1 : idx + 5]:
        if line.page != start.page or line.bbox[1] - previous.bbox[3] > 1.6 * max(line.height, previous.height):
            break
        if read_header(line):
            break
        cells = [
            s
            for s in line.segments
            if (
                abs((s.bbox[0] + s.bbox[2]) / 2 - centre) < 0.03
                if centred
                else abs(s.bbox[2] - anchor[2]) < 0.03
                if right
                else abs(s.bbox[0] - anchor[0]) < 0.05
            )
        ]
        if not cells:
            continue
        text = cells[0].text
        if (
            ADDRESS_STOP.search(text)
            or find_amounts(text)
            or find_dates(text)
            or CUSTOMER_LABEL.search(text)
            or OTHER_LABEL.search(text)
            or TAX_ID.search(text)
            or INVOICE_NO.search(text)
            or INVOICE_DATE.search(text)
            or len(TABLE_HEAD.findall(text)) >= 2
        ):
            break
        previous = line
        if text.rstrip().endswith(":"):
            break  # the next label starts
        # "Street 1 | 12345 City" is two address rows; a row's own trailing commas ('Gomti Nagar,,') go
        parts.append(re.sub(r"\s+[|·•]\s+", ", ", text).rstrip(" ,"))
        words += cells[0].words
    if not parts:
        return None
    return Pick(", ".join(parts), words, 0.6)
