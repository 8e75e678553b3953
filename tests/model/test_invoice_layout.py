"""Invoice rules on documents they were not written against: generated invoices (held-out seed) and drawn pages."""

from __future__ import annotations

from decimal import Decimal

import pytest

from docai.stages.ingest import MediaType
from docai.stages.rasterize import RasterizeOptions, rasterize
from docai.synth.invoices import make_invoice
from model.base import EngineOptions, create_engine
from model.types import ExtractRequest, PageInput


def _read(data: bytes):  # type: ignore[no-untyped-def]
    pages = rasterize(data, MediaType.PDF, RasterizeOptions())
    engine = create_engine("ocr", EngineOptions())
    request = ExtractRequest("doc", "invoice", [PageInput(p.index, p.image(), p.words) for p in pages])
    [result] = engine.extract_batch([request])
    return result


def _draw(rows: list[tuple[float, float, str]]) -> bytes:
    import pymupdf

    doc = pymupdf.open()
    page = doc.new_page(width=595, height=842)
    font = pymupdf.Font("helv")
    writer = pymupdf.TextWriter(page.rect)
    for x, y, text in rows:
        writer.append((x, y), text, font=font, fontsize=9)
    writer.write_text(page)
    return doc.tobytes()


# seed 9 is not the seed the rules were checked against (seed 0 trains, seed 1 is the held-out report set); German,
# French and Dutch in the five first layouts (index = 12 * language + layout)
@pytest.mark.parametrize("index", [12, 13, 16, 25, 26, 27, 36, 40])
def test_generated_invoices_read_customer_and_rows(index: int) -> None:
    inv = make_invoice(9, index)
    truth = inv.truth
    data = _read(inv.data).data
    assert data.customer_name == truth["customer_name"]
    # with a header row or without one (rows that add up: quantity x unit price = amount)
    assert [(line.description, line.amount) for line in data.line_items] == [
        (line["description"], Decimal(line["amount"])) for line in truth["line_items"]
    ]
    assert [line.quantity for line in data.line_items] == [Decimal(line["quantity"]) for line in truth["line_items"]]


GERMAN = [
    (57, 60, "Nordlicht Technik GmbH"),
    (57, 140, "Nordlicht Technik GmbH · Am Markt 4 · 20095 Hamburg"),
    (57, 165, "Harbor Logistik KG"),
    (57, 178, "Gartenweg 12"),
    (57, 191, "04109 Leipzig"),
    (360, 150, "Kundennr.:"),
    (460, 150, "4471120"),
    (360, 162, "Rechnungsnr.:"),
    (460, 162, "RE-2024-118"),
    (360, 174, "Datum:"),
    (460, 174, "12.03.2024"),
    (360, 186, "Währung:"),
    (460, 186, "EUR"),
    (57, 300, "Pos."),
    (90, 300, "Bezeichnung"),
    (330, 300, "Menge"),
    (400, 300, "Einzelpreis"),
    (500, 300, "Gesamtpreis"),
    (57, 318, "1"),
    (90, 318, "Wartungsvertrag"),
    (340, 318, "2"),
    (410, 318, "1.250,00"),
    (505, 318, "2.500,00"),
    (57, 334, "2"),
    (90, 334, "Fahrtkosten"),
    (340, 334, "1"),
    (420, 334, "80,00"),
    (515, 334, "80,00"),
    (330, 370, "Nettobetrag"),
    (505, 370, "2.580,00"),
    (330, 384, "zzgl. 19% MwSt."),
    (515, 384, "490,20"),
    (330, 398, "Gesamtbetrag"),
    (505, 398, "3.070,20"),
    (330, 412, "Zahlbetrag"),
    (505, 412, "3.070,20"),
]


def test_kundennr_and_waehrung_are_labels_not_parties() -> None:
    result = _read(_draw(GERMAN))
    data = result.data
    assert data.customer_name == "Harbor Logistik KG"  # not 'nnr.' from 'Kundennr.'
    assert data.customer_address == "Gartenweg 12, 04109 Leipzig"
    assert data.vendor_name == "Nordlicht Technik GmbH"  # not 'Währung:'
    assert data.currency == "EUR"
    assert (data.subtotal, data.total_tax, data.invoice_total) == (
        Decimal("2580.00"),
        Decimal("490.20"),
        Decimal("3070.20"),
    )
    assert data.amount_due == Decimal("3070.20")
    assert [(i.description, i.quantity, i.unit_price, i.amount) for i in data.line_items] == [
        ("Wartungsvertrag", Decimal(2), Decimal("1250.00"), Decimal("2500.00")),
        ("Fahrtkosten", Decimal(1), Decimal("80.00"), Decimal("80.00")),
    ]
    assert all(0 < result.confidence[f"/line_items/{n}/amount"] <= 1 for n in range(2))


