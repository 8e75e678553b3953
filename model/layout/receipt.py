"""Layout rules that read a receipt: merchant block at the top, date, totals at the bottom."""

from __future__ import annotations

import re
from dataclasses import replace

from model.layout.common import Pick, find_totals, first_date, item_header, labelled_date, row_amount
from model.layout.lexicon import respell
from model.layout.lines import Line, Segment
from model.layout.values import (
    CASH,
    DATE_LABEL,
    PHONE,
    PHONE_NUMBER,
    TAX,
    TOTAL,
    find_amounts,
    find_currency,
    find_dates,
    find_time,
)
from schemas.receipt import Receipt, ReceiptItem

# Legal forms that end a company's registered name.
LEGAL_FORM = re.compile(
    r"\b(?:sdn\.?\s*bhd|s/b|bhd|berhad|ltd|limited|gmbh|ag|b\.?\s?v|n\.?\s?v|inc|llc|corp|corporation|plc|"
    r"s\.?a\.?r\.?l|s\.?a\.?s|s\.?l|s\.?a|pte|pty|e\.?k|ohg|s\.?p\.?a|srl|eurl|vof|ltda)\b\.?",
    re.I,
)
# Words that mark a business name in many countries.
COMPANY_MARK = re.compile(
    r"\b(?:sdn\.?\s*bhd|s/b|bhd|berhad|enterprises?|trading|ltd|limited|gmbh|ag|b\.?\s?v|n\.?\s?v|inc|llc|corp|"
    r"corporation|plc|s\.?a\.?r\.?l|s\.?l|co|company|restaurant|restoran|cafe|caf[ée]|bakery|bakeries|mart|market|"
    r"supermarket|minimarket|store|stores|shop|hardware|pharmacy|farmasi|station|hotel|kedai|bistro|kitchen|"
    r"industries|holdings|services|marketing|stationery|electrical|motor|pte|pty|e\.?k|ohg|s\.?p\.?a|srl|sas|"
    r"eurl|vof|ltda|sociedad|trading\s*co|pizza|noodle|house|bakkerij|b[äa]ckerei|boulangerie|supermercado)\b\.?",
    re.I,
)
# Header lines that are not the merchant's name.
NOT_NAME = re.compile(
    r"tax\s*invoice|invoice|receipt|cash\s*bill|\bbill\b|welcome|thank|official|copy|duplicate|\border\b|\btable\b|"
    r"\bgst\b|reg(?:istration)?\s*no|co\.?\s*no|company\s*no|\btel\b|fax|phone|email|www\.|http|@|kwitansi|"
    r"quittung|\bbon\b|kassenbon|rechnung|factuur|facture|ticket|recibo|\bresit\b|penyata|simplified|\babn\b|"
    r"vat\s*no|\bbtw\b|\bjalan\b|\bjln\b|\blot\b|\bno\.?\s*\d|\btaman\b|\btmn\b|\bbandar\b|\bkawasan\b|"
    r"\bseksyen\b|\blorong\b|\broad\b|\bstreet\b|\bstraat\b|stra(?:ss|ß)e\b|\brue\b|\bavenue\b|\bcalle\b|"
    r"adres\b|address|adresse|anschrift|direcci[óo]n|page\s*\d|seite\s*\d|pagina|feedback|complaint|please|"
    r"^\W*company\W*$",
    re.I,
)
# Lines that end an address block.
ADDRESS_STOP = re.compile(
    r"\b(?:tel|fax|phone|telefoon|telefon|t[ée]l|hp|h/p|mobile|gst|sst|vat|btw|mwst|ust|tva|email|e-mail|www|http|"
    r"invoice|receipt|cashier|date|datum|fecha|tarikh|reg|abn|tax|bill|order|table|counter|no\.?\s*resit|doc|"
    r"carry\s*out|dine\s*in|take\s*away|pay\s*by|guest|check|server|pax|terminal|cashier|member|welcome)\b|@|\b[TF]\s*:\s*\+?\d|invoice|receipt|licensee|franchisee",
    re.I,
)
# A company registration number: '(742016-W)', 'Co. Reg. No: 1174703-K', 'ROC 1026984-X', '(002049088-U)'.
_REG_PREFIX = r"(?:co(?:mpany)?\.?\s*-?\s*(?:reg(?:istration)?|ro|re)?\.?\s*(?:no)?\.?|reg\.?\s*no\.?|roc(?:\s*no)?\.?)"
REG_NUMBER = re.compile(
    # bracketed, or after a 'Co. Reg. No.' prefix, or with its check letter: '(742016-W)', 'ROC 1026984-X'
    rf"\(\s*(?:{_REG_PREFIX}\s*[:.]?\s*)?[A-Z]{{0,2}}\d{{5,}}[\s.-]*[A-Z]?\s*\)|"
    rf"{_REG_PREFIX}\s*[:.]?\s*[A-Z]{{0,2}}\d{{5,}}[\s.-]*[A-Z]?\b|"
    r"\b\d{5,}\s*[-·.]\s*[A-Z]\b",
    re.I,
)
REG_LINE = re.compile(
    r"^\W*(?:(?:co(?:mpany)?\.?\s*-?\s*(?:reg(?:istration)?|ro|re)?\.?\s*(?:no)?\.?|reg\.?\s*no\.?|roc(?:\s*no)?\.?|"
    r"business\s*reg\S*)\s*[:.]?\s*)?[A-Z]{0,2}\d[\d\s.-]{3,}[A-Z]?\W*$",
    re.I,
)
# A tax number line: not the company's registration, but not part of the address either.
TAX_LINE = re.compile(r"^\W*(?:gst|sst|vat|tax)\s*(?:id|reg)?\S*\s*(?:no)?\S*\s*[:.]?\s*[\d\s.-]{6,}\W*$", re.I)
OWNER = re.compile(r"owned\s*by|managed\s*by|operated\s*by|a\s*member\s*of|subsidiary\s*of", re.I)
KNOWN_FORMS = ["SDN BHD", "SDN. BHD.", "BHD", "BERHAD", "LTD", "GMBH", "INC", "LLC", "PLC", "S/B"]
HEADER_LINE = re.compile(
    r"^\W*(?:tax\s*invoice|invoice|receipt|cash\s*bill|official\s*receipt|simplified\s*tax\s*invoice)\W*$", re.I
)
ADDRESS_LIKE = re.compile(
    r"\d.*,|(?<!\d)\d{5}(?!\d)|\b(?:jalan|jln|lot|no\.?\s*\d|road|street|st\.|avenue|straat|stra(?:ss|ß)e|rue|calle|taman|unit)\b",
    re.I,
)
PHONE_IN_ADDRESS = re.compile(r"(?:\+?\(?\d{2,4}\)?[\s-]?)?\d{3,4}[\s-]?\d{4}\s*$|\+\d{2,3}[\s-]?\d")
PAYMENT = re.compile(
    r"\b(visa|master\s*card|mastercard|amex|american express|debit|credit\s*card|card|cash|tunai|e-?wallet|"
    r"touch\s*'?n\s*go|grabpay|boost|paypal|contant|pin|bar|esp[eè]ces|carte|efectivo|tarjeta)\b",
    re.I,
)


