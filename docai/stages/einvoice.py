"""E-invoices read, not guessed: Factur-X / ZUGFeRD / XRechnung XML (UN/CEFACT CII or OASIS UBL), embedded in a
PDF or uploaded on its own, is the invoice's own data: exact values at confidence 1.

The XML is parsed with defusedxml (no entity expansion, no DTDs, no network). Where the PDF's page does not print
a value the XML states, the result carries an issue so a reviewer looks.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import Any
from xml.etree.ElementTree import Element

from defusedxml import ElementTree as SafeET  # noqa: N812 - the module's usual alias
from defusedxml.common import DefusedXmlException

from docai.errors import DocaiError, ErrorCode
from model.types import ExtractResult, Word
from schemas.common import Issue, Severity
from schemas.invoice import Invoice, InvoiceLine

ENGINE = "e-invoice"
MODEL = "factur-x/zugferd/xrechnung (CII, UBL)"
MAX_XML_BYTES = 20 << 20
XML_NAMES = re.compile(r"(factur-?x|zugferd|xrechnung|order-x|invoice|cii|ubl).*\.xml$|\.xml$", re.I)
CII_ROOT = "CrossIndustryInvoice"
UBL_ROOTS = ("Invoice", "CreditNote")
# Fields whose printed value is checked against the page (others may legitimately be printed differently).
CHECKED = ("invoice_id", "invoice_total", "subtotal", "total_tax", "amount_due", "invoice_date")


def looks_like_einvoice(data: bytes) -> bool:
    """An XML document whose root is a CII or UBL invoice (checked on the first 4 KB, before parsing)."""
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if not head.startswith(b"<"):
        return False
    return (
        b"CrossIndustryInvoice" in head
        or b"urn:oasis:names:specification:ubl:schema:xsd:Invoice-2" in head
        or (b"urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2" in head)
    )


def embedded_xml(pdf: bytes) -> bytes | None:
    """The e-invoice XML attached to a PDF (Factur-X, ZUGFeRD, XRechnung hybrid), or None."""
    import pymupdf

    try:
        doc = pymupdf.open(stream=pdf, filetype="pdf")
    except Exception:  # noqa: BLE001 - an unreadable PDF simply carries no e-invoice
        return None
    with doc:
        names = sorted(doc.embfile_names(), key=lambda n: not re.search(r"factur|zugferd|xrechnung", n, re.I))
        for name in names:
            info = doc.embfile_info(name)
            filename = info.get("filename") or name
            if not XML_NAMES.search(filename) or info.get("size", 0) > MAX_XML_BYTES:
                continue
            data = doc.embfile_get(name)
            if looks_like_einvoice(data):
                return data
    return None


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _find(element: Element | None, path: str) -> Element | None:
    """The first element down a path of local names ('A/B/C'), namespaces ignored."""
    for name in path.split("/"):
        if element is None:
            return None
        element = next((child for child in element if _local(child.tag) == name), None)
    return element


def _all(element: Element | None, name: str) -> list[Element]:
    return [child for child in element or [] if _local(child.tag) == name]


def _attr(element: Element | None, name: str) -> str | None:
    return element.get(name) if element is not None else None


def _text(element: Element | None, path: str) -> str | None:
    found = _find(element, path)
    text = (found.text or "").strip() if found is not None else ""
    return text or None


def _amount(element: Element | None, path: str) -> Decimal | None:
    text = _text(element, path)
    if text is None:
        return None
    try:
        return Decimal(text)
    except InvalidOperation as err:
        raise DocaiError(
            ErrorCode.CORRUPT, f"The e-invoice XML holds {text!r} where an amount belongs ({path})."
        ) from err


def _date(text: str | None) -> str | None:
    """CII format 102 (YYYYMMDD) or an ISO date, as ISO."""
    if not text:
        return None
    if re.fullmatch(r"\d{8}", text):
        return dt.date(int(text[:4]), int(text[4:6]), int(text[6:])).isoformat()
    return dt.date.fromisoformat(text[:10]).isoformat()


def parse(xml: bytes) -> Invoice:
    """The invoice an e-invoice XML states; raises DocaiError for XML that is unsafe, malformed or not an invoice."""
    if len(xml) > MAX_XML_BYTES:
        raise DocaiError(ErrorCode.TOO_LARGE, "The e-invoice XML is larger than 20 MiB; docai does not read it.")
    try:
        root = SafeET.fromstring(xml, forbid_dtd=True)
    except DefusedXmlException as err:
        raise DocaiError(
            ErrorCode.CORRUPT, "The e-invoice XML declares a DTD or entities, which docai refuses to expand."
        ) from err
    except SafeET.ParseError as err:
        raise DocaiError(ErrorCode.CORRUPT, f"The e-invoice XML is not well-formed ({err}).") from err
    kind = _local(root.tag)
    try:
        values = _cii(root) if kind == CII_ROOT else _ubl(root) if kind in UBL_ROOTS else None
    except (ValueError, TypeError) as err:
        raise DocaiError(ErrorCode.CORRUPT, f"The e-invoice XML holds a value docai cannot read: {err}.") from err
    if values is None:
        raise DocaiError(
            ErrorCode.UNSUPPORTED_TYPE,
            f"The XML's root element is {kind!r}, not a CII CrossIndustryInvoice or a UBL Invoice.",
        )
    try:
        return Invoice.model_validate(values)
    except ValueError as err:
        raise DocaiError(ErrorCode.CORRUPT, f"The e-invoice XML does not fit the invoice schema: {err}") from err


def _address(party: Element | None, street: str, postcode: str, city: str, country: str) -> str | None:
    parts = [_text(party, street), " ".join(p for p in (_text(party, postcode), _text(party, city)) if p)]
    parts.append(_text(party, country) or "")
    return ", ".join(p for p in parts if p) or None


def _cii(root: Element) -> dict[str, Any]:
    doc = _find(root, "ExchangedDocument")
    trade = _find(root, "SupplyChainTradeTransaction")
    agreement = _find(trade, "ApplicableHeaderTradeAgreement")
    settlement = _find(trade, "ApplicableHeaderTradeSettlement")
    sums = _find(settlement, "SpecifiedTradeSettlementHeaderMonetarySummation")
    seller, buyer = _find(agreement, "SellerTradeParty"), _find(agreement, "BuyerTradeParty")
    terms = _find(settlement, "SpecifiedTradePaymentTerms")
    tax_ids = _all(seller, "SpecifiedTaxRegistration")
    vat = next((_text(t, "ID") for t in tax_ids if _attr(_find(t, "ID"), "schemeID") == "VA"), None)
    lines = []
    for item in _all(trade, "IncludedSupplyChainTradeLineItem"):
        quantity = _find(item, "SpecifiedLineTradeDelivery/BilledQuantity")
        lines.append(
            InvoiceLine(
                description=_text(item, "SpecifiedTradeProduct/Name"),
                quantity=Decimal(quantity.text.strip()) if quantity is not None and quantity.text else None,
                unit=quantity.get("unitCode") if quantity is not None else None,
                unit_price=_amount(item, "SpecifiedLineTradeAgreement/NetPriceProductTradePrice/ChargeAmount"),
                tax_rate=_amount(item, "SpecifiedLineTradeSettlement/ApplicableTradeTax/RateApplicablePercent"),
                amount=_amount(
                    item, "SpecifiedLineTradeSettlement/SpecifiedTradeSettlementLineMonetarySummation/LineTotalAmount"
                ),
            )
        )
    return {
        "invoice_id": _text(doc, "ID"),
        "invoice_date": _date(_text(doc, "IssueDateTime/DateTimeString")),
        "due_date": _date(_text(terms, "DueDateDateTime/DateTimeString")),
        "payment_terms": _text(terms, "Description"),
        "vendor_name": _text(seller, "Name"),
        "vendor_address": _address(
            seller,
            "PostalTradeAddress/LineOne",
            "PostalTradeAddress/PostcodeCode",
            "PostalTradeAddress/CityName",
            "PostalTradeAddress/CountryID",
        ),
        "vendor_tax_id": vat or (_text(tax_ids[0], "ID") if tax_ids else None),
        "customer_name": _text(buyer, "Name"),
        "customer_address": _address(
            buyer,
            "PostalTradeAddress/LineOne",
            "PostalTradeAddress/PostcodeCode",
            "PostalTradeAddress/CityName",
            "PostalTradeAddress/CountryID",
        ),
        "purchase_order": _text(agreement, "BuyerOrderReferencedDocument/IssuerAssignedID"),
        "currency": _text(settlement, "InvoiceCurrencyCode"),
        "line_items": _billed(lines),
        "subtotal": _amount(sums, "LineTotalAmount"),
        "total_tax": _amount(sums, "TaxTotalAmount"),
        "total_discount": _amount(sums, "AllowanceTotalAmount") or None,
        "invoice_total": _amount(sums, "GrandTotalAmount"),
        "amount_due": _amount(sums, "DuePayableAmount"),
    }


def _ubl(root: Element) -> dict[str, Any]:
    supplier = _find(root, "AccountingSupplierParty/Party")
    customer = _find(root, "AccountingCustomerParty/Party")
    sums = _find(root, "LegalMonetaryTotal")

    def name(party: Element | None) -> str | None:
        return _text(party, "PartyLegalEntity/RegistrationName") or _text(party, "PartyName/Name")

    lines = []
    for item in _all(root, "InvoiceLine") + _all(root, "CreditNoteLine"):
        quantity = _find(item, "InvoicedQuantity")
        quantity = quantity if quantity is not None else _find(item, "CreditedQuantity")
        lines.append(
            InvoiceLine(
                description=_text(item, "Item/Name") or _text(item, "Item/Description"),
                quantity=Decimal(quantity.text.strip()) if quantity is not None and quantity.text else None,
                unit=quantity.get("unitCode") if quantity is not None else None,
                unit_price=_amount(item, "Price/PriceAmount"),
                tax_rate=_amount(item, "Item/ClassifiedTaxCategory/Percent"),
                amount=_amount(item, "LineExtensionAmount"),
            )
        )
    return {
        "invoice_id": _text(root, "ID"),
        "invoice_date": _date(_text(root, "IssueDate")),
        "due_date": _date(_text(root, "DueDate") or _text(root, "PaymentMeans/PaymentDueDate")),
        "payment_terms": _text(root, "PaymentTerms/Note"),
        "vendor_name": name(supplier),
        "vendor_address": _address(
            supplier,
            "PostalAddress/StreetName",
            "PostalAddress/PostalZone",
            "PostalAddress/CityName",
            "PostalAddress/Country/IdentificationCode",
        ),
        "vendor_tax_id": _text(supplier, "PartyTaxScheme/CompanyID"),
        "customer_name": name(customer),
        "customer_address": _address(
            customer,
            "PostalAddress/StreetName",
            "PostalAddress/PostalZone",
            "PostalAddress/CityName",
            "PostalAddress/Country/IdentificationCode",
        ),
        "purchase_order": _text(root, "OrderReference/ID"),
        "currency": _text(root, "DocumentCurrencyCode"),
        "line_items": _billed(lines),
        "subtotal": _amount(sums, "LineExtensionAmount"),
        "total_tax": _amount(root, "TaxTotal/TaxAmount"),
        "total_discount": _amount(sums, "AllowanceTotalAmount") or None,
        "invoice_total": _amount(sums, "TaxInclusiveAmount"),
        "amount_due": _amount(sums, "PayableAmount"),
    }


def _billed(lines: list[InvoiceLine]) -> list[InvoiceLine]:
    """Lines that bill something: a section heading or a note exported as a line (quantity, price and amount all
    zero, as Odoo writes them) is not a line item."""
    return [line for line in lines if any(v for v in (line.quantity, line.unit_price, line.amount))]


def _printed(value: Any, field: str, pages: list[list[Word]]) -> bool:
    """Whether the page prints the value: an amount as any of its usual spellings, a date in any format."""
    from model.layout.values import find_amounts, find_dates
    from schemas.dates import parse_date

    text = " ".join(w.text for words in pages for w in words)
    if field == "invoice_date":
        # '07/09/2023' is 9 July on a month-first page: either reading of a printed date may be the one the XML states
        found = find_dates(text)
        month_first = (parse_date(text[start:end], day_first=False) for _, start, end in found)
        return str(value) in {d.isoformat() for d, _, _ in found} | {d.isoformat() for d in month_first if d}
    if isinstance(value, Decimal):
        return any(a == value for a, _, _ in find_amounts(text, allow_int=True))
    squash = re.sub(r"\W+", "", text).lower()
    return re.sub(r"\W+", "", str(value)).lower() in squash


def _implied(invoice: Invoice, field: str, printed: set[str], pages: list[list[Word]]) -> bool:
    """A tax total the page never prints (several VAT rates, each with its own tax) is no disagreement when the printed
    subtotal and a printed total imply it: subtotal - discount + tax = that total, within a cent."""
    from model.layout.values import find_amounts

    if field != "total_tax" or "subtotal" not in printed:
        return False
    assert invoice.subtotal is not None and invoice.total_tax is not None
    total = invoice.subtotal - (invoice.total_discount or Decimal(0)) + invoice.total_tax
    text = " ".join(w.text for words in pages for w in words)
    return any(abs(a - total) <= Decimal("0.01") for a, _, _ in find_amounts(text, allow_int=True))


def einvoice_result(request_id: str, xml: bytes, pages: list[list[Word]], page_less: bool = False) -> ExtractResult:
    """The e-invoice's values at confidence 1, with an issue for each checked value the page does not print."""
    try:
        invoice = parse(xml)
    except DocaiError as err:
        return ExtractResult(
            request_id, "invoice", None, ENGINE, MODEL, error_code=str(err.code), error_message=err.message
        )
    from docai.stages.grounding import leaves

    confidence = {path: 1.0 for path, _ in leaves(invoice.model_dump(mode="python"))}
    issues = []
    if not page_less and any(pages):
        stated = {f: getattr(invoice, f) for f in CHECKED if getattr(invoice, f) is not None}
        printed = {f for f, value in stated.items() if _printed(value, f, pages)}
        for field, value in stated.items():
            if field not in printed and not _implied(invoice, field, printed, pages):
                issues.append(
                    Issue(
                        code="einvoice_mismatch",
                        field=f"/{field}",
                        message=f"The embedded e-invoice XML gives {field} {value}, but the printed page does not show it.",
                        severity=Severity.ERROR,  # a reviewer decides which one the invoice really says
                    )
                )
    return ExtractResult(
        request_id, "invoice", invoice, ENGINE, MODEL, revision="1", confidence=confidence, issues=issues
    )


def render_page(invoice: Invoice) -> bytes:
    """A plain one-page PDF listing what an XML-only e-invoice says, so it has a page to show and review."""
    import pymupdf

    doc = pymupdf.open()
    page = doc.new_page(width=595, height=842)
    writer, font = pymupdf.TextWriter(page.rect), pymupdf.Font("helv")
    y = 50.0

    def put(text: str, size: float = 9, x: float = 50) -> None:
        nonlocal y
        writer.append((x, y), text[:110], font=font, fontsize=size)
        y += size * 1.6

    put("E-invoice (XML, no printed page)", 13)
    data = invoice.model_dump(mode="json")
    for name, value in data.items():
        if name != "line_items" and value not in (None, ""):
            put(f"{name.replace('_', ' ')}: {value}")
    put("")
    for line in data["line_items"][:40]:
        parts = [line.get("description") or "", line.get("quantity"), line.get("unit_price"), line.get("amount")]
        put("  ".join(str(p) for p in parts if p not in (None, "")))
    writer.write_text(page)
    return doc.tobytes(no_new_id=True)
