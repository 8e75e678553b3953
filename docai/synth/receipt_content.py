"""One synthetic receipt's facts and how they are printed, with its truth for every Receipt field."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from docai.synth.receipt_words import (
    DATE_FORMATS,
    ITEMS,
    MONTHS,
    MY_AREAS,
    MY_CITIES,
    MY_FORMS,
    MY_STREETS,
    MY_TRADES,
    MY_WORDS,
    PAYMENTS,
    REGIONS,
    THANKS,
    WEST_TRADES,
    WEST_WORDS,
    money,
    round_05,
)

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
