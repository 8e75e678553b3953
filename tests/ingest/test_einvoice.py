"""E-invoices read from their XML: Factur-X PDFs (CII embedded), XRechnung XML on its own, UBL; unsafe XML refused."""

from __future__ import annotations

from decimal import Decimal

import pymupdf
import pytest
from sqlalchemy.orm import Session

from docai.errors import DocaiError, ErrorCode
from docai.settings import get_settings
from docai.stages.einvoice import embedded_xml, parse
from docai.stages.engines import get_engine
from docai.stages.ingest import MediaType, sniff
from docai.stages.pipeline import PipelineOptions, process_files
from docai.store.db.models import Document, DocumentStatus
from docai.synth.einvoice import cii_xml, embed
from docai.synth.invoices import make_invoice

UBL = """<?xml version="1.0" encoding="UTF-8"?>
<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
 xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
 xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
 <cbc:ID>XR-2024-77</cbc:ID><cbc:IssueDate>2024-05-02</cbc:IssueDate><cbc:DueDate>2024-06-01</cbc:DueDate>
 <cbc:DocumentCurrencyCode>EUR</cbc:DocumentCurrencyCode>
 <cac:AccountingSupplierParty><cac:Party><cac:PostalAddress><cbc:StreetName>Ring 3</cbc:StreetName>
  <cbc:CityName>Bonn</cbc:CityName><cbc:PostalZone>53111</cbc:PostalZone></cac:PostalAddress>
  <cac:PartyTaxScheme><cbc:CompanyID>DE811111111</cbc:CompanyID></cac:PartyTaxScheme>
  <cac:PartyLegalEntity><cbc:RegistrationName>Rheinwerk GmbH</cbc:RegistrationName></cac:PartyLegalEntity>
 </cac:Party></cac:AccountingSupplierParty>
 <cac:AccountingCustomerParty><cac:Party><cac:PartyLegalEntity><cbc:RegistrationName>Stadt Köln</cbc:RegistrationName>
  </cac:PartyLegalEntity></cac:Party></cac:AccountingCustomerParty>
 <cac:TaxTotal><cbc:TaxAmount currencyID="EUR">19.00</cbc:TaxAmount></cac:TaxTotal>
 <cac:LegalMonetaryTotal><cbc:LineExtensionAmount currencyID="EUR">100.00</cbc:LineExtensionAmount>
  <cbc:TaxInclusiveAmount currencyID="EUR">119.00</cbc:TaxInclusiveAmount>
  <cbc:PayableAmount currencyID="EUR">119.00</cbc:PayableAmount></cac:LegalMonetaryTotal>
 <cac:InvoiceLine><cbc:ID>1</cbc:ID><cbc:InvoicedQuantity unitCode="HUR">4</cbc:InvoicedQuantity>
  <cbc:LineExtensionAmount currencyID="EUR">100.00</cbc:LineExtensionAmount>
  <cac:Item><cbc:Name>Beratung</cbc:Name><cac:ClassifiedTaxCategory><cbc:Percent>19</cbc:Percent>
  </cac:ClassifiedTaxCategory></cac:Item><cac:Price><cbc:PriceAmount currencyID="EUR">25.00</cbc:PriceAmount></cac:Price>
 </cac:InvoiceLine>
</Invoice>""".encode()


@pytest.fixture
def engine():  # type: ignore[no-untyped-def]
    return get_engine("ocr", get_settings())[0]


@pytest.fixture
def options() -> PipelineOptions:
    return PipelineOptions.from_settings(get_settings())


def test_cii_values_are_read_exactly() -> None:
    truth = make_invoice(21, 7).truth
    invoice = parse(cii_xml(truth))
    dumped = invoice.model_dump(mode="json")
    for key in (
        "invoice_id",
        "invoice_date",
        "vendor_name",
        "customer_name",
        "currency",
        "invoice_total",
        "subtotal",
        "total_tax",
        "vendor_tax_id",
        "due_date",
    ):
        assert dumped[key] == truth[key], key
    assert [(i["description"], i["amount"]) for i in dumped["line_items"]] == [
        (i["description"], i["amount"]) for i in truth["line_items"]
    ]


def test_ubl_xrechnung_is_read_and_sniffed() -> None:
    assert sniff(UBL, "rechnung.xml") is MediaType.XML
    invoice = parse(UBL)
    assert (invoice.invoice_id, invoice.vendor_name, invoice.customer_name) == (
        "XR-2024-77",
        "Rheinwerk GmbH",
        "Stadt Köln",
    )
    assert (invoice.subtotal, invoice.total_tax, invoice.invoice_total) == (
        Decimal("100.00"),
        Decimal("19.00"),
        Decimal("119.00"),
    )
    line = invoice.line_items[0]
    assert (line.quantity, line.unit, line.unit_price, line.tax_rate) == (
        Decimal(4),
        "HUR",
        Decimal("25.00"),
        Decimal(19),
    )


