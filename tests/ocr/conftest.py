"""Fixtures for the OCR and classification tests: a page image drawn by pymupdf."""

from __future__ import annotations

import io

import pytest
from PIL import Image


@pytest.fixture(scope="module")
def printed_page() -> Image.Image:
    """A scanned-looking page (no text layer) with a few lines of print."""
    import pymupdf

    doc = pymupdf.open()
    page = doc.new_page(width=300, height=160)
    page.insert_text((20, 40), "INVOICE 2024-17", fontsize=16, fontname="helv")
    page.insert_text((20, 80), "Total due 1,234.50", fontsize=14, fontname="helv")
    page.insert_text((20, 120), "Thank you", fontsize=14, fontname="helv")
    png = page.get_pixmap(matrix=pymupdf.Matrix(3, 3), alpha=False).tobytes("png")
    return Image.open(io.BytesIO(png)).convert("RGB")
