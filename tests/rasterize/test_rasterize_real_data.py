"""The dev documents in ../shared/data: page counts, rotations, 1024 px images, words on every page with text."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from docai.stages.ingest import sniff
from docai.stages.rasterize import RasterizeOptions, iter_pages

NO_OCR = RasterizeOptions(ocr=None)
QUICK = ["invoice-free_fiber", "latex-multicolumn", "rates-home-loan-acroform", "report-cn-quarterly-2018q1"]


def check_pdf(path: Path, options: RasterizeOptions) -> None:
    meta = json.loads(path.with_suffix(".json").read_text())
    data = path.read_bytes()
    pages = 0
    for page in iter_pages(data, sniff(data, path.name), options):
        i = page.index
        assert max(page.width, page.height) == 1024, (path.name, i)
        assert page.png[:8] == b"\x89PNG\r\n\x1a\n"
        assert page.rotation == meta["page_rotation"][i], (path.name, i)
        width, height = meta["page_sizes_pt"][i]
        if page.rotation in (90, 270):
            width, height = height, width
        assert (page.source_width_pt, page.source_height_pt) == pytest.approx((width, height), abs=1), (path.name, i)
        if meta["page_has_text_layer"][i]:
            assert page.words and page.text_source == "pdf", (path.name, i)
        for word in page.words:
            x0, y0, x1, y1 = word.bbox
            assert 0 <= x0 < x1 <= 1 and 0 <= y0 < y1 <= 1
        pages += 1
    assert pages == meta["pages"], path.name


@pytest.mark.parametrize("name", QUICK)
def test_dev_pdfs_quick(shared_data, name):
    check_pdf(shared_data / "pdfs" / f"{name}.pdf", NO_OCR)


@pytest.mark.slow
def test_every_dev_pdf_without_ocr(shared_data):
    paths = sorted((shared_data / "pdfs").glob("*.pdf"))
    assert len(paths) >= 20
    for path in paths:
        check_pdf(path, NO_OCR)


@pytest.mark.slow
def test_scanned_pdf_pages_get_ocr_words(shared_data):
    data = (shared_data / "pdfs" / "scan-multipage-ocrmypdf.pdf").read_bytes()
    page = next(iter_pages(data, sniff(data), RasterizeOptions()))
    assert page.text_source == "ocr"
    assert len(page.words) > 50
    assert "garden" in page.text.lower()  # "...towards the end of the widow's garden" on the scanned page


@pytest.mark.slow
@pytest.mark.parametrize("name", ["X00016469612", "X51005433492"])
def test_sroie_receipts_get_ocr_words_at_full_resolution(shared_data, name):
    path = shared_data / "sroie" / f"{name}.jpg"
    truth = json.loads(path.with_suffix(".json").read_text())
    data = path.read_bytes()
    (page,) = list(iter_pages(data, sniff(data, path.name), RasterizeOptions()))
    assert max(page.width, page.height) == 1024
    assert page.text_source == "ocr" and len(page.words) > 20
    text = page.text.replace(" ", "")
    assert truth["total"].replace(" ", "") in text, (truth["total"], page.text)


@pytest.mark.slow
def test_a_picture_on_a_page_with_a_text_layer_is_read_too(shared_data):
    """saeco.pdf prints the vendor's name, address and IBAN only in a picture under the text; the text layer stays."""
    data = (shared_data / "invoice2data" / "saeco.pdf").read_bytes()
    (page,) = list(iter_pages(data, sniff(data), RasterizeOptions()))
    assert page.text_source == "pdf+ocr"
    read = [w for w in page.words if w.confidence < 1]
    text = " ".join(w.text for w in read).lower()
    assert "saeco.com" in text and "rabonl2u" in text.replace(" ", "")
    assert all(w.bbox[1] > 0.85 for w in read)  # mapped to where the picture sits: the foot of the page
    assert {w.line for w in read}.isdisjoint({w.line for w in page.words if w.confidence == 1})
    assert "VF1005193039" in page.text  # the text layer is kept
