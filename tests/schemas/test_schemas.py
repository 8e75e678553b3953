import datetime as dt
import json
from decimal import Decimal

import pytest
from pydantic import ValidationError

from schemas import get_schema, json_schema, schema_kinds
from schemas.common import parse_amount
from schemas.dates import parse_date
from schemas.registry import UnknownSchema, register_schema
from schemas.validate import validate


def test_every_schema_is_registered_and_exports_json_schema():
    assert schema_kinds() == ["chart", "form", "invoice", "receipt", "ui_code"]
    for kind in schema_kinds():
        exported = json_schema(kind)
        assert exported["type"] == "object"
        json.dumps(exported)


def _fields(schema: dict, defs: dict) -> list[tuple[str, dict]]:
    out = []
    for name, prop in schema.get("properties", {}).items():
        out.append((name, prop))
        for ref in [prop.get("$ref"), prop.get("items", {}).get("$ref")]:
            if ref:
                out += _fields(defs[ref.split("/")[-1]], defs)
    return out


@pytest.mark.parametrize("kind", ["invoice", "receipt", "form", "chart", "ui_code"])
def test_every_field_has_a_description(kind):
    exported = json_schema(kind)
    for name, prop in _fields(exported, exported.get("$defs", {})):
        assert prop.get("description"), f"{kind}.{name} has no description"


def test_unknown_schema_lists_the_known_ones():
    with pytest.raises(UnknownSchema, match="known: chart, form, invoice, receipt, ui_code"):
        get_schema("passport")


def test_duplicate_registration_raises():
    with pytest.raises(ValueError, match="already registered"):
        register_schema(get_schema("invoice"))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1,234.56", "1234.56"),
        ("1.234,56", "1234.56"),
        ("RM 9.90", "9.90"),
        ("(12.00)", "-12.00"),
        ("12,50", "12.50"),
        ("1,250", "1250"),
        ("10", "10"),
        ("€ 1 234,00", "1234.00"),
        ("$0.99", "0.99"),
    ],
)
def test_parse_amount(text, expected):
    assert parse_amount(text) == Decimal(expected)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2019-03-25", dt.date(2019, 3, 25)),
        ("25/03/2019", dt.date(2019, 3, 25)),
        ("03/25/2019", dt.date(2019, 3, 25)),
        ("25.03.19", dt.date(2019, 3, 25)),
        ("25 Mar 2019", dt.date(2019, 3, 25)),
        ("March 25, 2019", dt.date(2019, 3, 25)),
        ("15 janvier 2020", dt.date(2020, 1, 15)),
        ("3. Oktober 2021", dt.date(2021, 10, 3)),
        ("20180304", dt.date(2018, 3, 4)),
        ("25032018", dt.date(2018, 3, 25)),
        ("12345678", None),
        ("no date here", None),
    ],
)
def test_parse_date(text, expected):
    assert parse_date(text) == expected


def test_amounts_dates_and_currency_normalise():
    receipt = get_schema("receipt")(total="RM 1,234.50", transaction_date="25/12/2018", currency="myr")
    assert receipt.total == Decimal("1234.50")
    assert receipt.transaction_date == dt.date(2018, 12, 25)
    assert receipt.currency == "MYR"
    assert receipt.model_dump(mode="json")["total"] == "1234.50"


def test_bad_currency_and_bad_date_are_rejected():
    with pytest.raises(ValidationError, match="ISO 4217"):
        get_schema("invoice")(currency="DOLLARS")
    with pytest.raises(ValidationError, match="not a date"):
        get_schema("invoice")(invoice_date="sometime")


def test_chart_exports_csv():
    chart = get_schema("chart")(columns=["Year", "Sales"], rows=[["2020", 1.5], ["2021", "2"]])
    assert chart.to_csv() == "Year,Sales\n2020,1.5\n2021,2\n"


def test_validation_reports_arithmetic_and_date_issues_without_rejecting():
    invoice = get_schema("invoice")(
        line_items=[{"amount": "10"}, {"amount": "5"}],
        subtotal="16",
        total_tax="2",
        invoice_total="19",
        invoice_date="2020-02-01",
        due_date="2020-01-01",
    )
    codes = {i.code: i for i in validate(invoice, today=dt.date(2024, 1, 1))}
    assert set(codes) == {"line_items_mismatch", "total_mismatch", "due_before_issue"}
    assert codes["total_mismatch"].field == "/invoice_total"
    assert "19" in codes["total_mismatch"].message


