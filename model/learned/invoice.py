"""Invoice candidates: the layout rules propose totals and the vendor; features say what each candidate's row shows.

Fitted on generated invoices (docai.synth, exact labels) by `docai train`; the rules in model/layout/invoice.py
and model/layout/items.py supply the candidates and their own pick as one feature among many. Features are
relative to the layout (rank among amounts, rows under the item table, the label beside or over a value, sums and
tax shares among the amounts, a name's own web domain, whether a name reads as a sentence or extends another
name on the page) and never the absolute place on the page: held-out
layouts (fitted on 6 of the 8 generated designs, scored on the other 2) read the vendor 0.87 with them, 0.78 with
absolute x/y/row features.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal
from statistics import median
from typing import Any

from model.layout.invoice import extract_invoice, window_customer
from model.layout.invoice_labels import (
    AMOUNT_DUE,
    DISCOUNT,
)
from model.layout.items import read_items
from model.layout.lines import Line
from model.layout.values import SUBTOTAL, TAX, TOTAL, find_amounts, find_dates
from model.learned.core import Candidate, Doc, learned_field
from model.types import Word
from schemas.common import ISO_4217, TAX_RATES

GROSS = re.compile(r"incl|inkl|brutto|ttc|gesamt|grand|endbetrag|rechnungsbetrag|factuurbedrag|invoice\s*total", re.I)
PAID = re.compile(r"paid|bezahlt|betaald|acompte|vers[ée]|anzahlung|prepaid", re.I)
CENT = Decimal("0.01")


def _rules(doc: Doc) -> tuple[Any, dict[str, float]]:
    """What the layout rules read (their picks are features, not decisions)."""
    return doc.once("invoice_rules", lambda: extract_invoice(doc.lines))


def apply_parties(doc: Doc, data: Any, confidence: dict[str, float], _model: Any) -> tuple[Any, dict[str, float]]:
    """An invoice without a labelled customer: the addressee in the letter's window, now that the vendor is the
    chooser's (the rules look there only when their own vendor is another name, and theirs may be the addressee)."""
    if data.customer_name or not data.vendor_name:
        return data, confidence
    found = window_customer(doc.lines, data.vendor_name)
    if found is None:
        return data, confidence
    name, address = found
    values = {"customer_name": name.value, "customer_address": address.value if address else data.customer_address}
    confidence = {**confidence, "/customer_name": name.confidence}
    if address is not None:
        confidence["/customer_address"] = address.confidence
    return type(data).model_validate({**data.model_dump(), **values}), confidence


def _unit(doc: Doc) -> float:
    def compute() -> float:
        heights = [w.bbox[3] - w.bbox[1] for line in doc.lines for w in line.words]
        return median(heights) if heights else 0.01

    return doc.once("median_height", compute)


def _flag(pattern: re.Pattern[str], text: str) -> float:
    return 1.0 if pattern.search(text) else 0.0


def _cells(doc: Doc) -> list[dict[str, Any]]:
    """Every amount on the document with its row and the label text left of it, computed once for all fields."""

    data, _conf = _rules(doc)
    whole = data.currency in {"INR", "JPY", "KRW", "IDR"}  # currencies printed without cents

    def compute() -> list[dict[str, Any]]:
        out = []
        for i, line in enumerate(doc.lines):
            left: list[str] = []
            for seg in line.segments:
                dates = [(a, b) for _d, a, b in find_dates(seg.text)]
                for value, start, end in find_amounts(seg.text, allow_int=whole and _money_context(seg.text)):
                    if any(a < end and start < b for a, b in dates):
                        continue  # 'Zahlungsziel 21.05.14' is a date, not 21.05
                    label = " ".join([*left, seg.text[:start]]).strip()
                    after = seg.text[end:]
                    cell = {"value": value, "row": i, "label": label, "after": after, "words": seg.words}
                    out.append({**cell, "left": seg.bbox[0], "right": seg.bbox[2]})
                left.append(seg.text)
        return out

    return doc.once("invoice_cells", compute)


