"""Resource bombs, odd pixel formats, polyglots and hostile names, all made here; none is downloaded."""

from __future__ import annotations

import io
import struct
import zlib

import pymupdf
from drawn import make_image, make_pdf
from PIL import Image


def tiff_header_only(width: int, height: int, photometric: int = 5, samples: int = 4) -> bytes:
    """An uncompressed TIFF whose header claims width×height px (CMYK by default) followed by a few bytes of pixels."""
    entries = [
        (256, 4, 1, width),  # ImageWidth, LONG
        (257, 4, 1, height),  # ImageLength
        (258, 3, 1, 8),  # BitsPerSample (8 for every sample)
        (259, 3, 1, 1),  # Compression: none
        (262, 3, 1, photometric),  # 5: separated (CMYK)
        (273, 4, 1, 0),  # StripOffsets, patched below
        (277, 3, 1, samples),  # SamplesPerPixel
        (278, 4, 1, height),  # RowsPerStrip
        (279, 4, 1, width * height * samples),  # StripByteCounts (a lie)
    ]
    ifd_offset = 8
    pixels_offset = ifd_offset + 2 + 12 * len(entries) + 4
    ifd = struct.pack("<H", len(entries))
    for tag, kind, count, value in entries:
        value = pixels_offset if tag == 273 else value
        packed = struct.pack("<I", value) if kind == 4 else struct.pack("<HH", value, 0)
        ifd += struct.pack("<HHI", tag, kind, count) + packed
    return b"II*\x00" + struct.pack("<I", ifd_offset) + ifd + struct.pack("<I", 0) + bytes(4096)


def float_tiff(width: int = 2000, height: int = 1500) -> bytes:
    """A 32-bit float TIFF (a scientific scan) with a dark box on a light page."""
    image = Image.new("F", (width, height), 0.9)
    image.paste(0.1, (width // 4, height // 4, width // 2, height // 2))
    buffer = io.BytesIO()
    image.save(buffer, "TIFF", compression="tiff_deflate")
    return buffer.getvalue()


def pdf_image_bomb(width: int = 50_000, height: int = 50_000) -> bytes:
    """A one-page PDF drawing an image that declares width×height px but holds a few KB of compressed zeros."""
    doc = pymupdf.open()
    page = doc.new_page(width=595, height=842)
    page.insert_text((72, 100), "Invoice 4711 total 99.50", fontsize=14)
    xref = page.insert_image(pymupdf.Rect(72, 150, 300, 400), stream=make_image("PNG", (120, 90)))
    doc.update_stream(xref, zlib.compress(bytes(1_000_000), 9), compress=False)
    for key, value in (("Width", width), ("Height", height), ("BitsPerComponent", 8), ("ColorSpace", "/DeviceGray")):
        doc.xref_set_key(xref, key, str(value))
    doc.xref_set_key(xref, "Filter", "/FlateDecode")
    doc.xref_set_key(xref, "DecodeParms", "null")
    doc.xref_set_key(xref, "SMask", "null")
    return doc.tobytes()


def pdf_huge_mediabox(side: float = 14_400) -> bytes:
    """A page of side×side points (200 inches, the largest PDF allows) with a line of text."""
    doc = pymupdf.open()
    page = doc.new_page(width=side, height=side)
    page.insert_text((side * 0.1, side * 0.1), "Invoice 4711 total 99.50", fontsize=side / 40)
    return doc.tobytes()


def pdf_strip_mediabox() -> bytes:
    """A page 1 pt wide and 60000 pt tall: a strip nothing can be laid out on."""
    doc = pymupdf.open()
    doc.new_page(width=1, height=14_400)
    data = doc.tobytes()
    return data.replace(b"/MediaBox [0 0 1 14400]", b"/MediaBox [0 0 1 60000]")


def blank_frames_tiff(frames: int = 500, size: int = 16) -> bytes:
    """A multi-page TIFF of blank frames (a CPU bomb when every frame is OCR'd, twice)."""
    pages = [Image.new("L", (size, size), 255) for _ in range(frames)]
    buffer = io.BytesIO()
    pages[0].save(buffer, "TIFF", save_all=True, append_images=pages[1:], compression="tiff_deflate")
    return buffer.getvalue()


def many_frame_gif(frames: int = 1000) -> bytes:
    """An animated GIF of many frames: only the first is a page."""
    pages = [Image.new("P", (64, 48), i % 200) for i in range(frames)]
    buffer = io.BytesIO()
    pages[0].save(buffer, "GIF", save_all=True, append_images=pages[1:], duration=10)
    return buffer.getvalue()


def cmyk_jpeg() -> bytes:
    """A CMYK JPEG, as print shops export them."""
    buffer = io.BytesIO()
    Image.open(io.BytesIO(make_image("PNG"))).convert("CMYK").save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


def pdf_with_zip() -> bytes:
    """A PDF that is also a ZIP (an archive appended): read as the PDF it starts as."""
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("payload.js", "alert(1)")
    return make_pdf(1) + buffer.getvalue()


def png_with_pdf() -> bytes:
    """A PNG followed by a whole PDF: read as the PNG it starts as."""
    return make_image("PNG") + make_pdf(1)


def html_with_pdf_inside() -> bytes:
    """An HTML page that carries a PDF later in its bytes: HTML, refused (a PDF must start with %PDF)."""
    return b"<!DOCTYPE html><html><body><script>alert(1)</script>" + make_pdf(1) + b"</body></html>"


HOSTILE_NAMES = [
    "../../../etc/passwd.pdf",
    "..\\..\\windows\\system32\\x.pdf",
    "CON.pdf",
    "a\x00b.pdf",
    "line\nbreak\r.pdf",
    "\u202ecod.exe.pdf",  # right-to-left override: shows as 'fdp.exe.doc'
    "<script>alert(1)</script>.pdf",
    "x" * 400 + ".pdf",
    "",
    ".",
    "  ",
]
