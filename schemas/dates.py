"""Lenient date parsing for values read off documents (ISO, European, US, month names)."""

from __future__ import annotations

import datetime as dt
import re

MONTHS = {
    # English, Dutch, German, French, Spanish, Italian, Malay month names and abbreviations
    "jan": 1,
    "january": 1,
    "januari": 1,
    "januar": 1,
    "janvier": 1,
    "janv": 1,
    "enero": 1,
    "gennaio": 1,
    "feb": 2,
    "february": 2,
    "februari": 2,
    "februar": 2,
    "février": 2,
    "fevrier": 2,
    "févr": 2,
    "fev": 2,
    "febrero": 2,
    "febbraio": 2,
    "mac": 3,
    "mar": 3,
    "march": 3,
    "maart": 3,
    "märz": 3,
    "marz": 3,
    "mars": 3,
    "marzo": 3,
    "mrt": 3,
    "apr": 4,
    "april": 4,
    "avril": 4,
    "avr": 4,
    "abril": 4,
    "aprile": 4,
    "may": 5,
    "mei": 5,
    "mai": 5,
    "mayo": 5,
    "maggio": 5,
    "jun": 6,
    "june": 6,
    "juni": 6,
    "juin": 6,
    "junio": 6,
    "giugno": 6,
    "jul": 7,
    "july": 7,
    "juli": 7,
    "juillet": 7,
    "juil": 7,
    "julio": 7,
    "luglio": 7,
    "julai": 7,
    "aug": 8,
    "august": 8,
    "augustus": 8,
    "août": 8,
    "aout": 8,
    "agosto": 8,
    "ogos": 8,
    "sep": 9,
    "sept": 9,
    "september": 9,
    "septembre": 9,
    "septiembre": 9,
    "settembre": 9,
    "oct": 10,
    "october": 10,
    "oktober": 10,
    "okt": 10,
    "octobre": 10,
    "octubre": 10,
    "ottobre": 10,
    "nov": 11,
    "november": 11,
    "novembre": 11,
    "noviembre": 11,
    "dec": 12,
    "december": 12,
    "dezember": 12,
    "décembre": 12,
    "decembre": 12,
    "diciembre": 12,
    "dicembre": 12,
    "dis": 12,
    "dez": 12,
}

_NUMERIC = re.compile(r"(?<!\d)(\d{1,4})\s*[./\-]\s*(\d{1,2})\s*[./\-]\s*(\d{2,4})(?!\d)")
_NAMED = re.compile(r"(?<!\w)(\d{1,2})(?:st|nd|rd|th|er)?[\s.\-/]*([A-Za-zéûä]{3,10})\.?[\s.,\-/]*(\d{2,4})(?!\d)")
_NAMED_US = re.compile(r"(?<!\w)([A-Za-zéûä]{3,10})\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})(?!\d)")


def _year(text: str) -> int:
    year = int(text)
    if year < 100:
        year += 2000 if year < 70 else 1900
    return year


def _make(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def parse_date(text: str, *, day_first: bool = True) -> dt.date | None:
    """Find the first date in text and return it; day-first unless only month-first is valid."""
    text = text.strip()
    if len(text) == 8 and text.isdigit():  # compact: 20180304 (year first) or 25032018 (year last)
        return _make(int(text[:4]), int(text[4:6]), int(text[6:])) or _make(
            int(text[4:]), int(text[2:4]), int(text[:2])
        )
    match = _NUMERIC.search(text)
    if match:
        a, b, c = match.groups()
        if len(a) == 4:  # 2019-03-25
            return _make(int(a), int(b), int(c))
        year = _year(c)
        first, second = int(a), int(b)
        if day_first:
            return _make(year, second, first) or _make(year, first, second)
        return _make(year, first, second) or _make(year, second, first)
    match = _NAMED.search(text)
    if match and match.group(2).lower().rstrip(".") in MONTHS:
        day, month, year = match.groups()
        return _make(_year(year), MONTHS[month.lower().rstrip(".")], int(day))
    match = _NAMED_US.search(text)
    if match and match.group(1).lower() in MONTHS:
        month, day, year = match.groups()
        return _make(_year(year), MONTHS[month.lower()], int(day))
    return None
