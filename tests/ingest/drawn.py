"""The plain documents the corpus builds on: a born-digital PDF, an image in any Pillow format, a PNG chunk,
a 16-bit PNG written row by row."""

from __future__ import annotations

import io
import struct
import zlib

import pymupdf
from PIL import Image, ImageDraw


def make_pdf(pages: int = 2, text: str = "Invoice number 4711 total 99.50 EUR") -> bytes:
    """A born-digital PDF with one line of text per page."""
    doc = pymupdf.open()
    for i in range(pages):
        page = doc.new_page(width=595, height=842)
        page.insert_text((72, 100), f"{text} page {i + 1}", fontsize=14)
    return doc.tobytes()


def make_image(fmt: str, size: tuple[int, int] = (800, 600), **save: object) -> bytes:
    """An image with a little drawing in it, saved in a Pillow format."""
    image = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle((20, 20, size[0] // 2, size[1] // 3), outline="black", width=4)
    draw.text((30, 30), "Total 12.30", fill="black")
    buffer = io.BytesIO()
    if fmt == "HEIF":
        import pillow_heif

        pillow_heif.register_heif_opener()
    image.save(buffer, fmt, **save)
    return buffer.getvalue()


def png_chunk(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))


def png16(width: int, height: int) -> bytes:
    """A 16-bit grayscale PNG (a gradient), written row by row so making it costs no full-size buffer."""
    row = b"\x00" + b"".join(struct.pack(">H", x * 65535 // max(1, width - 1)) for x in range(width))
    packer = zlib.compressobj(6)
    body = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    header = struct.pack(">IIBBBBB", width, height, 16, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", header) + png_chunk(b"IDAT", body) + png_chunk(b"IEND", b"")
