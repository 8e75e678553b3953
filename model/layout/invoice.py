"""Layout rules that read an invoice: labelled header fields, parties, line items and totals."""

from __future__ import annotations

import re
from statistics import median

from model.layout.common import Pick, after_label, below, find_totals, first_date, labelled_date
from model.layout.lines import Line
from model.layout.receipt import ADDRESS_STOP, COMPANY_MARK, NOT_NAME
from model.layout.values import DUE_LABEL, find_amounts, find_currency, find_dates
from schemas.invoice import Invoice, InvoiceLine

INVOICE_NO = re.compile(
    r"(?:invoice|inv|bill|factuur|rechnung|facture|factura|fattura|invois|nota)\s*[-.]?\s*"
    r"(?:no\b\.?|nr\b\.?|n[°ºo]\.?|num(?:ber|mer|ero|éro)?\b\.?|#|id\b|number)|"
    r"factuurnummer|rechnungsnummer|rechnungs-?nr\.?|invoicenumber|n[°º]\s*(?:de\s*)?facture|num[ée]ro\s*de\s*facture|"
    r"n[úu]mero\s*de\s*factura|bill\s*no|^\s*(?:invoice|factuur|rechnung|facture|factura|fattura)\b",
    re.I,
)
INVOICE_DATE = re.compile(
    r"invoice\s*date|date\s*of\s*(?:issue|invoice)|issue\s*date|bill(?:ing)?\s*date|factuur\s*datum|factuurdatum|"
    r"rechnungsdatum|date\s*de\s*(?:la\s*)?facture|date\s*d.?[ée]mission|fecha\s*(?:de\s*)?(?:factura|emisi[óo]n)|"
    r"tarikh\s*invois|invoice\s*dt",
    re.I,
)
ANY_DATE = re.compile(r"\b(?:date|datum|fecha|tarikh|data|dated|le)\b", re.I)
OTHER_DATE = re.compile(
    r"due|order|delivery|ship|period|from|to\b|until|bis|valid|vervaldatum|leverdatum|besteldatum|orderdatum|f[äa]llig|"
    r"lieferdatum|livraison|[ée]ch[ée]ance|vencimiento|start|end|birth|geboorte",
    re.I,
)
TAX_ID = re.compile(
    r"(?:vat|btw|tva|iva|gst|ust|mwst)[\s.-]*(?:id|no|nr|number|nummer|reg(?:istration)?|n[°º])?\.?\s*[:.]?\s*|"
    r"ust-?id(?:nr)?\.?\s*[:.]?\s*|uid\s*[:.]?\s*|tax\s*id\s*[:.]?\s*|siret\s*[:.]?\s*|abn\s*[:.]?\s*|gstin\s*[:.]?\s*",
    re.I,
)
TAX_ID_VALUE = re.compile(r"\b[A-Z]{2}\s?[0-9A-Z][0-9A-Z .]{6,14}[0-9A-Z]\b|\b\d[\d .-]{7,16}\d\b")
CUSTOMER_LABEL = re.compile(
    r"bill\s*to|billed\s*to|invoice\s*to|sold\s*to|customer|client|klant|kunde|factuuradres|rechnungsadresse|"
    r"factur[ée]\s*[àa]|facturar\s*a|cliente|buyer",
    re.I,
)
VENDOR_LABEL = re.compile(
    r"\b(?:from|seller|sold\s*by|vendor|supplier|leverancier|verk[äa]ufer|fournisseur|vendedor)\b", re.I
)
TABLE_HEAD = re.compile(
    r"description|omschrijving|beschreibung|bezeichnung|d[ée]signation|descripci[óo]n|artikel|article|item|product|"
    r"qty|quantity|aantal|menge|quantit[ée]|cantidad",
    re.I,
)
TERMS = re.compile(r"payment\s*terms|terms|betalingstermijn|zahlungsbedingungen|conditions\s*de\s*paiement", re.I)
PO = re.compile(
    r"purchase\s*order|p\.?o\.?\s*(?:no|number|#)|order\s*(?:no|number|nr)|bestelnummer|ordernummer|bestellnummer|commande",
    re.I,
)


def extract_invoice(lines: list[Line]) -> tuple[Invoice, dict[str, float]]:
    """Invoice fields from the rows of a document."""
    picks: dict[str, Pick | None] = {}
    picks["invoice_id"] = _invoice_id(lines)
    picks["invoice_date"] = (
        labelled_date(lines, INVOICE_DATE) or labelled_date(lines, ANY_DATE, exclude=OTHER_DATE) or first_date(lines)
    )
    picks["due_date"] = labelled_date(lines, DUE_LABEL)
    picks["vendor_name"], vendor_line = _vendor(lines)
    picks["vendor_address"] = _block_under(lines, vendor_line)
    picks["vendor_tax_id"] = _tax_id(lines)
    picks["customer_name"], customer_line = _customer(lines)
    picks["customer_address"] = _block_under(lines, customer_line)
    picks["payment_terms"] = _labelled_text(lines, TERMS)
    picks["purchase_order"] = _labelled_code(lines, PO)
    currency = find_currency([line.text for line in lines])
    totals = find_totals(lines, allow_int=currency in {"INR", "JPY", "KRW", "IDR"})
    picks["invoice_total"], picks["subtotal"], picks["total_tax"] = totals.total, totals.subtotal, totals.tax
    data = {k: p.value for k, p in picks.items() if p is not None}
    items, item_conf = _line_items(lines)
    invoice = Invoice(**data, currency=currency, line_items=items)
    confidence = {f"/{k}": p.confidence for k, p in picks.items() if p is not None}
    if currency:
        confidence["/currency"] = 0.75
    confidence.update(item_conf)
    return invoice, confidence


