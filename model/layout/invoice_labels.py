"""The words invoices label their fields with (en/de/fr/nl/es, some ms): what the invoice rules look for."""

from __future__ import annotations

import re

from model.layout.values import DUE_LABEL

INVOICE_NO = re.compile(
    r"(?:invoice|inv|bill|factuur|rechnung|facture|factura|fattura|invois|nota)\s*[-.]?\s*"
    r"(?:no\b\.?|nr\b\.?|n[°ºo]\.?|num(?:ber|mer|ero|éro)?\b\.?|#|id\b|number)|"
    r"factuurnummer|rechnungsnummer|rechnungs-?nr\.?|invoicenumber|n[°º]\s*(?:de\s*)?facture|num[ée]ro\s*de\s*facture|"
    r"n[úu]mero\s*de\s*factura|bill\s*no|^\s*(?:invoice|factuur|rechnung|facture|factura|fattura)\b",
    re.I,
)
# The number labels alone, without the bare document title ('RECHNUNG' is no label for the cell beside it).
NUMBER_LABEL = re.compile(INVOICE_NO.pattern.rsplit("|^", 1)[0], re.I)
TITLE = re.compile(r"^\s*(?:invoice|factuur|rechnung|facture|factura|fattura)\b", re.I)
INVOICE_DATE = re.compile(
    r"(?:invoice\s*date|date\s*of\s*(?:issue|invoice)|issue\s*date|bill(?:ing)?\s*date|factuur\s*datum|factuurdatum|"
    r"rechnungsdatum|date\s*de\s*(?:la\s*)?facture|date\s*d.?[ée]mission|fecha\s*(?:de\s*)?(?:factura|emisi[óo]n)|"
    r"tarikh\s*invois|invoice\s*dt"
    # not the date of another invoice a credit note or correction refers to ('Date de facture associée')
    r")(?!\s*(?:associ[ée]e|pr[ée]c[ée]dente|d.origine|originale|of\s*(?:the\s*)?original|related|referenced))",
    re.I,
)
ANY_DATE = re.compile(r"\b(?:date|datum|fecha|tarikh|data|dated|le)\b", re.I)
OTHER_DATE = re.compile(
    r"due|order|delivery|ship|period|from|to\b|until|bis|valid|vervaldatum|leverdatum|besteldatum|orderdatum|f[äa]llig|"
    r"lieferdatum|livraison|[ée]ch[ée]ance|vencimiento|start|end|birth|geboorte|limite|paiement|payment|pay\b|"
    r"pr[ée]l[èe]vement|betaal|zahlung|pago|check\s*out|expir",
    re.I,
)
TAX_ID = re.compile(  # each label starts a word: 'Austin' holds no 'ust'
    r"\b(?:steuer-?\s*n(?:r|ummer)\.?\s*[:.]?\s*|\bein\s*[:.]?\s*|vat\s*reg\.?\s*no\.?\s*[:.]?\s*|"
    r"(?:vat|btw|tva|iva|gst|ust|mwst)[\s.-]*(?:id|no|nr|number|nummer|reg(?:istration)?|n[°º])?\.?\s*[:.]?\s*|"
    r"ust-?id(?:nr)?\.?\s*[:.]?\s*|uid\s*[:.]?\s*|tax\s*id\s*[:.]?\s*|siret\s*[:.]?\s*|abn\s*[:.]?\s*|gstin\s*[:.]?\s*)",
    re.I,
)
TAX_ID_VALUE = re.compile(r"\b[A-Z]{2}\s?[0-9A-Z][0-9A-Z .]{6,14}[0-9A-Z]\b|\b\d[\d .-]{7,16}\d\b")
# A label introducing the customer, not the customer's number ('Kundennr.', 'Klantnummer', 'N° client').
CUSTOMER_LABEL = re.compile(
    r"\b(?:bill\s*to|billed\s*to|invoice\s*to|sold\s*to|customer|client|klant|kunde|factuuradres|rechnungsadresse|"
    r"rechnung\s*an|factuur\s*aan|adressee|destinataire|adresse\s*de\s*facturation|rechnungsempf[äa]nger|"
    r"acheteur|k[äa]ufer|auftraggeber|afnemer|billing\s*address|"
    r"factur[ée]\s*[àa]|facturar\s*a|cliente|buyer)\b"
    r"(?![\s.-]*(?:n[or°º]\b|nr|no\b|nummer|number|id\b|code|ref|#|contact))",
    re.I,
)
# A contact person's row under a party's label ('Buyer contact name', 'Ihr Ansprechpartner'): not the party.
CONTACT = re.compile(r"\bcontact|ansprechpartner|contactpersoon|interlocuteur", re.I)
# Labels over another party's block: a tax representative ('Représentant fiscal') or a delivery address.
OTHER_PARTY = re.compile(
    r"repr[ée]sentant\s*fiscal|tax\s*representative|fiskalvertreter|steuerlicher\s*vertreter|"
    r"fiscaal\s*vertegenwoordiger",
    re.I,
)
NUMBER_BEFORE = re.compile(r"(?:n[°º]|no\.?|nr\.?|code|r[ée]f\.?|account|id)\s*$", re.I)
# Labels that are never a party's name ('Währung:', 'Ordernummer', 'N° commande Devise').
OTHER_LABEL = re.compile(
    r"w[äa]hrung|currency|devise|valuta|ordernummer|bestellnummer|commande|referen[tc]|your\s*order|ihre\s*bestellung|"
    r"kundennummer|klantnummer|debiteur|account\s*no|customer\s*(?:no|id)|datum|date|:\s*$",
    re.I,
)
# Labels of the delivery address: never a party's name ('Billed to | Ship To' is two labels, not a name beside one).
SHIP_LABEL = re.compile(
    r"\b(?:ship(?:ped)?\s*to|deliver(?:y|ed)?\s*(?:to|address)|lieferadresse|lieferanschrift|"
    r"adresse\s*de\s*livraison|livr[ée]\s*[àa]|afleveradres|bezorgadres)\b",
    re.I,
)
# (not before a legal form: 'Lieferant GmbH' is a company's name, not a label over one)
VENDOR_LABEL = re.compile(
    r"\b(?:from\s*:|seller|sold\s*by|vendor|supplier|leverancier|verk[äa]ufer|lieferant|fournisseur|vendedor|emisor|"
    r"[ée]metteur|absender|afzender|verkoper|vendeur|rechnungssteller|auftragnehmer)\b"
    r"(?!\s+(?:gmbh|ag|kg|ohg|e\.\s?k|ltd|limited|inc|llc|plc|corp|b\.?\s?v|n\.?\s?v|s\.?a\.?s?|sarl|s\.?r\.?l|&\s*co)\b)",
    re.I,
)
# Sentences that name the issuer: who is paid, who greets the customer.
PAYEE = re.compile(
    r"payment\s*received\s*by|payable\s*to|in\s*favou?r\s*of|titulaire\s*du\s*compte|account\s*(?:holder|name)|"
    r"rekeninghouder|ten\s*name\s*van|kontoinhaber|empf[äa]nger|beneficiary|b[ée]n[ée]ficiaire|greetings\s*from|"
    r"thank\s*you\s*for\s*(?:choosing|shopping\s*(?:at|with)|your\s*(?:order|business)\s*(?:at|with))|bedankt\s*voor",
    re.I,
)
# A return-address line over the window of a letter: 'Company AG - Street 1 - 12345 City'.
SENDER_LINE = re.compile(r"^(?P<name>[^\d|•·–-]{2,60}?)\s+[-–|•·]\s+.*\d.*\s+[-–|•·,]\s+.*\d{4,5}")
DOC_TITLE = re.compile(r"\s+(?:invoice|factuur|rechnung|facture|factura|fattura|receipt|bill|quittung)\s*$", re.I)
TERMS = re.compile(
    r"payment\s*terms|terms|betalingstermijn|betalingsvoorwaarden|zahlungsbedingungen|zahlungsziel|"
    r"conditions\s*de\s*(?:paiement|r[èe]glement)|r[èe]glement\s*:|payment\s*conditions",
    re.I,
)
OTHER_ID = re.compile(
    r"booking\s*(?:id|no|number|ref)|reservation\s*(?:id|no|number)|document\s*(?:no|number|nr)|"
    r"reference\s*(?:no|number)|receipt\s*(?:no|number|#)|belegnummer|bonnummer|n[°º]\s*de\s*(?:pi[èe]ce|document)",
    re.I,
)
INVOICE_DUE = re.compile(
    rf"f[äa]lligkeitsdatum|f[äa]llig\s*am|uiterste\s*betaaldatum|[àa]\s*payer\s*avant\s*le|payable\s*avant\s*le|"
    rf"date\s*d.?[ée]ch[ée]ance|^\s*due\b\s*:?|{DUE_LABEL.pattern}",
    re.I,
)
AMOUNT_DUE = re.compile(
    r"amount\s*due|balance\s*due|total\s*due|amount\s*payable|zahlbetrag|zu\s*zahlen|offener\s*betrag|"
    r"net\s*[àa]\s*payer|reste\s*[àa]\s*payer|montant\s*d[ûu]|te\s*betalen|openstaand\s*bedrag",
    re.I,
)
DISCOUNT = re.compile(r"\b(?:discount|rabatt|remise|escompte|korting|descuento)\b", re.I)
PO = re.compile(
    r"ihre\s*bestellung|auftrags-?n(?:r|ummer)|your\s*order|uw\s*referentie|votre\s*commande|bon\s*de\s*commande|"
    r"n[°º]\s*commande|purchase\s*order|p\.?o\.?\s*(?:no|number|#)|order\s*(?:no|number|nr)|bestelnummer|ordernummer|bestellnummer|commande",
    re.I,
)
