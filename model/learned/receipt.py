"""Receipt candidates: the layout rules propose names, addresses, dates and amounts; features say what they saw."""

from __future__ import annotations

import math
import re
from decimal import Decimal
from statistics import median

from model.layout.common import _role, find_totals, first_date, labelled_date
from model.layout.lines import Line
from model.layout.receipt import (
    ADDRESS_LIKE,
    ADDRESS_STOP,
    COMPANY_MARK,
    LEGAL_FORM,
    NOT_NAME,
    OWNER,
    PHONE_IN_ADDRESS,
    REG_LINE,
    REG_NUMBER,
    _address,
    _clean_name,
    _merchant,
    _name_like,
    _reopen,
    _respelled,
)
from model.layout.values import (
    CASH,
    CHANGE,
    DATE_LABEL,
    DUE_LABEL,
    ROUNDED_TOTAL,
    SUBTOTAL,
    TAX,
    TOTAL,
    find_amounts,
    find_dates,
    find_time,
)
from model.learned.compare import norm_text, text_similarity
from model.learned.core import Candidate, Doc, learned_field
from model.learned.memory import Vendor
from model.learned.receipt_text import (
    NUMBER_START,
    STATE,
    _flag,
    address_piece,
    address_row,
    bare_name,
    continuation,
    respelled_digits,
)
from model.learned.spelling import with_corrections
from model.types import Word

ROLES = ("subtotal", "net", "tax", "base", "strong", "change", "cash", "total")
ROUNDING = re.compile(r"round|adj", re.I)
CENTS5 = Decimal("0.05")


def receipt_lines(doc: Doc) -> list[Line]:
    """The rows with unsure header words respelled, as the receipt rules read them."""
    return doc.once("receipt_lines", lambda: _respelled(doc.lines))


def _rules(doc: Doc) -> dict:
    def compute() -> dict:
        lines = receipt_lines(doc)
        name_index, name = _merchant(lines)
        return {
            "name_index": name_index,
            "name": name,
            "address": _address(lines, name_index),
            "totals": find_totals(lines),
            "date": labelled_date(lines, DATE_LABEL) or first_date(lines),
        }

    return doc.once("receipt_rules", compute)


def _median_height(doc: Doc) -> float:
    def compute() -> float:
        heights = [w.bbox[3] - w.bbox[1] for line in doc.lines for w in line.words]
        return median(heights) if heights else 0.01

    return doc.once("median_height", compute)


def _word_stats(words: list[Word], unit: float) -> dict[str, float]:
    if not words:
        return {"height": 0.0, "conf_mean": 0.0, "conf_min": 0.0}
    return {
        "height": max(w.bbox[3] - w.bbox[1] for w in words) / max(unit, 1e-6),
        "conf_mean": sum(w.confidence for w in words) / len(words),
        "conf_min": min(w.confidence for w in words),
    }


def _text_shape(text: str) -> dict[str, float]:
    letters = sum(c.isalpha() for c in text)
    return {
        "chars": len(text),
        "letters": letters,
        "digit_ratio": sum(c.isdigit() for c in text) / max(1, len(text)),
        "upper_ratio": sum(c.isupper() for c in text) / max(1, letters),
        "words": len(text.split()),
        "commas": text.count(","),
    }


# ---------------------------------------------------------------- vendor memory

# The approved address is proposed where the page prints something at least this close (OCR slips, a glued word);
# a chain's branch printing its own address stays below it. Exact train CV (memory of the other receipts): address
# 0.636 without the proposal, 0.682 from 0.8, 0.686 from 0.9; 0.8 keeps approvals that spell a line twice.
# (Scored softly, as the CV once did, the proposal looked worse: a reading one slip off counted as right.)
REMEMBERED_ADDRESS_FROM = 0.8
# The approved name is proposed where the page prints something close to it (an OCR slip): proposed wherever the
# header merely resembles a remembered merchant, it named 'HON HWA HARDWARE TRADING' after 'YONG TAT HARDWARE ...'.
REMEMBERED_NAME_FROM = 0.85


def _vendor(doc: Doc) -> tuple[Vendor, float, int] | None:
    memory = doc.memo.get("vendor_memory")
    if memory is None:
        return None
    return doc.once("vendor_match", lambda: memory.match([line.text for line in _header(doc, 12)]))


