"""The CPU `ocr` engine: invoices, receipts and forms drawn with pymupdf, read through rasterize and layout rules."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from docai.stages.ingest import MediaType
from docai.stages.rasterize import RasterizeOptions, rasterize
from model.base import Engine, EngineOptions, create_engine
from model.types import ExtractRequest, PageInput


def _pdf(texts: list[tuple[float, float, str, float]], width: float = 595, height: float = 842) -> bytes:
    import pymupdf

    doc = pymupdf.open()
    page = doc.new_page(width=width, height=height)
    for x, y, text, size in texts:
        page.insert_text((x, y), text, fontsize=size, fontname="helv")
    return doc.tobytes()


def _extract(data: bytes, schema: str, media: MediaType = MediaType.PDF):  # type: ignore[no-untyped-def]
    pages = rasterize(data, media, RasterizeOptions())
    engine = create_engine("ocr", EngineOptions())
    engine.load()
    request = ExtractRequest("doc", schema, [PageInput(p.index, p.image(), p.words) for p in pages])
    [result] = engine.extract_batch([request])
    engine.close()
    return result


ENGLISH_INVOICE = [
    (50, 50, "Brightwater Consulting Ltd", 20),
    (50, 70, "14 Harbour Road, Bristol BS1 4QA", 9),
    (50, 82, "VAT No: GB 123 4567 89", 9),
    (380, 50, "INVOICE", 20),
    (380, 80, "Invoice No: BWC-1042", 10),
    (380, 95, "Invoice Date: 03 January 2024", 10),
    (380, 110, "Due Date: 02/02/2024", 10),
    (50, 130, "Bill To:", 10),
    (50, 145, "Harper & Sons", 10),
    (50, 157, "9 Mill Lane, Leeds", 10),
    (50, 230, "Description", 10),
    (330, 230, "Qty", 10),
    (400, 230, "Unit Price", 10),
    (490, 230, "Amount", 10),
    (50, 250, "Strategy workshop", 10),
    (330, 250, "2", 10),
    (400, 250, "£600.00", 10),
    (490, 250, "£1,200.00", 10),
    (50, 265, "Travel expenses", 10),
    (330, 265, "1", 10),
    (400, 265, "£85.50", 10),
    (490, 265, "£85.50", 10),
    (400, 300, "Subtotal", 10),
    (490, 300, "£1,285.50", 10),
    (400, 315, "VAT 20%", 10),
    (490, 315, "£257.10", 10),
    (400, 330, "Total Due", 10),
    (490, 330, "£1,542.60", 10),
    (50, 380, "Payment terms: Net 30", 10),
]


def test_english_invoice_fields_line_items_and_confidence() -> None:
    result = _extract(_pdf(ENGLISH_INVOICE), "invoice")
    assert result.error_code is None
    inv = result.data
    assert inv.vendor_name == "Brightwater Consulting Ltd"
    assert inv.invoice_id == "BWC-1042"
    assert inv.invoice_date == dt.date(2024, 1, 3)
    assert inv.due_date == dt.date(2024, 2, 2)
    assert inv.customer_name == "Harper & Sons"
    assert inv.currency == "GBP"
    assert inv.subtotal == Decimal("1285.50")
    assert inv.total_tax == Decimal("257.10")
    assert inv.invoice_total == Decimal("1542.60")
    assert [i.amount for i in inv.line_items] == [Decimal("1200.00"), Decimal("85.50")]
    assert inv.line_items[0].description == "Strategy workshop"
    assert inv.payment_terms == "Net 30"
    assert result.engine == "ocr"
    assert all(0.0 <= v <= 1.0 for v in result.confidence.values())
    assert result.confidence["/invoice_total"] > 0.6


DUTCH_INVOICE = [
    (50, 50, "Tulpenhof Drukwerk B.V.", 16),
    (50, 66, "Keizersgracht 100, 1015 AA Amsterdam", 9),
    (350, 110, "Factuurnummer: 2024-0077", 10),
    (350, 125, "Factuurdatum: 12-03-2024", 10),
    (350, 140, "Vervaldatum: 11-04-2024", 10),
    (50, 200, "Omschrijving", 10),
    (300, 200, "Aantal", 10),
    (450, 200, "Bedrag", 10),
    (50, 220, "Visitekaartjes", 10),
    (300, 220, "500", 10),
    (450, 220, "EUR 100,00", 10),
    (350, 260, "Subtotaal", 10),
    (450, 260, "EUR 100,00", 10),
    (350, 275, "BTW 21%", 10),
    (450, 275, "EUR 21,00", 10),
    (350, 290, "Totaal", 10),
    (450, 290, "EUR 121,00", 10),
]


def test_dutch_invoice_with_decimal_commas() -> None:
    inv = _extract(_pdf(DUTCH_INVOICE), "invoice").data
    assert inv.vendor_name == "Tulpenhof Drukwerk B.V."
    assert inv.invoice_id == "2024-0077"
    assert inv.invoice_date == dt.date(2024, 3, 12)
    assert inv.due_date == dt.date(2024, 4, 11)
    assert inv.currency == "EUR"
    assert (inv.subtotal, inv.total_tax, inv.invoice_total) == (Decimal("100.00"), Decimal("21.00"), Decimal("121.00"))


FRENCH_SUMMARY_TABLE = [
    (50, 50, "Atelier Lumière SARL", 16),
    (50, 100, "Facture n° F-2023-118 du 15 juin 2023", 11),
    (250, 200, "Montant HT", 9),
    (350, 200, "Montant TVA", 9),
    (450, 200, "Montant TTC", 9),
    (50, 215, "Total facture", 10),
    (260, 215, "250,00", 10),
    (360, 215, "50,00", 10),
    (460, 215, "300,00", 10),
]


def test_french_invoice_reads_a_summary_table_by_columns() -> None:
    inv = _extract(_pdf(FRENCH_SUMMARY_TABLE), "invoice").data
    assert inv.invoice_id == "F-2023-118"
    assert inv.invoice_date == dt.date(2023, 6, 15)
    assert (inv.subtotal, inv.total_tax, inv.invoice_total) == (Decimal("250.00"), Decimal("50.00"), Decimal("300.00"))


RECEIPT = [
    (40, 30, "WELCOME", 8),
    (40, 45, "BAYU MART ENTERPRISE", 12),
    (40, 60, "(002345678-P)", 8),
    (40, 74, "LOT 5, JALAN BAYU 2,", 8),
    (40, 86, "81200 JOHOR BAHRU, JOHOR.", 8),
    (40, 100, "TEL: 07-3345678", 8),
    (40, 125, "Date: 02/01/2018  Time: 14:35", 8),
    (40, 150, "MINERAL WATER 1.5L", 8),
    (200, 150, "2.40", 8),
    (40, 162, "BREAD", 8),
    (200, 162, "3.80", 8),
    (40, 185, "Total (RM)", 9),
    (200, 185, "6.20", 9),
    (40, 198, "GST 6%", 8),
    (200, 198, "0.35", 8),
    (40, 211, "Rounding", 8),
    (200, 211, "0.00", 8),
    (40, 224, "CASH", 8),
    (200, 224, "10.00", 8),
    (40, 237, "CHANGE", 8),
    (200, 237, "3.80", 8),
]


def test_receipt_fields_from_a_text_layer() -> None:
    result = _extract(_pdf(RECEIPT, 260, 300), "receipt")
    r = result.data
    assert r.merchant_name == "BAYU MART ENTERPRISE"
    assert r.merchant_address == "LOT 5, JALAN BAYU 2, 81200 JOHOR BAHRU, JOHOR."
    assert r.merchant_phone == "07-3345678"
    assert r.transaction_date == dt.date(2018, 1, 2)
    assert r.transaction_time == "14:35"
    assert r.total == Decimal("6.20")
    assert r.total_tax == Decimal("0.35")
    assert r.currency == "MYR"
    assert r.payment_method == "cash"
    assert [i.description for i in r.items] == ["MINERAL WATER 1.5L", "BREAD"]


ROUNDED_RECEIPT = [
    (40, 30, "KEDAI RUNCIT MAJU SDN BHD", 11),
    (40, 44, "(123456-A)", 8),
    (40, 56, "NO 5, JALAN MAJU, 81200 JOHOR BAHRU", 8),
    (40, 80, "DATE: 12/03/2018", 8),
    (40, 100, "SUGAR 1KG", 8),
    (200, 100, "13.30", 8),
    (40, 115, "SR 6%", 8),
    (120, 115, "13.30", 8),
    (200, 115, "0.80", 8),
    (40, 135, "TOTAL", 9),
    (200, 135, "14.12", 9),
    (40, 148, "ROUNDING ADJ", 8),
    (200, 148, "-0.02", 8),
    (40, 161, "ROUNDED TOTAL", 9),
    (200, 161, "14.10", 9),
    (40, 174, "CASH", 8),
    (200, 174, "20.00", 8),
    (40, 187, "CHANGE", 8),
    (200, 187, "5.90", 8),
]


def test_receipt_rounded_total_currency_and_items() -> None:
    """The rounding-adjusted total (not the pre-rounding one, not cash); SDN BHD is no currency; tax rows no items."""
    result = _extract(_pdf(ROUNDED_RECEIPT, 260, 220), "receipt")
    r = result.data
    assert r.total == Decimal("14.10")
    assert r.currency != "BHD"
    assert [i.description for i in r.items] == ["SUGAR 1KG"]
    assert result.model.startswith("docai-ocr-learned-v")
    assert 0.0 <= result.confidence["/total"] <= 1.0


# A till that prints each rate's net amount and tax on rows of their own, the tax word run into its rate ('GST6%'):
# the 0% rows add up too (14.10 + 0.00), so they must not stand in for the 6% tax.
GLUED_GST_RECEIPT = [
    (40, 30, "KEDAI RUNCIT MAJU SDN BHD", 11),
    (40, 56, "NO 5, JALAN MAJU, 81200 JOHOR BAHRU", 8),
    (40, 80, "DATE: 12/03/2018", 8),
    (40, 100, "SUGAR 1KG", 8),
    (200, 100, "14.10", 8),
    (40, 115, "TAX AMT (S) 6% RM", 8),
    (200, 115, "13.30", 8),
    (40, 128, "GST6% RM", 8),
    (200, 128, "0.80", 8),
    (40, 141, "TAX AMT (Z) 0% RM", 8),
    (200, 141, "0.00", 8),
    (40, 154, "GST0% RM", 8),
    (200, 154, "0.00", 8),
    (40, 170, "TOTAL RM", 9),
    (200, 170, "14.10", 9),
    (40, 183, "CASH RM", 8),
    (200, 183, "20.00", 8),
    (40, 196, "CHANGE RM", 8),
    (200, 196, "5.90", 8),
]


def test_receipt_tax_on_a_row_with_its_rate_glued_on() -> None:
    r = _extract(_pdf(GLUED_GST_RECEIPT, 260, 220), "receipt").data
    assert (r.total, r.total_tax, r.subtotal) == (Decimal("14.10"), Decimal("0.80"), Decimal("13.30"))


@pytest.mark.slow
def test_receipt_photo_goes_through_ocr() -> None:
    import pymupdf

    doc = pymupdf.open("pdf", _pdf(RECEIPT, 260, 300))
    png = doc[0].get_pixmap(matrix=pymupdf.Matrix(3, 3), alpha=False).tobytes("png")
    result = _extract(png, "receipt", MediaType.PNG)
    r = result.data
    assert r.total == Decimal("6.20")
    assert r.transaction_date == dt.date(2018, 1, 2)
    # PP-OCR models often drop the spaces between words; the letters are what must be right
    assert r.merchant_name is not None and "BAYUMARTENTERPRISE" in r.merchant_name.replace(" ", "")


FORM = [
    (50, 50, "APPLICATION FOR MEMBERSHIP", 14),
    (50, 90, "Name:", 10),
    (150, 90, "Maria Lopez", 10),
    (50, 110, "Date of birth: 04/07/1985", 10),
    (50, 130, "Member number:", 10),
    (150, 130, "88213", 10),
    (50, 160, "Address:", 10),
    (50, 174, "22 Oak Street, Springfield", 10),
]


def test_form_key_value_pairs() -> None:
    form = _extract(_pdf(FORM), "form").data
    pairs = {(f.key, f.value, f.kind.value) for f in form.fields}
    assert ("Name", "Maria Lopez", "text") in pairs
    assert ("Date of birth", "04/07/1985", "date") in pairs
    assert ("Member number", "88213", "number") in pairs
    assert ("Address", "22 Oak Street, Springfield", "text") in pairs


FORM_TABLE = [
    (50, 50, "DISTRIBUTION REPORT", 14),
    (50, 90, "Name of Account", 10),
    (250, 90, "Number of Stores", 10),
    (50, 110, "Quality Dairy", 10),
    (250, 110, "151", 10),
    (50, 125, "Bay Stations", 10),
    (250, 125, "81", 10),
    (50, 140, "Wilson Oil", 10),
    (250, 140, "140", 10),
]


def test_form_table_pairs_each_figure_with_its_row_or_column() -> None:
    # the learned linker (fitted on FUNSD, where an answer sits right of its question twice as often as under it)
    # reads a two-column table row by row; the layout rules read it by column headers: either reading is a pair
    form = _extract(_pdf(FORM_TABLE), "form").data
    pairs = [(f.key, f.value) for f in form.fields]
    for row, figure in [("Quality Dairy", "151"), ("Bay Stations", "81"), ("Wilson Oil", "140")]:
        assert (row, figure) in pairs or ("Number of Stores", figure) in pairs, pairs
    assert ("Name of Account", "Number of Stores") not in pairs


@pytest.mark.parametrize("schema", ["chart", "ui_code"])
def test_chart_and_ui_code_need_the_vision_engine(schema: str) -> None:
    result = _extract(_pdf([(50, 50, "Revenue by year", 12)]), schema)
    assert result.data is None
    assert result.error_code == "schema_unsupported"
    assert "DeepSeek-VL" in result.error_message and "docai model pull" in result.error_message


def test_engine_obeys_the_protocol() -> None:
    engine = create_engine("ocr", EngineOptions())
    assert isinstance(engine, Engine)
    assert engine.name == "ocr"
    assert engine.model_id
    assert [s for s in ("invoice", "receipt", "form", "chart", "ui_code") if engine.supports(s)] == [
        "invoice",
        "receipt",
        "form",
    ]
    empty = engine.extract_batch([ExtractRequest("e", "invoice", [PageInput(0, None, [])])])[0]
    assert empty.error_code is None and empty.data.invoice_total is None
