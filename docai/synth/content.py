"""What a synthetic invoice says: parties, lines, totals and the printed labels, drawn from a seeded RNG.

Everything is generated (names from syllables, streets from word lists), so no real company or person is copied.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from docai.synth.brand_vocabulary import BRAND_WORDS, SLOGANS
from docai.synth.vocabulary import (
    CITIES,
    CURRENCIES,
    FIRST,
    LABELS,
    LAST,
    MONTHS,
    NO_TAX,
    PRODUCTS,
    RATES,
    STREETS,
    SUFFIXES,
    SYLLABLES,
    SYMBOL,
    TERMS,
    TRADES,
    UNITS,
)

LANGUAGES = ("en", "de", "fr", "nl")
CENT = Decimal("0.01")


@dataclass
class Party:
    name: str
    address_lines: list[str]
    tax_id: str | None = None

    @property
    def address(self) -> str:
        return ", ".join(self.address_lines)


@dataclass
class Line:
    description: str
    quantity: Decimal
    unit: str | None
    unit_price: Decimal
    tax_rate: Decimal
    amount: Decimal
    note: str | None = None  # a second printed row under the description (not part of it)


@dataclass
class InvoiceContent:
    """One invoice's facts and how they are printed (language, number style, currency display)."""

    lang: str
    vendor: Party
    customer: Party
    invoice_id: str
    invoice_date: dt.date
    due_date: dt.date | None
    customer_no: str | None
    purchase_order: str | None
    currency: str
    lines: list[Line]
    tax_by_rate: dict[Decimal, Decimal]
    subtotal: Decimal
    total_tax: Decimal
    discount: Decimal | None
    total: Decimal
    amount_due: Decimal
    payment_terms: str | None
    style: dict[str, Any] = field(default_factory=dict)  # number style, currency display, date format, label picks
    shipping: Decimal | None = None  # a delivery charge in the totals block, part of the subtotal
    gross: bool = False  # prices include tax (B2C): the total comes first, the tax it contains under it
    net_by_rate: dict[Decimal, Decimal] = field(default_factory=dict)  # the amount each rate's tax is levied on
    brand: str | None = None  # a brand printed large as the logo (see VENDOR_KINDS)
    entity: str | None = None  # the legal entity behind a brand, printed only in the small print

    @property
    def truth_name(self) -> str:
        """The vendor's name as an invoice2data-style label gives it (see VENDOR_KINDS)."""
        return self.brand if self.brand and self.style.get("vendor_kind") == "brand_image" else self.vendor.name

    @property
    def legal_name(self) -> str:
        """The name the small print (footer, legal line, payee, remit-to) carries: the entity behind a brand."""
        return self.entity or self.vendor.name

    @property
    def items_total(self) -> Decimal:
        return sum((ln.amount for ln in self.lines), Decimal(0))

    def label(self, key: str, **values: Any) -> str:
        """The label variant this invoice prints for key."""
        options = LABELS[self.lang][key]
        text = options[self.style["pick"] % len(options)] if key != "tax" else options[self.style["tax_pick"]]
        return text.format(**values)

    def money(self, value: Decimal, with_currency: bool = False) -> str:
        text = format_number(value, self.style["numbers"])
        if not with_currency or self.style["currency_display"] == "none":
            return text
        mark = SYMBOL[self.currency] if self.style["currency_display"] == "symbol" else self.currency
        return f"{mark} {text}" if self.style["currency_before"] else f"{text} {mark}"

    def date(self, value: dt.date) -> str:
        return format_date(value, self.lang, self.style["date_format"])

    def truth(self) -> dict[str, Any]:
        """Exact labels in schemas/invoice.py field names (JSON-ready)."""

        def num(v: Decimal | None) -> str | None:
            return None if v is None else str(v)

        return {
            "vendor_name": self.truth_name,
            "vendor_address": self.vendor.address,
            "vendor_tax_id": self.vendor.tax_id,
            "customer_name": self.customer.name,
            "customer_address": self.customer.address,
            "invoice_id": self.invoice_id,
            "invoice_date": self.invoice_date.isoformat(),
            "due_date": self.due_date.isoformat() if self.due_date else None,
            "purchase_order": self.purchase_order,
            "currency": self.currency,
            "line_items": [
                {
                    "description": ln.description,
                    "quantity": num(ln.quantity),
                    "unit": ln.unit if self.style["unit_col"] else None,
                    "unit_price": num(ln.unit_price),
                    "tax_rate": num(ln.tax_rate) if self.style["vat_col"] else None,
                    "amount": num(ln.amount),
                }
                for ln in self.lines
            ],
            # an untaxed invoice's net amount is its total whether or not a net row repeats it (invoice2data's
            # amount_untaxed); it prints no tax amount, so it has none
            "subtotal": num(self.subtotal) if self.style.get("net_row", True) or self.style.get("no_tax") else None,
            "total_tax": None if self.style.get("no_tax") else num(self.total_tax),
            "total_discount": num(self.discount),
            "invoice_total": num(self.total),
            "amount_due": num(self.amount_due)
            if self.amount_due != self.total or self.style["due_row"] != "none"
            else None,
            "payment_terms": self.payment_terms,
        }


