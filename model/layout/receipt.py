"""Layout rules that read a receipt: merchant block at the top, date, totals at the bottom."""

from __future__ import annotations

import re

from model.layout.common import Pick, find_totals, first_date, labelled_date
from model.layout.lines import Line
from model.layout.values import (
    CASH,
    DATE_LABEL,
    PHONE,
    PHONE_NUMBER,
    TOTAL,
    find_amounts,
    find_currency,
    find_dates,
    find_time,
)
from schemas.receipt import Receipt, ReceiptItem

# Words that end or mark a company name in many countries.
COMPANY_MARK = re.compile(
    r"\b(?:sdn\.?\s*bhd|bhd|berhad|enterprise|enterprises|trading|ltd|limited|gmbh|ag|b\.?\s?v|n\.?v|inc|llc|corp|"
    r"corporation|plc|s\.?a\.?r?\.?l?|s\.?l|co|company|restaurant|restoran|cafe|caf[ée]|bakery|mart|market|"
    r"supermarket|store|stores|shop|hardware|pharmacy|farmasi|station|hotel|kedai|bistro|kitchen|industries|"
    r"holdings|services|trading\s*co|marketing|stationery|electrical|motor|pte|pty|oy|ab|as|kg|e\.?k|ohg|s\.?p\.?a|"
    r"srl|sas|snc|eurl|vof|ltda|sociedad)\b\.?",
    re.I,
)
# Header lines that are not the merchant's name.
NOT_NAME = re.compile(
    r"tax\s*invoice|invoice|receipt|cash\s*bill|bill|welcome|thank|official|copy|duplicate|order|table|"
    r"\bgst\b|reg(?:istration)?\s*no|co\.?\s*no|company\s*no|tel\b|fax|phone|email|www\.|http|@|kwitansi|"
    r"quittung|bon\b|kassenbon|rechnung|factuur|facture|ticket|recibo|resit|penyata|simplified|abn|vat\s*no|btw",
    re.I,
)
# Lines that end an address block.
ADDRESS_STOP = re.compile(
    r"\b(?:tel|fax|phone|telefoon|telefon|t[ée]l|hp|h/p|mobile|gst|sst|vat|btw|mwst|ust|tva|email|e-mail|www|http|"
    r"invoice|receipt|cashier|date|datum|fecha|tarikh|reg|abn|tax|bill|order|table|counter|no\.?\s*resit|doc)\b|@",
    re.I,
)
REGISTRATION = re.compile(
    r"^\W*(?:\(?\s*(?:co\.?\s*(?:reg\.?)?\s*no\.?|company\s*no\.?|reg\.?\s*no\.?|roc\s*no\.?)?\s*:?\s*[\w.\-]*\d{4,}[\w.\-]*\s*\)?)\W*$",
    re.I,
)
PAYMENT = re.compile(
    r"\b(visa|master\s*card|mastercard|amex|american express|debit|credit\s*card|card|cash|tunai|e-?wallet|"
    r"touch\s*'?n\s*go|grabpay|boost|paypal|contant|pin|bar|esp[eè]ces|carte|efectivo|tarjeta)\b",
    re.I,
)


def extract_receipt(lines: list[Line]) -> tuple[Receipt, dict[str, float]]:
    """Receipt fields from the rows of a document."""
    picks: dict[str, Pick | None] = {}
    name_index, picks["merchant_name"] = _merchant(lines)
    picks["merchant_address"] = _address(lines, name_index)
    picks["merchant_phone"] = _phone(lines)
    picks["transaction_date"] = labelled_date(lines, DATE_LABEL) or first_date(lines)
    picks["transaction_time"] = _time(lines)
    totals = find_totals(lines)
    picks["total"], picks["subtotal"], picks["total_tax"] = totals.total, totals.subtotal, totals.tax
    picks["payment_method"] = _payment(lines)
    currency = find_currency([line.text for line in lines])
    data = {k: p.value for k, p in picks.items() if p is not None}
    items, item_conf = _items(lines, name_index)
    receipt = Receipt(**data, currency=currency, items=items)
    confidence = {f"/{k}": p.confidence for k, p in picks.items() if p is not None}
    if currency:
        confidence["/currency"] = 0.7
    confidence.update(item_conf)
    return receipt, confidence


def _clean_name(text: str) -> str:
    # the registration number printed beside the name is not part of it
    text = re.sub(
        r"\(?\s*(?:co\.?\s*reg\.?\s*no\.?|company\s*no\.?)?\s*:?\s*\d{4,}\s*-?\s*[A-Z]?\s*\)?\s*$", "", text, flags=re.I
    )
    return text.strip(" -:,")


def _header(lines: list[Line], limit: int = 10) -> list[Line]:
    return [line for line in lines if line.page == 0][:limit]


