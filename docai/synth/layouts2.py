"""Four more invoice layouts, each after a convention real invoices follow and the first eight do not draw.

- din: a DIN 5008 business letter. Only a logo on top; the vendor is named in the one-line sender row over the
  address window (on most) and in a four-column footer of company data (director, register, contact, bank).
  A right-hand info block lists number, dates, currency, delivery date and a contact person.
- facture: a French facture. Brand block top left, 'FACTURE N° ...' as the title, the client framed on the
  right, totals in a framed box, legal mentions (capital, register, late-payment penalties) at the foot.
- service: a US service invoice. 'INVOICE' large at the top right, Bill To / Ship To side by side, a banded row
  of header cells (P.O., terms, due date, ship via), a balance due as the last amount, 'Remit to' at the foot.
- banner: a compact layout. The vendor in white on a dark band, the header fields inline on one row, the
  totals boxed in a summary on the left with the payment details beside it.

The service and din layouts always print the amount due under the total (a 'Balance Due' / 'Zahlbetrag' row):
they set the content's due_row before make_invoice takes the truth, so the truth is what the page prints.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from docai.synth.content import InvoiceContent, Party
from docai.synth.layout_words import SHIP_VIA, WORDS
from docai.synth.party_rows import block_rows, contact_rows
from docai.synth.render import (
    GREY,
    Canvas,
    heading,
    logo,
    meta_rows,
    party,
    table,
    tax_line,
    total_rows,
    totals,
)
from docai.synth.vocabulary import FIRST, LAST

Row = tuple[str, str, str | None]  # label, value, field


def _fit(cv: Canvas, text: str, size: float, width: float, bold: bool = False) -> float:
    """The font size at most size at which text fits in width."""
    return min(size, size * width / max(cv.width(text, size, bold), 1.0))


def _pairs(cv: Canvas, rows: list[Row], lx: float, vx: float, y: float, size: float, step: float) -> float:
    """'Label:' at lx, its value right-aligned at vx, a row per step; returns the y under them."""
    for label, value, field in rows:
        cv.text(lx, y, label if label.endswith(":") else f"{label}:", size)
        cv.text(vx, y, value, size, align="right", field=field)
        y += step
    return y


def _columns(
    cv: Canvas, cols: list[list[str]], x0: float, x1: float, y: float, size: float, vendor_first: bool = False
) -> list[float]:
    """Small-print columns side by side, the first row of each bold; returns each column's left edge.
    vendor_first: the first column is the vendor's name and address, their boxes marked."""
    width = (x1 - x0) / len(cols)
    edges = [x0 + width * i for i in range(len(cols))]
    for k, (x, rows) in enumerate(zip(edges, cols, strict=True)):
        for i, row in enumerate(rows):
            field = ("/vendor_address" if i else "/vendor_name") if vendor_first and k == 0 else None
            cv.text(x, y + i * size * 1.4, row, _fit(cv, row, size, width - 8, i == 0), i == 0, field=field, color=GREY)
    return edges


def _terms(cv: Canvas, c: InvoiceContent, x: float, y: float, size: float) -> float:
    """'Payment terms: Net 30' with the terms' box marked; returns the y under it."""
    if not c.payment_terms:
        return y
    head = f"{c.label('terms')} "
    cv.text(x, y, head, size)
    cv.text(x + cv.width(head, size), y, c.payment_terms, size, field="/payment_terms")
    return y + size * 1.5


def _iban(rng: random.Random) -> list[str]:
    country = rng.choice(("DE", "FR", "NL", "GB"))
    groups = " ".join(f"{rng.randint(1000, 9999)}" for _ in range(4))
    bic = f"{''.join(rng.choice('ABCDEFGHKLMNPRSTUVW') for _ in range(4))}{country}{rng.choice(('2X', 'FF', 'PP'))}"
    return [f"IBAN {country}{rng.randint(10, 99)} {groups} {rng.randint(10, 99)}", f"BIC {bic}"]


def _person(rng: random.Random) -> str:
    return f"{rng.choice(FIRST)} {rng.choice(LAST)}"


