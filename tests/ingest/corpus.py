"""The malformed-input corpus and its builders; every file is made here, none is downloaded."""

from __future__ import annotations

import io
import random
import struct
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field

import bombs
import pymupdf
from drawn import make_image, make_pdf, png16, png_chunk
from PIL import Image, ImageDraw

from docai.errors import ErrorCode
from docai.stages.ingest import IngestLimits, sniff
from docai.stages.rasterize import RasterizeOptions, RasterPage, rasterize


def png_bomb(width: int = 50_000, height: int = 50_000) -> bytes:
    """A tiny PNG whose header claims width×height px (an RGB decompression bomb)."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    # the rows of a real bomb would be zeros that deflate to almost nothing; a few KiB are enough here
    body = zlib.compress(b"\x00" * 100_000, 9)
    return b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", header) + png_chunk(b"IDAT", body) + png_chunk(b"IEND", b"")


def gif_bomb() -> bytes:
    """A GIF whose logical screen claims 65535×65535 px."""
    data = bytearray(make_image("GIF", (64, 64)))
    data[6:10] = struct.pack("<HH", 65535, 65535)
    return bytes(data)


def bmp_bomb() -> bytes:
    """A BMP header claiming 50000×50000 px at 24 bits, followed by almost no pixels."""
    info = struct.pack("<IiiHHIIiiII", 40, 50_000, 50_000, 1, 24, 0, 0, 2835, 2835, 0, 0)
    return b"BM" + struct.pack("<IHHI", 54 + 64, 0, 0, 54) + info + b"\x00" * 64


def tiff_with_broken_frame() -> bytes:
    """A three-page deflate TIFF whose second page's compressed strip is overwritten with junk."""
    frames = []
    for i in range(3):
        image = Image.new("RGB", (300, 200), "white")
        ImageDraw.Draw(image).text((10, 10), f"page {i + 1}", fill="black")
        frames.append(image)
    buffer = io.BytesIO()
    frames[0].save(buffer, "TIFF", save_all=True, append_images=frames[1:], compression="tiff_adobe_deflate")
    data = bytearray(buffer.getvalue())
    with Image.open(io.BytesIO(bytes(data))) as tiff:
        tiff.seek(1)
        offset, length = tiff.tag_v2[273][0], tiff.tag_v2[279][0]
    data[offset : offset + length] = b"\xff" * length
    return bytes(data)


