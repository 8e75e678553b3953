"""Draw an invoice's content as a born-digital PDF in one of several layouts, recording where each value is printed."""

from __future__ import annotations

import random
from collections.abc import Sequence
from decimal import Decimal

import pymupdf

from docai.synth.content import InvoiceContent, Party
from docai.synth.party_rows import block_rows
from docai.synth.vocabulary import HEADINGS, LABELS

A4 = (595.0, 842.0)
FAMILIES = (("helv", "hebo"), ("tiro", "tibo"), ("cour", "cobo"))
GREY = (0.45, 0.45, 0.45)
Box = list[float]  # [page, x0, y0, x1, y1], 0..1 of the page


class Canvas:
    """Text and rules on one page; boxes of the printed values keyed by field path (JSON pointer)."""

    def __init__(self, page: pymupdf.Page, family: tuple[str, str], boxes: dict[str, Box]):
        self.page = page
        self.fonts = {False: pymupdf.Font(family[0]), True: pymupdf.Font(family[1])}
        self.writers: dict[tuple[float, ...], pymupdf.TextWriter] = {}
        self.boxes = boxes

    def width(self, text: str, size: float = 9, bold: bool = False) -> float:
        return self.fonts[bold].text_length(text, size)

    def text(
        self,
        x: float,
        y: float,
        text: str,
        size: float = 9,
        bold: bool = False,
        align: str = "left",
        field: str | None = None,
        color: tuple[float, ...] = (0, 0, 0),
    ) -> tuple[float, float, float, float]:
        """Print text with its baseline at y; x is the left edge, the right edge (align=right) or the centre."""
        width = self.width(text, size, bold)
        x0 = x - width if align == "right" else x - width / 2 if align == "center" else x
        writer = self.writers.setdefault(color, pymupdf.TextWriter(self.page.rect, color=color))
        writer.append((x0, y), text, font=self.fonts[bold], fontsize=size)
        rect = (x0, y - size * 0.78, x0 + width, y + size * 0.22)
        if field:
            self.mark(field, rect)
        return rect

    def mark(self, field: str, rect: tuple[float, float, float, float]) -> None:
        w, h = self.page.rect.width, self.page.rect.height
        box = [0.0, rect[0] / w, rect[1] / h, rect[2] / w, rect[3] / h]
        old = self.boxes.get(field)
        if old:  # a value printed over several rows: the union of its boxes
            box = [0.0, min(old[1], box[1]), min(old[2], box[2]), max(old[3], box[3]), max(old[4], box[4])]
        self.boxes[field] = [round(v, 5) for v in box]

    def rule(self, x0: float, y: float, x1: float, width: float = 0.6) -> None:
        self.page.draw_line((x0, y), (x1, y), color=(0, 0, 0), width=width)

    def fill(self, rect: tuple[float, float, float, float], color: tuple[float, ...], border: bool = False) -> None:
        self.page.draw_rect(pymupdf.Rect(*rect), color=(0, 0, 0) if border else None, fill=color, width=0.5)

    def finish(self) -> None:
        for writer in self.writers.values():
            writer.write_text(self.page)


def _qty(c: InvoiceContent, q: Decimal) -> str:
    if c.style.get("qty_decimals"):
        return c.money(q)
    if q == q.to_integral_value():
        return str(int(q))
    text = format(q.normalize(), "f")
    return text.replace(".", ",") if c.style["numbers"] in ("de", "fr") else text


def _rate(c: InvoiceContent, r: Decimal) -> str:
    text = c.money(r) if c.style.get("rate_decimals") else format(r.normalize(), "f")
    text = text.replace(".", ",") if c.style["numbers"] in ("de", "fr") else text
    return f"{text} %" if c.lang in ("de", "fr") else f"{text}%"


