"""The invoice vendor: names the layout rules, the page's top and foot, sender lines, payee sentences and the page's
own web domain propose; features say how each is printed and what stands around it (its own domain, a block with an
address, a phone, a registration or a bank under it, a customer label over it).

Fitted on generated invoices with the other invoice fields (model/learned/invoice.py).
"""

from __future__ import annotations

import re
from typing import Any

from model.layout.invoice import _name_like
from model.layout.invoice_labels import (
    AMOUNT_DUE,
    CUSTOMER_LABEL,
    DOC_TITLE,
    OTHER_LABEL,
    OTHER_PARTY,
    PAYEE,
    SENDER_LINE,
    TAX_ID,
    VENDOR_LABEL,
)
from model.layout.items import read_items
from model.layout.lines import Line
from model.layout.receipt import COMPANY_MARK, NOT_NAME
from model.layout.values import SUBTOTAL, TOTAL, find_amounts, find_dates
from model.learned.compare import norm_text as norm
from model.learned.core import Candidate, Doc, learned_field
from model.learned.invoice import _flag, _rules, _size, _unit
from model.types import Word


def _segments(doc: Doc) -> list[tuple[Line, Any, str]]:
    """(row, segment, how it was proposed): top-of-page segments, labelled sellers, return-address and payee names."""
    out = []
    for line in doc.lines:
        if line.page != 0:
            continue
        for seg in line.segments:
            text = seg.text.strip(" ,")
            labelled = []  # what follows a seller's label ('Sold By : X' proposes X, never the label with it)
            for pattern in (VENDOR_LABEL, PAYEE):
                match = pattern.search(seg.text)
                if match:
                    rest = seg.text[match.end() :].lstrip(" :").strip(" .")
                    if rest:
                        labelled.append((line, seg, rest))
            if (line.bbox[1] < 0.4 or line.bbox[1] > 0.85) and not labelled:
                out.append((line, seg, text))
            sender = SENDER_LINE.match(seg.text)
            if sender or seg.text.count("·") >= 2 or seg.text.count(" | ") >= 2:
                name = re.split(r"\s+[·|•–-]\s+", seg.text)[0].strip()
                out.append((line, seg, name))
            out += labelled
    return out


@learned_field("invoice", "vendor_name", "text")
def propose_vendor(doc: Doc) -> list[Candidate]:
    data, _conf = _rules(doc)
    unit = _unit(doc)
    seen: dict[str, int] = {}
    proposals = []
    for line, seg, text in _segments(doc):
        text = DOC_TITLE.sub("", text).strip(" ,:")  # 'Amazon Web Services Invoice' names the vendor, not the title
        if not text or len(text) > 80 or not _name_like(text) or COPY_MARK.fullmatch(text) or _label(seg, text):
            continue  # labels, titles, dates and amounts are never a vendor: they are not proposed
        seen[text] = seen.get(text, 0) + 1
        proposals.append((line, seg, text))
    for line, seg, text in _domain_words(doc):  # a brand whose logo is an image: its name as its domain spells it
        seen[text] = seen.get(text, 0) + 1
        proposals.append((line, seg, text))
    texts = {text for _line, _seg, text in proposals}
    all_text = " ".join(line.text for line in doc.lines)
    items = doc.once("invoice_items", lambda: read_items(doc.lines))
    described = {norm(i.description) for i in (items[0] if items else []) if i.description}
    out, done = [], set()
    # the customer block the rules found (under 'Bill to', 'Factuuradres') never names the vendor
    customer = norm(f"{data.customer_name or ''} {data.customer_address or ''}") if data.customer_name else ""
    # nor does another party's block: a tax representative's ('Représentant fiscal'), its label included
    others = {i for ln in doc.lines if OTHER_PARTY.search(ln.text) for i in range(ln.index, ln.index + 4)}
    for line, seg, text in proposals:
        if text in done or line is None or (customer and norm(text) in customer) or line.index in others:
            continue
        done.add(text)
        above = doc.lines[line.index - 1].text if line.index > 0 else ""
        words: list[Word] = [w for w in seg.words if w.text in text] or seg.words
        f = {
            "height": _size(seg.words, unit),
            "chars": float(len(text)),
            "words": float(len(text.split())),
            "digits": float(sum(ch.isdigit() for ch in text)),
            "upper_ratio": sum(ch.isupper() for ch in text) / max(1, sum(ch.isalpha() for ch in text)),
            "company_mark": _flag(COMPANY_MARK, text),
            "not_name": _flag(NOT_NAME, text),
            "other_label": _flag(OTHER_LABEL, text),
            "customer_label_above": _flag(CUSTOMER_LABEL, above),
            "name_like": float(_name_like(text)),
            "date": float(bool(find_dates(text))),
            "amount": float(bool(find_amounts(text))),
            "in_sender_line": float(text != seg.text.strip(" ,") and ("·" in seg.text or "|" in seg.text)),
            "after_label": float(
                bool(VENDOR_LABEL.search(seg.text) or PAYEE.search(seg.text)) and text not in (seg.text,)
            ),
            "occurrences": float(all_text.count(text)),
            "proposed": float(seen[text]),
            "eq_rule": float(text == data.vendor_name),
            "segments_on_row": float(len(line.segments)),
            "item_description": float(norm(text) in described),  # 'Room Charges': what was sold, not who sold it
            **_vendor_context(doc, line, seg, text),
            **_name_shape(doc, seg, text, texts),
        }
        out.append(Candidate(text, words, f))
    return out