# a whole number is an amount only beside a currency mark or an amount label ('Rs 1939', 'Total 1939'); elsewhere it
# is a phone number, a tax or postal code ('Phone: 8756390642', 'Delhi 110017')
WHOLE_MONEY = re.compile(r"\bRs\.?|\bINR\b|\bJPY\b|\bKRW\b|\bIDR\b|\bRp\b|[₹¥₩円원]")


ID_LABEL = re.compile(r"\b(?:TIN|GSTIN|PAN|CIN|UStId|phone|tel|fax|mobile|pin|zip)\b", re.I)


def _money_context(text: str) -> bool:
    if ID_LABEL.search(text):
        return False
    return bool(WHOLE_MONEY.search(text) or TOTAL.search(text) or SUBTOTAL.search(text) or TAX.search(text))


def _amount_candidates(doc: Doc) -> list[Candidate]:
    cells = _cells(doc)
    if not cells:
        return []
    data, _conf = _rules(doc)
    items = doc.once("invoice_items", lambda: read_items(doc.lines))
    item_sum = sum((i.amount for i in items[0] if i.amount is not None), Decimal(0)) if items and items[0] else None
    lines, unit = doc.lines, _unit(doc)
    values = sorted({c["value"] for c in cells}, reverse=True)
    counts: dict[Decimal, int] = {}
    for c in cells:
        counts[c["value"]] = counts.get(c["value"], 0) + 1
    labelled = {
        name: {c["value"] for c in cells if pattern.search(c["label"] or lines[c["row"]].text)}
        for name, pattern in (("sub", SUBTOTAL), ("tax", TAX), ("total", TOTAL))
    }
    sums = {a + b for a in labelled["sub"] for b in labelled["tax"]}
    item_rows = {c["row"] for c in cells if items and any(c["value"] == i.amount for i in items[0])}
    rule = {"invoice_total": data.invoice_total, "subtotal": data.subtotal, "total_tax": data.total_tax}
    layout = _layout(doc, cells, item_rows)
    out = []
    for c in cells:
        value, line = c["value"], lines[c["row"]]
        text = c["label"] or line.text
        rate = re.search(r"(\d{1,2}(?:[.,]\d{1,2})?)\s*%", line.text)
        pct = Decimal(rate.group(1).replace(",", ".")) if rate else None
        f = {
            "log_value": math.log1p(float(abs(value))),
            "negative": float(value < 0),
            "is_max": float(value == values[0]),
            "rank_desc": float(values.index(value)),
            "n_occ": float(counts[value]),
            "eq_items": float(item_sum is not None and value == item_sum),
            "eq_items_plus_tax": float(item_sum is not None and any(value == item_sum + t for t in labelled["tax"])),
            "eq_sub_plus_tax": float(value in sums),
            "is_rate_of_other": float(pct is not None and any(abs(v * pct / 100 - value) <= CENT for v in values)),
            "eq_rule_total": float(value == rule["invoice_total"]),
            "eq_rule_sub": float(value == rule["subtotal"]),
            "eq_rule_tax": float(value == rule["total_tax"]),
            "in_item_row": float(c["row"] in item_rows),
            "height": _height(c, unit),
            "label_letters": float(sum(ch.isalpha() for ch in c["label"])),
            "amounts_on_row": float(sum(1 for o in cells if o["row"] == c["row"])),
            "row_total": _flag(TOTAL, text),
            "row_sub": _flag(SUBTOTAL, text),
            "row_tax": _flag(TAX, text),
            "row_gross": _flag(GROSS, text),
            "row_due": _flag(AMOUNT_DUE, text),
            "row_discount": _flag(DISCOUNT, text),
            "row_paid": _flag(PAID, text),
            "row_pct": float(pct is not None),
            "row_total_word": float(bool(re.search(r"\b(?:gesamt|total|totaal|vat\s*total)\b", text, re.I))),
            **_relative(c, layout),
        }
        out.append(Candidate(value, c["words"], f))
    return out + _rule_sums(rule, {c["value"] for c in cells})


