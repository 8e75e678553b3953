"""More invoice layouts and the page furniture real invoices carry, so a chooser fitted on them sees more than five designs.

The vendor's name may appear only in a side column or the page foot (a logo, drawn as a text-free box, takes its
place on top); totals may run across the page as labelled cells; amounts that are not totals (share capital, an
early-payment price) and page numbers stand where real invoices print them.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from decimal import Decimal

import pymupdf

from docai.synth.brand_render import brand_sentence, slogan
from docai.synth.brand_vocabulary import MADE_WITH, SERVICE_LINES
from docai.synth.content import InvoiceContent
from docai.synth.layouts2 import TEMPLATES2
from docai.synth.party_rows import block_rows, contact_rows
from docai.synth.render import (
    A4,
    FAMILIES,
    GREY,
    Box,
    Canvas,
    branded_title,
    classic,
    grid,
    heading,
    letter,
    logo,
    meta_rows,
    modern,
    party,
    plain,
    table,
    tax_line,
    total_rows,
    totals,
)
from docai.synth.vocabulary import LABELS, PO_BOX


def furniture(cv: Canvas, c: InvoiceContent, rng: random.Random) -> None:
    """Page number, a payment sentence with an amount that may not be the total, legal lines with share capital."""
    if c.style.get("pay_sentence"):
        due = c.due_date or c.invoice_date + dt.timedelta(days=14)
        skonto = c.style["pick"] % len(LABELS[c.lang]["pay_sentence"]) == 1  # the variant with a 2% discount
        amount = c.amount_due * Decimal("0.98") if skonto else c.amount_due
        text = c.label("pay_sentence", amount=c.money(amount.quantize(Decimal("0.01")), True), date=c.date(due))
        cv.text(50, 698, text, 8.5)
    if not c.style.get("furniture"):
        if c.entity:  # the company behind a brand is named in the small print, whatever else is left out
            cv.text(297, 795, f"{c.entity} · {c.vendor.address}", 7, align="center", color=GREY)
        return
    tool = c.style.get("made_with")
    if tool:  # the invoicing software's or payment service's name and address in the small print
        cv.text(50, 834, rng.choice(MADE_WITH[c.lang]).format(tool=tool), 6, color=GREY)
    page = c.label("page")
    if c.style.get("service_line") and c.brand:  # another of the brand's names over the page, where a vendor stands
        line = rng.choice(SERVICE_LINES[c.lang]).format(brand=c.brand)
        cv.text(545, 27, line, rng.choice((8.0, 9.0, 10.0)), rng.random() < 0.5, align="right")
        if rng.random() < 0.6:  # a service address under it, as a return address
            box = f"{PO_BOX[c.lang]} {rng.randint(100, 99999)} · {c.vendor.address_lines[1]}"
            cv.text(545, 37, box, 7.5, align="right")
        cv.text(297, 828, page, 7.5, align="center", color=GREY)
    elif rng.random() < 0.5:
        cv.text(545, 30, page, 7.5, align="right", color=GREY)
    else:
        cv.text(297, 828, page, 7.5, align="center", color=GREY)
    capital = c.label("capital", amount=c.money(Decimal(rng.choice((25000, 50000, 100000, 12500))), True))
    register = c.label("register", n=rng.randint(10000, 999999))
    legal = f"{c.entity} · {register} · {capital}" if c.entity else f"{register} · {capital}"
    cv.text(297, 795, legal, 7, align="center", color=GREY)
    cv.text(297, 805, " · ".join(contact_rows(c, rng)), 7, align="center", color=GREY)


def _vendor_foot(cv: Canvas, c: InvoiceContent, rng: random.Random, y: float) -> None:
    """The vendor's block at the page foot in three columns: name and address, contact, bank and tax number."""
    cv.rule(50, y - 10, 545, 0.4)
    named = c.legal_name == c.vendor.name and "/vendor_name" not in cv.boxes
    cv.text(50, y, c.legal_name, 8, True, field="/vendor_name" if named else None)
    for i, row in enumerate(c.vendor.address_lines):
        cv.text(50, y + 10 * (i + 1), row, 7.5, field="/vendor_address")
    for i, row in enumerate(contact_rows(c, rng)):
        cv.text(230, y + 10 * i, row, 7.5)
    iban = f"IBAN {rng.choice(('DE', 'FR', 'NL', 'GB'))}{rng.randint(10, 99)} {rng.randint(1000, 9999)} {rng.randint(1000, 9999)}"
    cv.text(400, y, iban, 7.5)
    tax_line(cv, c, 400, y + 10, 7.5)


def bottom(cv: Canvas, c: InvoiceContent, rng: random.Random) -> None:
    """A logo on top, the vendor named only at the foot; totals' labels far left of their values."""
    logo(cv, c, 50, 40, rng)
    party(cv, 57, 160, c.customer, "customer", 10, bold=False, extra=block_rows(c, rng, "customer"))
    heading(cv, c, rng, 350, 136)
    my = 150
    for label, value, field in meta_rows(c, c.style["currency_display"] == "none"):
        cv.text(350, my, label, 8.5)
        cv.text(545, my, value, 8.5, align="right", field=field)
        my += 12
    cv.text(57, max(my, 230) + 30, c.label("title"), 14, True)
    y = table(
        cv, c, max(my, 230) + 60, 57, 545, rng, grid=rng.random() < 0.5, band=None, numbered=False, symbol_rows=False
    )
    totals(cv, c, y + 10, 57, 545, with_symbol=c.style["currency_display"] == "symbol")
    _vendor_foot(cv, c, rng, 760)


