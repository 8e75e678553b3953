"""`--schema auto`: invoice, receipt or form from the words alone."""

from __future__ import annotations

from docai.stages.classify import classify
from model.types import Word


def _words(*rows: str) -> list[Word]:
    return [
        Word(t, (0.1, 0.05 * r, 0.2, 0.05 * r + 0.03), 1.0, r, 0) for r, row in enumerate(rows) for t in row.split()
    ]


def test_invoice_in_several_languages() -> None:
    for rows in (
        ("ACME GmbH", "Invoice number: 123", "Invoice date: 01/02/2024", "Due date: 01/03/2024", "Subtotal 10.00"),
        ("Drukwerk B.V.", "Factuurnummer: 77", "Factuurdatum 12-03-2024", "BTW 21% 21,00", "Totaal 121,00"),
        ("Nordlicht GmbH", "Rechnung", "Rechnungsnummer RE-1", "USt-IdNr DE123", "Gesamtbetrag 100,00"),
    ):
        kind, score = classify([_words(*rows)])
        assert kind == "invoice", rows
        assert 0.0 < score <= 1.0


def test_receipt() -> None:
    rows = (
        "KEDAI MAJU SDN BHD",
        "TAX INVOICE",
        "12/03/2018 10:25",
        "NASI LEMAK 6.50",
        "TOTAL 8.80",
        "CASH 10.00",
        "CHANGE 1.20",
        "THANK YOU PLEASE COME AGAIN",
    )
    assert classify([_words(*rows)])[0] == "receipt"


def test_form() -> None:
    rows = (
        "FAX COVER SHEET",
        "TO: George",
        "FROM: June",
        "DATE: 12/10/98",
        "SUBJECT: Test results",
        "NUMBER OF PAGES: 3",
        "PHONE: 614 466 5087",
        "Signature:",
    )
    assert classify([_words(*rows)])[0] == "form"


def test_no_words_is_an_unsure_form() -> None:
    kind, score = classify([[]])
    assert kind == "form"
    assert score == 0.0