def _name_like(text: str) -> bool:
    letters = sum(c.isalpha() for c in text)
    digits = sum(c.isdigit() for c in text)
    return letters >= 3 and digits <= letters / 3 and not NOT_NAME.search(text) and not find_dates(text)


def _merchant(lines: list[Line]) -> tuple[int, Pick | None]:
    header = _header(lines)
    for i, line in enumerate(header[:8]):
        text = line.text
        if COMPANY_MARK.search(text) and _name_like(re.sub(r"\d{4,}\S*", "", text)) and not ADDRESS_STOP.search(text):
            words = list(line.words)
            name = _clean_name(text)
            # a name split over two rows: 'SYL ROASTED DELIGHTS' / 'SDN. BHD.'
            if i > 0 and COMPANY_MARK.fullmatch(name.strip(" .()")) and _name_like(header[i - 1].text):
                name = f"{header[i - 1].text} {name}"
                words = header[i - 1].words + words
            elif i + 1 < len(header) and re.fullmatch(
                r"\(?\s*(?:sdn\.?\s*bhd\.?|bhd\.?|b\.?v\.?|gmbh|ltd\.?)\s*\)?\.?", header[i + 1].text.strip(), re.I
            ):
                name = f"{name} {header[i + 1].text}"
                words = words + header[i + 1].words
                return i + 1, Pick(name, words, 0.85)
            return i, Pick(name, words, 0.85)
    for i, line in enumerate(header[:6]):
        if _name_like(line.text) and len(line.text) > 3:
            return i, Pick(_clean_name(line.text), line.words, 0.55)
    return -1, None


def _address(lines: list[Line], name_index: int) -> Pick | None:
    header = _header(lines, 14)
    parts: list[str] = []
    words = []
    prev_bottom = 0.0
    for line in header[name_index + 1 :]:
        text = line.text
        if not parts and (REGISTRATION.match(text) or not re.search(r"[A-Za-z]{2}", text)):
            continue  # the registration number under the name
        stop = ADDRESS_STOP.search(text)
        if stop:
            head = text[: stop.start()].strip(" ,:")
            if parts and len(head) >= 8 and not REGISTRATION.match(head):
                parts.append(head)
                words += [w for w in line.words if w.bbox[0] < line.words[-1].bbox[2]][: len(head.split())]
            break
        if find_dates(text) or find_amounts(text) and not re.search(r"\d{5}", text):
            break
        if parts and line.bbox[1] - prev_bottom > 2.5 * line.height:
            break  # a blank gap ends the block
        parts.append(text)
        words += line.words
        prev_bottom = line.bbox[3]
        if len(parts) >= 5:
            break
    if not parts:
        return None
    certainty = 0.8 if re.search(r"\d{4,5}", " ".join(parts)) else 0.55
    return Pick(" ".join(parts), words, certainty)


def _phone(lines: list[Line]) -> Pick | None:
    for line in lines[:20]:
        match = PHONE.search(line.text)
        if match:
            number = PHONE_NUMBER.search(line.text[match.end() :])
            if number:
                return Pick(number.group(0).strip(), line.words, 0.75)
    return None


def _time(lines: list[Line]) -> Pick | None:
    for line in lines:
        found = find_time(line.text)
        if found:
            return Pick(found, line.words, 0.7)
    return None


def _payment(lines: list[Line]) -> Pick | None:
    for line in lines:
        if TOTAL.search(line.text) and not CASH.search(line.text):
            continue
        match = PAYMENT.search(line.text)
        if match and find_amounts(line.text):
            return Pick(match.group(1).lower(), line.words, 0.6)
    return None


def _items(lines: list[Line], name_index: int) -> tuple[list[ReceiptItem], dict[str, float]]:
    """Rows between the header and the first total that end in an amount and name something."""
    items: list[ReceiptItem] = []
    confidence: dict[str, float] = {}
    for line in lines[max(name_index, 0) + 1 :]:
        text = line.text
        if TOTAL.search(text) or re.search(r"sub\s*-?\s*total", text, re.I):
            break
        if len(line.segments) < 2 or find_dates(text) or ADDRESS_STOP.search(text) or CASH.search(text):
            continue
        amounts = find_amounts(line.segments[-1].text)
        description = line.segments[0].text
        if not amounts or sum(c.isalpha() for c in description) < 3:
            continue
        quantity = None
        qty = re.match(r"^\s*(\d{1,3})\s*[xX@]?\s+\D", description)
        if qty:
            quantity = qty.group(1)
        items.append(ReceiptItem(description=description, quantity=quantity, amount=amounts[-1][0]))
        n = len(items) - 1
        pick = Pick(None, line.words, 0.5)
        confidence[f"/items/{n}/description"] = pick.confidence
        confidence[f"/items/{n}/amount"] = pick.confidence
    return items, confidence