def format_number(value: Decimal, style: str) -> str:
    """1234.5 as '1,234.50' (en), '1.234,50' (de), '1 234,50' (fr), "1'234.50" (ch) or '1234.50' (plain)."""
    sign = "-" if value < 0 else ""
    whole, frac = f"{abs(value):.2f}".split(".")
    groups = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    sep, dec = {"en": (",", "."), "de": (".", ","), "fr": (" ", ","), "ch": ("'", "."), "plain": ("", ".")}[style]
    return f"{sign}{sep.join(groups)}{dec}{frac}"


def format_date(value: dt.date, lang: str, fmt: str) -> str:
    if fmt == "iso":
        return value.isoformat()
    if fmt == "named":
        month = MONTHS[lang][value.month - 1]
        return (
            f"{month} {value.day}, {value.year}"
            if lang == "en"
            else f"{value.day}. {month} {value.year}"
            if (lang == "de")
            else f"{value.day} {month} {value.year}"
        )
    if lang == "en" and fmt == "us":
        return value.strftime("%m/%d/%Y")
    sep = {"de": ".", "fr": "/", "nl": "-", "en": "/"}[lang]
    return value.strftime(f"%d{sep}%m{sep}%Y")


def _company(rng: random.Random, lang: str) -> str:
    stem = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()
    kind = rng.random()
    if kind < 0.45:
        name = f"{stem} {rng.choice(TRADES[lang])}"
    elif kind < 0.7:
        name = f"{stem}{rng.choice(('tec', 'soft', 'net', 'pro', 'data', 'line'))}"
    else:
        name = f"{rng.choice(LAST)} {rng.choice(TRADES[lang])}"
    return f"{name} {rng.choice(SUFFIXES[lang])}"


# How a vendor names itself (the truth, vendor.name, is what an invoice2data-style label takes: the name as printed):
# - legal: a company name with its legal form, as before ('Zenmar Logistik GmbH');
# - brand_only: a brand without a legal form, wherever the vendor is printed ('Velora', 'KVB'); truth the brand;
# - brand_legal: the brand large as the logo, the legal name 'Brand GmbH' in the vendor block; truth the legal name;
# - brand_entity: the brand large as the logo and wherever the vendor is printed, another company's legal name only
#   in the small print (footer, payee, remit-to); truth the brand;
# - brand_image: the brand's logo is an image (ink without words); a company of another name is printed where the
#   vendor is, and the brand only in its web and mail domain and a sentence ('Thank you for shopping at Velora!');
#   truth the brand, as an invoice2data label names the shop a customer knows.
VENDOR_KINDS = (
    ("legal", 0.5),
    ("brand_only", 0.12),
    ("brand_legal", 0.13),
    ("brand_entity", 0.13),
    ("brand_image", 0.12),
)


