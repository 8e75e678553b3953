"""Synthetic till receipts with exact labels: narrow born-digital PDFs in several printer styles.

Deterministic from (seed, index): the same pair gives the same bytes. `docai train --receipts N` calibrates the
receipt rules' confidences on them (the learned receipt chooser is fitted on real receipts only). Run
`python -m docai.synth.receipts DIR --count 200 --seed 13` to write NAME.pdf + NAME.json (receipt fields) +
NAME.meta.json. Content comes from general knowledge of shop receipts (Malaysian ones mostly, as the product
reads), not from any labelled set.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import pymupdf

from docai.synth.render import Canvas

WIDTH = 80 / 25.4 * 72  # an 80 mm till roll
MARGIN = 9.0
CENT = Decimal("0.01")
MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")

# ---------------------------------------------------------------- vocabulary (general knowledge of shop receipts)

MY_WORDS = (
    "SENG HENG",
    "AIK HUAT",
    "KIM LEE",
    "WAH FOOK",
    "GOLDEN MEI",
    "HUP SENG",
    "THONG KEE",
    "YEW LIAN",
    "JAYA MAJU",
    "SINAR BINTANG",
    "CAHAYA PERMATA",
    "MUTIARA",
    "SRI DAYA",
    "GEMILANG",
    "SEJAHTERA",
    "ANEKA",
    "TAN BROTHERS",
    "LIAN HIN",
    "CHOP KIM",
    "MEGAH",
    "RIMBUN",
    "HARMONI",
    "BESTARI",
    "SUNWAY LEAF",
    "EVERGREEN",
    "NEW STAR",
)
MY_TRADES = (
    "HARDWARE",
    "TRADING",
    "STATIONERY",
    "BOOK STORE",
    "MINI MARKET",
    "BAKERY",
    "RESTAURANT",
    "ELECTRICAL",
    "PHARMACY",
    "MOTOR",
    "FOOD INDUSTRIES",
    "MARKETING",
    "SUPERMARKET",
    "CAFE",
    "KITCHEN",
    "HOLDINGS",
)
MY_FORMS = ("SDN BHD", "SDN. BHD.", "(M) SDN BHD", "ENTERPRISE", "S/B", "TRADING", "")
MY_STREETS = (
    "JALAN BUKIT BINTANG",
    "JALAN SS 2/24",
    "JALAN PERMAS 10/2",
    "JALAN TUN RAZAK",
    "JALAN IPOH",
    "JLN MERANTI 3",
    "JALAN PUCHONG",
    "JALAN KLANG LAMA",
    "JALAN AMPANG",
    "JALAN SETIA 4/5",
    "JALAN KENARI 7",
    "JALAN DAMAI 12",
)
MY_AREAS = (
    "TAMAN SEA",
    "BANDAR BARU PERMAS JAYA",
    "TAMAN MELAWATI",
    "BANDAR PUTERI",
    "TAMAN DAYA",
    "SEKSYEN 13",
    "TAMAN CONNAUGHT",
    "BANDAR SUNWAY",
    "TAMAN MOLEK",
    "TAMAN SRI MUDA",
)
MY_CITIES = (
    ("47300", "PETALING JAYA", "SELANGOR", "03"),
    ("81750", "MASAI", "JOHOR", "07"),
    ("50450", "KUALA LUMPUR", "W.P. KUALA LUMPUR", "03"),
    ("47100", "PUCHONG", "SELANGOR", "03"),
    ("81300", "SKUDAI", "JOHOR", "07"),
    ("30450", "IPOH", "PERAK", "05"),
    ("10400", "GEORGE TOWN", "PULAU PINANG", "04"),
    ("40150", "SHAH ALAM", "SELANGOR", "03"),
    ("56000", "CHERAS", "KUALA LUMPUR", "03"),
    ("80100", "JOHOR BAHRU", "JOHOR", "07"),
)
WEST_WORDS = (
    "Blue Harbor",
    "Green Leaf",
    "Corner",
    "Maple",
    "Riverside",
    "Golden Gate",
    "Old Town",
    "Sunrise",
    "Lighthouse",
    "Oak & Ivy",
    "Northside",
    "Little Lion",
    "Kampong",
    "Marina",
    "Bakerloo",
    "Linden",
)
WEST_TRADES = ("Coffee", "Bakery", "Market", "Hardware", "Books", "Deli", "Pharmacy", "Kitchen", "Grocers", "Cafe")
REGIONS = {  # currency, legal forms, street / city lines, phone format, tax label and rate, tax mode choices
    "SG": (
        "SGD",
        ("Pte Ltd", "Pte. Ltd.", ""),
        ("{n} Orchard Road #0{u}-1{n}", "{n} Tanjong Pagar Road"),
        ("Singapore {p6}",),
        "+65 6{d3} {d4}",
        ("GST", "9"),
        ("excl", "incl"),
    ),
    "US": (
        "USD",
        ("Inc.", "LLC", "Co."),
        ("{n} Main Street", "{n} Market St Suite {u}"),
        ("Portland, OR 97{d3}", "Austin, TX 78{d3}", "Boston, MA 02{d3}"),
        "({d3}) {d3}-{d4}",
        ("Sales Tax", "8.25"),
        ("excl",),
    ),
    "EU": (
        "EUR",
        ("GmbH", "B.V.", "Ltd", ""),
        ("Hauptstrasse {n}", "Keizersgracht {n}", "Rue Cler {n}"),
        ("10115 Berlin", "1017 EG Amsterdam", "75007 Paris"),
        "+49 30 {d3}{d4}",
        ("VAT", "19"),
        ("incl",),
    ),
}
ITEMS = (
    ("MINERAL WATER 500ML", "1.20"),
    ("WHITE BREAD", "3.40"),
    ("KOPI O", "1.80"),
    ("TEH TARIK", "2.20"),
    ("NASI LEMAK", "4.50"),
    ("MEE GORENG", "6.00"),
    ("CHICKEN RICE", "7.50"),
    ("ICED LEMON TEA", "3.50"),
    ("A4 PAPER 80GSM", "12.90"),
    ("BALL PEN BLUE", "1.50"),
    ("STAPLER NO.10", "8.90"),
    ("CORRECTION TAPE", "4.20"),
    ('PVC PIPE 1/2"', "6.80"),
    ('SCREW 2" (100PCS)', "5.50"),
    ('PAINT BRUSH 2"', "4.90"),
    ("HAMMER 16OZ", "18.00"),
    ('CABLE TIE 8"', "3.20"),
    ("LED BULB 9W", "11.90"),
    ("EXTENSION CORD 3M", "24.90"),
    ("PANADOL 12S", "6.50"),
    ("VITAMIN C 500MG", "28.00"),
    ("CROISSANT", "4.80"),
    ("CHOC MUFFIN", "5.20"),
    ("CAFE LATTE", "9.90"),
    ("CAPPUCCINO", "9.50"),
    ("FRIED RICE", "8.90"),
    ("BEEF NOODLE", "10.50"),
    ("EGG TART", "2.40"),
    ("SUGAR 1KG", "2.85"),
    ("COOKING OIL 2KG", "11.50"),
    ("RICE 5KG", "17.90"),
    ("MILO 1KG", "15.99"),
    ("TISSUE 10 ROLLS", "13.50"),
    ("DETERGENT 2KG", "16.80"),
    ("NOTEBOOK A5", "3.90"),
    ("GLUE STICK", "2.60"),
)
THANKS = (
    "THANK YOU. PLEASE COME AGAIN.",
    "Thank you for shopping with us!",
    "TERIMA KASIH",
    "GOODS SOLD ARE NOT RETURNABLE",
    "Thank you & have a nice day",
    "*** THANK YOU ***",
)
PAYMENTS = (  # as printed, the method the rules name it by
    ("CASH", "cash"),
    ("CASH", "cash"),
    ("VISA", "visa"),
    ("MASTERCARD", "mastercard"),
    ("MASTER CARD", "mastercard"),
    ("DEBIT", "debit"),
    ("TOUCH N GO", "touch n go"),
    ("GrabPay", "grabpay"),
    ("CREDIT CARD", "credit card"),
    ("VISA CARD", "visa"),
    ("Boost", "boost"),
    ("E-WALLET", "e-wallet"),
)
DATE_FORMATS = (
    "{d:02d}/{m:02d}/{Y}",
    "{d:02d}-{m:02d}-{y:02d}",
    "{d:02d} {b} {Y}",
    "{d:02d}-{m:02d}-{Y}",
    "{d:02d}.{m:02d}.{Y}",
    "{Y}-{m:02d}-{d:02d}",
    "{d:02d}/{m:02d}/{y:02d}",
    "{d:02d}-{b}-{Y}",
)


def money(value: Decimal) -> Decimal:
    return value.quantize(CENT, ROUND_HALF_UP)


def round_05(value: Decimal) -> Decimal:
    """Malaysian cash rounding: to the nearest five sen."""
    return money((value * 20).quantize(Decimal(1), ROUND_HALF_UP) / 20)


# ---------------------------------------------------------------- content


@dataclass
class Item:
    description: str
    quantity: int
    unit_price: Decimal
    code: str  # 'SR' taxed, 'ZR' zero-rated

    @property
    def amount(self) -> Decimal:
        return money(self.unit_price * self.quantity)


@dataclass
class ReceiptContent:
    region: str
    currency: str
    mark: str  # how the currency is printed: 'RM', 'S$', '$', 'EUR', ...
    name: str
    reg: str | None
    address: list[str]
    phone_label: str
    phone: str
    fax: str | None
    tax_id: str | None
    when: dt.datetime
    date_text: str
    time_text: str
    time_truth: str
    number: str
    cashier: str
    items: list[Item]
    tax_mode: str  # 'excl', 'incl', 'none'
    tax_label: str
    tax_rate: Decimal
    service: Decimal | None
    payment: tuple[str, str]
    thanks: str
    style: dict[str, Any] = field(default_factory=dict)

    @property
    def subtotal(self) -> Decimal:
        return sum((i.amount for i in self.items), Decimal("0.00"))

    @property
    def taxable(self) -> Decimal:
        return sum((i.amount for i in self.items if i.code == "SR"), Decimal("0.00")) + (self.service or 0)

    @property
    def tax(self) -> Decimal | None:
        if self.tax_mode == "none":
            return None
        rate = self.tax_rate / 100
        return money(self.taxable * rate if self.tax_mode == "excl" else self.taxable * rate / (1 + rate))

    @property
    def raw_total(self) -> Decimal:
        extra = self.tax if self.tax_mode == "excl" and self.tax is not None else Decimal(0)
        return self.subtotal + (self.service or 0) + extra

    @property
    def total(self) -> Decimal:
        return round_05(self.raw_total) if self.currency == "MYR" else self.raw_total

    @property
    def rounding(self) -> Decimal:
        return self.total - self.raw_total

    @property
    def tendered(self) -> Decimal:
        if self.payment[1] != "cash":
            return self.total
        steps = [Decimal(n) for n in (5, 10, 20, 50, 100, 200)]
        return next((s for s in steps if s >= self.total), self.total.quantize(Decimal(1)) + 100)

    def truth(self) -> dict[str, Any]:
        """Exact labels in schemas/receipt.py field names (JSON-ready, as `same_value` compares them)."""
        printed_subtotal = self.style["subtotal_printed"]
        return {
            "merchant_name": self.name,
            "merchant_address": " ".join(self.address),
            "merchant_phone": self.phone,
            "transaction_date": self.when.date().isoformat(),
            "transaction_time": self.time_truth,
            "currency": self.currency,
            "items": [
                {
                    "description": i.description,
                    "quantity": str(i.quantity),
                    "unit_price": str(i.unit_price),
                    "amount": str(i.amount),
                }
                for i in self.items
            ],
            "subtotal": str(self.subtotal) if printed_subtotal else None,
            "total_tax": str(self.tax) if self.tax is not None else None,
            "tip": str(self.service) if self.service is not None else None,
            "total": str(self.total),
            "payment_method": self.payment[1],
        }


def _digits(rng: random.Random, n: int) -> str:
    return "".join(str(rng.randrange(10)) for _ in range(n))


def _fill(rng: random.Random, pattern: str) -> str:
    return pattern.format(
        n=rng.randint(1, 250), u=rng.randint(1, 9), d3=_digits(rng, 3), d4=_digits(rng, 4), p6=_digits(rng, 6)
    )


def _malaysian_party(rng: random.Random) -> dict[str, Any]:
    form = rng.choice(MY_FORMS)
    name = " ".join(p for p in (rng.choice(MY_WORDS), rng.choice(MY_TRADES), form) if p)
    postcode, city, state, area_code = rng.choice(MY_CITIES)
    street = f"NO. {rng.randint(1, 120)}, {rng.choice(MY_STREETS)},"
    lines = [street]
    if rng.random() < 0.7:
        lines.append(f"{rng.choice(MY_AREAS)},")
    lines.append(f"{postcode} {city},")
    if rng.random() < 0.6:
        lines.append(f"{state}.")
    lines[-1] = lines[-1].rstrip(",")
    reg = rng.choice(
        (
            f"({_digits(rng, 6)}-{rng.choice('AHKMPTUVWX')})",
            f"CO. REG. NO: {_digits(rng, 6)}-{rng.choice('AKTUVWX')}",
            f"ROC NO. {_digits(rng, 7)}-{rng.choice('AKTUVWX')}",
            f"{_digits(rng, 12)} ({_digits(rng, 7)}-{rng.choice('AKTUVWX')})",
        )
    )
    mobile = area_code == "03" and rng.random() < 0.1
    phone = (
        f"01{rng.randint(0, 9)}-{_digits(rng, 3)} {_digits(rng, 4)}"
        if mobile
        else rng.choice(
            (
                f"{area_code}-{_digits(rng, 4)} {_digits(rng, 4)}",
                f"{area_code}-{_digits(rng, 3)} {_digits(rng, 4)}",
                f"{area_code}-{_digits(rng, 8)}",
            )
        )
    )
    return {
        "name": name,
        "address": lines,
        "reg": reg if rng.random() < 0.85 else None,
        "phone": phone,
        "phone_label": rng.choice(("TEL: ", "Tel ", "TEL NO: ", "TEL : ", "Tel: ")),
        "fax": f"{area_code}-{_digits(rng, 4)} {_digits(rng, 4)}" if rng.random() < 0.3 else None,
    }


def _foreign_party(rng: random.Random, region: str) -> dict[str, Any]:
    _cur, forms, streets, cities, phone, _tax, _modes = REGIONS[region]
    name = " ".join(p for p in (rng.choice(WEST_WORDS), rng.choice(WEST_TRADES), rng.choice(forms)) if p)
    lines = [_fill(rng, rng.choice(streets)), _fill(rng, rng.choice(cities))]
    return {
        "name": name,
        "address": lines,
        "reg": f"UEN {_digits(rng, 9)}K" if region == "SG" and rng.random() < 0.5 else None,
        "phone": _fill(rng, phone),
        "phone_label": rng.choice(("Tel: ", "Phone: ", "Tel ")),
        "fax": None,
    }


def _time(rng: random.Random, when: dt.datetime) -> tuple[str, str]:
    """The time as printed and as the schema holds it (24-hour, seconds when printed)."""
    seconds = rng.random() < 0.4
    truth = when.strftime("%H:%M:%S" if seconds else "%H:%M")
    if rng.random() < 0.3:
        hour = when.hour % 12 or 12
        text = f"{hour:02d}:{when:%M}" + (f":{when:%S}" if seconds else "") + rng.choice((" PM", " pm", "PM"))
        text = text.replace("PM", "AM").replace("pm", "am") if when.hour < 12 else text
        return text, truth
    return truth, truth


def make_content(rng: random.Random) -> ReceiptContent:
    """One receipt's values: Malaysian mostly (RM, GST/SST, rounding to 5 sen), some from Singapore, the US, Europe."""
    region = rng.choices(("MY", "SG", "US", "EU"), (0.7, 0.1, 0.1, 0.1))[0]
    party = _malaysian_party(rng) if region == "MY" else _foreign_party(rng, region)
    if region == "MY":
        currency, mark = "MYR", "RM"
        tax_mode = rng.choice(("excl", "excl", "incl", "none", "none"))
        tax_label, rate = rng.choice((("GST", "6"), ("GST", "6"), ("SST", "6"), ("SST", "10")))
        tax_id = f"{tax_label} REG NO: " + (
            _digits(rng, 12) if tax_label == "GST" else f"W10-{_digits(rng, 4)}-{_digits(rng, 8)}"
        )
    else:
        currency = REGIONS[region][0]
        mark = {"SGD": rng.choice(("S$", "SGD")), "USD": rng.choice(("$", "USD")), "EUR": rng.choice(("EUR", "€"))}[
            currency
        ]
        tax_label, rate = REGIONS[region][5]
        tax_mode = rng.choice(REGIONS[region][6] + ("none",) * (region == "US"))
        tax_id = {
            "SG": f"GST REG NO: M2-{_digits(rng, 7)}-{rng.randint(0, 9)}",
            "EU": f"VAT NO: DE{_digits(rng, 9)}",
            "US": None,
        }[region]
    when = dt.datetime(2016, 1, 1) + dt.timedelta(days=rng.randrange(3000), seconds=rng.randrange(7 * 3600, 23 * 3600))
    y, m, d = when.year, when.month, when.day
    date_text = rng.choice(DATE_FORMATS).format(d=d, m=m, Y=y, y=y % 100, b=MONTHS[m - 1])
    time_text, time_truth = _time(rng, when)
    items = []
    for _ in range(rng.randint(1, 7)):
        desc, price = rng.choice(ITEMS)
        unit = money(Decimal(price) * Decimal(rng.choice(("1", "1", "0.9", "1.2", "2.5"))))
        code = "ZR" if tax_mode != "none" and rng.random() < 0.15 else "SR"
        items.append(Item(desc if region == "MY" else desc.title(), rng.choice((1, 1, 1, 2, 3, 5)), unit, code))
    service = None
    if rng.random() < 0.15:
        service = money(sum((i.amount for i in items), Decimal(0)) * Decimal("0.10"))
    return ReceiptContent(
        region=region,
        currency=currency,
        mark=mark,
        name=party["name"],
        reg=party["reg"],
        address=party["address"],
        phone_label=party["phone_label"],
        phone=party["phone"],
        fax=party["fax"],
        tax_id=tax_id if tax_mode != "none" or rng.random() < 0.3 else None,
        when=when,
        date_text=date_text,
        time_text=time_text,
        time_truth=time_truth,
        number=f"{rng.choice(('', 'CS', 'INV', 'R'))}{_digits(rng, rng.randint(5, 9))}",
        cashier=rng.choice(("ALI", "SITI", "MEI LING", "RAJ", "ADMIN", "01", "KUMAR", "Anna")),
        items=items,
        tax_mode=tax_mode,
        tax_label=tax_label,
        tax_rate=Decimal(rate),
        service=service,
        payment=rng.choice(PAYMENTS),
        thanks=rng.choice(THANKS),
    )


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
        label = rng.choice(("Sub Total", "Subtotal", "Sub-Total", "Sub Total", "Total Sales (Excluding GST)", "Amount"))
        t.pair(lab(label.replace("GST", c.tax_label)), _amt(c, c.subtotal))
    if c.service is not None:
        t.pair(lab("Service Charge 10%"), _amt(c, c.service))
    if c.tax_mode == "excl":
        label = rng.choice(("{l} {r}%", "{l} @{r}%", "Total {l}", "{l} ({r}%)", "{l}"))
        t.pair(label.format(l=c.tax_label, r=c.tax_rate), _amt(c, c.tax))
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


