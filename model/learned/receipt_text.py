"""Receipt header rows as text: names read with a digit for a letter, names without what clings to them, how two
rows sit, and a row cut down to its address part (used by the receipt proposers in `model/learned/receipt.py`)."""

from __future__ import annotations

import re

from model.layout.lines import Line
from model.layout.receipt import (
    ADDRESS_LIKE,
    ADDRESS_STOP,
    LEGAL_FORM,
    PHONE_IN_ADDRESS,
    REG_LINE,
    REG_NUMBER,
    TAX_LINE,
)
from model.layout.values import find_dates
from model.learned.compare import norm_text
from model.learned.core import Candidate


def respelled_digits(by_text: dict[str, Candidate]) -> list[Candidate]:
    """The candidates, and beside each one with a digit read for a letter its respelled reading (a feature says how
    many digits were respelled: the chooser learns when to trust it)."""
    candidates = list(by_text.values())
    for c in list(candidates):
        c.features["digits_respelled"] = 0.0
        text, n = _digits_as_letters(c.value)
        if n and norm_text(text) not in by_text:
            by_text[norm_text(text)] = Candidate(text, c.words, {**c.features, "digits_respelled": float(n)})
            candidates.append(by_text[norm_text(text)])
    return candidates


# A lone digit, or two, OCR reads for a letter inside a word ('URBAN 1DEA', 'EKSLU5IF', '0ld Town', 'F00DICIOUS');
# digits beside digits or a number's own letters ('10GRAM', '3RD', 'OLIVE9') are left alone.
DIGIT_IN_WORD = re.compile(r"(?<![0-9])(?:(?<=[A-Za-z])[0158]{1,2}(?=[A-Za-z])|\b[0158](?=[A-Za-z]{2}))(?![0-9])")
DIGIT_LETTER = {"0": "O", "1": "I", "5": "S", "8": "B"}


def _digits_as_letters(text: str) -> tuple[str, int]:
    def letter(m: re.Match[str]) -> str:
        after = m.string[m.end() : m.end() + 1]
        letters = "".join(DIGIT_LETTER[d] for d in m.group(0))
        return letters if after.isupper() or not after.isalpha() else letters.lower()

    return DIGIT_IN_WORD.subn(letter, text)


def continuation(header: list[Line], i: int, side: str, step: int) -> dict[str, float]:
    """How row i + step sits against row i: its height over row i's, and the gap between them in row heights."""
    j = i + step
    if not 0 <= j < len(header):
        return {f"{side}_height_ratio": 0.0, f"{side}_gap": 10.0}
    a, b = (header[i], header[j]) if step > 0 else (header[j], header[i])
    unit = max(header[i].height, 1e-6)
    return {
        f"{side}_height_ratio": header[j].height / unit,
        f"{side}_gap": min(10.0, (b.bbox[1] - a.bbox[3]) / unit),
    }


def bare_name(name: str) -> str:
    """A name without what often clings to it: a label before a colon ('Dimiliki: ...'), a trailing bracket or code
    with figures ('(8199K)', '862725-U')."""
    if ":" in name:
        name = name.split(":")[-1]
    name = re.sub(r"\s*\([^()]*\d[^()]*\)?\s*$", "", name)
    name = re.sub(r"\s*\b[A-Z0-9]*\d[A-Z0-9]*-?[A-Z]?\s*$", "", name)
    return name.strip(" -:,.")


# Labels OCR leaves unseparated or misreads ('GSTID:', 'TEI.03-', 'Site:2076', 'ROC No.'): an address ends there.
MORE_STOP = re.compile(r"\b(?:roc|site|gst\s*id|gstid|sst\s*id|tei|te1|co\.?\s*no|company\s*no)\b|\(\s*gs[tli]\b", re.I)
# What may open a row before the address proper: a bracketed registration number, 'Site:1046'.
LEADING = re.compile(r"^\s*(?:\([A-Z]*\d[\w-]*\)|[A-Za-z]{2,8}\s*:\s*[A-Z]*\d+\b)\s*")


# How an address's first row opens: a number, a lot, unit or floor ('NO.19', 'LOT 3', 'A-G-06', '2ND FLOOR').
NUMBER_START = re.compile(
    r"^\W*(?:\d|[A-Z]{1,2}-?\d|(?:no|lot|unit|blk|block|level|lvl|pt|ptd|g)\b|\w+\s+(?:floor|flr)\b)", re.I
)


# The states and federal territories of Malaysia (the official list, not words read off receipts): an address's last line.
STATE = re.compile(
    r"\b(?:selangor|johor|kedah|kelantan|melaka|malacca|negeri\s*sembilan|pahang|perak|perlis|pulau\s*pinang|penang|"
    r"sabah|sarawak|terengganu|kuala\s*lumpur|putrajaya|labuan|malaysia)\b",
    re.I,
)


def address_piece(text: str) -> tuple[str, bool]:
    """A header row as an address part: cut where a phone, tax number or other label starts."""
    text = LEADING.sub("", text)
    stops = [m.start() for m in (ADDRESS_STOP.search(text), MORE_STOP.search(text)) if m]
    stop = min(stops) if stops else None
    if stop is not None:
        text, cut_here = text[:stop], True
    else:
        cut_here = False
    piece, cut = _cut_phone(text)
    return piece.strip(" ,:(") if cut_here else piece, cut or cut_here


def _cut_phone(text: str) -> tuple[str, bool]:
    cut = len(text)
    phone = PHONE_IN_ADDRESS.search(text)
    if phone and not re.fullmatch(r"\d{5}", phone.group(0).strip()):
        cut = phone.start()
    return (text[:cut].strip(" ,:(") if cut < len(text) else text.strip()), cut < len(text)


def _flag(pattern: re.Pattern[str], text: str) -> float:
    return 1.0 if pattern.search(text) else 0.0


def address_row(text: str) -> dict[str, float]:
    """What one header row says to an address that ends above it or starts below it."""
    bare = text.strip()
    return {
        "state": _flag(STATE, text),
        "stop": _flag(ADDRESS_STOP, text) + _flag(PHONE_IN_ADDRESS, text),
        "address_like": _flag(ADDRESS_LIKE, text),
        "reg": float(bool(REG_LINE.match(bare))),
        "reg_or_tax": float(bool(REG_LINE.match(bare) or TAX_LINE.match(bare))),
        "reg_or_number": float(bool(REG_LINE.match(bare) or REG_NUMBER.search(text))),
        "date": float(bool(find_dates(text))),
        "legal": _flag(LEGAL_FORM, text),
        "number_start": float(bool(NUMBER_START.match(text))),
    }
