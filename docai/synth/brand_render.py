"""What a brand prints over an invoice besides its name: a tagline over the page's head, a sentence at its foot."""

from __future__ import annotations

import random

from docai.synth.content import InvoiceContent
from docai.synth.party_rows import contact_rows
from docai.synth.render import GREY, Canvas

BRAND_SENTENCES = {
    "en": ("Thank you for shopping at {brand}!", "Thanks for choosing {brand}.", "Your team at {brand}"),
    "de": (
        "Vielen Dank für Ihren Einkauf bei {brand}!",
        "Danke, dass Sie {brand} gewählt haben.",
        "Ihr Team von {brand}",
    ),
    "fr": ("Merci d'avoir choisi {brand} !", "Merci pour votre commande chez {brand}.", "L'équipe {brand}"),
    "nl": ("Bedankt voor je bestelling bij {brand}!", "Fijn dat je voor {brand} kiest.", "Het team van {brand}"),
}


def brand_sentence(cv: Canvas, c: InvoiceContent, rng: random.Random) -> None:
    """A brand whose logo is an image named in a sentence at the page foot: the name the invoice goes by."""
    if c.style["vendor_kind"] != "brand_image" or not c.brand:
        return
    text = rng.choice(BRAND_SENTENCES[c.lang])
    head = text.split("{brand}")[0]
    text = f"{text.format(brand=c.brand)}  ·  {contact_rows(c, rng)[2]}"  # its web address beside it
    rect = cv.text(297, 816, text, 8, align="center", color=GREY)
    x0 = rect[0] + cv.width(head, 8)
    cv.boxes.pop("/vendor_name", None)  # the company printed where the vendor stands is not the name (VENDOR_KINDS)
    cv.mark("/vendor_name", (x0, rect[1], x0 + cv.width(c.brand, 8), rect[3]))


def slogan(cv: Canvas, c: InvoiceContent, rng: random.Random, white: bool) -> None:
    """A tagline printed large over the page's head, where a name is expected (white on a dark banner)."""
    text = c.style.get("slogan")
    if not text:
        return
    size = min(rng.uniform(10, 14), 14 * 300 / max(cv.width(text, 14), 1.0))
    x, align = rng.choice(((50.0, "left"), (297.0, "center")))
    if c.style.get("service_line") and c.brand:  # the brand's service line stands at the right
        x, align = 50.0, "left"
    cv.text(x, 27, text, size, rng.random() < 0.5, align, color=(1, 1, 1) if white else (0.25, 0.25, 0.3))