def _summary(t: Tape, c: ReceiptContent) -> None:
    """The GST summary table many Malaysian tills print: code, rate, net amount, tax."""
    if c.tax_mode == "none" or c.tax is None:
        return
    t.row((f"{c.tax_label} Summary", 0, "left"), ("Amount", 0.75, "right"), ("Tax", 1.0, "right"))
    zero = sum((i.amount for i in c.items if i.code == "ZR"), Decimal("0.00"))
    taxed = c.taxable - (c.tax if c.tax_mode == "incl" else 0)
    t.row((f"SR @ {c.tax_rate}%", 0, "left"), (_amt(c, taxed), 0.75, "right"), (_amt(c, c.tax), 1.0, "right"))
    if zero:
        t.row(("ZR @ 0%", 0, "left"), (_amt(c, zero), 0.75, "right"), ("0.00", 1.0, "right"))


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
        _summary(t, c)
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
    t.row(
        ("Qty", 0, "left"),
        ("Item", 0.1, "left"),
        ("Price", 0.75, "right"),
        (f"Amt ({c.mark})", 1.0, "right"),
        bold=True,
    )
    _items(t, c, "columns", codes=False)
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
    _summary(t, c)
    t.center(c.thanks.upper())


STYLES: dict[str, tuple[Callable[[Tape, ReceiptContent, random.Random], None], str]] = {
    "thermal": (thermal, "mono"),
    "columns": (columns, "sans"),
    "cafe": (cafe, "sans"),
    "market": (market, "mono"),
}
STYLE_NAMES = tuple(STYLES)


