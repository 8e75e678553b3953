"""Drawing a synthetic receipt on a till roll: four printer styles (thermal, columns, cafe, market)."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from decimal import Decimal

import pymupdf

from docai.synth.receipt_content import ReceiptContent
from docai.synth.receipt_words import (
    MARGIN,
    WIDTH,
)
from docai.synth.render import Canvas

# ---------------------------------------------------------------- drawing


class Tape:
    """Rows printed top-down on a till roll; the page is cut to their length when rendered."""

    def __init__(self, font: str, size: float):
        self.font, self.size = font, size
        self.rows: list[list[tuple[str, float, str, bool, float]]] = []
        self.gaps: list[float] = []

    def row(
        self, *cells: tuple[str, float, str], bold: bool = False, size: float | None = None, gap: float = 1.3
    ) -> None:
        """cells: (text, x as a fraction of the printable width, align 'left'|'right'|'center')."""
        self.rows.append([(t, x, a, bold, size or self.size) for t, x, a in cells if t])
        self.gaps.append(gap)

    def center(self, text: str, bold: bool = False, size: float | None = None) -> None:
        self.row((text, 0.5, "center"), bold=bold, size=size)

    def pair(self, label: str, value: str, bold: bool = False, label_x: float = 0.0) -> None:
        self.row((label, label_x, "left"), (value, 1.0, "right"), bold=bold)

    def rule(self, char: str = "-") -> None:
        self.rows.append([("RULE" + char, 0, "rule", False, self.size)])
        self.gaps.append(1.0)

    def render(self) -> bytes:
        height = MARGIN * 2 + sum(max(c[4] for c in r) * g for r, g in zip(self.rows, self.gaps, strict=True) if r)
        doc = pymupdf.open()
        doc.set_metadata({"producer": "docai synth", "creator": "docai synth", "creationDate": "", "modDate": ""})
        page = doc.new_page(width=WIDTH, height=max(height + 10, 200))
        cv = Canvas(page, FONTS[self.font], {})
        inner = WIDTH - 2 * MARGIN
        y = MARGIN
        for cells, gap in zip(self.rows, self.gaps, strict=True):
            if not cells:
                continue
            size = max(c[4] for c in cells)
            y += size * gap
            for text, x, align, bold, sz in cells:
                if align == "rule":
                    if text == "RULE=":
                        cv.rule(MARGIN, y - size * 0.35, WIDTH - MARGIN)
                    else:
                        n = int(inner / cv.width("-", sz))
                        cv.text(MARGIN, y, "-" * n, sz)
                    continue
                cv.text(MARGIN + x * inner, y, text, sz, bold, align)
        cv.finish()
        doc.subset_fonts()
        data = doc.tobytes(garbage=3, deflate=True, no_new_id=True)
        doc.close()
        return data


FONTS = {"mono": ("cour", "cobo"), "sans": ("helv", "hebo")}


def _amt(c: ReceiptContent, value: Decimal, with_mark: bool = False) -> str:
    text = f"{value:,.2f}" if value >= 1000 else f"{value:.2f}"
    if not with_mark:
        return text
    return f"{c.mark}{text}" if c.mark in ("$", "S$", "€") else f"{c.mark} {text}"


def _header(t: Tape, c: ReceiptContent, rng: random.Random, upper: bool) -> None:
    """Name, registration, address, phone and tax number; some tills add opening hours, a website or a reprint stamp."""
    name_size = t.size + rng.choice((0, 1, 2))
    if c.reg and c.reg.startswith("(") and rng.random() < 0.4:
        t.center(f"{c.name} {c.reg}", bold=True, size=name_size)
    else:
        t.center(c.name, bold=True, size=name_size)
        if c.reg:
            t.center(c.reg)
    address = [line.upper() if upper else line for line in c.address]
    phone = _phone_line(c, rng)
    if phone and rng.random() < 0.15:  # printed on the address's last row: '81300 SKUDAI, JOHOR. TEL: 07-...'
        address[-1], phone = f"{address[-1]} {phone}", None
    for line in address:
        t.center(line)
    if phone:
        t.center(phone)
    if c.tax_id:
        t.center(c.tax_id)
    if rng.random() < 0.1:
        t.center(rng.choice(("OPEN DAILY 10:00AM - 10:00PM", "Business Hours: 8:00 - 22:00", "OPEN 7.30AM-9.30PM")))
    if rng.random() < 0.15:
        site = "".join(ch for ch in c.name.split()[0].lower() if ch.isalnum())
        t.center(rng.choice((f"www.{site}.com.my", f"Email: sales@{site}.com", f"www.{site}.com")))
    if rng.random() < 0.05:
        later = dt.datetime.combine(c.when.date(), dt.time(rng.randint(9, 21), rng.randrange(60)))
        later += dt.timedelta(days=rng.randint(1, 60))
        t.center(f"** REPRINT ** {later:%d/%m/%Y %H:%M}")


def _phone_line(c: ReceiptContent, rng: random.Random) -> str:
    """The phone as tills print it: alone, with a fax, shared with the fax, or with a second line's last digits."""
    shape = rng.random()
    if shape < 0.1:
        return f"TEL/FAX: {c.phone}"
    if shape < 0.2 and c.region == "MY":
        return f"{c.phone_label}{c.phone} / {_last_digits(c.phone, rng)}"
    return f"{c.phone_label}{c.phone}" + (f"  FAX: {c.fax}" if c.fax else "")


