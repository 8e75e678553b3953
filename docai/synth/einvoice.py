"""Factur-X / ZUGFeRD test files: a generated invoice's labels as UN/CEFACT CII XML, embedded in its PDF."""

from __future__ import annotations

from typing import Any
from xml.sax.saxutils import escape

RSM = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
RAM = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
PIECES = ' unitCode="C62"'  # UN/ECE rec. 20: one piece
UDT = "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100"


def _e(tag: str, value: Any, attrs: str = "") -> str:
    return "" if value in (None, "") else f"<{tag}{attrs}>{escape(str(value))}</{tag}>"


def _date(iso: str | None) -> str:
    return "" if not iso else f'<udt:DateTimeString format="102">{iso.replace("-", "")}</udt:DateTimeString>'


def _party(tag: str, name: str | None, address: str | None, vat: str | None) -> str:
    parts = [p.strip() for p in (address or "").split(",")]
    street, place = (parts + ["", ""])[:2]
    postcode, _, city = place.partition(" ") if place[:1].isdigit() else ("", "", place)
    tax = (
        f'<ram:SpecifiedTaxRegistration><ram:ID schemeID="VA">{escape(vat)}</ram:ID></ram:SpecifiedTaxRegistration>'
        if vat
        else ""
    )
    return (
        f"<ram:{tag}>{_e('ram:Name', name)}<ram:PostalTradeAddress>{_e('ram:PostcodeCode', postcode)}"
        f"{_e('ram:LineOne', street)}{_e('ram:CityName', city)}</ram:PostalTradeAddress>{tax}</ram:{tag}>"
    )


def cii_xml(truth: dict[str, Any], **override: Any) -> bytes:
    """CII XML (Factur-X EN 16931 profile shape) stating the invoice `truth`; override changes values, for tests."""
    t = {**truth, **override}
    lines = "".join(
        "<ram:IncludedSupplyChainTradeLineItem>"
        f"<ram:AssociatedDocumentLineDocument><ram:LineID>{n + 1}</ram:LineID></ram:AssociatedDocumentLineDocument>"
        f"<ram:SpecifiedTradeProduct>{_e('ram:Name', line['description'])}</ram:SpecifiedTradeProduct>"
        "<ram:SpecifiedLineTradeAgreement><ram:NetPriceProductTradePrice>"
        f"{_e('ram:ChargeAmount', line.get('unit_price'))}</ram:NetPriceProductTradePrice></ram:SpecifiedLineTradeAgreement>"
        f"<ram:SpecifiedLineTradeDelivery>{_e('ram:BilledQuantity', line.get('quantity'), PIECES)}"
        "</ram:SpecifiedLineTradeDelivery><ram:SpecifiedLineTradeSettlement><ram:ApplicableTradeTax>"
        f"<ram:TypeCode>VAT</ram:TypeCode>{_e('ram:RateApplicablePercent', line.get('tax_rate'))}</ram:ApplicableTradeTax>"
        "<ram:SpecifiedTradeSettlementLineMonetarySummation>"
        f"{_e('ram:LineTotalAmount', line.get('amount'))}</ram:SpecifiedTradeSettlementLineMonetarySummation>"
        "</ram:SpecifiedLineTradeSettlement></ram:IncludedSupplyChainTradeLineItem>"
        for n, line in enumerate(t.get("line_items") or [])
    )
    due = f"<ram:DueDateDateTime>{_date(t.get('due_date'))}</ram:DueDateDateTime>" if t.get("due_date") else ""
    xml = (
        f'<?xml version="1.0" encoding="UTF-8"?><rsm:CrossIndustryInvoice xmlns:rsm="{RSM}" xmlns:ram="{RAM}" '
        f'xmlns:udt="{UDT}"><rsm:ExchangedDocumentContext><ram:GuidelineSpecifiedDocumentContextParameter>'
        "<ram:ID>urn:cen.eu:en16931:2017</ram:ID></ram:GuidelineSpecifiedDocumentContextParameter>"
        f"</rsm:ExchangedDocumentContext><rsm:ExchangedDocument>{_e('ram:ID', t.get('invoice_id'))}"
        f"<ram:TypeCode>380</ram:TypeCode><ram:IssueDateTime>{_date(t.get('invoice_date'))}</ram:IssueDateTime>"
        f"</rsm:ExchangedDocument><rsm:SupplyChainTradeTransaction>{lines}<ram:ApplicableHeaderTradeAgreement>"
        f"{_party('SellerTradeParty', t.get('vendor_name'), t.get('vendor_address'), t.get('vendor_tax_id'))}"
        f"{_party('BuyerTradeParty', t.get('customer_name'), t.get('customer_address'), None)}"
        + (
            f"<ram:BuyerOrderReferencedDocument>{_e('ram:IssuerAssignedID', t.get('purchase_order'))}"
            "</ram:BuyerOrderReferencedDocument>"
            if t.get("purchase_order")
            else ""
        )
        + "</ram:ApplicableHeaderTradeAgreement><ram:ApplicableHeaderTradeDelivery/>"
        f"<ram:ApplicableHeaderTradeSettlement>{_e('ram:InvoiceCurrencyCode', t.get('currency'))}"
        f"<ram:SpecifiedTradePaymentTerms>{_e('ram:Description', t.get('payment_terms'))}{due}"
        "</ram:SpecifiedTradePaymentTerms><ram:SpecifiedTradeSettlementHeaderMonetarySummation>"
        f"{_e('ram:LineTotalAmount', t.get('subtotal'))}{_e('ram:AllowanceTotalAmount', t.get('total_discount'))}"
        f"{_e('ram:TaxTotalAmount', t.get('total_tax'), ' currencyID=' + repr(t.get('currency') or 'EUR'))}"
        f"{_e('ram:GrandTotalAmount', t.get('invoice_total'))}"
        f"{_e('ram:DuePayableAmount', t.get('amount_due') or t.get('invoice_total'))}"
        "</ram:SpecifiedTradeSettlementHeaderMonetarySummation></ram:ApplicableHeaderTradeSettlement>"
        "</rsm:SupplyChainTradeTransaction></rsm:CrossIndustryInvoice>"
    )
    return xml.encode("utf-8")


def embed(pdf: bytes, xml: bytes, name: str = "factur-x.xml") -> bytes:
    """The PDF with the XML attached as an embedded file, as Factur-X / ZUGFeRD hybrids carry it."""
    import pymupdf

    with pymupdf.open(stream=pdf, filetype="pdf") as doc:
        doc.embfile_add(name, xml, filename=name, desc="Factur-X invoice")
        return doc.tobytes(garbage=3, deflate=True, no_new_id=True)