def extract_receipt(lines: list[Line]) -> tuple[Receipt, dict[str, float]]:
    """Receipt fields from the rows of a document."""
    lines = _respelled(lines)
    picks: dict[str, Pick | None] = {}
    name_index, picks["merchant_name"] = _merchant(lines)
    picks["merchant_address"] = _address(lines, name_index)
    picks["merchant_phone"] = _phone(lines)
    picks["transaction_date"] = labelled_date(lines, DATE_LABEL) or first_date(lines)
    picks["transaction_time"] = _time(lines)
    totals = find_totals(lines)
    # a subtotal the till does not print (total minus tax) is no reading: nothing on the page to check it against
    subtotal = totals.subtotal if totals.subtotal is not None and totals.subtotal.words else None
    picks["total"], picks["subtotal"], picks["total_tax"] = totals.total, subtotal, totals.tax
    picks["tip"] = _tip(lines)
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


# Readings under this certainty may hold a misread letter worth checking against the lexicon.
RESPELL_BELOW = 0.98


def _respelled(lines: list[Line], limit: int = 16) -> list[Line]:
    """The header rows (name and address) with unsure words respelled against common business and address words."""
    out = []
    for line in lines:
        if line.page == 0 and line.index < limit:
            segments = [
                Segment(
                    [replace(w, text=respell(w.text)) if w.confidence < RESPELL_BELOW else w for w in seg.words],
                    seg.page,
                )
                for seg in line.segments
            ]
            line = Line(segments, line.page, line.index)
        out.append(line)
    return out