def test_a_table_without_a_header_row_is_read_where_its_rows_add_up() -> None:
    rows = [
        (50, 60, "Kettler Druck GmbH"),
        (50, 90, "Rechnung Nr. 2024-117"),
        (50, 105, "Datum: 12.03.2024"),
        (50, 200, "1"),
        (70, 200, "Visitenkarten 500 Stk."),
        (330, 200, "2,00 Stk."),
        (420, 200, "45,90"),
        (520, 200, "91,80"),
        (70, 214, "Lieferung 01.03.-05.03."),  # a note under its row: not a row
        (50, 228, "2"),
        (70, 228, "Flyer A5"),
        (330, 228, "1,00"),
        (420, 228, "120,00"),
        (520, 228, "120,00"),
        (50, 260, "IBAN DE12 5001 0517 0648 4898 90"),
        (330, 260, "Summe netto"),
        (520, 260, "211,80"),
        (330, 274, "MwSt. 19 %"),
        (520, 274, "40,24"),
        (330, 288, "Gesamtbetrag"),
        (520, 288, "252,04"),
        (50, 330, "19 %"),
        (150, 330, "211,80"),
        (250, 330, "40,24"),
        (350, 330, "252,04"),
    ]
    data = _read(_draw(rows)).data
    assert [(i.description, i.quantity, i.unit, i.unit_price, i.amount) for i in data.line_items] == [
        ("Visitenkarten 500 Stk.", Decimal(2), "Stk.", Decimal("45.90"), Decimal("91.80")),
        ("Flyer A5", Decimal(1), None, Decimal("120.00"), Decimal("120.00")),
    ]
    assert data.invoice_total == Decimal("252.04")
    # one row whose figures do not multiply out is no table (a tax line, a payment sentence)
    lone = [(50, 60, "Kettler Druck GmbH"), (70, 200, "Porto und Verpackung"), (330, 200, "3"), (520, 200, "7,50")]
    assert not _read(_draw(lone)).data.line_items


def test_a_table_ends_at_a_totals_label_under_its_number_columns() -> None:
    rows = [
        (50, 60, "Harbor Supplies Ltd"),
        (50, 90, "Invoice No. 5521"),
        (50, 200, "Description"),
        (330, 200, "Qty"),
        (400, 200, "Price"),
        (510, 200, "Amount"),
        (50, 220, "Apple MacBook Pro Retina 13,3'' + Apple Magic Mouse"),  # runs into the Qty column
        (345, 220, "1"),
        (400, 220, "2,321.00"),
        (510, 220, "2,321.00"),
        (50, 236, "Printer toner"),
        (345, 236, "2"),
        (400, 236, "15.00"),
        (510, 236, "30.00"),
        (50, 270, "IBAN GB33 BUKB 2020 1555 5555 55"),  # bank details beside the totals
        (400, 270, "Merchandise"),
        (510, 270, "2,351.00"),
        (50, 286, "BIC BUKBGB22"),
        (400, 286, "Shipping"),
        (510, 286, "25.00"),
        (400, 302, "Net amount"),
        (510, 302, "2,376.00"),
    ]
    data = _read(_draw(rows)).data
    # the two rows only (the words run into the Qty column are not a label), none of the totals
    assert [i.amount for i in data.line_items] == [Decimal("2321.00"), Decimal("30.00")]
    assert data.line_items[0].description.startswith("Apple MacBook Pro")