def _brand(rng: random.Random, lang: str) -> str:
    """An invented brand: a made-up word, sometimes with a generic second word, or a short acronym."""
    kind = rng.random()
    if kind < 0.15:
        return "".join(rng.choice("ABCDEFGHKLMNOPRSTVWXZ") for _ in range(rng.randint(3, 4)))
    stem = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()
    if kind < 0.7:
        return stem
    return f"{stem} {rng.choice(BRAND_WORDS[lang])}" if rng.random() < 0.7 else f"{stem}{rng.choice(('ly', 'io', 'o'))}"


def _vendor(rng: random.Random, lang: str) -> tuple[Party, str, str | None, str | None]:
    """The vendor party, its kind, and the brand and legal entity a branded vendor prints (see VENDOR_KINDS)."""
    draw, kind = rng.random(), VENDOR_KINDS[-1][0]
    for name, share in VENDOR_KINDS:
        if draw < share:
            kind = name
            break
        draw -= share
    brand = _brand(rng, lang) if kind != "legal" else None
    entity = _company(rng, lang) if kind == "brand_entity" else None
    if brand is None or kind == "brand_image":
        name = _company(rng, lang)
    elif kind == "brand_legal":
        name = f"{brand} {rng.choice(SUFFIXES[lang])}"
    else:
        name = brand
    return Party(name, _address(rng, lang), _tax_id(rng, lang)), kind, brand, entity


def _address(rng: random.Random, lang: str) -> list[str]:
    number = str(rng.randint(1, 240))
    street = rng.choice(STREETS[lang])
    line1 = f"{number} {street}" if lang in ("en", "fr") else f"{street} {number}"
    city, post = rng.choice(CITIES[lang])
    line2 = f"{city} {post}" if lang == "en" and not post[0].isdigit() else f"{post} {city}"
    lines = [line1, line2]
    if rng.random() < 0.3:
        lines.append({"en": "United Kingdom", "de": "Deutschland", "fr": "France", "nl": "Nederland"}[lang])
    return lines


def _tax_id(rng: random.Random, lang: str) -> str:
    digits = "".join(str(rng.randint(0, 9)) for _ in range(9))
    return {
        "en": f"GB{digits}",
        "de": f"DE{digits}",
        "fr": f"FR{rng.randint(10, 99)}{digits}",
        "nl": f"NL{digits}B0{rng.randint(1, 9)}",
    }[lang]


def _invoice_id(rng: random.Random) -> str:
    year = rng.randint(2019, 2026)
    return rng.choice(
        (
            f"{rng.randint(10000, 99999999)}",
            f"INV-{year}-{rng.randint(1, 9999):04d}",
            f"RE{year}{rng.randint(1, 999):03d}",
            f"F{year}/{rng.randint(1, 9999):04d}",
            f"{rng.choice('ABCDEFGHKLMNPRSTVW')}{rng.choice('ABCDEFGHKLMNPRSTVW')}{rng.randint(100000, 999999)}",
        )
    )