def _clean_name(text: str) -> str:
    # the registration number printed beside the name is not part of it, nor a stray bracket cut by OCR
    text = REG_NUMBER.sub(" ", text) if re.search(r"\d{5,}", text) else text
    text = re.sub(r"\(\s*\w{0,2}\s*$", "", text)
    return _snap_form(" ".join(text.split()).strip(" -:,"))


def _reopen(text: str) -> str:
    """An opening bracket read as a thin letter glued to the word before it put back: 'ENTERPRISEISETIA ALAM)'."""
    if text.count(")") <= text.count("("):
        return text
    glued = list(re.finditer(r"(?<=[A-Za-z]{4})[Il1|\[{](?=[A-Z]{3,}[^()]*\))", text))
    if not glued:
        return text
    return f"{text[: glued[-1].start()]} ({text[glued[-1].end() :]}"


def _snap_form(name: str) -> str:
    """A legal form at the end of a name misread by one letter ('San Bhd') put back to its spelling."""
    from rapidfuzz.distance import Levenshtein

    for n_words in (2, 1):
        tail = name.split()[-n_words:]
        if len(tail) < n_words:
            continue
        text = " ".join(tail)
        if text.upper() in KNOWN_FORMS:
            return name  # spelled right ('LLC' is one letter from 'PLC', and right as it is)
        for form in KNOWN_FORMS:
            if len(form) >= 3 and text.upper() != form and Levenshtein.distance(text.upper(), form) == 1:
                fixed = form if text.isupper() else form.title()
                return " ".join(name.split()[:-n_words] + [fixed])
    return name


def _header(lines: list[Line], limit: int = 12) -> list[Line]:
    return [line for line in lines if line.page == 0][:limit]


def _name_like(text: str) -> bool:
    letters = sum(c.isalpha() for c in text)
    digits = sum(c.isdigit() for c in text)
    return letters >= 3 and digits <= letters / 3 and not NOT_NAME.search(text) and not find_dates(text)


def _merchant(lines: list[Line]) -> tuple[int, Pick | None]:
    """The business name: scored on legal form, a registration number beside it, business words and position."""
    header = _header(lines)
    best: tuple[float, int, str, list] | None = None
    for i, line in enumerate(header[:8]):
        words = [w for w in line.words if w.confidence >= 0.7]  # logos read as noise come out unsure
        text = " ".join(w.text for w in words)
        has_reg = bool(re.search(r"\d{5,}-?\s*[A-Z]\b", text)) and bool(REG_NUMBER.search(text))
        name = _clean_name(text)
        if not _name_like(name) or ADDRESS_STOP.search(name) or PHONE_IN_ADDRESS.search(name):
            continue
        score = 1.0 - 0.3 * i
        if LEGAL_FORM.search(name):
            score += 3
        elif COMPANY_MARK.search(name):
            score += 1.5
        below_reg = i + 1 < len(header) and REG_LINE.match(header[i + 1].text.strip())
        if has_reg or below_reg and i <= 3:
            score += 2.5
        if OWNER.search(name) or i > 0 and OWNER.search(header[i - 1].text):
            score -= 3  # the company that owns the shop, not the shop
        if best is None or score > best[0]:
            best = (score, i, name, words)
    if best is None:
        return -1, None
    score, i, name, words = best
    # a name broken over two rows: 'AIK HUAT HARDWARE ENTERPRISE (SETIA' / 'ALAM) SDN BHD', 'SYL ROASTED' / 'SDN. BHD.'
    for back in (1, 2):
        if i - back < 0:
            break
        prev = header[i - back].text
        open_paren = name.count(")") > name.count("(") or prev.count("(") > prev.count(")")
        if open_paren or back == 1 and LEGAL_FORM.fullmatch(name.strip(" .()")) and _name_like(prev):
            name = f"{prev} {name}"
            words = header[i - back].words + words
        else:
            break
    if i + 1 < len(header):
        nxt = header[i + 1].text.strip()
        if LEGAL_FORM.fullmatch(nxt.strip(" .()")) or name.count("(") > name.count(")") and len(nxt) < 25:
            name = _clean_name(f"{name} {nxt}")
            words = words + header[i + 1].words
            i += 1
    certainty = min(0.9, 0.4 + 0.1 * score)
    return i, Pick(_reopen(name), words, certainty)