def test_the_customer_is_never_a_ship_to_label_and_is_read_in_a_letters_window() -> None:
    labelled = [
        (50, 60, "Quinnorsoft Corp."),
        (50, 74, "54 Oak Drive, London EC1A 1BB"),
        (400, 60, "INVOICE"),
        (400, 90, "Invoice #: INV-2023-1956"),
        (50, 160, "Billed to"),
        (300, 160, "Ship To"),
        (50, 176, "Taylor Labs Corp."),
        (300, 176, "Taylor Labs Corp."),
        (50, 190, "8 Station Road"),
        (300, 190, "8 Station Road"),
        (50, 204, "02108 Boston, MA"),
        (300, 204, "02108 Boston, MA"),
        (50, 260, "Total"),
        (500, 260, "120.00"),
    ]
    assert _read(_draw(labelled)).data.customer_name == "Taylor Labs Corp."
    # no label, no return-address line: the addressee stands first at the top left, the vendor only in the footer
    window = [
        (330, 140, "Invoice no:"),
        (460, 140, "RE2019894"),
        (55, 152, "Laura Wilson"),
        (330, 152, "Issue date"),
        (460, 152, "05/07/2025"),
        (55, 165, "146 Market Street"),
        (55, 178, "73301 Austin, TX"),
        (55, 240, "Sales Invoice"),
        (55, 280, "Design work"),
        (300, 280, "2"),
        (400, 280, "50.00"),
        (500, 280, "100.00"),
        (330, 320, "Total"),
        (500, 320, "100.00"),
        (55, 760, "Corkelrosline Corp."),
        (250, 760, "Tel. +49 779 7371106"),
        (420, 760, "IBAN NL34 1879 7837"),
        (55, 772, "59 Station Road"),
        (250, 772, "info@corkelrosline.com"),
        (420, 772, "EIN: GB114606101"),
        (55, 784, "02108 Boston, MA"),
        (250, 784, "www.corkelrosline.com"),
    ]
    data = _read(_draw(window)).data
    assert (data.vendor_name, data.customer_name) == ("Corkelrosline Corp.", "Laura Wilson")
    assert data.customer_address is not None and "Market Street" in data.customer_address


def test_en16931_parties_and_dates_that_are_not_the_invoices_own() -> None:
    rows = [
        (50, 50, "Atelier Lumière SARL"),
        (350, 50, "FACTURE N° : F20260023"),
        (350, 64, "Date : 31/01/2026"),
        (50, 70, "35 rue d'ici, 75018 PARIS"),
        (350, 90, "CLIENT :"),
        (350, 104, "Contact : M. Dupont"),
        (350, 118, "Boulangerie Martin SAS"),
        (350, 132, "6 rue du Port, 06000 NICE"),
        (50, 160, "Représentant fiscal"),
        (50, 174, "Fiscalis Conseil SAS"),
        (50, 188, "12 avenue Foch, 75016 PARIS"),
        (50, 220, "DATE DE FACTURE ASSOCIÉE : 01/01/2026"),
        (50, 300, "TOTAL TTC"),
        (500, 300, "104,90 EUR"),
        (50, 780, "Atelier Lumière SARL - SIREN 123 456 782 - contact@atelier-lumiere.fr"),
    ]
    data = _read(_draw(rows)).data
    assert data.invoice_date.isoformat() == "2026-01-31"  # not the associated (earlier) invoice's date
    assert data.customer_name == "Boulangerie Martin SAS"  # not its contact person
    assert data.vendor_name != "Fiscalis Conseil SAS"  # the tax representative is another party


def test_a_statement_lists_each_charge_with_its_breakdown_indented() -> None:
    rows = [
        (50, 60, "Cloudline Services"),
        (50, 90, "Invoice Number: 88120"),
        (50, 200, "Summary"),
        (60, 220, "Service Charges"),
        (520, 220, "$7.50"),
        (75, 235, "Charges"),
        (520, 235, "$7.50"),
        (75, 250, "Tax"),
        (520, 250, "$0.00"),
        (50, 270, "Total for this invoice"),
        (520, 270, "$7.50"),
        (50, 300, "Detail"),
        (60, 320, "Object Storage"),
        (520, 320, "$5.25"),
        (75, 335, "Charges"),
        (520, 335, "$5.25"),
        (75, 350, "VAT"),
        (520, 350, "$0.00"),
        (60, 370, "Data Transfer"),
        (520, 370, "$2.25"),
        (75, 385, "Charges"),
        (520, 385, "$2.25"),
        (75, 400, "VAT"),
        (520, 400, "$0.00"),
    ]
    data = _read(_draw(rows)).data
    assert [(i.description, i.amount) for i in data.line_items] == [
        ("Object Storage", Decimal("5.25")),
        ("Data Transfer", Decimal("2.25")),
    ]