def _rule_sums(rule: dict[str, Decimal | None], printed: set[Decimal]) -> list[Candidate]:
    """The rules' values that are printed nowhere (a tax total summed from per-rate rows) as candidates of their own:
    choosing among printed amounts alone could never give them."""
    out = []
    for value in {v for v in rule.values() if v is not None and v not in printed}:
        f = {"rule_only": 1.0, "log_value": math.log1p(float(abs(value)))}
        f |= {f"eq_rule_{k}": float(value == rule[n]) for k, n in RULE_KEYS.items()}
        out.append(Candidate(value, [], f))
    return out


RULE_KEYS = {"total": "invoice_total", "sub": "subtotal", "tax": "total_tax"}


CURRENCY_MARK = re.compile(r"[$€£¥₹]")
EXCHANGE = re.compile(r"\b1\s*[A-Z]{3}\s*=\s*\d")  # '1 CHF = 1.0712 EUR'


def _layout(doc: Doc, cells: list[dict[str, Any]], item_rows: set[int]) -> dict[str, Any]:
    """What every amount is compared with: the item table's rows and amount column, the amounts under it, the
    sums and tax shares among all amounts (arithmetic holds on any invoice, whatever its design)."""
    values = sorted({c["value"] for c in cells if c["value"] > 0})
    last = max(item_rows) if item_rows else None
    below = sorted({c["value"] for c in cells if last is not None and c["row"] > last}, reverse=True)
    rights = sorted(c["right"] for c in cells if c["row"] in item_rows)
    unit = _unit(doc)
    return {
        "doc": doc,
        "values": set(values),
        "sums": {a + b for i, a in enumerate(values) for b in values[i + 1 :]},
        "first": min(item_rows) if item_rows else None,
        "last": last,
        "below": below,
        "column": rights[len(rights) // 2] if rights else None,
        "net_of": {v * r / 100 for v in values for r in TAX_RATES},
        "gross_of": {v * r / (100 + r) for v in values for r in TAX_RATES},
        "currency": _rules(doc)[0].currency,
        "rate_rows": [ln.index for ln in doc.lines if EXCHANGE.search(ln.text)],
        "tallest": max((_height(c, unit) for c in cells), default=1.0),
        "due_rows": _due_rows(doc, cells),
    }


def _height(cell: dict[str, Any], unit: float) -> float:
    return _size(cell["words"], unit)


def _size(words: list[Word], unit: float) -> float:
    """The tallest word's height in body-text heights, to 2 places: print sizes differ by whole points, and a
    difference in the 5th place (coordinates as stored, or one word's box a hair taller) must not decide a value."""
    return round(max(w.bbox[3] - w.bbox[1] for w in words) / max(unit, 1e-6), 2)


def _due_rows(doc: Doc, cells: list[dict[str, Any]]) -> dict[Decimal, set[int]]:
    """Rows where each amount stands under a total or amount-due label: a total restated in a summary box or a
    payment line is one an invoice wants read."""
    out: dict[Decimal, set[int]] = {}
    for c in cells:
        text = c["label"] or doc.lines[c["row"]].text
        if TOTAL.search(text) or AMOUNT_DUE.search(text):
            out.setdefault(c["value"], set()).add(c["row"])
    return out


def _near(value: Decimal, targets: set[Decimal]) -> float:
    return float(any(abs(value - t) <= CENT for t in targets))


def _header_above(lines: list[Line], cell: dict[str, Any]) -> str:
    """The label printed over an amount (totals laid out as cells: 'Net | VAT | Total' above their values)."""
    line = lines[cell["row"]]
    for above in reversed(lines[max(0, line.index - 2) : line.index]):
        for seg in above.segments:
            if seg.bbox[0] < cell["right"] and seg.bbox[2] > cell["left"] and not find_amounts(seg.text):
                return seg.text
    return ""


def _relative(cell: dict[str, Any], layout: dict[str, Any]) -> dict[str, float]:
    """Where an amount stands relative to the item table and the other amounts, and the label over it."""
    value, row, last = cell["value"], cell["row"], layout["last"]
    head = _header_above(layout["doc"].lines, cell)
    line = layout["doc"].lines[row]
    codes = {code for code in re.findall(r"\b[A-Z]{3}\b", line.text) if code in ISO_4217}
    nan = math.nan
    return {
        "rows_below_items": float(row - last) if last is not None else nan,
        "above_items": float(layout["first"] is not None and row < layout["first"]),
        "rank_below_items": float(layout["below"].index(value)) if value in layout["below"] else nan,
        "off_item_column": abs(cell["right"] - layout["column"]) if layout["column"] is not None else nan,
        "is_sum_of_two": float(value in layout["sums"]),
        "is_addend": float(any(value + v in layout["values"] for v in layout["values"] if v != value)),
        "tax_of_net": _near(value, layout["net_of"]),
        "tax_in_gross": _near(value, layout["gross_of"]),
        "text_after": float(sum(ch.isalpha() for ch in cell["after"])),
        "other_currency": float(bool(codes - {layout["currency"]})),  # 'Total EUR' on an invoice in CHF
        "rate_row": float("=" in line.text),
        "after_rate_row": float(any(row > r for r in layout["rate_rows"])),  # amounts restated in another currency
        "head_total": _flag(TOTAL, head),
        "head_sub": _flag(SUBTOTAL, head),
        "head_tax": _flag(TAX, head),
        "head_due": _flag(AMOUNT_DUE, head),
        "head_gross": _flag(GROSS, head),
        "height_vs_tallest": round(_height(cell, _unit(layout["doc"])) / max(layout["tallest"], 1e-6), 2),
        "due_elsewhere": float(bool(layout["due_rows"].get(value, set()) - {row})),
        "currency_marked": float(bool(codes) or bool(CURRENCY_MARK.search(line.text))),
    }


@learned_field("invoice", "invoice_total", "amount")
def propose_total(doc: Doc) -> list[Candidate]:
    return doc.once("invoice_amounts", lambda: _amount_candidates(doc))


@learned_field("invoice", "subtotal", "amount", optional=True)
def propose_subtotal(doc: Doc) -> list[Candidate]:
    return [*doc.once("invoice_amounts", lambda: _amount_candidates(doc)), _absent(doc, "subtotal")]


@learned_field("invoice", "total_tax", "amount", optional=True)
def propose_tax(doc: Doc) -> list[Candidate]:
    return [*doc.once("invoice_amounts", lambda: _amount_candidates(doc)), _absent(doc, "total_tax")]


# A sentence saying why no tax is charged (a small business's exemption, a reverse-charge or export sale, an exempt
# supply), in the invoice languages the generator writes; a feature of the empty choice, which the fit weighs
NO_TAX = re.compile(
    r"reverse[\s-]*charge|steuerschuldnerschaft|§\s*19\s*UStG|kleinunternehmer|steuerfrei|non\s+applicable|"
    r"autoliquidation|exon[ée]r|verlegd|vrijgesteld|\bKOR\b|(?:vat|tax)[\s-]*exempt|exempt\s+supply|no\s+(?:sales\s+)?"
    r"(?:tax|vat)\s+charged|zero[\s-]*rated",
    re.I,
)


def _absent(doc: Doc, name: str) -> Candidate:
    """The empty choice for a field a page may not print (no tax, no net amount): what the page shows of it at all."""
    amounts = doc.once("invoice_amounts", lambda: _amount_candidates(doc))
    rule = getattr(_rules(doc)[0], name)
    f = {
        "absent": 1.0,
        "doc_tax_rows": float(sum(1 for c in amounts if c.features.get("row_tax") or c.features.get("head_tax"))),
        "doc_sub_rows": float(sum(1 for c in amounts if c.features.get("row_sub") or c.features.get("head_sub"))),
        "doc_tax_shares": float(
            sum(1 for c in amounts if c.features.get("tax_of_net") or c.features.get("tax_in_gross"))
        ),
        "doc_no_tax_note": float(any(NO_TAX.search(line.text) for line in doc.lines)),
        # a tax printed beside the net amount it is levied on, and their sum printed too: the net amount is on the page
        "doc_net_and_tax": float(any(c.features.get("tax_of_net") and c.features.get("is_addend") for c in amounts)),
        "doc_rule_none": float(rule is None),
        "doc_amount_values": float(len({c.value for c in amounts})),
    }
    return Candidate(None, [], f)
