"""Normalization that makes values comparable: case, whitespace, punctuation, dates to ISO, amounts to Decimal."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import Decimal
from difflib import SequenceMatcher
from typing import Any

from schemas.common import parse_amount
from schemas.dates import parse_date


def norm_text(value: Any) -> str:
    """Lower case, accents folded, punctuation and whitespace dropped: 'Sdn. Bhd.' == 'SDN BHD'."""
    if value is None:
        return ""
    text = unicodedata.normalize("NFKD", str(value))
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return re.sub(r"[\W_]+", "", text)


def norm_amount(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        amount = parse_amount(value)
    except ValueError:
        return None
    return None if amount is None else amount.normalize()


def norm_date(value: Any) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value).strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return text
    parsed = parse_date(text)
    return parsed.isoformat() if parsed else norm_text(text)


def normalize(value: Any, kind: str) -> Any:
    """One value as compared: kind is text, amount, date or code."""
    if kind == "amount":
        amount = norm_amount(value)
        return amount if amount is not None else (norm_text(value) or None)
    if kind == "date":
        return norm_date(value)
    if kind == "code":
        return str(value).strip().upper() if value not in (None, "") else None
    return norm_text(value) or None


def same(expected: Any, got: Any, kind: str) -> bool:
    """Whether a prediction equals the ground truth after normalization."""
    return normalize(expected, kind) == normalize(got, kind)


def similarity(a: Any, b: Any) -> float:
    """0..1 string similarity after text normalization (difflib ratio)."""
    na, nb = norm_text(a), norm_text(b)
    if not na and not nb:
        return 1.0
    if not na or not nb:
        return 0.0
    return SequenceMatcher(None, na, nb, autojunk=False).ratio()