def _remembered(
    doc: Doc, candidates: list[Candidate], attr: str, propose_from: float = 0.0, max_unprinted: float = 1.0
) -> list[Candidate]:
    """Features saying how close each candidate is to what was approved for this merchant, and the approved value
    itself as a candidate (its features those of the closest reading on the page) where the page is close to it and
    prints at most max_unprinted of its words nowhere."""
    match = _vendor(doc)
    value = getattr(match[0], attr) if match else None
    for c in candidates:
        c.features["memory_match"] = match[1] if match else 0.0
        c.features["memory_sim"] = text_similarity(c.value, value) if value else 0.0
        c.features["memory_value"] = float(bool(value) and norm_text(c.value) == norm_text(value))
    page_sim = max((c.features["memory_sim"] for c in candidates), default=0.0)
    for c in candidates:
        c.features["memory_page_sim"] = (
            page_sim  # how well the page prints what was approved (a chain's branch may not)
        )
    proposed = page_sim >= propose_from and (max_unprinted >= 1.0 or _unprinted(doc, value or "") <= max_unprinted)
    if value and candidates and proposed and not any(c.features["memory_value"] for c in candidates):
        closest = max(candidates, key=lambda c: c.features["memory_sim"])
        candidates.append(Candidate(value, closest.words, {**closest.features, "memory_sim": 1.0, "memory_value": 1.0}))
    return candidates


# an approved address is proposed only where the page prints nearly all of its words (a chain's other branch does
# not); names are not held to it: a merchant's name is printed in many forms ('SDN BHD', 'S/B') and train CV fell
# 0.806 -> 0.783 when they were
ADDRESS_UNPRINTED_MAX = 0.15


def _unprinted(doc: Doc, value: str) -> float:
    """The share of the approved value's words the page prints nowhere, not even misread or glued to the next word:
    OCR slips leave every word close to one on the page, another branch of a chain prints other words ('1320-TMN
    BATU' where 'TRILLIUM S6 BESI' was approved)."""
    from rapidfuzz.fuzz import ratio

    words = [w for w in re.findall(r"[A-Z0-9]+", value.upper()) if len(w) >= 3]
    if not words:
        return 0.0
    page = doc.once("page_tokens", lambda: re.findall(r"[A-Z0-9]+", " ".join(ln.text for ln in doc.lines).upper()))
    glued = doc.once("page_glued", lambda: "".join(page))
    missing = sum(1 for w in words if w not in glued and not any(ratio(w, t) >= 75 for t in page))
    return missing / len(words)


# ---------------------------------------------------------------- total


def _amount_cells(lines: list[Line]) -> list[tuple[Decimal, int, int, str, list[Word], float]]:
    """Every amount on the document: (value, row, segment, label left of it on the row, words, right edge)."""
    cells = []
    for i, line in enumerate(lines):
        left: list[str] = []
        for j, seg in enumerate(line.segments):
            for value, start, _end in find_amounts(seg.text):
                cells.append((value, i, j, " ".join([*left, seg.text[:start]]).strip(), seg.words, seg.bbox[2]))
            left.append(seg.text)
    return cells