def party(
    cv: Canvas,
    x: float,
    y: float,
    p: Party,
    field: str | None,
    size: float = 9,
    name_size: float | None = None,
    bold: bool = True,
    align: str = "left",
    extra: Sequence[str] = (),
) -> float:
    """Name then address rows, then the block's other rows (phone, registration, bank: `block_rows`); returns the y
    under the block."""
    cv.text(x, y, p.name, name_size or size, bold, align, field=f"/{field}_name" if field else None)
    for row in p.address_lines:
        y += size * 1.35
        cv.text(x, y, row, size, False, align, field=f"/{field}_address" if field else None)
    for row in extra:
        y += size * 1.3
        cv.text(x, y, row, size * 0.9, False, align)
    return y + size * 1.35


def branded_title(c: InvoiceContent, rng: random.Random, title: str) -> str:
    """An online service's title names its brand ('Velora Invoice'), half the time where the brand is the vendor."""
    if c.brand and c.truth_name == c.brand and rng.random() < 0.5:
        return f"{c.brand} {title}"
    return title


def heading(cv: Canvas, c: InvoiceContent, rng: random.Random, x: float, y: float) -> None:
    """Sometimes a bold line over the header fields: a section heading ('Summary', 'Übersicht') or the amount due
    set large ('Balance Due  $1,234.00'); words that name no one, printed where a name might stand."""
    draw = rng.random()
    if draw < 0.25:
        cv.text(x, y, rng.choice(HEADINGS[c.lang]), rng.choice((9.0, 10.0, 12.0)), True)
    elif draw < 0.4:
        cv.text(x, y, c.label("due_amount"), 10, True)
        cv.text(545, y, c.money(c.amount_due, True), 10, True, "right")


def meta_rows(c: InvoiceContent, with_currency: bool) -> list[tuple[str, str, str | None]]:
    """(label, value, field) rows of the header: number, dates, customer number, order, currency."""
    rows = [
        (c.label("number"), c.invoice_id, "/invoice_id"),
        (c.label("date"), c.date(c.invoice_date), "/invoice_date"),
    ]
    if c.due_date:
        rows.append((c.label("due"), c.date(c.due_date), "/due_date"))
    if c.customer_no:
        rows.append((c.label("customer_no"), c.customer_no, None))
    if c.purchase_order:
        rows.append((c.label("po"), c.purchase_order, "/purchase_order"))
    if with_currency:
        rows.append((c.label("currency").rstrip(": "), c.currency, "/currency"))
    if c.style.get("summary_row"):  # real invoices often restate the amount due on top, beside the dates
        rows.append((c.label("due_amount"), c.money(c.amount_due, True), None))
    return rows


def table(
    cv: Canvas,
    c: InvoiceContent,
    y: float,
    x0: float,
    x1: float,
    rng: random.Random,
    grid: bool,
    band: tuple[float, ...] | None,
    numbered: bool,
    symbol_rows: bool,
) -> float:
    """The line-item table; returns the y under it."""
    cols: list[tuple[str, str, float, str]] = []  # key, header, width share, align
    if numbered:
        cols.append(("pos", "Pos." if c.lang != "en" else "#", 0.06, "left"))
    cols.append(("description", c.label("desc"), 0.40, "left"))
    cols.append(("quantity", c.label("qty"), 0.09, "right"))
    if c.style["unit_col"]:
        cols.append(("unit", c.label("unit"), 0.09, "left"))
    cols.append(("unit_price", c.label("price"), 0.15, "right"))
    if c.style["vat_col"]:
        cols.append(("tax_rate", c.label("vat"), 0.09, "right"))
    amount_head = c.label("amount") + (f" ({c.currency})" if c.style["currency_display"] == "none" else "")
    cols.append(("amount", amount_head, 0.17, "right"))
    scale = (x1 - x0) / sum(col[2] for col in cols)
    edges, x = [], x0
    for col in cols:
        edges.append((x, x + col[2] * scale))
        x += col[2] * scale
    size = 8.5 if len(c.lines) > 4 else 9
    if band:
        cv.fill((x0 - 3, y - 11, x1 + 3, y + 5), band)
    head_color = (1, 1, 1) if band and sum(band) < 1.5 else (0, 0, 0)
    for (_key, head, _, align), (left, right) in zip(cols, edges, strict=True):
        if c.style.get("item_head", True):
            cv.text(right - 3 if align == "right" else left + 3, y, head, size, True, align, color=head_color)
    if not band:
        cv.rule(x0, y + 4, x1, 0.8)
    y += 18
    for i, ln in enumerate(c.lines):
        values = {
            "pos": str(i + 1),
            "description": ln.description,
            "quantity": _qty(c, ln.quantity),
            "unit": ln.unit or "",
            "unit_price": c.money(ln.unit_price, symbol_rows),
            "tax_rate": _rate(c, ln.tax_rate),
            "amount": c.money(ln.amount, symbol_rows),
        }
        for (key, _, _, align), (left, right) in zip(cols, edges, strict=True):
            if not values[key]:
                continue
            field = f"/line_items/{i}/{key}" if key != "pos" else None
            cv.text(right - 3 if align == "right" else left + 3, y, values[key], size, False, align, field=field)
        if ln.note:
            y += size * 1.25
            cv.text(edges[1 if numbered else 0][0] + 3, y, ln.note, size - 1.5, color=GREY)
        if grid:
            cv.rule(x0, y + 5, x1, 0.3)
        y += size * 1.9
    return y