@dataclass
class SynthReceipt:
    name: str
    data: bytes
    truth: dict[str, Any]
    meta: dict[str, Any]


def make_receipt(seed: int, index: int) -> SynthReceipt:
    """Receipt number `index` of the set `seed`: the style cycles so every style is covered."""
    rng = random.Random(seed * 1_000_003 + index)
    style = STYLE_NAMES[index % len(STYLE_NAMES)]
    content = make_content(rng)
    # a tax or service row needs the subtotal above it; otherwise half the tills print none
    content.style["subtotal_printed"] = content.tax_mode == "excl" or content.service is not None or rng.random() < 0.5
    draw, font = STYLES[style]
    tape = Tape(font, rng.choice((7.0, 7.5, 8.0)))
    draw(tape, content, rng)
    meta = {"seed": seed, "index": index, "style": style, "region": content.region, "tax_mode": content.tax_mode}
    meta |= {"date_text": content.date_text, "time_text": content.time_text, "payment": content.payment[0]}
    return SynthReceipt(f"receipt-s{seed}-{index:04d}", tape.render(), content.truth(), meta)


def synthetic_receipts(count: int, seed: int = 0, start: int = 0) -> Iterator[SynthReceipt]:
    for index in range(start, start + count):
        yield make_receipt(seed, index)


def write_set(folder: Path, count: int, seed: int = 0, start: int = 0) -> list[Path]:
    """Write NAME.pdf with NAME.json truth and NAME.meta.json beside it; returns the PDF paths."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for rec in synthetic_receipts(count, seed, start):
        path = folder / f"{rec.name}.pdf"
        path.write_bytes(rec.data)
        (folder / f"{rec.name}.json").write_text(json.dumps(rec.truth, ensure_ascii=False, indent=1), "utf-8")
        (folder / f"{rec.name}.meta.json").write_text(json.dumps(rec.meta, ensure_ascii=False), "utf-8")
        paths.append(path)
    return paths


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Write synthetic receipts with exact labels.")
    parser.add_argument("folder", type=Path)
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--start", type=int, default=0)
    args = parser.parse_args(argv)
    paths = write_set(args.folder, args.count, args.seed, args.start)
    print(f"wrote {len(paths)} receipts to {args.folder}")


if __name__ == "__main__":
    main()
