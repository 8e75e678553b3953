"""Types shared by every schema: money, currency codes, dates, evidence and validation issues."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Annotated, Any, ClassVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PlainSerializer

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
CURRENCY_SYMBOLS = {"€": "EUR", "£": "GBP", "¥": "JPY", "₹": "INR", "₩": "KRW", "₽": "RUB", "RM": "MYR", "US$": "USD"}


def parse_amount(value: Any) -> Decimal | None:
    """Parse '1.234,56', '1,234.56', '(12.00)', 'RM 9.90', 12.5 into a Decimal; None when empty."""
    if value is None or isinstance(value, bool):
        return None if value is None else Decimal(int(value))
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int | float):
        return Decimal(str(value))
    text = str(value).strip()
    if not text:
        return None
    negative = text.startswith("(") and text.endswith(")") or text.startswith("-") or text.endswith("-")
    digits = re.sub(r"[^0-9.,]", "", text)
    if not re.search(r"\d", digits):
        raise ValueError(f"not an amount: {value!r}")
    last_dot, last_comma = digits.rfind("."), digits.rfind(",")
    if last_dot >= 0 and last_comma >= 0:
        decimal_sep = "." if last_dot > last_comma else ","
    elif last_comma >= 0:
        # '12,50' is a decimal comma; '1,250' (three digits after) is a thousands separator.
        decimal_sep = "," if len(digits) - last_comma - 1 in (1, 2) else ""
    elif digits.count(".") > 1 or last_dot < 0:
        decimal_sep = ""  # '1.234.567' groups thousands; '10' has no separator
    else:
        decimal_sep = "."
    if decimal_sep:
        whole, _, frac = digits.rpartition(decimal_sep)
        whole = re.sub(r"[.,]", "", whole)
        normalized = f"{whole or '0'}.{frac}"
    else:
        normalized = re.sub(r"[.,]", "", digits)
    try:
        amount = Decimal(normalized)
    except InvalidOperation as err:
        raise ValueError(f"not an amount: {value!r}") from err
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
    PlainSerializer(lambda v: None if v is None else str(v), return_type=str | None, when_used="json"),
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