def _last_digits(phone: str, rng: random.Random) -> str:
    tail = phone[-4:]
    return f"{(int(tail) + rng.randint(1, 9)) % 10000:04d}"


def _items(t: Tape, c: ReceiptContent, style: str, codes: bool) -> None:
    for it in c.items:
        code = f" {it.code}" if codes else ""
        if style == "two_rows":
            t.row((it.description, 0, "left"))
            t.row((f"  {it.quantity} x {it.unit_price:.2f}", 0, "left"), (f"{_amt(c, it.amount)}{code}", 1.0, "right"))
        elif style == "columns":
            t.row(
                (str(it.quantity), 0, "left"),
                (it.description[:22], 0.1, "left"),
                (f"{it.unit_price:.2f}", 0.75, "right"),
                (f"{_amt(c, it.amount)}{code}", 1.0, "right"),
            )
        else:  # 'qty_first': '2 CAFE LATTE   19.80'
            t.row((f"{it.quantity} {it.description}", 0, "left"), (f"{_amt(c, it.amount)}{code}", 1.0, "right"))


def _totals(t: Tape, c: ReceiptContent, rng: random.Random, upper: bool) -> None:
    def lab(text: str) -> str:
        return text.upper() if upper else text

    mark_total = rng.random() < 0.6
    if c.style["subtotal_printed"]:
        label = rng.choice(
            ("Sub Total", "Subtotal", "Sub-Total", "Sub Total", "Total Sales (Excluding GST)", "Amount")
            + ("Total (Excluding GST):", "Total Excl GST")
        )
        t.pair(lab(label.replace("GST", c.tax_label)), _amt(c, c.subtotal))
    if c.service is not None:
        label = rng.choice(
            (
                "Service Charge 10%",
                "Service Charge 10%",
                "Serv.Charge(10%):",
                "SVC CHG 10%",
                "Service Chrg",
                "10% Srv Chg",
            )
        )
        t.pair(lab(label), _amt(c, c.service))
    if c.tax_mode == "excl":
        label = rng.choice(
            ("{l} {r}%", "{l} @{r}%", "Total {l}", "{l} ({r}%)", "{l}", "{l}{r}%")  # 'GST6%' glued
            + ("{l} Payable:", "{l} payable({r}%):", "Total{l}:")  # as Malaysian GST tills print them
        )
        t.pair(label.format(l=c.tax_label, r=c.tax_rate), _amt(c, c.tax))
        if c.rounding and rng.random() < 0.5:
            # the total before rounding on its own row, then the adjustment, then what was paid
            label = rng.choice(("Total (Inclusive of {l}):", "Total Sales (Inclusive {l})", "Total Incl. {l}"))
            t.pair(lab(label.format(l=c.tax_label)), _amt(c, c.raw_total))
    if c.rounding or c.currency == "MYR" and rng.random() < 0.3:
        t.pair(lab(rng.choice(("Rounding Adj", "Rounding", "Round Adj"))), _amt(c, c.rounding))
    label = rng.choice(("TOTAL", "Total", "GRAND TOTAL", "Total Amount", "NETT TOTAL", "Total Sales (Inclusive GST)"))
    label = label.replace("GST", c.tax_label)
    if mark_total and c.mark in ("RM", "SGD", "USD", "EUR"):
        label += f" ({c.mark})" if rng.random() < 0.5 else ""
        value = _amt(c, c.total, with_mark="(" not in label)
    else:
        value = _amt(c, c.total, with_mark=mark_total)
    t.pair(lab(label) if label.isupper() else label, value, bold=True)
    if c.tax_mode == "incl":
        label = rng.choice(("{l} {r}% included", "Total includes {l} {r}%", "Incl. {l} {r}%"))
        t.pair(lab(label.format(l=c.tax_label, r=c.tax_rate)), _amt(c, c.tax))
    _payment(t, c, rng, lab)