TotalRow = tuple[str, str, str | None, bool]  # label, printed value, field, strong


def total_rows(c: InvoiceContent, with_symbol: bool) -> list[TotalRow]:
    """The totals block's rows in print order: net first (or, for gross prices, the total and the tax it holds)."""
    net: list[TotalRow] = []
    if c.shipping:
        net.append((c.label("items"), c.money(c.items_total, with_symbol), None, False))
        net.append((c.label("shipping"), c.money(c.shipping, with_symbol), None, False))
    if c.style.get("net_row", True):
        net.append((c.label("subtotal"), c.money(c.subtotal, with_symbol), "/subtotal", False))
    if c.discount:
        net.append((c.label("discount"), c.money(-c.discount, with_symbol), "/total_discount", False))
    taxes: list[TotalRow] = []
    for rate, tax in c.tax_by_rate.items():
        field = "/total_tax" if len(c.tax_by_rate) == 1 else None
        shown = _rate(c, rate).replace(" %", "").rstrip("%")
        label = c.label("incl_tax" if c.gross else "tax", rate=shown)
        if c.style.get("tax_base"):
            label += f" {OF[c.lang]} {c.money(c.net_by_rate[rate])}"
        taxes.append((label, c.money(tax, with_symbol), field, False))
    if len(c.tax_by_rate) > 1 and c.style.get("tax_total_row", True):  # several rates: the sum may go unprinted
        word = {"en": "total", "de": "gesamt", "fr": "totale", "nl": "totaal"}[c.lang]
        taxes.append((f"{c.label('vat')} {word}", c.money(c.total_tax, with_symbol), "/total_tax", False))
    if c.style.get("no_tax"):
        taxes.append((c.style["no_tax"], "", None, False))  # why no tax is charged, where the tax row would stand
    due_row = c.style["due_row"]
    ends: list[TotalRow] = []
    if c.amount_due != c.total or due_row != "only":
        ends.append((c.label("total"), c.money(c.total, True), "/invoice_total", True))
    if c.amount_due != c.total:
        paid = {"en": "Paid", "de": "Bereits bezahlt", "fr": "Acompte versé", "nl": "Reeds betaald"}[c.lang]
        ends.append((paid, c.money(c.amount_due - c.total, with_symbol), None, False))
    if c.amount_due != c.total or due_row != "none":
        # a total printed once under the amount-due label ('Zahlbetrag') is both the total and the amount due
        field = "/amount_due" if c.amount_due != c.total or due_row == "extra" else "/invoice_total"
        ends.append((c.label("due_amount"), c.money(c.amount_due, True), field, True))
    rows = ends[:1] + taxes + net + ends[1:] if c.gross else net + taxes + ends  # gross: 'Total / incl. VAT / Net'
    return rows + _converted(c, with_symbol)