@learned_field("receipt", "total", "amount")
def propose_total(doc: Doc) -> list[Candidate]:
    lines = receipt_lines(doc)
    cells = _amount_cells(lines)
    if not cells:
        return []
    rules = _rules(doc)
    unit = _median_height(doc)
    n = len(lines)
    values = sorted({c[0] for c in cells}, reverse=True)
    roles = [_role(label) if re.search(r"[A-Za-z]", label) else None for _, _, _, label, _, _ in cells]
    by_role: dict[str, set[Decimal]] = {}
    for cell, role in zip(cells, roles, strict=True):
        if role:
            by_role.setdefault(role, set()).add(cell[0])
    labelled_total = by_role.get("total", set()) | by_role.get("strong", set()) | by_role.get("net", set())
    paid = {c - ch for c in by_role.get("cash", set()) for ch in by_role.get("change", set())}
    sums = {
        s + t for s in by_role.get("subtotal", set()) | by_role.get("net", set()) for t in by_role.get("tax", set())
    }
    rule_total = rules["totals"].total.value if rules["totals"].total else None
    total_rows = [c[1] for c, r in zip(cells, roles, strict=True) if r in ("total", "strong", "net")]
    last_total_row = max(total_rows) if total_rows else -1
    has_rounding_row = any(ROUNDING.search(line.text) for line in lines)
    counts: dict[Decimal, int] = {}
    for c in cells:
        counts[c[0]] = counts.get(c[0], 0) + 1
    out = []
    for (value, i, _j, label, words, right), role in zip(cells, roles, strict=True):
        line = lines[i]
        prev_role = _role(lines[i - 1].text) if i > 0 and role is None else None
        near = [v for v in values if v != value and abs(v - value) <= Decimal("0.04")]
        is5 = value % CENTS5 == 0
        f = {
            "log_value": math.log1p(float(abs(value))),
            "is_max": float(value == values[0]),
            "rank_desc": float(values.index(value)),
            "n_occ": float(counts[value]),
            "cents5": float(is5),
            "cents_zero": float(value % Decimal("0.10") == 0),
            "rounded_partner": float(is5 and any(v % CENTS5 != 0 for v in near)),
            "prerounded_partner": float(not is5 and any(v % CENTS5 == 0 for v in near)),
            "partner_total_labelled": float(any(v in labelled_total for v in near)),
            "eq_labelled_max": float(bool(labelled_total) and value == max(labelled_total)),
            "eq_paid": float(value in paid),
            "eq_sum": float(value in sums),
            "eq_rule": float(value == rule_total),
            "rows_from_end": float(n - i),
            "row_rel": i / max(1, n),
            "y": line.bbox[1],
            "right": right,
            "amounts_on_row": float(sum(1 for c in cells if c[1] == i)),
            "after_last_total": float(i > last_total_row >= 0),
            "has_rounding_row": float(has_rounding_row),
            "row_rounding": _flag(ROUNDING, line.text),
            "row_total": _flag(TOTAL, line.text),
            "row_rounded_total": _flag(ROUNDED_TOTAL, line.text),
            "row_sub": _flag(SUBTOTAL, line.text),
            "row_tax": _flag(TAX, line.text),
            "row_cash": _flag(CASH, line.text),
            "row_change": _flag(CHANGE, line.text),
            "row_pct": float("%" in line.text),
            "row_qty": float(bool(re.search(r"qty|\bx\s*\d|\d\s*x\b|@", line.text, re.I))),
            "label_letters": float(sum(ch.isalpha() for ch in label)),
            "height": _word_stats(words, unit)["height"],
        }
        for r in ROLES:
            f[f"role_{r}"] = float(role == r)
            f[f"prev_role_{r}"] = float(prev_role == r)
        out.append(Candidate(value, words, f))
    return out


# ---------------------------------------------------------------- date


@learned_field("receipt", "transaction_date", "date")
def propose_date(doc: Doc) -> list[Candidate]:
    lines = receipt_lines(doc)
    rule = _rules(doc)["date"]
    found = []
    for i, line in enumerate(lines):
        seen = set()
        for seg in line.segments:
            for day, start, _ in find_dates(seg.text):
                found.append((day, i, seg.text, seg.words, seg.text[:start]))
                seen.add(day)
        for day, start, _ in find_dates(line.text):  # a date split over two segments
            if day not in seen:
                found.append((day, i, line.text, line.words, line.text[:start]))
    if not found:
        return []
    n = len(lines)
    counts: dict = {}
    for f in found:
        counts[f[0]] = counts.get(f[0], 0) + 1
    out = []
    for k, (day, i, text, words, before) in enumerate(found):
        line = lines[i]
        prev = lines[i - 1].text if i > 0 else ""
        f = {
            "order": float(k),
            "n_dates": float(len(found)),
            "n_occ": float(counts[day]),
            "row": float(i),
            "row_rel": i / max(1, n),
            "y": line.bbox[1],
            "label_before": _flag(DATE_LABEL, before),
            "label_row": _flag(DATE_LABEL, line.text),
            "label_prev": _flag(DATE_LABEL, prev),
            "due_row": _flag(DUE_LABEL, line.text),
            "expiry_row": float(bool(re.search(r"exp|valid|until|warranty|return", line.text, re.I))),
            "time_row": float(find_time(line.text) is not None),
            "named_month": float(bool(re.search(r"[A-Za-z]{3}", text))),
            "eq_rule": float(rule is not None and rule.value == day),
            "conf_mean": _word_stats(words, 1.0)["conf_mean"],
            "day_le_12": float(day.day <= 12),
        }
        out.append(Candidate(day, words, f))
    return out