def zero_page_pdf() -> bytes:
    """A well-formed PDF whose page tree is empty (MuPDF refuses to save one, so it is written by hand)."""
    body = b"%PDF-1.4\n"
    offsets = []
    for obj in (b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [] /Count 0 >>"):
        offsets.append(len(body))
        body += b"%d 0 obj\n%s\nendobj\n" % (len(offsets), obj)
    xref = len(body)
    body += b"xref\n0 3\n0000000000 65535 f \n" + b"".join(b"%010d 00000 n \n" % o for o in offsets)
    return body + b"trailer\n<< /Size 3 /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % xref


def encrypted_pdf(user_password: str = "secret") -> bytes:
    doc = pymupdf.open(stream=make_pdf(), filetype="pdf")
    return doc.tobytes(encryption=pymupdf.PDF_ENCRYPT_AES_256, user_pw=user_password, owner_pw="owner-secret")


def garbage_xref_pdf() -> bytes:
    """A PDF whose cross-reference table and trailer are junk; the objects themselves are intact."""
    data = make_pdf(3)
    cut = data.rfind(b"xref")
    return data[:cut] + b"xref\nTHIS IS NOT AN XREF TABLE\ntrailer\n<< >>\nstartxref\n987654\n%%EOF\n"


def docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


@dataclass(frozen=True)
class Case:
    """One input: its name, its bytes, and the error code it must end with (None: it must succeed)."""

    filename: str
    build: Callable[[], bytes]
    code: ErrorCode | None
    mentions: tuple[str, ...] = ()  # words the message must contain (case-insensitive)
    limits: IngestLimits = field(default_factory=IngestLimits)


def _random_bytes() -> bytes:
    return random.Random(7).randbytes(4096)


MALFORMED: list[Case] = [
    Case("empty.pdf", lambda: b"", ErrorCode.EMPTY_FILE, ("empty",)),
    Case(
        "page.pdf",
        lambda: b"<!DOCTYPE html><html><body>Invoice</body></html>",
        ErrorCode.UNSUPPORTED_TYPE,
        ("HTML", "not a PDF"),
    ),
    Case("bomb.png", png_bomb, ErrorCode.IMAGE_TOO_LARGE, ("megapixels",)),
    Case("bomb.gif", gif_bomb, ErrorCode.IMAGE_TOO_LARGE, ("megapixels",)),
    Case("bomb.bmp", bmp_bomb, ErrorCode.IMAGE_TOO_LARGE, ("megapixels",)),
    Case("truncated.pdf", lambda: make_pdf()[:200], ErrorCode.CORRUPT, ("damaged",)),
    Case("garbage-after-header.pdf", lambda: b"%PDF-1.7\n" + _random_bytes(), ErrorCode.CORRUPT, ("damaged",)),
    Case("locked.pdf", encrypted_pdf, ErrorCode.ENCRYPTED, ("password",)),
    Case(
        "long.pdf", lambda: make_pdf(6), ErrorCode.TOO_MANY_PAGES, ("6 pages", "limit of 5"), IngestLimits(max_pages=5)
    ),
    Case("no-pages.pdf", zero_page_pdf, ErrorCode.NO_PAGES, ("no pages",)),
    Case("scan.tif", tiff_with_broken_frame, ErrorCode.CORRUPT, ("page 2",)),
    Case("half.jpg", lambda: (d := make_image("JPEG"))[: len(d) // 2], ErrorCode.CORRUPT, ("damaged",)),
    Case("half.webp", lambda: (d := make_image("WEBP"))[: len(d) // 2], ErrorCode.CORRUPT, ("damaged",)),
    Case("half.heic", lambda: (d := make_image("HEIF"))[: len(d) // 2], ErrorCode.CORRUPT, ("damaged",)),
    Case("report.docx", docx, ErrorCode.UNSUPPORTED_TYPE, ("Word", "PDF")),
    Case(
        "notes.txt", lambda: b"Total: 12.30 EUR\nDate: 2024-01-01\n" * 20, ErrorCode.UNSUPPORTED_TYPE, ("plain-text",)
    ),
    Case(
        "logo.svg",
        lambda: b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"></svg>',
        ErrorCode.UNSUPPORTED_TYPE,
        ("SVG",),
    ),
    Case("noise.png", _random_bytes, ErrorCode.UNSUPPORTED_TYPE, ("not a PNG",)),
    Case("huge.pdf", lambda: make_pdf(1), ErrorCode.TOO_LARGE, ("MiB",), IngestLimits(max_file_bytes=500)),
    Case(
        "legacy.doc", lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504), ErrorCode.UNSUPPORTED_TYPE, ("Office",)
    ),
    # resource bombs: refused on what the headers claim, before anything is decoded
    Case("image-bomb.pdf", bombs.pdf_image_bomb, ErrorCode.IMAGE_TOO_LARGE, ("50000×50000", "page 1")),
    Case("cmyk-poster.tif", lambda: bombs.tiff_header_only(13_000, 13_000), ErrorCode.RESOURCE_LIMIT, ("MB", "CMYK")),
]

# damaged or odd files that must still succeed
RECOVERABLE: list[Case] = [
    Case("photo.jpg", lambda: make_image("PNG"), None),  # a PNG named .jpg: read by content
    Case("bad-xref.pdf", garbage_xref_pdf, None),  # MuPDF rebuilds the cross-reference table
    Case("cut-tail.pdf", lambda: (d := make_pdf(2))[: len(d) - 40], None),  # trailer lost, repaired
    Case("owner-only.pdf", lambda: encrypted_pdf(user_password=""), None),  # empty user password opens
    Case("scan16.png", lambda: png16(1200, 900), None),  # 16-bit gray, stretched to 8 bits
    Case("float.tif", bombs.float_tiff, None),  # 32-bit float samples
    Case("print.jpg", bombs.cmyk_jpeg, None),  # CMYK
    Case("animated.gif", bombs.many_frame_gif, None),  # 1000 frames: the first is the page
    Case("poster.pdf", bombs.pdf_huge_mediabox, None),  # 200 × 200 inches
    Case("strip.pdf", bombs.pdf_strip_mediabox, None),  # 1 × 60000 pt
    Case("with-zip.pdf", bombs.pdf_with_zip, None),  # polyglot: a PDF with a ZIP appended is read as the PDF
    Case("png-then-pdf.png", bombs.png_with_pdf, None),  # polyglot: read as the PNG it starts as
    Case("html-then-pdf.pdf", bombs.html_with_pdf_inside, None),  # %PDF within the first KB: a PDF, as readers do
]


def ingest_and_rasterize(data: bytes, filename: str, limits: IngestLimits = IngestLimits()) -> list[RasterPage]:
    """What the pipeline does with one upload, without OCR: sniff by content, then rasterize under the limits."""
    media_type = sniff(data, filename, limits)
    options = RasterizeOptions(max_pages=limits.max_pages, max_pixels=limits.max_pixels, ocr=None)
    return rasterize(data, media_type, options)