def _converted(c: InvoiceContent, with_symbol: bool) -> list[TotalRow]:
    """Tax and total restated in another currency at a printed rate (EU invoices in a foreign currency)."""
    rate = c.style.get("fx_rate")
    if rate is None:
        return []
    other = "EUR" if c.currency != "EUR" else "USD"
    cent = Decimal("0.01")
    return [
        (f"1 {c.currency} = {rate} {other}", "", None, False),
        (f"{c.label('vat')} {other}", c.money((c.total_tax * rate).quantize(cent)), None, False),
        (f"{c.label('total')} {other}", c.money((c.total * rate).quantize(cent)), None, False),
    ]


def totals(
    cv: Canvas, c: InvoiceContent, y: float, label_x: float, value_x: float, with_symbol: bool, size: float = 9
) -> float:
    """The totals rows, labels at label_x and values right-aligned at value_x; returns the y under them."""
    for label, value, field, strong in total_rows(c, with_symbol):
        grow = c.style.get("total_size", 0.0) if strong else 0.0  # a total set larger than its neighbours
        # a sentence with no amount (why no tax is charged) ends where the amounts do, so a long one stays on the page
        x = min(label_x, value_x - cv.width(label, size)) if label == c.style.get("no_tax") else label_x
        cv.text(x, y + grow / 2, label, size + grow, strong)
        rect = cv.text(value_x, y + grow / 2, value, size + grow, strong, "right", field=field) if value else None
        if rect and field in ("/invoice_total", "/amount_due") and c.style["currency_display"] != "none":
            cv.mark("/currency", rect)
        y += (size + grow) * 1.6
    if c.style.get("tax_table"):
        y = tax_table(cv, c, y + 10, label_x, value_x, size - 1)
    return y


OF = {"en": "on", "de": "von", "fr": "sur", "nl": "over"}
BREAKDOWN = {"en": ("Net", "Gross"), "de": ("Netto", "Brutto"), "fr": ("HT", "TTC"), "nl": ("Netto", "Bruto")}
SUM_ROW = {"en": "Total", "de": "Summe", "fr": "Total", "nl": "Totaal"}


def tax_table(cv: Canvas, c: InvoiceContent, y: float, x0: float, x1: float, size: float) -> float:
    """A rate | net | tax | gross row per tax rate, under a header row, with no field of its own."""
    net, gross = BREAKDOWN[c.lang]
    edges = [x0 + (x1 - x0) * k / 4 for k in (1, 2, 3, 4)]
    for x, head in zip(edges, (c.label("vat"), net, c.label("vat"), gross), strict=True):
        cv.text(x, y, head, size, True, "right")
    nets = c.net_by_rate
    rows = [
        ((_rate(c, r), c.money(nets[r]), c.money(t), c.money(nets[r] + t)), False) for r, t in c.tax_by_rate.items()
    ]
    if len(c.tax_by_rate) > 1 and c.style.get("tax_table_total"):  # 'Total | 1 230,00 | 130,50 | 1 360,50'
        base = sum(nets.values(), Decimal(0))
        rows.append(((SUM_ROW[c.lang], c.money(base), c.money(c.total_tax), c.money(base + c.total_tax)), True))
    for row, bold in rows:
        y += size * 1.5
        for x, text in zip(edges, row, strict=True):
            cv.text(x, y, text, size, bold, "right")
    return y + size * 1.6


