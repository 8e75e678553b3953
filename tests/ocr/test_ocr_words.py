"""Words with boxes from page images, by RapidOCR and by Tesseract, and the look-alike character fixes."""

from __future__ import annotations

import shutil

import pytest
from PIL import Image

from docai.errors import DocaiError
from model.ocr import OcrOptions, _mean_score, clean_text, recognize


@pytest.mark.parametrize(
    ("raw", "fixed"),
    [
        ("8110O JOHOR", "81100 JOHOR"),
        ("2O18", "2018"),
        ("L0T 5", "LOT 5"),
        ("10 0CT 2017", "10 OCT 2017"),
        ("Ja1an Peta1ing", "Jalan Petaling"),
        ("AEON Ma11", "AEON Mall"),
        ("&1200 Johor", "81200 Johor"),
        ("（GST ID）", "(GST ID)"),
        ("RM1.00", "RM1.00"),
        ("1st floor", "1st floor"),
        ("A10", "A10"),
    ],
)
def test_clean_text_fixes_only_clear_look_alikes(raw: str, fixed: str) -> None:
    assert clean_text(raw) == fixed


def _check_words(words, image: Image.Image) -> None:  # type: ignore[no-untyped-def]
    text = " ".join(w.text for w in words).replace(" ", "").upper()
    assert "INVOICE" in text
    assert "1,234.50" in text
    for word in words:
        x0, y0, x1, y1 = word.bbox
        assert 0.0 <= x0 < x1 <= 1.0 and 0.0 <= y0 < y1 <= 1.0
        assert 0.0 <= word.confidence <= 1.0
    total = next(w for w in words if "1,234.50" in w.text)
    invoice = next(w for w in words if "INVOICE" in w.text.upper())
    assert invoice.line < total.line  # reading order, top to bottom
    assert total.bbox[1] > invoice.bbox[3]


@pytest.mark.slow
def test_rapidocr_reads_words_with_boxes(printed_page: Image.Image) -> None:
    _check_words(recognize(printed_page, OcrOptions(backend="rapidocr")), printed_page)


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("tesseract") is None, reason="Debian package tesseract-ocr is not installed")
def test_tesseract_reads_words_with_boxes(printed_page: Image.Image) -> None:
    _check_words(recognize(printed_page, OcrOptions(backend="tesseract", psm=6)), printed_page)


def test_unknown_backend_is_a_clear_error(printed_page: Image.Image) -> None:
    with pytest.raises(DocaiError, match="Unknown OCR backend"):
        recognize(printed_page, OcrOptions(backend="magic"))


def test_blank_page_has_no_words() -> None:
    assert recognize(Image.new("RGB", (200, 100), "white"), OcrOptions(backend="rapidocr")) == []


@pytest.mark.slow
def test_rapidocr_reads_an_upside_down_page(printed_page: Image.Image) -> None:
    # read as it stands first; the poor reading of a page turned over is retried with the line classifier
    words = recognize(printed_page.rotate(180), OcrOptions(backend="rapidocr"))
    assert "1,234.50" in " ".join(w.text for w in words)


def test_mean_score_weighs_segments_by_length() -> None:
    result = [[None, "AAAA", 1.0], [None, "B", 0.5]]
    assert _mean_score(result) == pytest.approx((4 * 1.0 + 0.5) / 5)
    assert _mean_score([]) == 0.0
