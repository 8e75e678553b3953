"""Guess the schema of a document from its words, for `--schema auto`."""

from __future__ import annotations

import re

from model.types import Word

# Each kind's cue words (several languages) and their weight.
CUES: dict[str, list[tuple[str, float]]] = {
    "invoice": [
        (r"\binvoice\b|\bfactuur\b|\brechnung\b|\bfacture\b|\bfactura\b|\bfattura\b|\binvois\b", 3.0),
        (r"invoice\s*(?:no|number|date|#)|factuurnummer|rechnungsnummer|rechnungsdatum|factuurdatum", 3.0),
        (r"due\s*date|vervaldatum|f[äa]llig|[ée]ch[ée]ance|vencimiento|payment\s*terms|bill\s*to|ship\s*to", 2.0),
        (r"\biban\b|\bbic\b|\bswift\b|vat\s*(?:no|number|id)|btw[\s-]*nummer|ust-?id|tva\s*intra|\bkvk\b", 1.5),
        (r"\bsubtotal\b|\bsubtotaal\b|zwischensumme|sous-total|amount\s*due|balance\s*due|purchase\s*order", 1.0),
        (r"\bqty\b|\bquantity\b|\baantal\b|\bmenge\b|unit\s*price|description|omschrijving|beschreibung", 0.5),
    ],
    "receipt": [
        (r"\breceipt\b|\bkassenbon\b|\bbon\b|\bkwitansi\b|\bresit\b|\bticket\b|\brecibo\b|\bquittung\b", 2.5),
        (
            r"\bcash\b|\bchange\b|\btunai\b|\bbaki\b|\bcashier\b|\bkasir\b|\bwisselgeld\b|\br[üu]ckgeld\b|\bpinnen\b",
            2.0,
        ),
        (r"thank\s*you|terima\s*kasih|please\s*come\s*again|bedankt|danke|merci|gracias|goods\s*sold", 1.5),
        (r"\btable\b|\bpax\b|\bcounter\b|\bpos\b|\bterminal\b|\bmember\b|\brounding\b|\btotal\s*qty\b", 1.5),
        (r"\bgst\b|\bsst\b|\bsdn\b|\bbhd\b|\brm\s*\d", 1.0),
        (r"\d{1,2}:\d{2}(?::\d{2})?", 1.0),
        (r"\btax\s*invoice\b|\bcash\s*bill\b|simplified", 2.0),
    ],
    "form": [
        (
            r"\bname\s*:|\baddress\s*:|\bsignature\b|\bdate\s*:|\bphone\s*:|\bfax\s*:|\bto\s*:|\bfrom\s*:|\bsubject\s*:",
            1.5,
        ),
        (
            r"\bplease\s*(?:print|complete|check|fill)|\bapplicant\b|\bform\b|\bcheck\s*(?:one|all)|\bapproved\s*by\b",
            2.0,
        ),
        (r"\bpages?\b|\bcc\s*:|\bre\s*:|\bmemorandum\b|\bmemo\b|\bdept\b|\bdepartment\b", 1.0),
        (r"☐|☒|□|■|\[\s?\]|\[x\]", 2.0),
    ],
}


def classify(pages_words: list[list[Word]]) -> tuple[str, float]:
    """The most likely kind (invoice, receipt or form) and a 0..1 confidence."""
    text = " ".join(w.text for words in pages_words for w in words)
    if not text.strip():
        return "form", 0.0
    lower = text.lower()
    scores: dict[str, float] = {}
    for kind, cues in CUES.items():
        score = 0.0
        for pattern, weight in cues:
            hits = len(re.findall(pattern, lower))
            score += weight * min(hits, 3) ** 0.5
        scores[kind] = score
    colons = len(re.findall(r"[^\W\d_]\s*:", text))
    amounts = len(re.findall(r"\d[.,]\d{2}\b", text))
    rows = len({(i, w.line) for i, words in enumerate(pages_words) for w in words}) or 1
    # forms are label-heavy and number-light; bills the reverse
    if amounts < 5:
        scores["form"] += 4.0 * min(1.0, colons / rows)
    # a receipt is narrow and short; an invoice a page or more
    if len(pages_words) > 1:
        scores["invoice"] += 1.0
        scores["receipt"] -= 1.0
    ranked = sorted(scores.items(), key=lambda kv: kv[1], reverse=True)
    (best, top), (_, second) = ranked[0], ranked[1]
    if top <= 0:
        return "form", 0.2
    confidence = max(0.05, min(0.99, (top - second) / (top + 1e-9) + 0.3))
    return best, round(confidence, 3)
