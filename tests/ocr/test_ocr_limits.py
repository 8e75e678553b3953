"""OCR spends nothing on blank pages, reads an empty page once, and refuses strips with a reason."""

from __future__ import annotations

import time

import pytest
from PIL import Image, ImageDraw

import model.ocr as ocr
from schemas.errors import DocaiError, ErrorCode


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Every RapidOCR pass (the real one runs), by its use_cls flag."""
    calls: list[bool] = []
    real = ocr._rapid_read

    def counted(pixels, use_cls):  # type: ignore[no-untyped-def]
        calls.append(use_cls)
        return real(pixels, use_cls)

    monkeypatch.setattr(ocr, "_rapid_read", counted)
    return calls


def test_blank_pages_are_not_read(reads: list[bool]) -> None:
    scanned_blank = Image.new("L", (2480, 3508), 243)
    ImageDraw.Draw(scanned_blank).point([(100, 100), (2000, 3000)], fill=40)  # two specks of dust
    for page in (Image.new("RGB", (16, 16), "white"), scanned_blank, Image.new("RGB", (1, 60000), "white")):
        assert ocr.is_blank(page)
        assert ocr.recognize(page, ocr.OcrOptions(backend="rapidocr")) == []
    assert reads == []


def test_a_page_without_text_is_read_once(reads: list[bool], printed_page: Image.Image) -> None:
    frame = Image.new("RGB", (900, 600), "white")
    ImageDraw.Draw(frame).rectangle((40, 40, 860, 560), outline="black", width=6)
    assert not ocr.is_blank(frame) and not ocr.is_blank(printed_page)
    assert ocr.recognize(frame, ocr.OcrOptions(backend="rapidocr")) == []
    assert reads == [False]  # found nothing: not read again with the line classifier


@pytest.mark.parametrize("size", [(1, 60000), (60000, 3), (100, 4000)])
def test_a_strip_fails_with_its_size_and_what_to_do(reads: list[bool], size: tuple[int, int]) -> None:
    strip = Image.new("L", size, 255)
    draw = ImageDraw.Draw(strip)
    for y in range(0, max(size), 7):  # marks all along it
        draw.point([(0, y) if size[0] < size[1] else (y, 0)], fill=0)
    started = time.perf_counter()
    with pytest.raises(DocaiError) as caught:
        ocr.recognize(strip, ocr.OcrOptions(backend="rapidocr"))
    assert caught.value.code is ErrorCode.OCR_FAILED
    assert f"{size[0]}×{size[1]} px" in caught.value.message and "upload" in caught.value.message
    assert time.perf_counter() - started < 1.0 and reads == []