def test_line_items_at_prices_including_tax_add_up_to_the_total_not_the_subtotal():
    """saeco.pdf: 'Prijzen zijn inclusief BTW', one line of 49.99, net 41.31 + BTW 8.68 = 49.99."""
    invoice = get_schema("invoice")(
        line_items=[{"amount": "49.99"}, {"amount": "0.00"}], subtotal="41.31", total_tax="8.68", invoice_total="49.99"
    )
    assert validate(invoice, today=dt.date(2024, 1, 1)) == []
    wrong = invoice.model_copy(update={"invoice_total": Decimal("50.99"), "total_tax": Decimal("9.68")})
    assert [i.code for i in validate(wrong, today=dt.date(2024, 1, 1))] == ["line_items_mismatch"]
    unpriced = get_schema("receipt")(items=[{"amount": "0"}, {"amount": "0.00"}], subtotal="14.10", total="14.10")
    assert validate(unpriced, today=dt.date(2024, 1, 1)) == []  # lines that all read 0 say nothing about the sum


def test_validation_accepts_consistent_documents():
    invoice = get_schema("invoice")(
        line_items=[{"quantity": 2, "unit_price": "5", "amount": "10"}, {"amount": "5.005"}],
        subtotal="15.00",
        total_tax="3.15",
        total_discount="1.00",
        invoice_total="17.15",
        invoice_date="2024-01-10",
        due_date="2024-02-10",
    )
    assert validate(invoice, today=dt.date(2024, 3, 1)) == []
    receipt = get_schema("receipt")(
        subtotal="12.50", total_tax="1.50", tip="1", total="15.00", transaction_date="2024-01-05"
    )
    assert validate(receipt, today=dt.date(2024, 3, 1)) == []


def test_implausible_dates_are_flagged():
    receipt = get_schema("receipt")(transaction_date="1970-01-01")
    assert [i.code for i in validate(receipt, today=dt.date(2024, 1, 1))] == ["implausible_date"]


def test_a_receipts_cash_rounded_total_is_no_mismatch_but_a_misread_one_is():
    def issues(total: str, kind: str = "receipt") -> set[str]:
        fields = {"subtotal": "29.69", "total_tax": "1.78"}
        if kind == "receipt":
            doc = get_schema("receipt")(**fields, total=total)
        else:
            doc = get_schema("invoice")(**fields, invoice_total=total)
        return {i.code for i in validate(doc, today=dt.date(2024, 1, 1))}

    assert issues("31.47") == set()
    assert issues("31.45") == set()  # 'Rounding -0.02': paid to the nearest 5 cents
    assert issues("31.40") == {"total_mismatch"}  # more than half a step away: a misread, not rounding
    assert issues("31.49") == {"total_mismatch"}  # two cents off and no multiple of 5 cents
    assert issues("31.45", "invoice") == {"total_mismatch"}  # an invoice is paid to the cent


def test_a_receipts_tax_included_in_its_total_is_no_mismatch_but_a_tax_of_no_rate_is():
    def issues(subtotal: str, tax: str, total: str) -> set[str]:
        doc = get_schema("receipt")(subtotal=subtotal, total_tax=tax, total=total)
        return {i.code for i in validate(doc, today=dt.date(2024, 1, 1))}

    assert issues("105.00", "5.94", "105.00") == set()  # GST 6% included in the prices
    assert issues("62.00", "3.51", "62.00") == set()
    assert issues("105.00", "9.00", "105.00") == {"total_mismatch"}  # 9.00 is no common rate's share of 105.00
    assert issues("100.00", "6.00", "105.00") == {"total_mismatch"}
    assert issues("88.97", "5.04", "88.95") == set()  # tax included, then the total rounded to 5 cents
    assert issues("88.97", "5.04", "88.90") == {"total_mismatch"}  # more than half a step: no rounding
    # a service charge beside a subtotal that already is the total is inside it (96.20 at 6% holds 5.45)
    with_tip = get_schema("receipt")(subtotal="96.20", total_tax="5.45", tip="8.25", total="96.20")
    assert not validate(with_tip, today=dt.date(2024, 1, 1))


def test_a_tax_no_rate_charges_is_a_misreading():
    def issues(kind: str, tax: str, total: str) -> set[str]:
        doc = get_schema(kind)(total_tax=tax, **({"total": total} if kind == "receipt" else {"invoice_total": total}))
        return {i.code for i in validate(doc, today=dt.date(2024, 1, 1))}

    assert issues("receipt", "1.20", "21.20") == set()
    assert issues("invoice", "2157.08", "12428.88") == set()  # 21% VAT on the net is 17% of the gross
    assert issues("receipt", "20.00", "21.20") == {"tax_exceeds_rate"}  # the net amount read as the tax
    assert issues("invoice", "2157.08", "6214.44") == {"tax_exceeds_rate"}  # a total misread
    assert issues("receipt", "0.00", "0.00") == set()