def _with_due_row(c: InvoiceContent) -> None:
    """Print the amount due under the total even where the content would not: the truth follows (see above)."""
    if c.style["due_row"] == "none":
        c.style["due_row"] = "extra"


def din(cv: Canvas, c: InvoiceContent, rng: random.Random) -> None:
    """A DIN 5008 letter: logo, sender row over the window, info block right, subject, letter text, footer."""
    w = WORDS[c.lang]
    _with_due_row(c)
    logo(cv, c, rng.choice((50.0, 400.0)), 40, rng, width=140)
    sender_line = rng.random() < 0.6  # without it the vendor is named in the footer only, under an image logo
    if sender_line:
        sender = " · ".join([c.legal_name, *c.vendor.address_lines[:2]])
        size = _fit(cv, sender, 6.5, 240)
        rect = cv.text(57, 138, sender, size, color=GREY)
        if c.legal_name == c.vendor.name:  # a brand's return address names the company behind it
            cv.mark("/vendor_name", (rect[0], rect[1], rect[0] + cv.width(c.legal_name, size), rect[3]))
        cv.mark("/vendor_address", (rect[0] + cv.width(f"{c.legal_name} · ", size), *rect[1:]))
        cv.rule(57, 141, rect[2], 0.3)
    party(cv, 57, 160, c.customer, "customer", 10, bold=False, extra=block_rows(c, rng, "customer"))
    person = _person(rng)
    info = meta_rows(c, c.style["currency_display"] != "symbol")
    info.insert(2, (w["delivery"], c.date(c.invoice_date - dt.timedelta(days=rng.randint(0, 6))), None))
    info += [(w["contact"], person, None), (c.label("phone"), contact_rows(c, rng)[0].split(" ", 1)[1], None)]
    heading(cv, c, rng, 340, 106)
    y = _pairs(cv, info, 340, 545, 120, 8, 11.5)
    y = max(y, 250) + 20
    cv.text(57, y, c.label("title").capitalize() if rng.random() < 0.5 else c.label("title"), 12, True)
    cv.text(57, y + 24, w["salutation"], 9)
    cv.text(57, y + 37, w["intro"], 9)
    y = table(cv, c, y + 62, 57, 545, rng, grid=rng.random() < 0.4, band=None, numbered=True, symbol_rows=False)
    cv.rule(320, y - 8, 545, 0.6)
    y = totals(cv, c, y + 6, 320, 545, with_symbol=c.style["currency_display"] != "none")
    y = _terms(cv, c, 57, y + 12, 8.5)
    cv.text(57, y + 10, w["closing"], 9)
    cv.text(57, y + 36, person, 9)
    cv.rule(57, 740, 545, 0.4)
    register = c.label("register", n=rng.randint(10000, 999999))
    cols = [
        [c.legal_name, *c.vendor.address_lines],
        [f"{w['director']}: {_person(rng)}", register, f"{w['seat']}: {c.vendor.address_lines[1]}"],
        contact_rows(c, rng),
        [w["bank"], *_iban(rng)],
    ]
    edges = _columns(cv, cols, 57, 545, 750, 6.5, vendor_first=not sender_line and c.legal_name == c.vendor.name)
    tax_line(cv, c, edges[3], 750 + 3 * 6.5 * 1.4, 6.5)