def test_month_first_documents_and_due_labels() -> None:
    rows = [
        (50, 60, "Brightline Design LLC"),
        (50, 74, "12 Market Street, Austin, TX 73301"),
        (350, 100, "Invoice #"),
        (450, 100, "INV-2021-0042"),
        (350, 112, "Date"),
        (450, 112, "12/20/2021"),  # only month first can read this one
        (350, 124, "DUE"),
        (450, 124, "02/03/2022"),  # so this one is February 3rd
        (350, 136, "Your order"),
        (450, 136, "PO-55120"),
        (50, 200, "Description"),
        (350, 200, "Qty"),
        (420, 200, "Rate"),
        (500, 200, "Amount"),
        (50, 218, "Logo design"),
        (355, 218, "1"),
        (420, 218, "450.00"),
        (500, 218, "450.00"),
        (350, 260, "Total"),
        (500, 260, "450.00"),
    ]
    data = _read(_draw(rows)).data
    assert (data.invoice_date.isoformat(), data.due_date.isoformat()) == ("2021-12-20", "2022-02-03")
    assert data.purchase_order == "PO-55120"
    german = _read(
        _draw([(50, 60, "Fälligkeitsdatum"), (200, 60, "22.06.2021"), (50, 80, "Datum"), (200, 80, "01.06.2021")])
    ).data
    assert german.due_date.isoformat() == "2021-06-22"


def test_a_row_a_skewed_scan_split_in_two_is_read_as_one() -> None:
    from model.layout.lines import build_lines, merge_split_rows
    from model.types import Word

    def word(text: str, x0: float, y0: float) -> Word:
        return Word(text, (x0, y0, x0 + 0.08, y0 + 0.010), 0.95)

    # the right half of each row sits 0.006 lower (a 1-degree tilt over the page width)
    rows = [
        word("Bureaustoel", 0.14, 0.287),
        word("2.134,95", 0.63, 0.293),
        word("2.134,95", 0.84, 0.293),
        word("Verzendkosten", 0.14, 0.322),
        word("230,00", 0.65, 0.328),
        word("2.300,00", 0.84, 0.328),
    ]
    lines = build_lines([rows])
    assert len(lines) == 4  # the row grouping alone splits each row in two
    merged = merge_split_rows(lines)
    assert [line.text for line in merged] == ["Bureaustoel 2.134,95 2.134,95", "Verzendkosten 230,00 2.300,00"]
    assert [line.index for line in merged] == [0, 1]


def test_reading_an_invoice_leaves_the_callers_rows_as_they_were() -> None:
    from model.layout.invoice import extract_invoice
    from model.layout.lines import build_lines

    inv = make_invoice(9, 3)
    pages = rasterize(inv.data, MediaType.PDF, RasterizeOptions())
    lines = build_lines([p.words for p in pages])
    before = [(line.index, line.text) for line in lines]
    extract_invoice(lines)
    assert [(line.index, line.text) for line in lines] == before  # proposers read the same rows afterwards


def test_attention_prefix_is_not_the_customer_and_the_customer_is_never_the_vendor() -> None:
    rows = [
        (80, 120, "Factuuradres"),
        (80, 136, "Strategic Corp"),
        (80, 148, "Fakestreet 46"),
        (300, 200, "Invoice no: 4411"),
        (300, 214, "Bill to:"),
        (360, 214, "ATTN: Harbor Ltd"),
    ]
    data = _read(_draw(rows[:4])).data
    assert data.customer_name == "Strategic Corp"
    assert data.vendor_name is None  # the only company on the page is the customer
    assert _read(_draw(rows[3:])).data.customer_name == "Harbor Ltd"


def test_a_tilted_scan_is_straightened_before_rows_are_built() -> None:
    from model.layout.lines import build_lines
    from model.layout.skew import row_slope, straightened
    from model.types import Word

    slope = 0.02  # the right end of each row 2% of the page width lower per page width
    words = []
    for r in range(8):
        for c, text in enumerate(("Item", f"{r + 1}", "12,50", "25,00")):
            x = 0.1 + 0.25 * c
            y = 0.2 + 0.03 * r + slope * (x + 0.04)
            words.append(Word(f"{text}{r}" if c == 0 else text, (x, y, x + 0.08, y + 0.012), 0.9))
    assert len(build_lines([words])) > 8  # tilted rows fall apart
    assert 0 < row_slope(words) <= slope + 0.005  # the least correction that lines the rows up
    assert len(straightened(build_lines([words]))) == 8
    upright = [Word(w.text, w.bbox, 1.0) for w in words]  # a text layer is never straightened
    assert row_slope(upright) == 0.0