def _address(lines: list[Line], name_index: int) -> Pick | None:
    """Rows under the name up to the phone, tax number or first date: registration numbers skipped."""
    header = _header(lines, 16)
    parts: list[str] = []
    words = []
    prev_bottom = 0.0
    skipped_header = False
    for line in header[name_index + 1 :]:
        text = line.text.strip()
        if (
            REG_LINE.match(text)
            or TAX_LINE.match(text)
            or not re.search(r"[A-Za-z]{2}", text)
            and not re.search(r"\d{5}", text)
        ):
            if parts:
                break
            continue  # the registration number under the name
        if not parts and re.match(r"\W*(?:licensee|franchisee|owned\s*by|dimiliki)", text, re.I):
            continue  # 'Licensee of ...' says who runs the shop, not where it is
        if not parts and (find_dates(text) or find_time(text)) and len(re.findall(r"[A-Za-z]", text)) < 8:
            continue  # a date printed between the name and the address
        if not parts and REG_NUMBER.search(text) and re.search(r"\d{5,}", text):
            text = REG_NUMBER.sub(" ", text).strip(" :,")
            if len(re.sub(r"\W", "", text)) < 6:
                continue
        if parts and line.bbox[1] - prev_bottom > 2.5 * line.height:
            break  # a blank gap ends the block
        stop = ADDRESS_STOP.search(text)
        cut = stop.start() if stop else len(text)
        phone = PHONE_IN_ADDRESS.search(text[:cut])
        if phone and not re.fullmatch(r"\d{5}", phone.group(0).strip()):
            cut = phone.start()
        head = text[:cut].strip(" ,:(") if cut < len(text) else text
        amounts = find_amounts(head)
        priced = amounts and amounts[-1][2] >= len(head) - 2  # a row ending in a price
        if find_dates(head) or priced and not re.search(r"(?<!\d)\d{5}(?!\d)", head):
            break
        postcode = re.search(r"\d{5}(?!\d)", parts[-1]) if parts else None
        if postcode and re.search(r"[A-Za-z]{3}", parts[-1][postcode.end() :]) and not re.search(r"\d", head):
            if len(head.split()) > 1:
                break  # after 'postcode city' only a one-word state or country follows
        if skipped_header and not ADDRESS_LIKE.search(head):
            break  # past a header line only something that reads as an address may start the block
        if head and (cut == len(text) or len(head) >= 6):
            parts.append(head)
            words += line.words
        elif not parts and stop and not head and HEADER_LINE.match(text):
            skipped_header = True  # 'TAX INVOICE' printed between the name and the address
            continue
        prev_bottom = line.bbox[3]
        if cut < len(text) or len(parts) >= 6:
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


# a service charge or tip added to the bill ('Service Charge 10%', 'Serv.Charge(10%):', 'SVC CHG', '10% Srv Chg',
# 'Svr Chrg', 'Gratuity'); 'Service Tax' is a tax
SERVICE = re.compile(r"\bs(?:erv(?:ice)?|rv|vr|vc)\.?\s*(?:charge|chrg|chg)|\btips?\b|gratuity", re.I)


def _tip(lines: list[Line]) -> Pick | None:
    """The service charge or tip the till adds: the amount at the end of its row (none when it is 0.00)."""
    for line in lines:
        if not SERVICE.search(line.text):
            continue
        found = row_amount(lines, line)
        if found and found[0] > 0:
            return Pick(found[0], found[1], 0.8)
    return None