def facture(cv: Canvas, c: InvoiceContent, rng: random.Random) -> None:
    """A French facture: brand block, numbered title, framed client block, framed totals, legal mentions."""
    w = WORDS[c.lang]
    logo(cv, c, 50, 35, rng)
    y = party(
        cv,
        50,
        100,
        c.vendor,
        "vendor",
        8.5,
        name_size=_fit(cv, c.vendor.name, 13, 230, True),
        extra=block_rows(c, rng, "vendor"),
    )
    for row in contact_rows(c, rng)[:2]:
        cv.text(50, y, row, 8.5)
        y += 11.5
    head, _, tail = w["numbered_title"].partition("{id}")
    title = c.label("title").upper() + head[head.index(" ") :] if c.lang != "fr" else head
    rect = cv.text(545 - cv.width(c.invoice_id, 15, True), 60, title, 15, True, "right")
    cv.text(rect[2], 60, c.invoice_id + tail, 15, True, field="/invoice_id")
    rows = meta_rows(c, c.style["currency_display"] == "none")[1:]
    my = 82
    for label, value, field in rows:
        cv.text(545 - cv.width(value, 8.5), my, f"{label.rstrip(': ')} : ", 8.5, align="right")
        cv.text(545, my, value, 8.5, align="right", field=field)
        my += 11.5
    top = max(my + 15, 150)
    cv.fill((320, top, 545, top + 22 + 12.2 * (1 + len(c.customer.address_lines))), (0.97, 0.97, 0.97), True)
    cv.text(330, top + 14, c.label("bill_to"), 8, True, color=GREY)
    cy = party(cv, 330, top + 28, c.customer, "customer", 9, extra=block_rows(c, rng, "customer"))
    y = table(
        cv, c, max(y, cy) + 35, 50, 545, rng, grid=True, band=(0.85, 0.85, 0.85), numbered=False, symbol_rows=False
    )
    box_top = y + 2
    end = totals(cv, c, y + 18, 330, 537, with_symbol=c.style["currency_display"] == "symbol")
    cv.fill((322, box_top, 545, end - 6), (0.98, 0.98, 0.98), True)
    py = _terms(cv, c, 50, y + 18, 8)
    for row in _iban(rng):
        cv.text(50, py, row, 8)
        py += 12
    capital = c.label("capital", amount=c.money(Decimal(rng.choice((1000, 7500, 10000, 50000))), True))
    siret = f"SIRET {rng.randint(100, 999)} {rng.randint(100, 999)} {rng.randint(100, 999)} {rng.randint(10000, 99999)}"
    register = c.label("register", n=rng.randint(100000, 999999))
    fee = c.money(Decimal(40), True)
    late = w["late"].format(rate=rng.choice(("3", "10", "12")), fee=fee)
    lines = [f"{c.legal_name} – {capital} – {register}", late, f"{w['seat']} : {c.vendor.address}"]
    for i, line in enumerate(lines):
        cv.text(50, 748 + 10 * i, line, _fit(cv, line, 6.5, 495), color=GREY)
    rect = cv.text(50, 778, f"{siret} – " if c.lang == "fr" else f"{w['legal']} – ", 6.5, color=GREY)
    tax_line(cv, c, rect[2], 778, 6.5)


def service(cv: Canvas, c: InvoiceContent, rng: random.Random) -> None:
    """A US service invoice: title top right, Bill To / Ship To, banded header cells, Remit to at the foot."""
    w = WORDS[c.lang]
    _with_due_row(c)
    name = _fit(cv, c.vendor.name, 13, 260, True)
    y = party(cv, 50, 58, c.vendor, "vendor", 8.5, name_size=name, extra=block_rows(c, rng, "vendor"))
    cv.text(50, y, contact_rows(c, rng)[0], 8.5)
    tax_line(cv, c, 50, y + 11.5, 8.5)
    accent = (rng.uniform(0.1, 0.4), rng.uniform(0.2, 0.5), rng.uniform(0.4, 0.7))
    cv.text(545, 70, c.label("title").upper(), 26, True, "right", color=accent)
    _pairs(cv, meta_rows(c, False)[:2], 400, 545, 92, 9, 12)
    band = 170.0
    for x, head in ((50.0, c.label("bill_to")), (300.0, w["ship_to"])):
        cv.fill((x, band - 10, x + 230, band + 4), accent)
        cv.text(x + 5, band, head, 8.5, True, color=(1, 1, 1))
    by = party(cv, 55, band + 18, c.customer, "customer", 9, extra=block_rows(c, rng, "customer"))
    party(cv, 305, band + 18, c.customer, None, 9, bold=False)
    cells: list[Row] = [(w["ship_via"], rng.choice(SHIP_VIA[c.lang]), None)]
    if c.purchase_order:
        cells.insert(0, (c.label("po"), c.purchase_order, "/purchase_order"))
    if c.payment_terms:
        cells.append((w["terms"], c.payment_terms, "/payment_terms"))
    if c.due_date:
        cells.append((c.label("due"), c.date(c.due_date), "/due_date"))
    if c.customer_no:
        cells.append((c.label("customer_no"), c.customer_no, None))
    if c.style["currency_display"] == "none":
        cells.append((c.label("currency").rstrip(": "), c.currency, "/currency"))
    top, width = by + 20, 495 / len(cells)
    for i, (label, value, field) in enumerate(cells):
        x = 50 + i * width
        cv.fill((x, top, x + width, top + 14), (0.9, 0.9, 0.9), border=True)
        cv.fill((x, top + 14, x + width, top + 30), (1, 1, 1), border=True)
        cv.text(x + width / 2, top + 10, label, _fit(cv, label, 7.5, width - 6, True), True, "center")
        cv.text(x + width / 2, top + 25, value, _fit(cv, value, 8.5, width - 6), align="center", field=field)
    y = table(
        cv,
        c,
        top + 58,
        50,
        545,
        rng,
        grid=rng.random() < 0.5,
        band=accent,
        numbered=False,
        symbol_rows=c.style["currency_display"] == "symbol",
    )
    cv.text(50, y + 14, w["notes"], 8.5, True)
    cv.text(50, y + 27, rng.choice(c.style["thanks"]), 8.5)
    totals(cv, c, y + 14, 340, 545, with_symbol=c.style["currency_display"] != "none")
    cv.rule(50, 728, 545, 0.4)
    cv.text(50, 742, f"{w['remit']}:", 8, True)
    party(cv, 50, 754, Party(c.legal_name, c.vendor.address_lines), None, 8)
    checks = w["checks"].format(name=c.legal_name)
    cv.text(300, 742, checks, _fit(cv, checks, 8, 245))


