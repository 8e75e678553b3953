"""Total, subtotal and tax as the layout rules read them from a till's rows (model/layout/common.py:find_totals)."""

from __future__ import annotations

from decimal import Decimal

from model.layout.common import find_totals
from model.layout.lines import build_lines
from model.layout.receipt import extract_receipt
from model.types import Word

CHAR = 0.012  # width of a letter, as a share of the page
ROW = 0.03


def _page(rows: list[list[tuple[float, str]]]) -> list[list[Word]]:
    """Rows of (x, text) cells; each cell's words set one letter apart, cells apart by their x."""
    words = []
    for r, cells in enumerate(rows):
        y = 0.05 + r * ROW
        for x, text in cells:
            for token in text.split():
                words.append(Word(token, (x, y, x + len(token) * CHAR, y + 0.015)))
                x += (len(token) + 1) * CHAR
    return [words]


def _totals(rows: list[list[tuple[float, str]]]) -> tuple[Decimal | None, ...]:
    t = find_totals(build_lines(_page(rows)))
    return tuple(None if p is None else p.value for p in (t.total, t.subtotal, t.tax))


def test_malaysian_gst_rows_excluding_payable_inclusive_and_rounded() -> None:
    rows = [
        [(0.05, "Description Qty U.price Total TAX")],
        [(0.05, "Milo (B)")],
        [(0.05, "2X 2.80"), (0.7, "5.60 SR")],
        [(0.05, "Total (Excluding GST):"), (0.75, "5.66")],
        [(0.05, "GST payable(6%):"), (0.75, "0.34")],
        [(0.05, "Total (Inclusive of GST):"), (0.75, "6.00")],
        [(0.05, "TOTAL:"), (0.75, "6.00")],
    ]
    # before: the item table's 'Total' and 'TAX' headers made its amount a total and a tax (5.60), and 'GST payable'
    # was a total, so the subtotal was read as 0.40
    assert _totals(rows) == (Decimal("6.00"), Decimal("5.66"), Decimal("0.34"))


def test_a_summary_tables_columns_still_name_the_tax() -> None:
    rows = [
        [(0.05, "TOTAL"), (0.75, "15.90")],
        [(0.05, "GST Summary"), (0.5, "Amount"), (0.75, "Tax")],
        [(0.05, "SR @ 6%"), (0.5, "15.00"), (0.75, "0.90")],
    ]
    assert _totals(rows)[2] == Decimal("0.90")


def test_total_includes_vat_is_the_tax_when_the_total_is_printed_apart() -> None:
    rows = [
        [(0.05, "NETT TOTAL"), (0.75, "35.90")],
        [(0.05, "Total includes VAT 19%"), (0.75, "5.73")],
        [(0.05, "DEBIT"), (0.75, "35.90")],
    ]
    total, _, tax = _totals(rows)
    assert (total, tax) == (Decimal("35.90"), Decimal("5.73"))
    # where it is the only total, it is the total (as many Malaysian tills print it)
    alone = [[(0.05, "Total Includes GST 6%"), (0.75, "9.00")], [(0.05, "Cash"), (0.75, "50.00")]]
    assert _totals(alone)[0] == Decimal("9.00")


def test_no_tax_is_half_the_total() -> None:
    rows = [
        [(0.05, "Amount (MYR) GST(MYR)"), (0.75, "20.00")],  # two column heads run together over the net amount
        [(0.05, "GST @ 6% :"), (0.75, "1.20")],
        [(0.05, "Net Total (MYR) :"), (0.75, "21.20")],
    ]
    assert _totals(rows)[2] == Decimal("1.20")


def test_a_positive_tax_pairs_before_a_zero_rated_one() -> None:
    rows = [
        [(0.05, "Sub Total"), (0.75, "14.10")],
        [(0.05, "GST 0%"), (0.75, "0.00")],
        [(0.05, "Amount before GST"), (0.75, "13.30")],
        [(0.05, "GST 6%"), (0.75, "0.80")],
        [(0.05, "TOTAL"), (0.75, "14.10")],
    ]
    assert _totals(rows) == (Decimal("14.10"), Decimal("13.30"), Decimal("0.80"))


def test_a_receipt_subtotal_is_only_what_the_till_prints() -> None:
    rows = [[(0.05, "GST 6%"), (0.75, "1.30")], [(0.05, "TOTAL"), (0.75, "22.90")]]
    lines = build_lines(_page(rows))
    assert find_totals(lines).subtotal.value == Decimal("21.60")  # derived, total minus tax (invoices use it)
    receipt, confidence = extract_receipt(lines)
    assert (receipt.total, receipt.total_tax, receipt.subtotal) == (Decimal("22.90"), Decimal("1.30"), None)
    assert "/subtotal" not in confidence