def _payment(lines: list[Line]) -> Pick | None:
    for line in lines:
        if TOTAL.search(line.text) and not CASH.search(line.text):
            continue
        match = PAYMENT.search(line.text)
        if match and find_amounts(line.text):
            return Pick(match.group(1).lower(), line.words, 0.6)
    return None


# 'x 2.57' after a quantity: the unit price of an item whose name is on the row above ('SUGAR 1KG' / '5 x 2.57  12.85')
QTY_PRICE = re.compile(r"^\s*(?P<qty>\d{1,4}(?:[.,]\d{1,3})?)\s*(?:pcs?|units?)?\s*[xX@*]\s*(?P<price>\d+[.,]\d{2})\b")
# Rows of the totals block the total words miss: a bare 'Amount' (the sub-total), a rounding adjustment, a discount or
# service charge, a total misread by OCR ('Sub-totai:', 'Tolai').
NOT_ITEM = re.compile(
    r"^\s*(?:amount|amt)\b[\s:(rm)]*$|\bround(?:ing)?\b|pembundaran|\bchange\b|tender|\bdiscount\b|"
    r"service\s*charge|sub\W*tota|^\W*t[o0][tl][a4][il1]\b|^\W*(?:gst|sst|vat|tax)",  # 'GSTO%': a tax row OCR glued
    re.I,
)


def _items(lines: list[Line], name_index: int) -> tuple[list[ReceiptItem], dict[str, float]]:
    """Rows between the header and the first total that end in an amount and name something: one row ('2 LATTE
    19.80', a quantity column then the name), or two (the name, then 'qty x price' and the amount)."""
    items: list[ReceiptItem] = []
    confidence: dict[str, float] = {}
    name_row: Line | None = None  # a row of text alone: an item's name when 'qty x price' follows
    for line in lines[max(name_index, 0) + 1 :]:
        text = line.text
        if item_header(text) and not find_amounts(text):
            continue  # the item table's header ('Qty Item Price Total Tax'): its 'Total' heads a column
        if TOTAL.search(text) or re.search(r"sub\s*-?\s*total", text, re.I):
            break
        above, name_row = name_row, None
        amounts = find_amounts(line.segments[-1].text)
        if len(line.segments) == 1 and not amounts and sum(c.isalpha() for c in text) >= 3:
            name_row = line
            continue
        if len(line.segments) < 2 or find_dates(text) or ADDRESS_STOP.search(text) or CASH.search(text):
            continue
        if TAX.search(text) or re.search(r"\d\s*%", text) and not re.search(r"disc", text, re.I):
            continue  # a tax-summary row ('GST 6% 13.30 0.80'), not something bought
        description, quantity, unit_price = line.segments[0].text, None, None
        pair = QTY_PRICE.match(description)
        if pair and above is not None:  # 'SUGAR 1KG' over '5 x 2.57  12.85'
            description, quantity, unit_price = above.text, pair["qty"], find_amounts(pair["price"])[0][0]
        elif re.fullmatch(r"\d{1,3}", description.strip()) and len(line.segments) >= 3:  # 'Qty | Item | Price | Amt'
            description, quantity = line.segments[1].text, description.strip()
            middle = find_amounts(line.segments[-2].text) if len(line.segments) >= 4 else []
            unit_price = middle[-1][0] if middle else None
        if not amounts or sum(c.isalpha() for c in description) < 3 or NOT_ITEM.search(description):
            continue
        if quantity is None and (qty := re.match(r"^\s*(\d{1,3})\s*[xX@]?\s+\D", description)):
            quantity = qty.group(1)
        items.append(
            ReceiptItem(description=description, quantity=quantity, unit_price=unit_price, amount=amounts[-1][0])
        )
        n = len(items) - 1
        pick = Pick(None, line.words, 0.7)
        for key in (
            ("description", "amount") + (("quantity",) if quantity else ()) + (("unit_price",) if unit_price else ())
        ):
            confidence[f"/items/{n}/{key}"] = pick.confidence
    return items, confidence