def banner(cv: Canvas, c: InvoiceContent, rng: random.Random) -> None:
    """Vendor on a dark band, header fields inline, totals boxed on the left beside the payment details."""
    w = WORDS[c.lang]
    dark = (rng.uniform(0.05, 0.25), rng.uniform(0.1, 0.3), rng.uniform(0.15, 0.35))
    cv.fill((0, 0, 595, 92), dark)
    white = (1.0, 1.0, 1.0)
    cv.text(50, 45, c.vendor.name, _fit(cv, c.vendor.name, 15, 300, True), True, field="/vendor_name", color=white)
    address = " · ".join(c.vendor.address_lines)
    cv.text(50, 62, address, _fit(cv, address, 8, 300), field="/vendor_address", color=white)
    cv.text(50, 76, "  ".join(contact_rows(c, rng)[1:]), 7.5, color=white)
    cv.text(545, 55, c.label("title").upper(), 20, True, "right", color=white)
    x, y = 50.0, 118.0
    for label, value, field in meta_rows(c, c.style["currency_display"] == "none"):
        lw, vw = cv.width(f"{label} ", 8, True), cv.width(value, 8.5)
        if x + lw + vw > 545:
            x, y = 50.0, y + 14
        cv.text(x, y, label, 8, True, color=GREY)
        cv.text(x + lw, y, value, 8.5, field=field)
        x += lw + vw + 22
    cv.rule(50, y + 8, 545, 0.4)
    cv.text(50, y + 30, c.label("bill_to"), 8, True, color=GREY)
    y = party(cv, 50, y + 44, c.customer, "customer", 9.5, extra=block_rows(c, rng, "customer"))
    y = table(cv, c, y + 30, 50, 545, rng, grid=False, band=None, numbered=rng.random() < 0.3, symbol_rows=False)
    cv.text(58, y + 16, WORDS[c.lang]["summary"], 9, True)
    rows = len(total_rows(c, False))
    end = totals(cv, c, y + 34, 58, 287, with_symbol=c.style["currency_display"] == "symbol", size=8.5)
    cv.fill((50, y + 2, 295, max(end - 4, y + 40 + 13.6 * rows)), (0.95, 0.95, 0.95), border=True)
    py = y + 16
    cv.text(320, py, w["bank"], 8.5, True)
    for row in [*_iban(rng), f"{w['reference']}: {c.invoice_id}"]:
        py += 12
        cv.text(320, py, row, 8.5)
    py = _terms(cv, c, 320, py + 16, 8)
    tax_line(cv, c, 320, py + 4, 8)


TEMPLATES2 = {"din": din, "facture": facture, "service": service, "banner": banner}