# ---------------------------------------------------------------- merchant name


def _header(doc: Doc, limit: int) -> list[Line]:
    return [line for line in receipt_lines(doc) if line.page == 0][:limit]


@learned_field("receipt", "merchant_name", "text")
def propose_name(doc: Doc) -> list[Candidate]:
    header = _header(doc, 12)
    rules = _rules(doc)
    rule_name = rules["name"].value if rules["name"] else ""
    unit = _median_height(doc)
    first_like = next((i for i, ln in enumerate(header) if _name_like(_clean_name(ln.text))), -1)
    tallest = max((_word_stats(ln.words, unit)["height"] for ln in header), default=0.0)
    by_text: dict[str, Candidate] = {}

    rows: dict[tuple[int, int], dict[str, float]] = {}  # what the rows around a name say, once per (row, span)

    def around(i: int, span: int) -> dict[str, float]:
        line = header[i]
        below = header[i + span].text.strip() if i + span < len(header) else ""
        return {
            "row": float(i),
            "y": line.bbox[1],
            "span": float(span),
            "first_name_like": float(i == first_like),
            "reg_on_row": float(bool(REG_NUMBER.search(line.text)) and bool(re.search(r"\d{5,}", line.text))),
            "reg_below": float(bool(REG_LINE.match(below))),
            "prev_name_like": float(
                i > 0 and _name_like(header[i - 1].text) and not LEGAL_FORM.search(header[i - 1].text)
            ),
            "next_name_like": float(_name_like(below) and not ADDRESS_LIKE.search(below)),
            "below_address": _flag(ADDRESS_LIKE, below) + _flag(STATE, below),
            # whether the rows above and below read as the same name set over two rows: as tall, and close
            **continuation(header, i, "prev", -1),
            **continuation(header, i + span - 1, "next", 1),
        }

    def add(name: str, words: list[Word], i: int, span: int, variant: float) -> None:
        name = _reopen(name)
        key = norm_text(name)
        old = by_text.get(key)
        if len(key) < 2 or old is not None and old.features["row"] <= i:
            return  # the same reading from this row or one above it is kept
        line = header[i]
        if (i, span) not in rows:
            rows[i, span] = around(i, span)
        f = {
            **rows[i, span],
            "variant": variant,
            "legal_form": _flag(LEGAL_FORM, name),
            "company_mark": _flag(COMPANY_MARK, name),
            "not_name": _flag(NOT_NAME, name),
            "address_like": _flag(ADDRESS_LIKE, name),
            "address_stop": _flag(ADDRESS_STOP, name),
            "phone": _flag(PHONE_IN_ADDRESS, name),
            "date": float(bool(find_dates(name))),
            "name_like": float(_name_like(name)),
            "owner": float(bool(OWNER.search(name)) or i > 0 and bool(OWNER.search(header[i - 1].text))),
            "centre": abs((line.bbox[0] + line.bbox[2]) / 2 - 0.5),
            "width": line.bbox[2] - line.bbox[0],
            "eq_rule": float(key == norm_text(rule_name)),
            "sim_rule": text_similarity(name, rule_name),
            "height_vs_top": _word_stats(words, unit)["height"] / tallest if tallest else 0.0,
            **_text_shape(name),
            **_word_stats(words, unit),
        }
        by_text[key] = Candidate(name, words, f)

    for i, line in enumerate(header):
        sure = [w for w in line.words if w.confidence >= 0.7]
        for variant, words in ((0.0, line.words), (1.0, sure)):
            if not words:
                continue
            text = _clean_name(" ".join(w.text for w in words))
            add(text, words, i, 1, variant)
            bare = bare_name(text)
            if bare != text:
                add(bare, words, i, 1, variant + 3.0)
            if i + 1 < len(header):
                nxt = header[i + 1]
                both = _clean_name(f"{text} {nxt.text}")
                add(both, words + nxt.words, i, 2, variant)
                if bare_name(both) != both:
                    add(bare_name(both), words + nxt.words, i, 2, variant + 3.0)
    if rules["name"] is not None and norm_text(rule_name) not in by_text:
        i = max(0, min(rules["name_index"], len(header) - 1))
        if header:
            add(rule_name, rules["name"].words, i, 1, 2.0)
    return _remembered(doc, with_corrections(doc, respelled_digits(by_text)), "name", propose_from=REMEMBERED_NAME_FROM)


