"""Whether a proposed value is the true one: the labels the chooser is fitted on (the eval's normalization)."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import Decimal
from functools import lru_cache
from typing import Any

from schemas.common import parse_amount
from schemas.dates import parse_date

NON_WORD = re.compile(r"[\W_]+")


def norm_text(value: Any) -> str:
    """Lower case, accents folded, punctuation and whitespace dropped (as `docai eval` compares text)."""
    return "" if value is None else _norm(str(value))


@lru_cache(maxsize=1 << 16)
def _norm(text: str) -> str:
    # the chooser compares the same few hundred readings of a page many times over: cached, and ASCII (most
    # readings) needs no Unicode decomposition
    if not text.isascii():
        text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return NON_WORD.sub("", text.lower())


def _amount(value: Any) -> Decimal | None:
    try:
        amount = parse_amount(value)
    except (ValueError, ArithmeticError):
        return None
    return None if amount is None else amount.normalize()


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    return parse_date(str(value)) if value not in (None, "") else None


def same_value(kind: str, got: Any, truth: Any) -> bool:
    """A proposed value equals the truth after the normalization the field's kind calls for."""
    if got is None or truth in (None, ""):
        return False
    if kind == "amount":
        a, b = _amount(got), _amount(truth)
        return a is not None and a == b
    if kind == "date":
        a, b = _date(got), _date(truth)
        return a is not None and a == b
    return norm_text(got) != "" and norm_text(got) == norm_text(truth)


def text_similarity(a: Any, b: Any) -> float:
    """0..1 similarity of two texts after normalization."""
    from rapidfuzz.fuzz import ratio

    na, nb = norm_text(a), norm_text(b)
    if not na or not nb:
        return 0.0
    return ratio(na, nb) / 100.0
