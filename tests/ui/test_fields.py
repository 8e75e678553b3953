"""Review edits: schema-driven field lists, values parsed like the schema parses them, table edits as corrections."""

import pytest

from ui import fields

RESULT_DATA = {"merchant_name": "SHOP", "total": "9.90", "transaction_date": "2018-12-25", "items": []}
EVIDENCE = {"/total": {"page": 0, "bbox": [0, 0, 1, 1], "confidence": 0.9, "source": "grounding"}}
ISSUES = [
    {"code": "total_mismatch", "field": "/total", "message": "Items add up to 8.00", "severity": "warning"},
    {"code": "x", "field": None, "message": "document-wide", "severity": "info"},
]


def test_field_views_follow_the_schema() -> None:
    views = {v.name: v for v in fields.field_views("receipt", RESULT_DATA, EVIDENCE, ISSUES)}
    assert list(views)[:3] == ["merchant_name", "merchant_address", "merchant_phone"]
    assert "items" not in views
    assert views["total"].text == "9.90" and views["total"].confidence == 0.9
    assert [i["code"] for i in views["total"].issues] == ["total_mismatch"]
    assert views["merchant_address"].text == "" and views["merchant_address"].confidence is None
    assert fields.table_names("invoice") == ["line_items"]
    assert fields.table_names("form") == ["fields"]


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("total", "RM 1.234,50", "1234.50"),
        ("transaction_date", "25/12/2018", "2018-12-25"),
        ("currency", "myr", "MYR"),
        ("merchant_name", "   ", None),
    ],
)
def test_check_value_parses_like_the_schema(name: str, text: str, expected: object) -> None:
    assert fields.check_value("receipt", name, text) == expected


@pytest.mark.parametrize(
    ("name", "text", "fragment"),
    [("total", "abc", "not an amount"), ("transaction_date", "31/02/2024", "not a date"), ("currency", "XX", "ISO")],
)
def test_check_value_rejects_with_a_readable_message(name: str, text: str, fragment: str) -> None:
    with pytest.raises(ValueError, match=fragment):
        fields.check_value("receipt", name, text)


def test_table_edits_become_cell_corrections_or_a_whole_list() -> None:
    before = [{"description": "Tea", "quantity": "1", "unit_price": "2.00", "amount": "2.00"}]
    frame = fields.rows_frame("receipt", "items", before)
    assert fields.table_corrections("receipt", "items", before, frame) == []
    assert list(frame.index) == [1]  # rows numbered as the reviewer counts them
    frame.loc[1, "amount"] = "2,50"
    assert fields.table_corrections("receipt", "items", before, frame) == [
        {"field": "/items/0/amount", "value": "2.50"}
    ]
    frame.loc[2] = ["Cake", "2", "", "7"]
    (whole,) = fields.table_corrections("receipt", "items", before, frame)
    assert whole["field"] == "/items" and [r["description"] for r in whole["value"]] == ["Tea", "Cake"]
    frame.loc[2, "amount"] = "seven"
    with pytest.raises(ValueError, match="row 2"):
        fields.table_corrections("receipt", "items", before, frame)


def test_blank_added_rows_are_ignored() -> None:
    frame = fields.rows_frame("receipt", "items", [])
    frame.loc[1] = ["", "", "", ""]
    assert fields.table_corrections("receipt", "items", [], frame) == []


def test_path_labels_count_rows_from_one() -> None:
    assert fields.path_label("/items/0/unit_price") == "items 1 unit price"
    assert fields.path_label("/total_tax") == "total tax"


def test_cells_parse_like_the_schema_and_rows_have_labels() -> None:
    assert fields.check_cell("invoice", "line_items", "amount", "1.234,50") == "1234.50"
    with pytest.raises(ValueError, match="no column"):
        fields.check_cell("invoice", "line_items", "colour", "red")
    assert fields.row_label(3, {"description": "Coffee beans 1 kg", "amount": "9.00"}) == "Row 3: Coffee beans 1 kg"
    assert fields.row_label(1, {"description": None}) == "Row 1"