# ---------------------------------------------------------------- merchant address


@learned_field("receipt", "merchant_address", "text")
def propose_address(doc: Doc) -> list[Candidate]:
    header = _header(doc, 16)
    if not header:
        return []
    rules = _rules(doc)
    name_index = rules["name_index"]
    rule_address = rules["address"].value if rules["address"] else ""
    unit = _median_height(doc)
    texts = [line.text for line in header]
    pieces = [address_piece(text) for text in texts]
    rows = [address_row(text) for text in texts]  # what each row says, read once, not once per span through it
    none = address_row("")
    out: dict[str, Candidate] = {}
    for s in range(len(header)):
        if not pieces[s][0]:
            continue
        parts: list[str] = []
        words: list[Word] = []
        for e in range(s, min(len(header), s + 6)):
            piece, cut = pieces[e]
            if not piece:
                break
            parts.append(piece)
            words += header[e].words
            text = " ".join(parts)
            key = norm_text(text)
            if len(key) < 6 or key in out:
                if cut:
                    break
                continue
            span = header[s : e + 1]
            gaps = [(b.bbox[1] - a.bbox[3]) / max(a.height, 1e-6) for a, b in zip(span, span[1:], strict=False)]
            after, before = rows[e + 1] if e + 1 < len(header) else none, rows[s - 1] if s > 0 else none
            f = {
                "start": float(s),
                "length": float(e - s + 1),
                "from_name": float(s - name_index),
                "y": header[s].bbox[1],
                "postcode": float(bool(re.search(r"(?<!\d)\d{5}(?!\d)", text))),
                "postcode_last": float(bool(re.search(r"(?<!\d)\d{5}(?!\d)", piece))),
                "words_after_postcode": float(
                    len(re.split(r"(?<!\d)\d{5}(?!\d)", piece)[-1].split()) if re.search(r"\d{5}", piece) else -1
                ),
                "state": _flag(STATE, text),
                "state_last": _flag(STATE, piece),
                "state_next": after["state"],
                "state_end": float(bool(re.search(STATE.pattern + r"[\W_]*$", text, re.I))),
                "last_cut": float(cut),
                "any_cut": float(any(pieces[k][1] for k in range(s, e + 1))),
                "next_stop": after["stop"],
                "next_address_like": after["address_like"],
                "next_reg": after["reg_or_tax"],
                "next_date": after["date"],
                "prev_legal": before["legal"],
                "prev_reg": before["reg_or_number"],
                "prev_is_name": float(s - 1 == name_index),
                # the row above could have opened this address ('LOT 37636, JALAN 6/37A' above 'TAMAN ...')
                "prev_address_like": before["address_like"],
                "prev_piece": float(s > 0 and bool(pieces[s - 1][0]) and not pieces[s - 1][1]),
                "prev_number_start": before["number_start"],
                "number_start": float(bool(NUMBER_START.match(text))),
                "first_legal": _flag(LEGAL_FORM, parts[0]),
                "first_company": _flag(COMPANY_MARK, parts[0]),
                "first_address_like": _flag(ADDRESS_LIKE, parts[0]),
                "first_name_like": float(_name_like(parts[0])),
                "n_address_like": float(sum(1 for p in parts if ADDRESS_LIKE.search(p))),
                "has_reg": float(any(rows[k]["reg"] for k in range(s, e + 1))),
                "has_date": float(bool(find_dates(text))),
                "has_amount": float(bool(find_amounts(text))),
                "not_name": _flag(NOT_NAME, text),
                "gap_max": max(gaps, default=0.0),
                "eq_rule": float(key == norm_text(rule_address)),
                "sim_rule": text_similarity(text, rule_address),
                **_text_shape(text),
                **_word_stats(words, unit),
            }
            out[key] = Candidate(text, list(words), f)
            if cut:
                break
    return _remembered(
        doc, with_corrections(doc, list(out.values())), "address", REMEMBERED_ADDRESS_FROM, ADDRESS_UNPRINTED_MAX
    )