def test_a_service_charge_is_the_tip_and_squares_the_total() -> None:
    from schemas.validate import validate

    rows = [
        [(0.05, "Total (Excluding GST):"), (0.75, "61.80")],
        [(0.05, "Serv.Charge(10%):"), (0.75, "6.18")],
        [(0.05, "GST 0%"), (0.75, "0.00")],
        [(0.05, "Total(Inclusive of GST):"), (0.75, "67.98")],
        [(0.05, "Rounding Adj:"), (0.75, "0.02")],
        [(0.05, "TOTAL:"), (0.75, "68.00")],
        [(0.05, "ServiceCharge(Excl GST):"), (0.75, "0.00")],
    ]
    receipt, confidence = extract_receipt(build_lines(_page(rows)))
    assert (receipt.subtotal, receipt.tip, receipt.total) == (Decimal("61.80"), Decimal("6.18"), Decimal("68.00"))
    assert "/tip" in confidence
    # 61.80 + 6.18 = 67.98, rounded to 68.00 at the till: no mismatch (before, with no tip read, 61.80 against 68.00)
    assert not [i for i in validate(receipt) if i.code == "total_mismatch"]
    short = [[(0.05, "10% Srv Chg"), (0.75, "8.78")], [(0.05, "Service Tax 6%"), (0.75, "5.81")]]
    receipt, _ = extract_receipt(build_lines(_page(short)))
    assert receipt.tip == Decimal("8.78")  # 'Service Tax' is a tax, not the service charge


def test_an_item_tables_header_is_told_from_a_totals_row() -> None:
    from model.layout.common import item_header

    for header in ("Item Qty S/Price Amount Tax", "Description Qty U.price Total TAX", "Qty Item Price Total Tax"):
        assert item_header(header), header
    for row in ("Total Qty: 3 Total Amount:", "Qty: 4 Total Excl GST RM", "Total Qty : 5 Sub-Total :", "Amount"):
        assert not item_header(row), row
    rows = [[(0.05, "Total Qty: 3 Total Amount:"), (0.75, "45.00")], [(0.05, "CASH"), (0.75, "50.00")]]
    assert _totals(rows)[0] == Decimal("45.00")


def test_tax_words_run_into_their_neighbours_still_name_the_tax() -> None:
    govtax = [
        [(0.05, "SUBTOTAL:"), (0.75, "13.00")],
        [(0.05, "GOVTAX:"), (0.75, "0.78")],
        [(0.05, "ROUNDING:"), (0.75, "0.02")],
        [(0.05, "TOTAL:"), (0.75, "13.80")],
    ]
    assert _totals(govtax)[2] == Decimal("0.78")
    standard_rated = [
        [(0.05, "Total RM Including GST 6%"), (0.75, "99.80")],
        [(0.05, "GSTSR 6%"), (0.5, "99.80"), (0.75, "5.64")],
        [(0.05, "Amt.Excl.GST"), (0.75, "94.16")],
    ]
    assert _totals(standard_rated) == (Decimal("99.80"), Decimal("94.16"), Decimal("5.64"))


def test_an_item_sized_in_inches_is_no_net_amount() -> None:
    rows = [
        [(0.05, '1 6"HT (KC) LVD1P-PS'), (0.75, "14.30")],
        [(0.05, "Sub-Total"), (0.75, "21.60")],
        [(0.05, "Voucher"), (0.75, "9.20")],
        [(0.05, "Grand Total"), (0.75, "12.40")],
    ]
    # 'HT' here is no 'hors taxes' (before, the item's 14.30 was read as the subtotal)
    assert _totals(rows)[:2] == (Decimal("12.40"), Decimal("21.60"))
    assert _totals([[(0.05, "Montant HT"), (0.75, "100.00")], [(0.05, "Total TTC"), (0.75, "120.00")]])[1] == Decimal(
        "100.00"
    )


def test_a_rate_tables_total_row_is_read_not_its_first_rate() -> None:
    rows = [
        [(0.05, "Taux"), (0.4, "HT"), (0.7, "TVA")],
        [(0.05, "5,5 %"), (0.4, "300,00"), (0.7, "16,50")],
        [(0.05, "10 %"), (0.4, "720,00"), (0.7, "72,00")],
        [(0.05, "20 %"), (0.4, "210,00"), (0.7, "42,00")],
        [(0.05, "Total"), (0.4, "1 230,00"), (0.7, "130,50")],
        [(0.05, "Total TTC :"), (0.7, "1 360,50 EUR")],
    ]
    # before: the first rate row only (300,00 and 16,50), which nothing adds up with
    assert _totals(rows) == (Decimal("1360.50"), Decimal("1230.00"), Decimal("130.50"))


def test_rate_rows_with_no_total_row_add_up() -> None:
    rows = [
        [(0.05, "GST Summary"), (0.4, "Amount(RM)"), (0.7, "Tax(RM)")],
        [(0.05, "ZRL@0.00%"), (0.4, "7.00"), (0.7, "0.00")],
        [(0.05, "SR@6.00%"), (0.4, "68.25"), (0.7, "4.10")],
        [(0.05, "TOTAL (Including GST)"), (0.7, "79.35")],
    ]
    assert _totals(rows) == (Decimal("79.35"), Decimal("75.25"), Decimal("4.10"))


def test_gesamtbetrag_netto_names_the_net_amount_and_lieferant_gmbh_is_no_label() -> None:
    from model.layout.invoice_labels import VENDOR_LABEL
    from model.layout.values import SUBTOTAL

    assert SUBTOTAL.search("Gesamtbetrag netto") and SUBTOTAL.search("Netto:")
    assert not SUBTOTAL.search("Gesamtbetrag brutto") and not SUBTOTAL.search("Zahlbar innerhalb 30 Tagen netto")
    # the seller of the ZUGFeRD samples: a name ending in a legal form, not the label 'Lieferant' over 'GmbH'
    assert not VENDOR_LABEL.search("Lieferant GmbH · Lieferantenstraße 20 · 80333 München")
    assert VENDOR_LABEL.search("Lieferant: Technikwerk GmbH") and VENDOR_LABEL.search("Supplier")
