"""Types shared by every schema: money, currency codes, dates, evidence and validation issues."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Annotated, Any, ClassVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PlainSerializer

# VAT, GST and sales-tax rates printed somewhere in the world, in percent: a tax is this share of a net amount or of a
# gross one (the invoice chooser's features; a receipt's tax included in its total, schemas/validate.py)
TAX_RATES = tuple(Decimal(r) for r in "5 5.5 6 7 8 8.1 8.25 9 10 12 13 14 15 16 17 18 19 20 21 22 23 24 25".split())

# ISO 4217 active codes (the list changes rarely; kept here so schemas import nothing heavy).
ISO_4217 = frozenset(
    """AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN BWP BYN BZD
    CAD CDF CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GNF
    GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP
    LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB
    PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL
    THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD UYU UZS VES VND VUV WST XAF XCD XCG XOF XPF YER ZAR ZMW
    ZWG""".split()
)

# Symbols that name one currency unambiguously enough to normalise; "$" alone is left to the caller.
CURRENCY_SYMBOLS = {
    "€": "EUR",
    "£": "GBP",
    "¥": "JPY",
    "₹": "INR",
    "₩": "KRW",
    "₽": "RUB",
    "RM": "MYR",
    "US$": "USD",
    "C$": "CAD",
    "CA$": "CAD",
    "A$": "AUD",
    "AU$": "AUD",
    "S$": "SGD",
    "NZ$": "NZD",
    "HK$": "HKD",
}


MAX_AMOUNT = Decimal(10) ** 18  # no document amount is larger; bigger "amounts" are digits run together
_SEPARATORS = ".,\u00a0\u202f '\u2019"  # decimal point or thousands: dot, comma, (narrow) no-break space, apostrophes
_SYMBOL = r"(?:[A-Z]{1,2}\$|\$|€|£|¥|₹|₩|₽|₺|₪|₫|฿|₱|₦|RM|Rp|Rs\.?|kr\.?|Kč|zł|Fr\.|Ft|[A-Za-z]{3})"
_AMOUNT = re.compile(
    rf"(?P<open>\()?\s*(?P<s1>[-+\u2212])?\s*(?P<c1>{_SYMBOL})?\s*(?P<s2>[-+\u2212])?\s*"
    rf"(?P<num>[0-9][0-9{_SEPARATORS}]*[0-9]|[0-9]|[.,][0-9]+)"
    rf"\s*(?P<c2>{_SYMBOL})?\s*(?P<s3>-)?\s*(?P<close>\))?"
)


def _not_amount(value: Any, why: str = "") -> ValueError:
    return ValueError(f"{value!r} is not an amount{why}; write one number, e.g. '1234.56', '1.234,56' or 'EUR 12.50'.")


def _plain_number(text: str, value: Any) -> str:
    """'1.234,56' -> '1234.56': grouping removed, the decimal point a dot; ValueError when the groups are irregular."""
    parts = re.split(f"([{_SEPARATORS}])", text)
    runs, seps = parts[0::2], parts[1::2]
    if not seps:
        return text
    if not all(runs[1:]):
        raise _not_amount(value)
    grouping, point = seps[:-1], seps[-1]
    if len(seps) == 1:
        # '12.5', '12,50', '0,125' and '1234,567' have a decimal point; '1,250' and '1 250' group thousands
        thousands = len(runs[1]) == 3 and 1 <= len(runs[0]) <= 3 and runs[0] != "0"
        if point == "." or (point == "," and not thousands):
            return f"{runs[0] or '0'}.{runs[1]}"
        grouping, point = seps, ""
    elif point == seps[0] or point not in ".,":
        grouping, point = seps, ""  # '1.234.567', '1 234 567': every separator groups
    if len(set(grouping)) != 1 or point in grouping:
        raise _not_amount(value, " (its separators are mixed)")
    whole = runs[: len(grouping) + 1]
    western = 1 <= len(whole[0]) <= 3 and all(len(r) == 3 for r in whole[1:])
    indian = 1 <= len(whole[0]) <= 2 and all(len(r) == 2 for r in whole[1:-1]) and len(whole[-1]) == 3  # 1,23,456
    if not (western or (indian and len(whole) > 2)):
        raise _not_amount(value, " (its digit groups are irregular)")
    return "".join(whole) + (f".{runs[-1]}" if point else "")


def parse_amount(value: Any) -> Decimal | None:
    """One amount: '1.234,56', '1,234.56', '1 234,56', "1'234.56", '(12.00)', 'RM 9.90', '12.50 EUR', 12.5.

    None for None or ''; anything else (two numbers, exponents, NaN, lists, booleans) raises ValueError:
    an amount is never assembled from stray digits.
    """
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
        raise _not_amount(value)
    if isinstance(value, str):
        amount = _parse_text(value)
        if amount is None:
            return None
    else:
        amount = value if isinstance(value, Decimal) else Decimal(str(value))
    if not amount.is_finite() or abs(amount) >= MAX_AMOUNT:
        raise _not_amount(value, " (not a finite number under 10^18)")
    if len(format(amount, "f")) > 64:  # as for text: what is stored (plain notation) must parse back
        raise _not_amount(value, " (too many digits)")
    return amount


def _parse_text(value: str) -> Decimal | None:
    text = value.strip()
    if not text:
        return None
    if len(text) > 64:
        raise _not_amount(value[:40] + "...", " (too long)")
    match = _AMOUNT.fullmatch(text)
    if match is None:
        raise _not_amount(value)
    g = match.groupdict()
    signs = [s for s in (g["s1"], g["s2"], g["s3"]) if s]
    if bool(g["open"]) != bool(g["close"]) or len(signs) + bool(g["open"]) > 1 or (g["c1"] and g["c2"]):
        raise _not_amount(value)
    for code in (g["c1"], g["c2"]):
        if code and code.isalpha() and len(code) == 3 and code.upper() not in ISO_4217:
            raise _not_amount(value, f" ({code!r} is not a currency code)")
    try:
        amount = Decimal(_plain_number(g["num"], value))
    except InvalidOperation as err:
        raise _not_amount(value) from err
    negative = bool(g["open"]) or (signs and signs[0] != "+")
    return -amount if negative else amount


def _money(value: Any) -> Decimal | None:
    return parse_amount(value)


def _currency(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    if not text:
        return None
    if text in CURRENCY_SYMBOLS:
        return CURRENCY_SYMBOLS[text]
    code = text.upper()
    if code not in ISO_4217:
        raise ValueError(f"{value!r} is not an ISO 4217 currency code")
    return code


def _date(value: Any) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    from schemas.dates import parse_date

    parsed = parse_date(str(value))
    if parsed is None:
        raise ValueError(f"not a date: {value!r}")
    return parsed


Money = Annotated[
    Decimal | None,
    BeforeValidator(_money),
    # Plain notation ('0.00000001', '100'), never 'E-8' or '1E+2': what is stored must parse back as an amount.
    PlainSerializer(lambda v: None if v is None else format(v, "f"), return_type=str | None, when_used="json"),
]
CurrencyCode = Annotated[str | None, BeforeValidator(_currency)]
IsoDate = Annotated[dt.date | None, BeforeValidator(_date)]


class Record(BaseModel):
    """Base of every schema model and nested row: plain data, unknown keys ignored."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True, validate_assignment=True)