def _code_token(text: str) -> str | None:
    for token in re.split(r"\s+", text.strip(" :#.")):
        token = token.strip(" :,;")
        if len(token) >= 3 and re.search(r"\d", token) and not find_dates(token) and not find_amounts(token):
            return token
    return None


def _invoice_id(lines: list[Line]) -> Pick | None:
    for line in lines:
        for seg in line.segments:
            match = INVOICE_NO.search(seg.text)
            if (
                not match
                or INVOICE_DATE.search(seg.text)
                or re.search(r"date|datum|adres|address", seg.text[match.end() :], re.I)
            ):
                continue
            right = after_label(line, INVOICE_NO)
            if right:
                token = _code_token(right[0])
                if token:
                    return Pick(token, [w for w in right[1] if token in w.text or w.text in token] or right[1], 0.85)
            for cell in below(lines, line, seg.bbox):
                token = _code_token(cell.text)
                if token:
                    return Pick(token, cell.words, 0.75)
    return None


def _labelled_code(lines: list[Line], label: re.Pattern[str]) -> Pick | None:
    for line in lines:
        if label.search(line.text):
            right = after_label(line, label)
            token = _code_token(right[0]) if right else None
            if token:
                return Pick(token, right[1], 0.7)
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
    return letters >= 2 and digits <= letters / 4 and not NOT_NAME.search(text) and not find_dates(text)


def _vendor(lines: list[Line]) -> tuple[Pick | None, Line | None]:
    """The issuer: a labelled seller, a company-form name near the top, or the largest print at the top."""
    for line in lines:
        if VENDOR_LABEL.search(line.text):
            right = after_label(line, VENDOR_LABEL)
            if right and _name_like(right[0]):
                return Pick(right[0], right[1], 0.75), line
    page0 = [line for line in lines if line.page == 0]
    top = [line for line in page0 if line.bbox[1] < 0.35]
    customer = _customer(lines)[1]
    for line in top:
        for seg in line.segments:
            if COMPANY_MARK.search(seg.text) and _name_like(seg.text) and not ADDRESS_STOP.search(seg.text):
                if customer is not None and customer.index < line.index <= customer.index + 2:
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
        and not re.fullmatch(r"\W*(invoice|factuur|rechnung|facture|factura)\W*", seg.text, re.I)
    ]
    if not candidates:
        return None, None
    seg, line = max(
        candidates, key=lambda c: (max(w.bbox[3] - w.bbox[1] for w in c[0].words) > body * 1.3, -c[1].index)
    )
    return Pick(seg.text.strip(" ,"), seg.words, 0.5), line


def _customer(lines: list[Line]) -> tuple[Pick | None, Line | None]:
    for line in lines:
        for seg in line.segments:
            if not CUSTOMER_LABEL.search(seg.text):
                continue
            right = after_label(line, CUSTOMER_LABEL)
            if right and _name_like(right[0]) and not re.search(r"\d{3,}", right[0]):
                return Pick(right[0], right[1], 0.7), line
            for cell in below(lines, line, seg.bbox):
                if _name_like(cell.text):
                    row = next(ln for ln in lines if cell in ln.segments)
                    return Pick(cell.text, cell.words, 0.65), row
    return None, None


def _block_under(lines: list[Line], start: Line | None) -> Pick | None:
    """Address rows right under a name, in the same column."""
    if start is None:
        return None
    anchor = start.bbox
    parts, words = [], []
    idx = lines.index(start)
    for line in lines[idx + 1 : idx + 5]:
        if line.page != start.page or line.bbox[1] - anchor[3] > 2.5 * start.height * (len(parts) + 1):
            break
        cells = [s for s in line.segments if abs(s.bbox[0] - anchor[0]) < 0.05]
        if not cells:
            continue
        text = cells[0].text
        if ADDRESS_STOP.search(text) or find_amounts(text) or find_dates(text):
            break
        parts.append(text)
        words += cells[0].words
    if not parts:
        return None
    return Pick(", ".join(parts), words, 0.6)


def _line_items(lines: list[Line]) -> tuple[list[InvoiceLine], dict[str, float]]:
    """Rows under a table header that end in an amount, until the totals."""
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
        description = line.segments[0].text
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
        conf = Pick(None, line.words, 0.5).confidence
        for key in ("description", "amount"):
            confidence[f"/line_items/{n}/{key}"] = conf
    return items, confidence
