"""Grounding: every extracted value found again among the page words, with box, text and confidence."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from docai.stages.grounding import ground
from schemas.form import Form, FormField
from schemas.invoice import Invoice, InvoiceLine
from schemas.receipt import Receipt


def test_amount_written_with_separators_matches_decimal_value(page) -> None:  # type: ignore[no-untyped-def]
    words = page(["Subtotal 1,234.50", "Total EUR 1.469,06"])
    data = Invoice(subtotal=Decimal("1234.5"), invoice_total=Decimal("1469.06"))
    evidence, low = ground(data, [words], {"/subtotal": 0.9, "/invoice_total": 0.9}, 0.6)
    assert evidence["/subtotal"].text == "1,234.50"
    assert evidence["/subtotal"].page == 0
    assert evidence["/invoice_total"].text == "1.469,06"
    assert evidence["/invoice_total"].source == "grounding"
    assert evidence["/subtotal"].confidence > 0.8
    assert not low


def test_date_in_any_printed_format_matches_the_iso_value(page) -> None:  # type: ignore[no-untyped-def]
    words = page(["Invoice date: 5 March 2024", "Due: 04/04/2024"])
    data = Invoice(invoice_date=dt.date(2024, 3, 5), due_date=dt.date(2024, 4, 4))
    evidence, _ = ground(data, [words], {}, 0.6)
    assert evidence["/invoice_date"].text == "5 March 2024"
    assert evidence["/due_date"].text == "04/04/2024"
    x0, y0, x1, y1 = evidence["/invoice_date"].bbox
    assert x0 < x1 and y0 < y1


def test_value_spanning_words_and_a_line_break_gets_the_union_box(page) -> None:  # type: ignore[no-untyped-def]
    words = page(["SYL ROASTED DELIGHTS", "SDN. BHD.", "75 JALAN SS 22/19"])
    data = Receipt(merchant_name="Syl Roasted Delights Sdn Bhd")
    evidence, _ = ground(data, [words], {"/merchant_name": 0.85}, 0.6)
    found = evidence["/merchant_name"]
    assert found.text == "SYL ROASTED DELIGHTS SDN. BHD."
    first, last = words[0].bbox, words[4].bbox
    assert found.bbox == (first[0], first[1], max(w.bbox[2] for w in words[:5]), last[3])


def test_text_with_an_ocr_slip_is_found_with_lower_confidence(page) -> None:  # type: ignore[no-untyped-def]
    words = page(["TIMELESS KITCHENETTE SAN BHD"])
    exact, _ = ground(Receipt(merchant_name="TIMELESS KITCHENETTE SAN BHD"), [words], {}, 0.6)
    slip, _ = ground(Receipt(merchant_name="TIMELESS KITCHENETTE SDN BHD"), [words], {}, 0.6)
    assert slip["/merchant_name"].page == 0
    assert slip["/merchant_name"].confidence < exact["/merchant_name"].confidence


def test_value_found_nowhere_gets_low_confidence_and_flags_review(page) -> None:  # type: ignore[no-untyped-def]
    words = page(["Total 12.00"])
    data = Receipt(total=Decimal("99.99"), merchant_name="Nowhere Trading")
    evidence, low = ground(data, [words], {"/total": 0.95, "/merchant_name": 0.95}, 0.6)
    assert evidence["/total"].page is None
    assert evidence["/total"].bbox is None
    assert evidence["/total"].confidence < 0.6
    assert evidence["/total"].source == "engine"
    assert low


def test_nested_line_items_and_later_pages(page) -> None:  # type: ignore[no-untyped-def]
    pages = [page(["Invoice 7"]), page(["Widget large 3 19.99", "Total 19.99"])]
    data = Invoice(line_items=[InvoiceLine(description="Widget large", amount=Decimal("19.99"))])
    evidence, _ = ground(data, pages, {}, 0.6)
    assert evidence["/line_items/0/description"].page == 1
    assert evidence["/line_items/0/description"].text == "Widget large"
    assert evidence["/line_items/0/amount"].page == 1


def test_form_keys_and_values_are_grounded(page) -> None:  # type: ignore[no-untyped-def]
    words = page(["Name: Jane Doe", "Phone: (614) 466-5087"])
    data = Form(fields=[FormField(key="Name", value="Jane Doe"), FormField(key="Phone", value="(614) 466-5087")])
    evidence, _ = ground(data, [words], {}, 0.6)
    assert evidence["/fields/0/value"].text == "Jane Doe"
    assert evidence["/fields/1/value"].text == "(614) 466-5087"
    assert evidence["/fields/1/key"].text == "Phone:"


def test_engine_confidence_bounds_the_result(page) -> None:  # type: ignore[no-untyped-def]
    words = page(["Total 12.00"])
    sure, _ = ground(Receipt(total=Decimal("12")), [words], {"/total": 0.99}, 0.6)
    unsure, low = ground(Receipt(total=Decimal("12")), [words], {"/total": 0.3}, 0.6)
    assert sure["/total"].confidence > 0.9
    assert unsure["/total"].confidence <= 0.3
    assert low


def test_a_currency_is_found_where_the_page_prints_its_mark(page) -> None:  # type: ignore[no-untyped-def]
    # the reader takes a bare '$' as USD and 'Rs' as INR: grounding finds those marks, not only the ISO code
    words = page(["TERMS AND FORM 7", "Total $120.00"])
    evidence, low = ground(Invoice(currency="USD"), [words], {"/currency": 0.95}, 0.6)
    assert evidence["/currency"].source == "grounding" and evidence["/currency"].text == "$120.00" and not low
    evidence, _ = ground(Invoice(currency="INR"), [page(["Grand Total Rs. 1939"])], {"/currency": 0.95}, 0.6)
    assert evidence["/currency"].text == "Rs."
    # 'RM' inside a word ('FORM') is no ringgit mark
    evidence, low = ground(Receipt(currency="MYR"), [words], {"/currency": 0.95}, 0.6)
    assert evidence["/currency"].source == "engine" and low


def test_a_calibrated_confidence_is_kept_whether_or_not_the_value_is_found(page) -> None:  # type: ignore[no-untyped-def]
    words = page(["Total 1,234.50", "Tax 19%"], confidence=0.8)
    data = Invoice(invoice_total=Decimal("1234.5"), total_tax=Decimal("197.11"), subtotal=Decimal("1037.39"))
    engine = {"/invoice_total": 0.83, "/total_tax": 0.91, "/subtotal": 0.91}
    evidence, low = ground(data, [words], engine, 0.6, frozenset({"/invoice_total", "/total_tax"}))
    assert evidence["/invoice_total"].confidence == 0.83 and evidence["/invoice_total"].source == "grounding"
    # a computed tax printed nowhere: its probability was fitted on such values too
    assert evidence["/total_tax"].confidence == 0.91 and evidence["/total_tax"].source == "engine"
    assert evidence["/subtotal"].confidence < 0.3 and low  # an uncalibrated value printed nowhere is still doubted
