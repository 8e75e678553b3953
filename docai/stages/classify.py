"""Guess the schema of a document from its words and its first page's look, for `--schema auto`."""

from __future__ import annotations

import re

import numpy as np
from PIL import Image

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
    # A chart prints a title, axis ticks, a legend and where its numbers come from.
    "chart": [
        (r"\bsource\s*:|\bnote\s*:|\bquelle\s*:|\bbron\s*:|\bstatista\b|research\s*center|\bsurvey\b|respondents", 2.0),
        (r"\bshare\s*of\b|\bpercentage\s*of\b|\bin\s*(?:millions|billions|thousands)\b|\bper\s*cent\b|\bindex\b", 1.0),
        (r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)\b|\bq[1-4]\b|\b(?:19|20)\d{2}\b", 0.5),
    ],
    # A screenshot of an app or web page carries navigation, account and footer words.
    "ui_code": [
        (r"\bhome\b|\babout\s*(?:us)?\b|\bcontact\s*us\b|\bblog\b|\bfaq\b|\bmenu\b|\bnavigation\b", 1.5),
        (r"\blog\s*in\b|\blogin\b|\bsign\s*(?:in|up)\b|create\s*account|my\s*account|\bcart\b|\bcheckout\b", 2.0),
        (r"\bsubscribe\b|newsletter|follow\s*us|\bfacebook\b|\btwitter\b|\binstagram\b|\blinkedin\b|youtube", 2.0),
        (r"©|copyright|all\s*rights\s*reserved|privacy\s*policy|terms\s*(?:of|&)\s*(?:use|service)|\bcookies\b", 2.0),
        (r"read\s*more|learn\s*more|shop\s*now|get\s*started|\bsearch\b|\bclick\b|\bwebsite\b|\bdownload\b", 1.0),
        (
            r"\bpassword\b|e-?mail\s*address|\bshare\b|\btweet\b|powered\s*by|\bposted\b|\bcomments?\b|\btags\b|\bnews\b",
            1.0,
        ),
    ],
}
_NUMBER = re.compile(r"^[(\[]?[-+−]?[$€£]?\d+(?:[.,]\d+)?%?[)\]]?$")


def page_look(image: Image.Image) -> dict[str, float]:
    """How a page looks, at 256 px: share of vivid pixels and of flat, filled, non-white areas.

    Scans and born-digital business papers are ink on light paper: nearly no vivid colour and no large
    flat filled shapes. Charts draw their values as filled bars, areas and coloured lines; app and web
    screenshots are laid out in coloured or dark blocks (headers, buttons, pictures).
    """
    small = image.convert("RGB")
    small.thumbnail((256, 256))
    hsv = np.asarray(small.convert("HSV"), dtype=np.float32) / 255.0
    rgb = np.asarray(small, dtype=np.float32)
    vivid = float(((hsv[..., 1] > 0.35) & (hsv[..., 2] > 0.25)).mean())
    h, w = rgb.shape[0] // 4 * 4, rgb.shape[1] // 4 * 4
    blocks = rgb[:h, :w].reshape(h // 4, 4, w // 4, 4, 3)
    flat = blocks.std(axis=(1, 3)).max(axis=-1) < 4
    filled = blocks.mean(axis=(1, 3)).max(axis=-1) < 215
    return {"vivid": vivid, "filled": float((flat & filled).mean()), "aspect": image.width / max(1, image.height)}


def classify(pages_words: list[list[Word]], images: list[Image.Image] | None = None) -> tuple[str, float]:
    """The most likely kind (invoice, receipt, form, chart or ui_code) and a 0..1 confidence."""
    words = [w.text for page in pages_words for w in page]
    text = " ".join(words)
    look = page_look(images[0]) if images else None
    if not text.strip():
        if look and (look["vivid"] > 0.02 or look["filled"] > 0.05):
            return "chart", 0.2  # a picture without words: at least not a form to fill in
        return "form", 0.0
    lower = text.lower()
    scores: dict[str, float] = {}
    for kind, cues in CUES.items():
        score = 0.0
        for pattern, weight in cues:
            hits = len(re.findall(pattern, lower))
            score += weight * min(hits, 3) ** 0.5
        scores[kind] = score
    colourful = min(1.0, look["vivid"] / 0.05) + min(1.0, look["filled"] / 0.10) if look else 0.0
    landscape = bool(look and look["aspect"] > 1.05)
    colons = len(re.findall(r"[^\W\d_]\s*:", text))
    amounts = len(re.findall(r"\d[.,]\d{2}\b", text))
    rows = len({(i, w.line) for i, page in enumerate(pages_words) for w in page}) or 1
    numbers = sum(bool(_NUMBER.match(w)) for w in words) / len(words)
    # forms are label-heavy and number-light; bills the reverse
    if amounts < 5:
        scores["form"] += 4.0 * min(1.0, colons / rows)
    # a receipt is narrow and short; an invoice a page or more
    if len(pages_words) > 1:
        scores["invoice"] += 1.0
        scores["receipt"] -= 1.0
        scores["chart"] -= 2.0
    if max(scores.values()) <= 0 and not landscape and colourful < 0.5:
        return "form", 0.2  # no cue at all on plain paper
    # Charts and screens are pictures: what their words suggest counts fully only on a page that looks like
    # one (vivid colour, filled shapes, a landscape screen); on plain paper, tables of figures are forms.
    picture = max(min(1.0, colourful), 0.5 if landscape else 0.0)
    scores["chart"] *= 0.5 + 0.5 * picture
    scores["ui_code"] *= 0.5 + 0.5 * picture
    # a chart is short on words and long on bare numbers (ticks, labels, percentages)
    if len(words) < 300:
        scores["chart"] += 4.0 * picture * min(1.0, numbers / 0.5) * (1.0 - amounts / max(8, len(words)))
    if look:
        scores["chart"] += 2.0 * colourful
        scores["ui_code"] += 1.5 * colourful + (1.0 if landscape else 0.0)  # a screen, not a sheet
        if look["aspect"] > 1.0:  # a receipt is a narrow strip, never a landscape page
            scores["receipt"] -= 1.0
        paper = 1.0 - min(1.0, colourful)
        for kind in ("invoice", "receipt", "form"):
            scores[kind] += 1.0 * paper
    ranked = sorted(scores.items(), key=lambda kv: kv[1], reverse=True)
    (best, top), (_, second) = ranked[0], ranked[1]
    if top <= 0:
        return "form", 0.2
    confidence = max(0.05, min(0.99, (top - second) / (top + 1e-9) + 0.3))
    return best, round(confidence, 3)
