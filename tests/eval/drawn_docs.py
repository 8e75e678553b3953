"""Documents the eval tests draw with pymupdf: a receipt and an invoice with text layers."""

from __future__ import annotations

Text = tuple[float, float, str, float]  # x, y (points from the top left), text, font size


def draw_pdf(texts: list[Text], width: float = 595, height: float = 842) -> bytes:
    """A one-page PDF with a text layer holding the given texts."""
    import pymupdf

    doc = pymupdf.open()
    page = doc.new_page(width=width, height=height)
    for x, y, text, size in texts:
        page.insert_text((x, y), text, fontsize=size, fontname="helv")
    data = doc.tobytes()
    doc.close()
    return data


def draw_png(texts: list[Text], width: float = 300, height: float = 500, zoom: float = 3.0) -> bytes:
    """The same drawing as a scanned image (no text layer), so words must come from OCR."""
    import pymupdf

    doc = pymupdf.open("pdf", draw_pdf(texts, width, height))
    png = doc[0].get_pixmap(matrix=pymupdf.Matrix(zoom, zoom), alpha=False).tobytes("png")
    doc.close()
    return png


RECEIPT_TEXTS: list[Text] = [
    (60, 40, "KEDAI MAJU JAYA SDN BHD", 12),
    (100, 56, "(123456-K)", 9),
    (40, 72, "NO 12, JALAN MERAH 3,", 9),
    (40, 86, "47400 PETALING JAYA", 9),
    (40, 104, "TEL: 03-77881234", 9),
    (40, 130, "DATE: 15/03/2019", 9),
    (40, 160, "NASI LEMAK", 9),
    (220, 160, "6.50", 9),
    (40, 174, "TEH TARIK", 9),
    (220, 174, "2.30", 9),
    (40, 200, "TOTAL", 10),
    (215, 200, "8.80", 10),
    (40, 216, "CASH", 9),
    (215, 216, "10.00", 9),
    (40, 230, "CHANGE", 9),
    (215, 230, "1.20", 9),
    (70, 260, "THANK YOU, PLEASE COME AGAIN", 8),
]

INVOICE_TEXTS: list[Text] = [
    (50, 60, "Nordlicht Software GmbH", 18),
    (50, 80, "Hafenstrasse 12, 20457 Hamburg", 9),
    (350, 120, "Rechnungsnummer: RE-2023-0815", 10),
    (350, 135, "Rechnungsdatum: 14.02.2023", 10),
    (350, 150, "Fällig am: 16.03.2023", 10),
    (50, 120, "Rechnung an:", 10),
    (50, 135, "Beispiel AG", 10),
    (50, 230, "Beschreibung", 10),
    (300, 230, "Menge", 10),
    (450, 230, "Betrag", 10),
    (50, 250, "Wartungsvertrag Q1", 10),
    (300, 250, "1", 10),
    (450, 250, "1.000,00 EUR", 10),
    (50, 265, "Schulung", 10),
    (300, 265, "2", 10),
    (450, 265, "250,00 EUR", 10),
    (350, 300, "Zwischensumme", 10),
    (450, 300, "1.250,00 EUR", 10),
    (350, 315, "MwSt. 19%", 10),
    (450, 315, "237,50 EUR", 10),
    (350, 330, "Gesamtbetrag", 10),
    (450, 330, "1.487,50 EUR", 10),
]
