"""Sample documents drawn on the fly, so a fresh install has something real to process."""

from __future__ import annotations

from pathlib import Path

INVOICE_LINES = [
    ("Document scanning, 1200 pages", "1200", "0.05", "60.00"),
    ("Data entry review, hours", "6", "45.00", "270.00"),
    ("Archive boxes", "4", "7.50", "30.00"),
]
RECEIPT_ITEMS = [("COFFEE LATTE", "2", "4.50"), ("CROISSANT", "1", "3.20"), ("MINERAL WATER", "1", "1.80")]


def sample_invoice_pdf() -> bytes:
    """A one-page born-digital invoice with a text layer (subtotal 360.00 + 21% VAT 75.60 = 435.60)."""
    import pymupdf

    doc = pymupdf.open()
    page = doc.new_page(width=595, height=842)  # A4 in points
    write = page.insert_text
    write((50, 60), "Northwind Document Services B.V.", fontsize=16)
    write((50, 80), "Keizersgracht 123, 1015 CJ Amsterdam, Netherlands", fontsize=9)
    write((50, 94), "VAT NL123456789B01", fontsize=9)
    write((400, 60), "INVOICE", fontsize=20)
    write((400, 90), "Invoice number: INV-2024-0042", fontsize=9)
    write((400, 104), "Invoice date: 2024-03-15", fontsize=9)
    write((400, 118), "Due date: 2024-04-14", fontsize=9)
    write((50, 150), "Bill to:", fontsize=9)
    write((50, 164), "Contoso Retail Ltd", fontsize=11)
    write((50, 178), "42 High Street, Cambridge CB2 1TN, United Kingdom", fontsize=9)
    y = 230
    for x, head in ((50, "Description"), (330, "Qty"), (400, "Unit price"), (490, "Amount")):
        write((x, y), head, fontsize=10)
    for desc, qty, price, amount in INVOICE_LINES:
        y += 20
        write((50, y), desc, fontsize=10)
        write((330, y), qty, fontsize=10)
        write((400, y), price, fontsize=10)
        write((490, y), amount, fontsize=10)
    y += 40
    for label, value in (("Subtotal", "360.00"), ("VAT 21%", "75.60"), ("Total EUR", "435.60")):
        write((400, y), label, fontsize=10)
        write((490, y), value, fontsize=10)
        y += 18
    write((50, y + 30), "Payment terms: Net 30. Please pay by bank transfer.", fontsize=9)
    data = doc.tobytes()
    doc.close()
    return data


def sample_receipt_png() -> bytes:
    """A till receipt as a photo would show it: an image with no text layer (total 14.00)."""
    import io

    from PIL import Image, ImageDraw, ImageFont

    image = Image.new("RGB", (760, 1400), "white")
    draw = ImageDraw.Draw(image)
    big, font = ImageFont.load_default(size=44), ImageFont.load_default(size=30)
    lines: list[tuple[str, str, ImageFont.FreeTypeFont]] = [
        ("CORNER BEAN CAFE", "", big),
        ("12 MARKET STREET, SPRINGFIELD", "", font),
        ("TEL 555-0142", "", font),
        ("DATE 05/01/2024  TIME 08:42", "", font),
        ("", "", font),
    ]
    lines += [(f"{name} x{qty}", f"{float(price) * int(qty):.2f}", font) for name, qty, price in RECEIPT_ITEMS]
    lines += [
        ("", "", font),
        ("SUBTOTAL", "12.50", font),
        ("TAX", "1.50", font),
        ("TOTAL", "14.00", big),
        ("PAID BY CARD", "", font),
        ("THANK YOU!", "", font),
    ]

    def words(x: float, y: float, text: str, face: ImageFont.FreeTypeFont) -> None:
        # word by word with a wide gap: the bundled font's own space is too narrow for OCR to see
        for word in text.split():
            draw.text((x, y), word, fill="black", font=face)
            x += draw.textlength(word, font=face) + face.size * 0.6

    y = 60
    for left, right, face in lines:
        words(50, y, left, face)
        if right:
            words(560, y, right, face)
        y += 70 if face is big else 56
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def write_samples(folder: Path) -> list[Path]:
    """Write the sample documents into folder (once) and return their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    samples = {"sample-invoice.pdf": sample_invoice_pdf, "sample-receipt.png": sample_receipt_png}
    paths = []
    for name, make in samples.items():
        path = folder / name
        if not path.exists():
            path.write_bytes(make())
        paths.append(path)
    return paths
