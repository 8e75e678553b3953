"""Finding amounts, dates, currencies and labelled values in text, with multilingual keywords."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import Decimal

from schemas.common import CURRENCY_SYMBOLS, ISO_4217, parse_amount
from schemas.dates import MONTHS

# An amount: optional sign, digits with optional thousands groups (Swiss ones with apostrophes), two decimals.
AMOUNT = re.compile(
    r"(?<![\d/:.,-])-?\d{1,3}(?:[ .,'’]\d{3})*[.,]\d{2}(?![\d/:%])|(?<![\d/:.,-])-?\d+[.,]\d{2}(?![\d/:%])"
)
# An integer amount, only trusted next to a currency mark.
INT_AMOUNT = re.compile(r"(?<![\d/:.,-])\d{1,3}(?:[.,]\d{3})*(?![\d/:.,%])|(?<![\d/:.,-])\d+(?![\d/:.,%])")

TOTAL_WORDS = (
    r"total|totaal|gesamt(?:betrag|summe)?|summe|endbetrag|rechnungsbetrag|montant|importe|jumlah|grand|"
    r"amount\s*due|balance\s*due|amount\s*payable|te\s*betalen|zu\s*zahlen|net\s*[àa]\s*payer|a\s*pagar|nett|net\s*amt|"
    r"to\s*pay|payable"
)
TOTAL = re.compile(rf"\b(?:{TOTAL_WORDS})", re.I)
# ('(?<!\")\bht\b': HT, hors taxes, but not a size in inches, '6"HT', a hand-tossed pizza on an item row)
SUBTOTAL = re.compile(
    r"sub\s*-?\s*tota[l]?|subtotaal|zwischensumme|sous[\s-]*total|total\s*\(?\s*(?:excl|exkl|ex\b|excluding|before|h\.?t|net)|"
    r"totaal\s*excl|netto\s*(?:amount|betrag|bedrag)|net\s*amount|nettobetrag|untaxed|base\s*imponible|total\s*sales\s*\(?excl|"
    r"amount\s*before|bedrag\s*excl|excl\.?\s*(?:btw|vat|tax|gst)|hors\s*taxes?|total\s*ht\b|(?<!\")\bht\b|"
    r"exclusi[e]?[fv]e?\s*(?:btw|vat|tax|mwst|gst)|exklusive|ohne\s*mwst|grondslag|bemessungsgrundlage|taxable\s*(?:amount|value)|"
    r"montant\s*(?:eur\s*)?ht|total\s*net\b|netto\s*(?:bedrag|betrag|summe)|summe\s*netto|nettosumme|"
    r"gesamt\w*\s*netto|netto\s*gesamt|warenwert\s*netto|\bnetto\s*:",
    re.I,
)
TAX = re.compile(
    r"\b(?:tax|vat|btw|mwst|ust|tva|iva|gst|sst|igst|cgst|sgst|umsatzsteuer|mehrwertsteuer|steuer|taxe|cukai|impuesto)\b",
    re.I,
)
# a tax word run into its rate or into the word for amount ('BTW21%', 'GST6%', 'Steuerbetrag'), which TAX's word
# boundaries miss
GLUED_TAX = re.compile(
    r"(?:vat|btw|tva|mwst|ust|gst|iva|tax)\.?\d|total(?:gst|sst|vat|tax)\b|"  # 'BTW21%', 'TotalGST'
    r"gov(?:t|ernment)?\.?\s*tax|(?:gst|sst)(?:sr|zr)\b|"  # 'GOVTAX', 'GSTSR 6%' (a standard-rated row)
    r"(?:umsatz)?steuer(?:betrag|summe)|(?:mwst|ust)\.?-?betrag|btw-?bedrag|montant\s*tva",  # compounds
    re.I,
)
NOT_TOTAL = re.compile(
    r"qty|quantity|items?\b|count|saving|discount|korting|rabatt|remise|descuento|change|kembali|tendered|cash\b|"
    r"point|excl|exkl|before|\bht\b|sub\s*-?\s*tot|untaxed|nett?o|weight",
    re.I,
)
ROUNDED_TOTAL = re.compile(
    r"round(?:ed|ing)?\s*(?:d\s*)?total|grand\s*total|total\s*(?:payable|due|amount|incl|inclusive|to\s*pay|ttc|"
    r"sales\s*\(?incl)|amount\s*(?:due|payable)|balance\s*due|te\s*betalen|zu\s*zahlen|net\s*[àa]\s*payer|gesamtbetrag|"
    r"endbetrag|rechnungsbetrag|totaal\s*incl|total\s*a\s*pagar|importe\s*total|jumlah\s*(?:besar|keseluruhan)",
    re.I,
)
CASH = re.compile(r"\b(?:cash|tunai|bar|contant|esp[eè]ces|efectivo|tendered|paid|payment|visa|master|card)\b", re.I)
CHANGE = re.compile(r"\b(?:change|baki|kembali|wisselgeld|r[üu]ckgeld|monnaie|cambio)\b", re.I)

INVOICE_ID_LABEL = re.compile(
    r"(?:invoice|inv|bill|receipt|factuur|rechnung|facture|factura|fattura|invois|belege?|document|doc)\s*"
    r"(?:no\.?|nr\.?|n[°ºo]\.?|num(?:ber|mer|ero|éro)?|#|id|number)|"
    r"(?:factuurnummer|rechnungsnummer|rechnungsnr|invoicenumber|invoice\s*#|n[°º]\s*de\s*facture|num[ée]ro\s*de\s*facture|"
    r"n[úu]mero\s*de\s*factura|no\.?\s*invois|bill\s*no|receipt\s*no|invoice)",
    re.I,
)
DATE_LABEL = re.compile(
    r"invoice\s*date|date\s*of\s*issue|issue\s*date|bill\s*date|factuurdatum|rechnungsdatum|datum|date\s*de\s*facture|"
    r"date|fecha|tarikh|data|dated",
    re.I,
)
DUE_LABEL = re.compile(
    r"due\s*date|payment\s*due|date\s*due|pay\s*by|vervaldatum|vervaldag|f[äa]llig(?:keit)?|zahlbar\s*bis|[ée]ch[ée]ance|"
    r"vencimiento|tarikh\s*akhir",
    re.I,
)
PHONE = re.compile(r"(?:tel|phone|telefoon|telefon|t[ée]l[ée]phone|tél|fon|hp|mobile|ph)\b\.?\s*[:.]?", re.I)
PHONE_NUMBER = re.compile(r"\+?\(?\d[\d ()\-./]{6,}\d")

_TIME = re.compile(r"(?<!\d)([01]?\d|2[0-3])\s*[:.]\s*([0-5]\d)(?:\s*[:.]\s*([0-5]\d))?(?:\s*([AaPp])\.?[Mm])?")
_NUM_DATE = re.compile(r"(?<!\d)(\d{1,2})\s*([./\-])\s*(\d{1,2})\s*\2\s*(\d{2})(\d{2})?")
_GLUED_TIME = r"(?=[0-2]?\d\s*:\s*[0-5]\d)"
_ISO_DATE = re.compile(rf"(?<!\d)(\d{{4}})\s*([./\-])\s*(\d{{1,2}})\s*\2\s*(\d{{1,2}})(?:(?!\d)|{_GLUED_TIME})")
# a compact date: eight digits standing alone, year first or last ('20180304', '25032018', '20180428/191204')
_COMPACT_DATE = re.compile(r"(?<![\d.,])(\d{8})(?![\d.,])")
_MONTH_WORDS = "|".join(sorted((re.escape(m) for m in MONTHS), key=len, reverse=True))
_NAMED_DATE = re.compile(
    rf"(?<![\w])(\d{{1,2}})(?:st|nd|rd|th|er|\.)?[\s\-/]*({_MONTH_WORDS})\.?[\s,.\-/]*(\d{{2}}{_GLUED_TIME}|\d{{4}}(?!\d)|\d{{2}}(?!\d)|\d{{4}})",
    re.I,
)
_NAMED_US_DATE = re.compile(rf"(?<![\w])({_MONTH_WORDS})\.?\s*(\d{{1,2}})(?:st|nd|rd|th)?\s*,?\s*(\d{{4}})", re.I)


def fold(text: str) -> str:
    """Lower case without accents, for keyword matching."""
    nfkd = unicodedata.normalize("NFKD", text)
    return "".join(c for c in nfkd if not unicodedata.combining(c)).lower()


def plausible(day: dt.date | None, today: dt.date | None = None) -> bool:
    today = today or dt.date.today()
    return day is not None and dt.date(1980, 1, 1) <= day <= today + dt.timedelta(days=3 * 366)


def find_dates(text: str) -> list[tuple[dt.date, int, int]]:
    """Every plausible date in text with its span; handles a time glued to the year or day ('25/12/20188:13',
    '2016/05/0114:11:20', '05May1818:06') and compact dates ('20180304', '25032018')."""
    found: list[tuple[dt.date, int, int]] = []
    for match in _ISO_DATE.finditer(text):
        day = _make(int(match.group(1)), int(match.group(3)), int(match.group(4)))
        if plausible(day):
            found.append((day, match.start(), match.end()))
    for match in _NUM_DATE.finditer(text):
        if any(s <= match.start() < e for _, s, e in found):
            continue
        a, b = int(match.group(1)), int(match.group(3))
        short, rest = match.group(4), match.group(5)
        # '28-04-1815:40' is a two-digit year with the time glued on; '25/12/2018' a four-digit year
        years = ([int(short + rest)] if rest else []) + [2000 + int(short) if int(short) < 70 else 1900 + int(short)]
        for k, year in enumerate(years):
            day = _make(year, b, a) or _make(year, a, b)
            if plausible(day):
                end = match.start(5) if rest and k == len(years) - 1 else match.end()
                found.append((day, match.start(), end))
                break
    for match in _COMPACT_DATE.finditer(text):
        if any(s <= match.start() < e for _, s, e in found):
            continue
        digits = match.group(1)
        for day in (
            _make(int(digits[:4]), int(digits[4:6]), int(digits[6:])),
            _make(int(digits[4:]), int(digits[2:4]), int(digits[:2])),
        ):
            if plausible(day):
                found.append((day, match.start(), match.end()))
                break
    for regex, order in ((_NAMED_DATE, "dmy"), (_NAMED_US_DATE, "mdy")):
        for match in regex.finditer(text):
            if any(s <= match.start() < e for _, s, e in found):
                continue
            groups = dict(zip(order, match.groups(), strict=True))
            month = MONTHS.get(groups["m"].lower().rstrip("."))
            year = int(groups["y"]) if len(groups["y"]) == 4 else 2000 + int(groups["y"])
            day = _make(year, month, int(groups["d"])) if month else None
            if plausible(day):
                found.append((day, match.start(), match.end()))
    return sorted(found, key=lambda f: f[1])


def _make(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def find_time(text: str) -> str | None:
    """The first clock time in text as HH:MM[:SS], 24-hour."""
    for match in _TIME.finditer(text):
        hour, minute, second, ampm = match.groups()
        if ":" not in match.group(0) and not ampm:
            continue  # '12.50' is more likely an amount than a time
        h = int(hour)
        if ampm:
            h = h % 12 + (12 if ampm.lower() == "p" else 0)
        return f"{h:02d}:{minute}" + (f":{second}" if second else "")
    return None


def find_amounts(text: str, allow_int: bool = False) -> list[tuple[Decimal, int, int]]:
    """Amounts in text with their spans, left to right."""
    cleaned = re.sub(r"(?<=\d)\s+(?=[.,]\d{2}\b)|(?<=[.,])\s+(?=\d{2}\b)", "", text)
    found = []
    for match in AMOUNT.finditer(cleaned):
        try:
            value = parse_amount(match.group(0).replace(" ", ""))
        except ValueError:
            continue
        if value is not None:
            found.append((value, match.start(), match.end()))
    if not found and allow_int:
        for match in INT_AMOUNT.finditer(cleaned):
            if _inside_code(cleaned, match.start(), match.end()):
                continue
            found.append((Decimal(re.sub(r"[.,]", "", match.group(0))), match.start(), match.end()))
    return found


def _inside_code(text: str, start: int, end: int) -> bool:
    """Whether digits are part of a code with letters ('U63090DL2012PTC231770', '2012PTC'), not an amount: glued to
    a letter on either side, unless the letters before them are a currency mark ('Rs1939')."""
    if end < len(text) and text[end].isalpha():
        return True
    before = re.search(r"[^\s]*$", text[:start])
    glued = before.group(0) if before else ""
    return bool(glued) and glued[-1].isalpha() and not re.fullmatch(r"(?:Rs\.?|INR|JPY|KRW|IDR|Rp|¥|₹)", glued, re.I)


COMPANY_SUFFIX = re.compile(r"\b(?:sdn\.?\s*|\(m\)\s*|s/)bhd\.?$", re.I)


# marks find_currency reads as a currency besides its ISO code and CURRENCY_SYMBOLS: a bare dollar sign is USD,
# 'Rs' rupees
EXTRA_MARKS = {"USD": ("$",), "INR": ("Rs.", "Rs")}


def currency_marks(code: str) -> set[str]:
    """Every way a page may print the currency find_currency reads as code (grounding looks for these)."""
    return {code, *EXTRA_MARKS.get(code, ()), *(s for s, c in CURRENCY_SYMBOLS.items() if c == code)}


def find_currency(texts: list[str]) -> str | None:
    """The currency the document is in: ISO codes and symbols, by frequency, codes first."""
    counts: dict[str, int] = {}
    for text in texts:
        for match in re.finditer(r"(?<![A-Za-z])[A-Z]{3}(?![A-Za-z])", text):
            token = match.group(0)
            if token not in ISO_4217 or token in {"ALL", "CUP", "TOP", "MOP", "PEN", "BOB", "SOS", "BAM", "GEL"}:
                continue
            priced = bool(re.search(r"\d", text[max(0, match.start() - 3) : match.end() + 3]))
            if token == "BHD" and (not priced or COMPANY_SUFFIX.search(text[: match.end()])):
                continue  # 'SDN BHD', 'BERHAD': a Malaysian company's legal form, not Bahraini dinars
            counts[token] = counts.get(token, 0) + (2 if priced else 1)
        for symbol, code in CURRENCY_SYMBOLS.items():
            if symbol == "RM":
                hits = len(re.findall(r"(?<![A-Za-z])RM(?=\s*\d|\b)", text))
            elif symbol[0].isalpha():  # 'C$', 'US$': the letters start the symbol ('US$' holds no 'S$')
                hits = len(re.findall(rf"(?<![A-Za-z]){re.escape(symbol)}", text))
            else:
                hits = text.count(symbol)
            if hits:
                counts[code] = counts.get(code, 0) + hits
        if re.search(r"\bRs\.?\s*-?\s*\d|₹|\bINR\b", text):
            counts["INR"] = counts.get("INR", 0) + 1
        if "$" in text and "US$" not in text:
            counts["$"] = counts.get("$", 0) + 1
    dollar = counts.pop("$", 0)
    if counts:
        return max(counts.items(), key=lambda kv: kv[1])[0]
    return "USD" if dollar else None
