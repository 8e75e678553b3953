"""Builders for rasterize tests: PDFs drawn with pymupdf, images drawn with Pillow."""

from __future__ import annotations

import io
from collections.abc import Callable

import numpy as np
import pymupdf
import pytest
from PIL import Image, ImageDraw, ImageFont


def _pdf(
    lines: list[str] | None = None,
    size: tuple[float, float] = (595, 842),
    rotate: int = 0,
    pages: int = 1,
    cropbox: tuple[float, float, float, float] | None = None,
) -> bytes:
    """A PDF whose pages carry the given lines of text at 72 pt from the left, from 100 pt down, 30 pt apart."""
    doc = pymupdf.open()
    for _ in range(pages):
        page = doc.new_page(width=size[0], height=size[1])
        for i, line in enumerate(lines or []):
            page.insert_text((72, 100 + 30 * i), line, fontsize=16)
        if cropbox:
            page.set_cropbox(pymupdf.Rect(cropbox))
        if rotate:
            page.set_rotation(rotate)
    return doc.tobytes()


def _text_image(
    text: str = "TOTAL 42.50", size: tuple[int, int] = (1400, 500), at: tuple[int, int] = (80, 180)
) -> Image.Image:
    """Black print on white, big enough for any OCR engine."""
    image = Image.new("RGB", size, "white")
    ImageDraw.Draw(image).text(at, text, fill="black", font=ImageFont.load_default(size=90))
    return image


def _scanned_pdf(image: Image.Image) -> bytes:
    """An image-only PDF page (no text layer), as a scanner makes it."""
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    doc = pymupdf.open()
    width_pt, height_pt = image.width * 72 / 200, image.height * 72 / 200  # a 200 dpi scan
    page = doc.new_page(width=width_pt, height=height_pt)
    page.insert_image(page.rect, stream=buffer.getvalue())
    return doc.tobytes()


def _encode(image: Image.Image, fmt: str, **save: object) -> bytes:
    if fmt == "HEIF":
        import pillow_heif

        pillow_heif.register_heif_opener()
    buffer = io.BytesIO()
    image.save(buffer, fmt, **save)
    return buffer.getvalue()


def _ink_in_box(png_image: Image.Image, bbox: tuple[float, float, float, float]) -> float:
    """Share of dark pixels inside a normalised box of the image."""
    gray = np.asarray(png_image.convert("L"))
    h, w = gray.shape
    x0, y0, x1, y1 = int(bbox[0] * w), int(bbox[1] * h), int(np.ceil(bbox[2] * w)), int(np.ceil(bbox[3] * h))
    region = gray[y0 : max(y1, y0 + 1), x0 : max(x1, x0 + 1)]
    return float((region < 128).mean())


@pytest.fixture
def make_pdf() -> Callable[..., bytes]:
    return _pdf


@pytest.fixture
def text_image() -> Callable[..., Image.Image]:
    return _text_image


@pytest.fixture
def scanned_pdf() -> Callable[[Image.Image], bytes]:
    return _scanned_pdf


@pytest.fixture
def encode() -> Callable[..., bytes]:
    return _encode


@pytest.fixture
def ink_in_box() -> Callable[..., float]:
    return _ink_in_box