def test_totals_add_up_even_when_ocr_glues_the_tax_label_to_its_rate() -> None:
    from model.layout.invoice_totals import reconcile
    from model.layout.lines import build_lines
    from model.types import Word

    rows = [("Subtotaal", "1.000,00"), ("BTW21%", "210,00"), ("BTW totaal", "210,00"), ("Totaal", "1.210,00")]
    words = []
    for r, (label, amount) in enumerate(rows):
        y = 0.5 + 0.03 * r
        words += [Word(label, (0.6, y, 0.7, y + 0.012), 0.9), Word(amount, (0.85, y, 0.92, y + 0.012), 0.9)]
    picks = reconcile(build_lines([words]), Decimal("1000.00"), Decimal(0))
    assert {k: p.value for k, p in picks.items()} == {
        "subtotal": Decimal("1000.00"),
        "total_tax": Decimal("210.00"),
        "invoice_total": Decimal("1210.00"),
    }


def test_a_zugferd_style_page_read_without_its_xml() -> None:
    """German e-invoice samples print 'Summe Positionen', 'Steuerbetrag (19 %)' and unit prices with 4 decimals."""
    rows = [
        (57, 130, "Lieferant GmbH - Lieferantenstraße 20 - 80333 München"),
        (57, 150, "Kunden AG Mitte"),
        (57, 162, "Hans Muster"),
        (57, 174, "Kundenstraße 15"),
        (57, 186, "69876 Frankfurt"),
        (380, 150, "Rechnungsnummer:"),
        (470, 150, "471102"),
        (380, 162, "Rechnungsdatum:"),
        (470, 162, "05.03.2018"),
        (380, 174, "Währung:"),
        (470, 174, "EUR"),
        (57, 260, "Rechnung 471102"),
        (57, 290, "Pos."),
        (90, 290, "Artikel"),
        (300, 290, "Menge"),
        (380, 290, "Preis"),
        (480, 290, "Betrag"),
        (57, 306, "1"),
        (90, 306, "Trennblätter A4"),
        (300, 306, "20,0000"),
        (380, 306, "9,9000"),
        (480, 306, "198,00"),
        (57, 320, "2"),
        (90, 320, "Joghurt Banane"),
        (300, 320, "50,0000"),
        (380, 320, "5,5000"),
        (480, 320, "275,00"),
        (300, 360, "Summe Positionen"),
        (480, 360, "473,00"),
        (300, 374, "Steuerbetrag (19 %)"),
        (480, 374, "37,62"),
        (300, 388, "Steuerbetrag (7 %)"),
        (480, 388, "19,25"),
        (300, 402, "Gesamtbetrag"),
        (480, 402, "529,87"),
        (300, 416, "Zahlbetrag"),
        (480, 416, "529,87"),
    ]
    data = _read(_draw(rows)).data
    assert (data.vendor_name, data.customer_name, data.currency) == ("Lieferant GmbH", "Kunden AG Mitte", "EUR")
    assert (data.subtotal, data.total_tax, data.invoice_total, data.amount_due) == (
        Decimal("473.00"),
        Decimal("56.87"),
        Decimal("529.87"),
        Decimal("529.87"),
    )
    assert [(i.quantity, i.unit_price, i.amount) for i in data.line_items] == [
        (Decimal(20), Decimal("9.9"), Decimal("198.00")),
        (Decimal(50), Decimal("5.5"), Decimal("275.00")),
    ]


def test_a_scanned_header_row_with_ocr_slips_still_names_its_columns() -> None:
    from model.layout.items import _ocr_fixed, table_header
    from model.layout.lines import build_lines
    from model.types import Word

    # header words are matched lower-cased
    assert [_ocr_fixed(t) for t in ("ltem", "rafe", "arnount", "ltd")] == ["item", "rate", "amount", "ltd"]
    words = [
        Word(t, (x, 0.3, x + 0.08, 0.31)) for t, x in (("ltem", 0.1), ("Qty", 0.5), ("Rafe", 0.6), ("Arnount", 0.8))
    ]
    [line] = build_lines([words])
    assert [c.kind for c in table_header(line) or []] == ["description", "quantity", "unit_price", "amount"]