def footer(cv: Canvas, c: InvoiceContent, rng: random.Random, columns: bool) -> None:
    """Terms, a closing sentence and the vendor's legal line at the foot of the page."""
    y = 742.0
    if c.payment_terms:
        cv.text(50, y - 30, f"{c.label('terms')} {c.payment_terms}", 8.5)
        terms_w = cv.width(f"{c.label('terms')} ", 8.5)
        cv.mark(
            "/payment_terms",
            (50 + terms_w, y - 30 - 6.6, 50 + cv.width(f"{c.label('terms')} {c.payment_terms}", 8.5), y - 30 + 1.9),
        )
    if rng.random() < 0.3:  # who is paid, named in a sentence ('Payment received by X', 'Kontoinhaber: X')
        cv.text(50, y - 16, rng.choice(c.style["payee"]).format(name=c.legal_name), 8.5)
    elif (
        rng.random() < 0.35 and c.amount_due > 50
    ):  # a fee the terms name (late payment, a returned debit): an amount under the totals
        fee = Decimal(40) if c.lang == "fr" and rng.random() < 0.5 else Decimal(rng.choice((5, 7.5, 10, 15, 25)))
        cv.text(50, y - 16, rng.choice(LABELS[c.lang]["fee"]).format(amount=c.money(fee, True)), 8.5)
    else:
        cv.text(50, y - 16, rng.choice(c.style["thanks"]), 8.5)
    cv.rule(50, y - 8, 545, 0.4)
    iban = (
        f"IBAN {rng.choice(('DE', 'FR', 'NL', 'GB'))}{rng.randint(10, 99)} {rng.randint(1000, 9999)} "
        f"{rng.randint(1000, 9999)} {rng.randint(1000, 9999)} {rng.randint(10, 99)}"
    )
    tax = f"{c.label('tax_id')}: {c.vendor.tax_id}"
    if columns:
        named = c.legal_name == c.vendor.name and "/vendor_name" not in cv.boxes
        cv.text(50, y + 4, c.legal_name, 7.5, True, field="/vendor_name" if named else None)
        for i, row in enumerate(c.vendor.address_lines[:2]):
            cv.text(50, y + 14 + 10 * i, row, 7.5)
        cv.text(230, y + 4, iban, 7.5)
        cv.text(230, y + 14, f"BIC {rng.choice(('INGBNL2A', 'DEUTDEFF', 'BNPAFRPP', 'RABONL2U'))}", 7.5)
        rect = cv.text(400, y + 4, tax, 7.5)
    else:
        line = f"{c.legal_name} · {c.vendor.address} · {tax}"
        rect = cv.text(297, y + 6, line, 7, align="center")
        rect = (rect[2] - cv.width(c.vendor.tax_id or "", 7), rect[1], rect[2], rect[3])
        cv.text(297, y + 16, iban, 7, align="center")
    if c.vendor.tax_id:
        cv.mark("/vendor_tax_id", (rect[2] - cv.width(c.vendor.tax_id, 7.5 if columns else 7), *rect[1:]))


def classic(cv: Canvas, c: InvoiceContent, rng: random.Random) -> None:
    """Vendor top left, title and header fields top right, customer under, gridded table, totals right."""
    y = party(cv, 50, 70, c.vendor, "vendor", 9, name_size=15, extra=block_rows(c, rng, "vendor"))
    cv.text(50, y, f"{c.label('tax_id')}: {c.vendor.tax_id}", 8)
    cv.mark(
        "/vendor_tax_id",
        (
            50 + cv.width(f"{c.label('tax_id')}: ", 8),
            y - 6.2,
            50 + cv.width(f"{c.label('tax_id')}: {c.vendor.tax_id}", 8),
            y + 1.8,
        ),
    )
    cv.text(545, 72, c.label("title"), 20, True, "right")
    heading(cv, c, rng, 380, 88)
    my = 100
    for label, value, field in meta_rows(c, c.style["currency_display"] == "none"):
        cv.text(380, my, label, 9, True)
        cv.text(545, my, value, 9, align="right", field=field)
        my += 13
    cy = max(y, my) + 30
    cv.text(50, cy, c.label("bill_to"), 9, True, color=GREY)
    y = party(cv, 50, cy + 14, c.customer, "customer", 9.5, extra=block_rows(c, rng, "customer"))
    y = table(
        cv, c, max(y, cy + 60) + 25, 50, 545, rng, grid=True, band=(0.88, 0.88, 0.88), numbered=False, symbol_rows=False
    )
    totals(cv, c, y + 15, 350, 545, with_symbol=False)
    footer(cv, c, rng, columns=False)