def _money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def make_content(rng: random.Random, lang: str | None = None) -> InvoiceContent:
    """A consistent invoice: lines sum to the subtotal, tax per rate, total = subtotal + tax - discount."""
    lang = lang or rng.choice(LANGUAGES)
    currency = rng.choice(CURRENCIES[lang])
    vendor, vendor_kind, brand, entity = _vendor(rng, lang)
    if rng.random() < 0.6:
        customer = Party(_company(rng, lang), _address(rng, lang))
    else:
        customer = Party(f"{rng.choice(FIRST)} {rng.choice(LAST)}", _address(rng, lang))
    # one invoice in twelve charges no tax (a reverse-charge, export or exempt sale) and prints why instead of a tax row
    no_tax = rng.random() < 1 / 12
    rates = ("0",) if no_tax else RATES[lang]
    main_rate = Decimal(rng.choice(rates))
    lines = []
    for description in rng.sample(PRODUCTS[lang], rng.randint(1, 7) if rng.random() < 0.85 else rng.randint(8, 12)):
        quantity = (
            Decimal(rng.choice((1, 1, 1, 2, 3, 5, 10, 12)))
            if rng.random() < 0.8
            else Decimal(rng.choice(("0.5", "1.5", "2.5", "7.25")))
        )
        unit_price = _money(
            Decimal(rng.randint(50, 250000)) / 100 if rng.random() < 0.8 else Decimal(rng.randint(1, 60)) * 5
        )
        rate = main_rate if rng.random() < 0.85 else Decimal(rng.choice(rates))
        note = None
        if rng.random() < 0.15:
            note = rng.choice(("SN{0}", "01.{1:02d}.-30.{1:02d}.", "Ref. {0}")).format(
                rng.randint(10000, 99999), rng.randint(1, 12)
            )
        lines.append(
            Line(
                description,
                quantity,
                rng.choice(UNITS[lang]) if rng.random() < 0.5 else None,
                unit_price,
                rate,
                _money(quantity * unit_price),
                note,
            )
        )
    gross = not no_tax and rng.random() < 0.15
    shipping = _money(Decimal(rng.choice(("4.90", "5.95", "9.90", "14.50", "25.00")))) if rng.random() < 0.2 else None
    if gross:
        subtotal, discount, tax_by_rate, total = _gross_totals(lines, shipping, main_rate)
    else:
        subtotal = sum((ln.amount for ln in lines), Decimal(0)) + (shipping or 0)
        discount = _money(subtotal * Decimal(rng.choice((2, 3, 5, 10))) / 100) if rng.random() < 0.12 else None
        net_by_rate: dict[Decimal, Decimal] = {}
        taxed = [(ln.amount, ln.tax_rate) for ln in lines] + ([(shipping, main_rate)] if shipping else [])
        for amount, rate in taxed:
            base = amount * (1 - (discount or 0) / subtotal) if discount else amount
            net_by_rate[rate] = net_by_rate.get(rate, Decimal(0)) + base
        net_by_rate = {rate: _money(v) for rate, v in sorted(net_by_rate.items())}
        tax_by_rate = {rate: _money(v * rate / 100) for rate, v in net_by_rate.items()} if not no_tax else {}
        total = subtotal - (discount or 0) + sum(tax_by_rate.values(), Decimal(0))
    total_tax = sum(tax_by_rate.values(), Decimal(0))
    paid = _money(total * Decimal("0.5")) if rng.random() < 0.05 else Decimal(0)
    issued = dt.date(2018, 1, 1) + dt.timedelta(days=rng.randint(0, 3000))
    due = issued + dt.timedelta(days=rng.choice((7, 14, 30, 45))) if rng.random() < 0.7 else None
    style = {
        "pick": rng.randint(0, 11),
        "tax_pick": rng.randint(0, 2),
        "numbers": {
            "en": rng.choice(("en", "en", "plain")),
            "de": rng.choice(("de", "de", "ch" if currency == "CHF" else "de")),
            "fr": rng.choice(("fr", "de")),
            "nl": "de",
        }[lang],
        "currency_display": rng.choice(("symbol", "code", "none")),
        "currency_before": rng.random() < (0.7 if lang == "en" else 0.3),
        "unit_col": any(ln.unit for ln in lines) and rng.random() < 0.7,
        "vat_col": not no_tax and rng.random() < 0.6,
        "due_row": rng.choice(("none", "none", "extra", "only")),
        "date_format": rng.choice(("num", "num", "named", "iso") + (("us",) if lang == "en" else ())),
        "net_row": (not gross and not no_tax) or rng.random() < 0.6,  # a gross or untaxed one need not print its net
        "no_tax": rng.choice(NO_TAX[lang]) if no_tax else None,  # the sentence printed in place of a tax row
        "pay_sentence": rng.random() < 0.3,
        "furniture": rng.random() < 0.6,
        "tax_base": rng.random() < 0.2,  # 'VAT 19% on 100.00': the net amount inside the tax row's label
        "tax_table": not no_tax and rng.random() < 0.2,  # a rate | net | tax | gross breakdown under the totals
        "qty_decimals": rng.random() < 0.25,  # '1,00 Stk.': quantities that look like amounts
        "rate_decimals": rng.random() < 0.25,  # '19,00 %'
        "tax_total_row": rng.random() < 0.5,
        "fx_rate": Decimal(rng.randint(7000, 14000)) / 10000
        if rng.random() < 0.1 and not no_tax
        else None,  # tax and total converted
        "summary_row": rng.random() < 0.3,  # the amount due repeated among the header fields ('Balance Due $1,234.00')
        "total_size": rng.choice((0.0, 0.0, 2.0, 4.0)),  # the total printed larger than the other totals
        "item_head": rng.random() < 0.8,  # a short table may go without a header row, its columns unnamed
        "vendor_kind": vendor_kind,
        # the web and mail domain: the brand's or the name's first word, another word (a group's, a host's), none
        # (a brand whose logo is an image always prints its domain: it is named in a sentence and there only)
        "web": rng.choices(("name", "other", "none"), (0.8, 0.05, 0.15) if brand else (0.55, 0.2, 0.25))[0]
        if vendor_kind != "brand_image"
        else "name",
        "web_other": "".join(rng.choice(SYLLABLES) for _ in range(2)),
        "service_line": bool(brand) and rng.random() < 0.35,  # '{brand} Kundenservice' over the page
        "made_with": "".join(rng.choice(SYLLABLES) for _ in range(2)) if rng.random() < 0.15 else None,
        # a tagline printed large near the top (brands mostly): a sentence that is not a name
        "slogan": rng.choice(SLOGANS[lang]) if rng.random() < (0.45 if brand else 0.1) else None,
    }
    # drawn apart from rng, so every other draw (and every other generated invoice) stays as it was
    style["tax_table_total"] = random.Random(f"{style['web_other']}{total}").random() < 0.5  # its rates' sum row
    if style["slogan"] and rng.random() < 0.4:
        style["slogan"] = style["slogan"].rstrip(" .!")  # many taglines go without a full stop
    return InvoiceContent(
        lang=lang,
        vendor=vendor,
        customer=customer,
        invoice_id=_invoice_id(rng),
        invoice_date=issued,
        due_date=due,
        customer_no=str(rng.randint(10000, 9999999)) if rng.random() < 0.6 else None,
        purchase_order=f"PO-{rng.randint(1000, 99999)}" if rng.random() < 0.3 else None,
        currency=currency,
        lines=lines,
        tax_by_rate=tax_by_rate,
        subtotal=subtotal,
        total_tax=total_tax,
        discount=discount,
        total=total,
        amount_due=total - paid,
        payment_terms=rng.choice(TERMS[lang]) if rng.random() < 0.6 else None,
        style=style,
        shipping=shipping,
        gross=gross,
        net_by_rate={rate: _money(tax * 100 / rate) if rate else Decimal(0) for rate, tax in tax_by_rate.items()}
        if gross
        else net_by_rate,
        brand=brand,
        entity=entity,
    )


def _gross_totals(
    lines: list[Line], shipping: Decimal | None, main_rate: Decimal
) -> tuple[Decimal, None, dict[Decimal, Decimal], Decimal]:
    """Prices that include tax: each line printed gross, the tax each rate contains, the net amount what remains."""
    by_rate: dict[Decimal, Decimal] = {}
    for ln in lines:
        ln.unit_price = _money(ln.unit_price * (100 + ln.tax_rate) / 100)
        ln.amount = _money(ln.quantity * ln.unit_price)
        by_rate[ln.tax_rate] = by_rate.get(ln.tax_rate, Decimal(0)) + ln.amount
    if shipping:
        by_rate[main_rate] = by_rate.get(main_rate, Decimal(0)) + shipping
    total = sum(by_rate.values(), Decimal(0))
    tax_by_rate = {rate: _money(v * rate / (100 + rate)) for rate, v in sorted(by_rate.items())}
    return total - sum(tax_by_rate.values(), Decimal(0)), None, tax_by_rate, total