def test_a_party_label_over_its_block_and_a_rate_tables_total_row() -> None:
    """'Émetteur' over the seller's block (no colon), 'Destinataire' over the buyer's; a 'Taux | Base HT | Montant TVA'
    table with one row per rate and a 'Total' row, the only place the tax total is printed."""
    rows = [
        (350, 60, "FACTURE N° 2024-118"),
        (350, 74, "Date : 02/10/2024"),
        (57, 120, "Émetteur"),
        (320, 120, "Destinataire"),
        (57, 134, "Cabinet Lefèvre Conseil"),
        (320, 134, "Garage Moreau Frères"),
        (57, 146, "9 rue Nationale"),
        (320, 146, "112 avenue de Grammont"),
        (57, 158, "37000 Tours"),
        (320, 158, "37000 Tours"),
        (57, 220, "Désignation"),
        (480, 220, "Total HT"),
        (57, 234, "Cocktail salé 12 pièces"),
        (480, 234, "720,00"),
        (57, 248, "Gâteau breton, part"),
        (480, 248, "300,00"),
        (300, 290, "Taux"),
        (380, 290, "Base HT"),
        (480, 290, "Montant TVA"),
        (300, 304, "5,5 %"),
        (380, 304, "300,00"),
        (480, 304, "16,50"),
        (300, 318, "10 %"),
        (380, 318, "720,00"),
        (480, 318, "72,00"),
        (300, 332, "Total"),
        (380, 332, "1 020,00"),
        (480, 332, "88,50"),
        (300, 360, "Total TTC :"),
        (480, 360, "1 108,50 EUR"),
    ]
    data = _read(_draw(rows)).data
    # before: the vendor was the label 'Émetteur', and the first rate row (300,00 and 16,50) the subtotal and tax
    assert (data.vendor_name, data.customer_name) == ("Cabinet Lefèvre Conseil", "Garage Moreau Frères")
    assert (data.subtotal, data.total_tax, data.invoice_total) == (
        Decimal("1020.00"),
        Decimal("88.50"),
        Decimal("1108.50"),
    )


def test_contractor_and_client_labels_over_their_blocks() -> None:
    """A German service invoice's parties: 'Auftragnehmer' (who invoices) and 'Auftraggeber' (who pays)."""
    rows = [
        (57, 110, "Auftraggeber"),
        (320, 110, "Auftragnehmer"),
        (57, 124, "Stadtwerke Oberhausen AG"),
        (320, 124, "Ingenieurbüro Kessler"),
        (57, 136, "Danziger Straße 31"),
        (320, 136, "Parkweg 5"),
        (57, 148, "46045 Oberhausen"),
        (320, 148, "45127 Essen"),
        (57, 200, "Rechnung Nr. 2024-17"),
        (57, 214, "Datum: 12.06.2024"),
        (300, 260, "Nettobetrag"),
        (480, 260, "1.200,00"),
        (300, 274, "USt. 19 %"),
        (480, 274, "228,00"),
        (300, 288, "Rechnungsbetrag"),
        (480, 288, "1.428,00"),
    ]
    data = _read(_draw(rows)).data
    assert (data.vendor_name, data.customer_name) == ("Ingenieurbüro Kessler", "Stadtwerke Oberhausen AG")


def test_billing_address_labels_the_customer_and_trailing_commas_are_dropped() -> None:
    rows = [
        (57, 60, "Retail Invoice"),
        (57, 80, "Sold By : Nimbus Retail Services Pvt. Ltd.,"),
        (57, 120, "Order ID: OD3041"),
        (330, 120, "Billing Address"),
        (57, 134, "Order Date: 15-10-2015"),
        (330, 134, "Anushka Verma"),
        (330, 146, "12 Vishwas Khand,Gomti Nagar,,"),
        (330, 158, "Lucknow 226010 Uttar Pradesh"),
        (57, 220, "Grand Total"),
        (480, 220, "1,499.00"),
    ]
    data = _read(_draw(rows)).data
    # before: no customer ('Billing Address' named none), and the address's own ',,' doubled in the join
    assert data.customer_name == "Anushka Verma"
    assert data.customer_address == "12 Vishwas Khand,Gomti Nagar, Lucknow 226010 Uttar Pradesh"