def letter(cv: Canvas, c: InvoiceContent, rng: random.Random) -> None:
    """A DIN-5008-style letter: return-address line over the window, info block right, footer columns."""
    cv.text(545, 60, c.vendor.name, 14, True, "right", field="/vendor_name")
    for i, row in enumerate(c.vendor.address_lines):
        cv.text(545, 75 + 11 * i, row, 8.5, align="right", field="/vendor_address")
    sender = f"{c.vendor.name} · {' · '.join(c.vendor.address_lines[:2])}"
    cv.text(57, 140, sender, 7, color=GREY)
    cv.rule(57, 143, 57 + cv.width(sender, 7), 0.3)
    party(cv, 57, 165, c.customer, "customer", 10, bold=False, extra=block_rows(c, rng, "customer"))
    heading(cv, c, rng, 360, 136)
    my = 150
    for label, value, field in meta_rows(c, c.style["currency_display"] == "none"):
        cv.text(360, my, f"{label}:" if not label.endswith(":") else label, 8.5)
        cv.text(460, my, value, 8.5, field=field)
        my += 12
    title = c.label("title").capitalize()
    cv.text(57, 285, f"{title} {c.invoice_id}" if rng.random() < 0.5 else title, 13, True)
    y = table(cv, c, 320, 57, 540, rng, grid=False, band=None, numbered=True, symbol_rows=False)
    cv.rule(300, y - 8, 540, 0.6)
    totals(cv, c, y + 6, 320, 540, with_symbol=c.style["currency_display"] != "none")
    footer(cv, c, rng, columns=True)


def modern(cv: Canvas, c: InvoiceContent, rng: random.Random) -> None:
    """Large title, vendor block right, customer left with the header fields beside it, dark table band."""
    title = branded_title(c, rng, c.label("title").upper())
    cv.text(50, 80, title, min(28.0, 28 * 330 / cv.width(title, 28, True)), True)
    cv.text(50, 100, f"{c.label('number')} {c.invoice_id}", 9)
    w = cv.width(f"{c.label('number')} ", 9)
    cv.mark("/invoice_id", (50 + w, 100 - 7, 50 + w + cv.width(c.invoice_id, 9), 102))
    party(cv, 545, 60, c.vendor, "vendor", 8.5, name_size=11, align="right", extra=block_rows(c, rng, "vendor"))
    cv.text(50, 150, c.label("bill_to").upper(), 8, True, color=GREY)
    y = party(cv, 50, 165, c.customer, "customer", 9.5, extra=block_rows(c, rng, "customer"))
    heading(cv, c, rng, 330, 136)
    my = 150
    for label, value, field in meta_rows(c, c.style["currency_display"] == "none")[1:]:
        cv.text(330, my, label.upper(), 7.5, True, color=GREY)
        cv.text(330, my + 11, value, 9.5, field=field)
        my += 26
    y = table(
        cv,
        c,
        max(y, my) + 30,
        50,
        545,
        rng,
        grid=False,
        band=(0.15, 0.2, 0.3),
        numbered=False,
        symbol_rows=c.style["currency_display"] == "symbol",
    )
    cv.fill((340, y + 2, 548, y + 2 + 18 * (3 + len(c.tax_by_rate))), (0.94, 0.94, 0.94))
    totals(cv, c, y + 16, 350, 540, with_symbol=c.style["currency_display"] == "symbol")
    footer(cv, c, rng, columns=False)


