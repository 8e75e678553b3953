"""The rows a party's block prints besides its name and address: the vendor's contact rows, and what may stand
under a seller's or a buyer's address (phone, registration, tax number, bank)."""

from __future__ import annotations

import random
import re

from docai.synth.content import InvoiceContent

TLD = {"en": ".com", "de": ".de", "fr": ".fr", "nl": ".nl"}


def contact_rows(c: InvoiceContent, rng: random.Random) -> list[str]:
    """Phone, e-mail and web address of the vendor: a brand as its domain, else its name's first word, another word
    (a group's, a host's) or no domain at all (style 'web')."""
    stem = re.sub(r"[^a-z0-9]", "", (c.brand or c.vendor.name.split()[0]).lower()) or "firma"
    phone = f"+{rng.choice((44, 49, 33, 31))} {rng.randint(20, 999)} {rng.randint(100000, 9999999)}"
    web = c.style.get("web", "name")
    if web == "none":
        return [f"{c.label('phone')} {phone}", f"Fax {phone[:-2]}{rng.randint(10, 99)}", f"{c.label('phone')} {phone}"]
    stem = c.style["web_other"] if web == "other" else stem
    return [f"{c.label('phone')} {phone}", f"info@{stem}{TLD[c.lang]}", f"www.{stem}{TLD[c.lang]}"]


COUNTRY = {"en": "GB", "de": "DE", "fr": "FR", "nl": "NL"}
# a company's registration as its own block prints it, by language ({n}: digits)
REGISTRATION = {
    "en": ("Company No. {n}", "Registered in England No. {n}", "Reg. No. {n}"),
    "de": ("Amtsgericht München HRB {n}", "HRB {n}", "Registergericht Berlin HRB {n}"),
    "fr": ("SIRET {n} 00012", "RCS Paris B {n}", "SIREN {n}"),
    "nl": ("KvK {n}", "KvK-nummer {n}", "KvK Amsterdam {n}"),
}


def block_rows(c: InvoiceContent, rng: random.Random, who: str) -> list[str]:
    """The rows a party's block may carry under its address. A seller's: phone, mail, web, its registration, tax
    number and bank (half of the blocks, 1 to 3 of them); a buyer's, now and then: its own tax number or phone. So
    such rows under a name tell a seller only as much as they do on real invoices."""
    if who == "customer":
        if rng.random() > 0.2:
            return []
        tax = f"{c.label('tax_id')}: {COUNTRY[c.lang]}{rng.randint(100000000, 999999999)}"
        return [rng.choice((tax, f"{c.label('phone')} +{rng.randint(30, 49)} {rng.randint(100000, 9999999)}"))]
    if rng.random() > 0.5:
        return []
    contact = contact_rows(c, rng)
    options = [
        contact[0],
        contact[1],
        contact[2],
        rng.choice(REGISTRATION[c.lang]).format(n=rng.randint(10000, 99999999)),
        f"{c.label('tax_id')}: {c.vendor.tax_id}",
        f"IBAN {COUNTRY[c.lang]}{rng.randint(10, 99)} {rng.randint(1000, 9999)} {rng.randint(1000, 9999)} "
        f"{rng.randint(1000, 9999)}",
    ]
    return rng.sample(options, rng.randint(1, 3))