def _payment(t: Tape, c: ReceiptContent, rng: random.Random, lab: Callable[[str], str]) -> None:
    """How it was paid: the method beside the amount, or named on its own row above 'Tendered'."""
    method, key = c.payment
    if rng.random() < 0.2:
        t.row((f"{lab('Payment')}: {method}", 0, "left"))
        t.pair(lab(rng.choice(("Tendered", "Paid", "Amount Paid"))), _amt(c, c.tendered))
    else:
        t.pair(method, _amt(c, c.tendered))
    if key == "cash":
        t.pair(lab("Change"), _amt(c, c.tendered - c.total))
    elif key in ("visa", "mastercard", "debit", "credit card"):
        t.row((f"CARD NO: XXXX XXXX XXXX {rng.randrange(10000):04d}", 0, "left"))
        t.row((f"APPROVAL CODE: {rng.randrange(1000000):06d}", 0, "left"))


def _summary(t: Tape, c: ReceiptContent, rng: random.Random) -> None:
    """The GST summary table many Malaysian tills print: code, rate, net amount, tax."""
    if c.tax_mode == "none" or c.tax is None:
        return
    zero = sum((i.amount for i in c.items if i.code == "ZR"), Decimal("0.00"))
    taxed = c.taxable - (c.tax if c.tax_mode == "incl" else 0)
    if rng.random() < 0.5:
        t.row((f"{c.tax_label} Summary", 0, "left"), ("Amount", 0.75, "right"), ("Tax", 1.0, "right"))
        t.row((f"SR @ {c.tax_rate}%", 0, "left"), (_amt(c, taxed), 0.75, "right"), (_amt(c, c.tax), 1.0, "right"))
        if zero:
            t.row(("ZR @ 0%", 0, "left"), (_amt(c, zero), 0.75, "right"), ("0.00", 1.0, "right"))
        return
    # code, rate, net, tax and gross per rate, then a row that adds them up
    head = ("Code", 0, "left"), ("%", 0.3, "right"), ("Net Amt", 0.55, "right"), (c.tax_label, 0.75, "right")
    t.row(*head, ("Total", 1.0, "right"))
    t.row(
        ("SR", 0, "left"),
        (str(c.tax_rate), 0.3, "right"),
        (_amt(c, taxed), 0.55, "right"),
        (_amt(c, c.tax), 0.75, "right"),
        (_amt(c, taxed + c.tax), 1.0, "right"),
    )
    if zero:
        cells = (_amt(c, zero), 0.55, "right"), ("0.00", 0.75, "right"), (_amt(c, zero), 1.0, "right")
        t.row(("ZR", 0, "left"), ("0", 0.3, "right"), *cells)
    net, gross = taxed + zero, taxed + c.tax + zero
    t.row(
        ("Total", 0, "left"),
        (_amt(c, net), 0.55, "right"),
        (_amt(c, c.tax), 0.75, "right"),
        (_amt(c, gross), 1.0, "right"),
    )