# what is left of a title such as 'Kopie factuur', 'Copy invoice', 'Rechnung (Duplikat)': the document's state
COPY_MARK = re.compile(
    r"\W*(?:kopie|copy|copie|duplicate|duplikat|duplicata|original|proforma|pro\s*forma|tax|sales|steuer)\W*", re.I
)
WEB_NAME = re.compile(r"(?:@|\bwww\.)([a-z0-9-]{3,})\.", re.I)


def _web_names(doc: Doc) -> set[str]:
    """The names the page's web and mail addresses are made of ('velora' for www.velora.de, info@velora.de)."""
    return doc.once("web_names", lambda: {m.lower() for ln in doc.lines for m in WEB_NAME.findall(ln.text)})


def _web_keys(doc: Doc) -> set[str]:
    """_web_names as `norm` compares them, worked out once per document."""
    return doc.once("web_keys", lambda: {norm(d) for d in _web_names(doc)})


def _vendor_context(doc: Doc, line: Line, seg: Any, text: str) -> dict[str, float]:
    """What surrounds a name on any design: its own web or mail domain, a block starting with it, an address under
    it, a customer label over it, how large it is printed compared with the page."""
    domains = _web_names(doc)
    stem = re.sub(r"[^a-z0-9]", "", text.split()[0].lower()) if text.split() else ""
    lines, unit = doc.lines, _unit(doc)
    prev = lines[line.index - 1] if line.index > 0 else None
    nxt = lines[line.index + 1] if line.index + 1 < len(lines) else None
    heights = doc.once(
        "row_heights",
        lambda: sorted(
            {round(max(w.bbox[3] - w.bbox[1] for w in ln.words) / unit, 1) for ln in lines if ln.words}, reverse=True
        ),
    )
    height = round(max(w.bbox[3] - w.bbox[1] for w in seg.words) / max(unit, 1e-6), 1)
    return {
        # the name starts its own web or mail domain ('OYO' for oyorooms.com, not 'Room Charges')
        "own_domain": float(len(stem) >= 3 and any(d.startswith(stem) or stem.startswith(d) for d in domains)),
        "block_start": float(prev is None or line.bbox[1] - prev.bbox[3] > 1.5 * unit),
        "address_below": float(
            nxt is not None and bool(re.search(r"\d", nxt.text)) and nxt.bbox[1] - line.bbox[3] < 1.5 * unit
        ),
        "customer_label_near": float(
            any(CUSTOMER_LABEL.search(ln.text) for ln in lines[max(0, line.index - 3) : line.index])
        ),
        # a seller's label over this name in its column ('Émetteur', 'From:', 'Lieferant' over the block)
        "seller_label_above": float(
            prev is not None
            and line.bbox[1] - prev.bbox[3] < 1.5 * unit
            and any(
                VENDOR_LABEL.search(s.text)
                and len(s.text.split()) <= 3
                and s.bbox[0] < seg.bbox[2]
                and s.bbox[2] > seg.bbox[0]
                for s in prev.segments
            )
        ),
        "height_rank": float(next((i for i, h in enumerate(heights) if h <= height), len(heights))),
        "colon": float(":" in seg.text),
        "foot": float(line.bbox[1] > 0.85),
        **_block_below(doc, line, seg),
    }


# rows a seller's own block carries under its address: how to reach it, where it is registered, where to pay it
CONTACT_ROW = re.compile(r"@|\bwww\.|\b(?:tel|phone|fon|telefo\w*|t[ée]l[ée]phone|fax|mobile?)\b", re.I)
REGISTER_ROW = re.compile(
    r"\b(?:iban|bic|swift|bank\w*|kvk|hrb|hra|amtsgericht|registergericht|siret|siren|rcs|company\s+(?:no|number)"
    r"|registered|reg\.?\s*no|handelsregister)\b",
    re.I,
)