def grid(cv: Canvas, c: InvoiceContent, rng: random.Random) -> None:
    """Vendor centred on top, header fields as a boxed row of cells, numbered table with rules, parties labelled."""
    cv.text(297, 60, c.vendor.name, 16, True, "center", field="/vendor_name")
    cv.text(297, 76, " | ".join(c.vendor.address_lines), 8.5, align="center", field="/vendor_address")
    cv.text(297, 100, c.label("title"), 13, True, "center")
    cells = meta_rows(c, True)
    width = 495 / len(cells)
    for i, (label, value, field) in enumerate(cells):
        x = 50 + i * width
        cv.fill((x, 112, x + width, 142), (0.96, 0.96, 0.96), border=True)
        cv.text(x + 4, 122, label, 7, True)
        cv.text(x + 4, 136, value, 8.5, field=field)
    cv.text(
        50, 170, c.label("from") + (":" if c.style["pick"] % 2 else ""), 8, True, color=GREY
    )  # with or without its colon
    party(cv, 50, 184, c.vendor, None, 9)
    cv.text(310, 170, c.label("bill_to") + ":", 8, True, color=GREY)
    y = party(cv, 310, 184, c.customer, "customer", 9, extra=block_rows(c, rng, "customer"))
    y = table(cv, c, y + 40, 50, 545, rng, grid=True, band=None, numbered=True, symbol_rows=False)
    totals(cv, c, y + 12, 330, 545, with_symbol=True)
    footer(cv, c, rng, columns=rng.random() < 0.5)


def plain(cv: Canvas, c: InvoiceContent, rng: random.Random) -> None:
    """A text-like invoice: 'Label: value' rows down the left, aligned columns, totals with colons."""
    cv.text(50, 60, c.vendor.name, 12, True, field="/vendor_name")
    cv.text(50, 74, ", ".join(c.vendor.address_lines), 9, field="/vendor_address")
    cv.text(50, 104, c.label("title").upper(), 12, True)
    y = 124
    for label, value, field in meta_rows(c, c.style["currency_display"] == "none"):
        prefix = f"{label.rstrip(':')}: "
        cv.text(50, y, prefix + value, 9)
        if field:
            cv.mark(field, (50 + cv.width(prefix, 9), y - 7, 50 + cv.width(prefix + value, 9), y + 2))
        y += 12
    y += 14
    cv.text(50, y, f"{c.label('bill_to').rstrip(':')}:", 9, True)
    y = party(cv, 50, y + 13, c.customer, "customer", 9, bold=False, extra=block_rows(c, rng, "customer"))
    y = table(cv, c, y + 24, 50, 545, rng, grid=False, band=None, numbered=rng.random() < 0.3, symbol_rows=False)
    cv.rule(50, y - 6, 545, 0.4)
    totals(cv, c, y + 10, 360, 545, with_symbol=False)
    footer(cv, c, rng, columns=False)


def logo(cv: Canvas, c: InvoiceContent, x: float, y: float, rng: random.Random, width: float = 150) -> None:
    """A logo as the OCR sees it: ink without words, or a brand's name set large (the vendor, where the brand is
    the name the invoice goes by)."""
    color = (rng.uniform(0.1, 0.6), rng.uniform(0.1, 0.6), rng.uniform(0.2, 0.7))
    if not c.brand or c.style["vendor_kind"] == "brand_image":
        w, h = rng.uniform(60, 140), rng.uniform(25, 45)
        cv.fill((x, y, x + w, y + h), color)
        return
    word = rng.choice((c.brand, c.brand, c.brand, c.brand.upper(), c.brand.lower()))
    size = min(rng.uniform(18, 30), 28 * width / max(cv.width(word, 28, True), 1.0))
    named = c.truth_name == c.brand and "/vendor_name" not in cv.boxes
    cv.text(x, y + size * 0.85, word, size, True, field="/vendor_name" if named else None, color=color)


def tax_line(cv: Canvas, c: InvoiceContent, x: float, y: float, size: float) -> None:
    """'VAT No.: GB123456789', the number's box marked."""
    rect = cv.text(x, y, f"{c.label('tax_id')}: {c.vendor.tax_id}", size)
    cv.mark("/vendor_tax_id", (rect[2] - cv.width(c.vendor.tax_id or "", size), *rect[1:]))
