"""An invoice's totals that add up: subtotal - discount + tax = total, the subtotal being the lines' sum if printed.

The generic totals rules read each labelled row on its own; 'MwSt. gesamt' or 'Tax total' then reads as the
invoice total and the per-rate tax rows as the tax. Here every amount under a subtotal, tax or total label is a
candidate, and the combination that adds up wins.
"""

from __future__ import annotations

import re
from decimal import Decimal
from itertools import product

from model.layout.common import RATE_IN_ROW, Pick
from model.layout.lines import Line
from model.layout.values import GLUED_TAX, SUBTOTAL, TAX, TOTAL, find_amounts
from model.types import Word

CENT = Decimal("0.01")
GROSS = re.compile(
    r"incl|inkl|brutto|ttc|grand|endbetrag|rechnungsbetrag|factuurbedrag|amount\s*due|zahlbetrag|"
    r"te\s*betalen|net\s*[àa]\s*payer|[àa]\s*payer",
    re.I,
)
# a tax label OCR ran into its rate ('BTW21%', 'TVA20%') has no word boundary after it
SUB_EXTRA = re.compile(r"summe\s*positionen|positionssumme|warenwert|total\s*lines|nettosumme", re.I)


def _tax(text: str) -> bool:
    """A tax label: the word itself, or run into its rate by OCR."""
    return bool(TAX.search(text) or GLUED_TAX.search(text))


def _rows(lines: list[Line]) -> list[tuple[str, Decimal, list[Word]]]:
    """(label, amount, words) of every row that ends in an amount and has letters before it."""
    out = []
    for line in lines:
        last = line.segments[-1]
        found = find_amounts(last.text)
        label = " ".join(s.text for s in line.segments[:-1]) or last.text[: found[-1][1]] if found else ""
        if found and re.search(r"[A-Za-zÀ-ÿ]{2}", label):
            out.append((label, found[-1][0], last.words))
    return out


def reconcile(lines: list[Line], item_sum: Decimal | None, discount: Decimal) -> dict[str, Pick] | None:
    """Subtotal, tax and total that add up (within a cent); None when no combination does."""
    rows = _rows(lines)
    subs = {
        v: w for label, v, w in rows if (SUBTOTAL.search(label) or SUB_EXTRA.search(label)) and not GROSS.search(label)
    }
    taxes = {v: w for label, v, w in rows if _tax(label) and not SUBTOTAL.search(label) and not GROSS.search(label)}
    rated = [(v, w) for label, v, w in rows if _tax(label) and RATE_IN_ROW.search(label) and not GROSS.search(label)]
    if len(rated) > 1:  # several rates: their sum is the tax, printed or not
        taxes.setdefault(sum((v for v, _ in rated), Decimal(0)), [w for _, ws in rated for w in ws])
    totals = {v: w for label, v, w in rows if (TOTAL.search(label) or GROSS.search(label)) and v not in taxes}
    if item_sum is not None and item_sum not in subs and item_sum in {v for _, v, _ in rows}:
        subs[item_sum] = next(w for _, v, w in rows if v == item_sum)
    if not taxes:
        return None  # nothing to check the sum against (prices may include the tax: 'Prijzen zijn inclusief BTW')
    best: tuple[tuple[int, ...], dict[str, Pick]] | None = None
    for (s, sw), (t, tw), (total, totw) in product(subs.items(), taxes.items(), totals.items()):
        if abs(s - discount + t - total) > CENT or total <= 0 or s <= 0:
            continue
        rank = (int(s == item_sum), int(t > 0), int(total == max(totals)))
        if best is None or rank > best[0]:
            best = (
                rank,
                {
                    "subtotal": Pick(s, sw, 0.85),
                    "total_tax": Pick(t, tw, 0.85),
                    "invoice_total": Pick(total, totw, 0.85),
                },
            )
    return best[1] if best else None