@pytest.mark.parametrize(
    "xml",
    [
        b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]>'
        b'<rsm:CrossIndustryInvoice xmlns:rsm="x">&b;</rsm:CrossIndustryInvoice>',
        b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b'<rsm:CrossIndustryInvoice xmlns:rsm="x">&x;</rsm:CrossIndustryInvoice>',
        b"<rsm:CrossIndustryInvoice xmlns:rsm='x'><unclosed></rsm:CrossIndustryInvoice>",
    ],
)
def test_unsafe_or_broken_xml_is_a_clear_error(xml: bytes) -> None:
    with pytest.raises(DocaiError) as err:
        parse(xml)
    assert err.value.code == ErrorCode.CORRUPT and "XML" in err.value.message


def test_factur_x_pdf_is_read_from_its_xml_and_grounded(session: Session, store, engine, options) -> None:  # type: ignore[no-untyped-def]
    inv = make_invoice(21, 5)  # German, letter layout
    pdf = embed(inv.data, cii_xml(inv.truth))
    assert embedded_xml(pdf) is not None and embedded_xml(inv.data) is None
    [outcome] = process_files(session, store, [("rechnung.pdf", pdf)], engine, options)
    doc = session.get(Document, outcome.document.id)
    extraction = doc.extractions[0]
    assert extraction.engine == "e-invoice" and doc.schema == "invoice"
    assert extraction.data["invoice_total"] == inv.truth["invoice_total"]
    assert extraction.data["customer_name"] == inv.truth["customer_name"]
    assert extraction.issues == []
    evidence = extraction.evidence["/invoice_total"]
    assert evidence["page"] == 0 and evidence["bbox"] and evidence["confidence"] > 0.9
    assert doc.status == DocumentStatus.DONE


def test_xml_and_page_disagreeing_is_an_issue(session: Session, store, engine, options) -> None:  # type: ignore[no-untyped-def]
    inv = make_invoice(21, 6)
    pdf = embed(inv.data, cii_xml(inv.truth, invoice_total="99999.99"))
    [outcome] = process_files(session, store, [("rechnung.pdf", pdf)], engine, options)
    doc = session.get(Document, outcome.document.id)
    extraction = doc.extractions[0]
    assert extraction.data["invoice_total"] == "99999.99"  # the XML is the invoice's data
    mismatches = [i["field"] for i in extraction.issues if i["code"] == "einvoice_mismatch"]
    assert mismatches == ["/invoice_total"]  # the other values the XML states are printed as stated
    assert doc.status == DocumentStatus.NEEDS_REVIEW


@pytest.mark.parametrize(("tax_shift", "mismatches"), [(Decimal(0), []), (Decimal(1), ["/total_tax"])])
def test_a_tax_total_printed_only_per_rate_is_checked_against_the_printed_sums(  # type: ignore[no-untyped-def]
    session: Session, store, engine, options, tax_shift: Decimal, mismatches: list[str]
) -> None:
    """Several VAT rates, each rate's tax printed and no total of them: the XML's tax total is no disagreement when
    the printed subtotal and total imply it, and one when they do not."""
    inv = make_invoice(21, 6)  # totals as labelled cells, three VAT rates, no tax total printed
    text = " ".join(pymupdf.open(stream=inv.data, filetype="pdf")[0].get_text().split())
    tax = Decimal(inv.truth["total_tax"])
    assert f"{tax:,.2f}" not in text and "VAT 5%" in text and "VAT 20%" in text
    pdf = embed(inv.data, cii_xml(inv.truth, total_tax=str(tax + tax_shift)))
    [outcome] = process_files(session, store, [("invoice.pdf", pdf)], engine, options)
    extraction = session.get(Document, outcome.document.id).extractions[0]
    assert [i["field"] for i in extraction.issues if i["code"] == "einvoice_mismatch"] == mismatches


def test_xrechnung_xml_on_its_own_gets_a_page(session: Session, store, engine, options) -> None:  # type: ignore[no-untyped-def]
    [outcome] = process_files(session, store, [("xrechnung.xml", UBL)], engine, options)
    doc = session.get(Document, outcome.document.id)
    assert doc.status == DocumentStatus.DONE, doc.error_message
    assert doc.page_count == 1 and doc.media_type == MediaType.XML
    assert doc.extractions[0].data["invoice_id"] == "XR-2024-77"
    bad = b'<?xml version="1.0"?><Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"><cbc:ID>'
    [failed] = process_files(session, store, [("broken.xml", bad)], engine, options)
    assert session.get(Document, failed.document.id).status == DocumentStatus.FAILED


def test_section_and_note_rows_exported_as_zero_lines_are_not_items() -> None:
    section = (
        "<cac:InvoiceLine><cbc:ID>0</cbc:ID><cbc:InvoicedQuantity>0.00</cbc:InvoicedQuantity>"
        '<cbc:LineExtensionAmount currencyID="EUR">0.00</cbc:LineExtensionAmount>'
        "<cac:Item><cbc:Name>--- Services ---</cbc:Name></cac:Item>"
        '<cac:Price><cbc:PriceAmount currencyID="EUR">0.00</cbc:PriceAmount></cac:Price></cac:InvoiceLine>'
    )
    xml = UBL.decode().replace("<cac:InvoiceLine>", section + "<cac:InvoiceLine>", 1).encode()
    assert [line.description for line in parse(xml).line_items] == ["Beratung"]