class DocSchema(Record):
    """Base of every top-level extraction schema: flat, plain data, no confidence wrappers."""

    kind: ClassVar[str] = ""  # registry name
    version: ClassVar[str] = "1"  # stored with every result; bump on incompatible change


class Severity(StrEnum):
    INFO = "info"
    WARNING = "warning"
    ERROR = "error"


class Issue(BaseModel):
    """A validation finding shown beside a field; it never rejects the data."""

    code: str = Field(description="Stable machine-readable code, e.g. 'total_mismatch'.")
    field: str | None = Field(default=None, description="JSON-pointer path of the field concerned, e.g. '/total'.")
    message: str = Field(description="A sentence a reviewer can act on.")
    severity: Severity = Field(default=Severity.WARNING, description="info, warning or error.")


class Evidence(BaseModel):
    """Where a value came from and how sure the system is of it."""

    page: int | None = Field(default=None, description="0-based page index the value was found on.")
    bbox: tuple[float, float, float, float] | None = Field(
        default=None, description="Box (x0, y0, x1, y1) normalised 0..1 to the page."
    )
    text: str | None = Field(default=None, description="The page text the value was matched to.")
    confidence: float = Field(default=0.0, ge=0.0, le=1.0, description="0..1 confidence in the value.")
    source: str = Field(default="engine", description="What produced the value: engine, grounding, correction.")