def _block_below(doc: Doc, line: Line, seg: Any) -> dict[str, float]:
    """The rows set under a name in its own column (left, right or centre aligned with it, no wide gap): a seller's
    block goes on with a phone, a registration, a bank; a buyer's address block mostly stops at the address."""
    lines, unit = doc.lines, _unit(doc)
    x0, _y0, x1, _y1 = seg.bbox
    rows: list[str] = []
    last = line.bbox[3]
    for nxt in lines[line.index + 1 : line.index + 9]:
        if nxt.page != line.page or nxt.bbox[1] - last > 1.8 * unit:
            break
        cells = [
            s
            for s in nxt.segments
            if abs(s.bbox[0] - x0) < 0.02 or abs(s.bbox[2] - x1) < 0.02 or abs(s.bbox[0] + s.bbox[2] - x0 - x1) < 0.04
        ]
        if not cells:
            break
        rows.append(cells[0].text)
        last = nxt.bbox[3]
    return {
        "block_rows": float(len(rows)),
        "block_contact": float(any(CONTACT_ROW.search(r) for r in rows)),
        "block_register": float(any(REGISTER_ROW.search(r) for r in rows)),
        "block_tax": float(any(TAX_ID.search(r) for r in rows)),
    }


def _label(seg: Any, text: str) -> bool:
    """A label printed for a value ('Währung:', 'Kundennr.:') or a totals label on its own ('Grand Total',
    'Zahlbetrag'): words that name a field, never the vendor."""
    if seg.text.rstrip().endswith(":") and text == seg.text.strip(" ,:"):
        return True
    if VENDOR_LABEL.fullmatch(text) or CUSTOMER_LABEL.fullmatch(text):
        return True  # a party's label over its block, colon or not ('Émetteur', 'Destinataire')
    amount = any(p.match(text) for p in (TOTAL, SUBTOTAL, AMOUNT_DUE))
    return amount and len(text.split()) <= 3 and not COMPANY_MARK.search(text)


# a sentence ends in a lower-case word and a full stop, or in '!' or '?' ('... zelf wel.'); 'Ltd.', 'S.A.' do not
SENTENCE_END = re.compile(r"(?:\b[a-zß-ÿ][a-zß-ÿ'’]+[.…]|[!?])$")
URL_PART = re.compile(r"@|www|https?:|/")


def _domain_words(doc: Doc) -> list[tuple[Line, Any, str]]:
    """Words that spell the page's own web or mail domain ('Velora' for velora.de, 'Flipkart' in 'Flipkart.com
    Customer Care'), each once: a brand printed only as an image logo is named nowhere else."""
    domains, unit = _web_keys(doc), _unit(doc)
    out, found = [], set()
    for line in doc.lines:
        if line.page != 0 or not domains:
            continue
        for seg in line.segments:
            words = [w.text for w in seg.words]
            for i in range(len(words)):
                for j in range(i + 1, min(i + 3, len(words)) + 1):
                    if any(URL_PART.search(w) for w in words[i:j]):
                        continue
                    text = re.sub(r"\.(?:com|[a-z]{2})$", "", " ".join(words[i:j]), flags=re.I).strip(" .,;:!?()'\"")
                    key = norm(text)
                    if key not in domains or key in found or text == seg.text.strip(" ,"):
                        continue
                    if max(w.bbox[3] - w.bbox[1] for w in seg.words[i:j]) >= 0.5 * unit:  # not hidden print
                        found.add(key)
                        out.append((line, seg, text))
    return out


def _name_shape(doc: Doc, seg: Any, text: str, texts: set[str]) -> dict[str, float]:
    """How a name is written, against a tagline ('Quality you can count on.'), and how it stands to the page's
    domain and the other names proposed (the brand 'Velora' a legal name 'Velora GmbH' begins with)."""
    words = text.split()
    return {
        "sentence_end": float(bool(SENTENCE_END.search(text))),
        "lower_words": sum(w[:1].islower() for w in words) / max(1, len(words)),
        "domain_word": float(norm(text) in _web_keys(doc)),
        # 'Velora' where 'Velora GmbH' is proposed too: the brand of a legal name printed elsewhere
        "starts_other": float(any(o.startswith(f"{text} ") for o in texts)),
        "extends_other": float(any(text.startswith(f"{o} ") for o in texts)),
    }