def sidebar(cv: Canvas, c: InvoiceContent, rng: random.Random) -> None:
    """The vendor in a right-hand column under its logo, the totals as labelled cells across the foot of the table."""
    logo(cv, c, 420, 40, rng, width=125)
    name_size = min(9.5, 9.5 * 125 / cv.width(c.vendor.name, 9.5, True))  # a long name is set smaller to fit
    y = party(cv, 420, 100, c.vendor, "vendor", 8, name_size=name_size, extra=block_rows(c, rng, "vendor"))
    for row in contact_rows(c, rng):
        cv.text(420, y, row, 8)
        y += 10.8
    tax_line(cv, c, 420, y, 8)
    y += 25
    for label, value, field in meta_rows(c, c.style["currency_display"] == "none"):
        cv.text(420, y, label, 7.5, True, color=GREY)
        cv.text(420, y + 10, value, 8.5, field=field)
        y += 24
    cv.text(50, 60, c.label("title"), 22, True)
    cv.text(50, 110, c.label("bill_to"), 8, True, color=GREY)
    cy = party(cv, 50, 124, c.customer, "customer", 9.5, extra=block_rows(c, rng, "customer"))
    ty = table(
        cv, c, max(cy + 40, 250), 50, 400, rng, grid=False, band=(0.9, 0.9, 0.9), numbered=False, symbol_rows=False
    )
    _cells(cv, c, ty + 10, 50, 400)


def _cells(cv: Canvas, c: InvoiceContent, y: float, x0: float, x1: float) -> None:
    """Totals as a row of cells: each label over its value, at most four to a row."""
    rows = total_rows(c, with_symbol=False)
    for start in range(0, len(rows), 4):
        chunk = rows[start : start + 4]
        width = (x1 - x0) / len(chunk)
        for i, (label, value, field, strong) in enumerate(chunk):
            label, value = (label, value) if value else ("", label)  # a rate line fills its cell
            right = x0 + width * (i + 1) - 4
            cv.fill((x0 + width * i + 1, y - 9, right + 3, y + 20), (0.95, 0.95, 0.95))
            size = min(7, 7 * (width - 8) / max(cv.width(label, 7, True), 1))  # labels never run into the next cell
            cv.text(right, y, label, size, True, "right", color=GREY)
            cv.text(right, y + 14, value, 9.5 if strong else 9, strong, "right", field=field)
        y += 36


def statement(cv: Canvas, c: InvoiceContent, rng: random.Random) -> None:
    """An online-service invoice: title and numbers first, vendor and customer side by side, the amount due
    announced in a sentence above the table and repeated under it."""
    title = branded_title(c, rng, c.label("title"))
    cv.text(50, 60, title, min(18.0, 18 * 380 / cv.width(title, 18, True)), True)
    logo(cv, c, 445, 40, rng, width=100)
    my = 85
    for label, value, field in meta_rows(c, False):
        cv.text(50, my, label, 8.5, color=GREY)
        cv.text(160, my, value, 8.5, field=field)
        my += 12
    y = party(cv, 50, my + 20, c.vendor, "vendor", 8.5, name_size=9, extra=block_rows(c, rng, "vendor"))
    for row in contact_rows(c, rng)[1:]:
        cv.text(50, y, row, 8.5)
        y += 11.5
    tax_line(cv, c, 50, y, 8.5)
    y += 11.5
    cv.text(250, my + 8, c.label("bill_to"), 8.5, True)
    cy = party(
        cv, 250, my + 20, c.customer, "customer", 8.5, name_size=9, bold=False, extra=block_rows(c, rng, "customer")
    )
    due = c.date(c.due_date or c.invoice_date)
    cv.text(50, max(y, cy) + 30, f"{c.money(c.amount_due, True)} {_DUE_WORD[c.lang]} {due}", 14, True)
    ty = table(cv, c, max(y, cy) + 70, 50, 545, rng, grid=False, band=None, numbered=False, symbol_rows=False)
    cv.rule(300, ty - 6, 545, 0.4)
    totals(cv, c, ty + 10, 300, 545, with_symbol=True)
    cv.text(50, 800, f"{c.legal_name} · {c.vendor.address}", 7, color=GREY)


_DUE_WORD = {"en": "due", "de": "fällig am", "fr": "dû le", "nl": "te betalen op"}


TEMPLATES: dict[str, Callable[[Canvas, InvoiceContent, random.Random], None]] = {
    "classic": classic,
    "letter": letter,
    "modern": modern,
    "grid": grid,
    "plain": plain,
    "bottom": bottom,
    "sidebar": sidebar,
    "statement": statement,
    **TEMPLATES2,
}


def render_pdf(c: InvoiceContent, template: str, rng: random.Random) -> tuple[bytes, dict[str, Box]]:
    """The invoice as PDF bytes (deterministic: fixed metadata, no new id) and the boxes of its values."""
    c.style["thanks"] = LABELS[c.lang]["thanks"]
    c.style["payee"] = LABELS[c.lang]["payee"]
    doc = pymupdf.open()
    doc.set_metadata({"producer": "docai synth", "creator": "docai synth", "creationDate": "", "modDate": ""})
    page = doc.new_page(width=A4[0], height=A4[1])
    boxes: dict[str, Box] = {}
    cv = Canvas(page, FAMILIES[rng.randrange(len(FAMILIES))], boxes)
    TEMPLATES[template](cv, c, rng)
    slogan(cv, c, rng, white=template == "banner")
    brand_sentence(cv, c, rng)
    furniture(cv, c, rng)
    cv.finish()
    doc.subset_fonts()
    data = doc.tobytes(garbage=3, deflate=True, no_new_id=True)
    doc.close()
    return data, boxes