def _meta(c: ReceiptContent, rng: random.Random) -> list[tuple[str, str]]:
    number_label = rng.choice(("Receipt No", "Invoice No", "Bill No", "Doc No", "No"))
    return [(number_label, c.number), ("Cashier", c.cashier)]


def thermal(t: Tape, c: ReceiptContent, rng: random.Random) -> None:
    """Monospace, all caps, dashed rules: items on two rows (name, then qty x price and amount with a tax code)."""
    _header(t, c, rng, upper=True)
    t.center(rng.choice(("TAX INVOICE", "SIMPLIFIED TAX INVOICE", "RECEIPT", "CASH BILL")))
    t.rule()
    for label, value in _meta(c, rng):
        t.row((f"{label.upper()}: {value}", 0, "left"))
    t.row((f"DATE: {c.date_text}", 0, "left"), (f"TIME: {c.time_text}", 1.0, "right"))
    t.rule()
    _items(t, c, "two_rows", codes=c.tax_mode != "none")
    t.rule()
    _totals(t, c, rng, upper=True)
    t.rule()
    if rng.random() < 0.6 and c.tax is not None:
        _summary(t, c, rng)
        t.rule()
    t.center(c.thanks.upper())


def columns(t: Tape, c: ReceiptContent, rng: random.Random) -> None:
    """Sans, a Qty / Item / Price / Amount table with a header row; date and time labelled on their own rows."""
    _header(t, c, rng, upper=False)
    t.rule("=")
    t.pair("Date:", c.date_text)
    t.pair("Time:", c.time_text)
    for label, value in _meta(c, rng):
        t.pair(f"{label}:", value)
    t.rule("=")
    # some tills head the amount column 'Total' and add a tax-code column ('Description Qty U.price Total TAX')
    codes = c.tax_mode != "none" and rng.random() < 0.3
    amount = "Total   Tax" if codes else f"Amt ({c.mark})"
    t.row(("Qty", 0, "left"), ("Item", 0.1, "left"), ("Price", 0.75, "right"), (amount, 1.0, "right"), bold=True)
    _items(t, c, "columns", codes=codes)
    t.rule("=")
    _totals(t, c, rng, upper=False)
    t.rule("=")
    t.center(c.thanks)


def cafe(t: Tape, c: ReceiptContent, rng: random.Random) -> None:
    """A restaurant bill: big name, table and pax, 'qty name amount' rows, date and time on one row."""
    _header(t, c, rng, upper=rng.random() < 0.5)
    t.row((f"Table {rng.randint(1, 40)}", 0, "left"), (f"Pax: {rng.randint(1, 6)}", 1.0, "right"))
    t.row((f"{c.date_text} {c.time_text}", 0, "left"), (c.number, 1.0, "right"))
    t.rule()
    _items(t, c, "qty_first", codes=False)
    t.rule()
    _totals(t, c, rng, upper=rng.random() < 0.5)
    t.rule()
    t.center(c.thanks)


def market(t: Tape, c: ReceiptContent, rng: random.Random) -> None:
    """A supermarket till: date and time first under the header, items one per row with tax codes, a GST summary."""
    _header(t, c, rng, upper=True)
    t.row((c.date_text, 0, "left"), (c.time_text, 0.5, "center"), (f"#{c.number}", 1.0, "right"))
    t.row((f"CASHIER: {c.cashier}", 0, "left"))
    t.rule()
    _items(t, c, "qty_first", codes=c.tax_mode != "none")
    t.rule()
    t.pair(f"TOTAL ITEMS: {sum(i.quantity for i in c.items)}", "")
    _totals(t, c, rng, upper=True)
    t.rule()
    _summary(t, c, rng)
    t.center(c.thanks.upper())


STYLES: dict[str, tuple[Callable[[Tape, ReceiptContent, random.Random], None], str]] = {
    "thermal": (thermal, "mono"),
    "columns": (columns, "sans"),
    "cafe": (cafe, "sans"),
    "market": (market, "mono"),
}
STYLE_NAMES = tuple(STYLES)
