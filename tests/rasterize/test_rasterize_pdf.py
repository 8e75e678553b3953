"""PDF pages: exact 1024 px images, the text layer as words with boxes, rotation, OCR for scans, Poppler."""

from __future__ import annotations

import inspect

import pytest

from docai.errors import DocaiError, ErrorCode
from docai.stages.ingest import MediaType
from docai.stages.rasterize import RasterizeOptions, count_pages, iter_pages, rasterize
from model.ocr import OcrOptions

NO_OCR = RasterizeOptions(ocr=None)


def test_text_layer_becomes_words_with_sane_boxes(make_pdf, ink_in_box):
    data = make_pdf(["Invoice number 4711", "Total due 99.50 EUR"])
    (page,) = rasterize(data, MediaType.PDF, NO_OCR)
    assert (page.width, page.height) == (724, 1024)  # A4 portrait, longest side 1024
    assert page.text_source == "pdf" and page.renderer == "pymupdf"
    assert page.text == "Invoice number 4711\nTotal due 99.50 EUR"
    first = page.words[0]
    assert first.text == "Invoice" and first.confidence == 1.0
    # inserted at x = 72 pt, baseline 100 pt on a 595 × 842 pt page
    assert first.bbox[0] == pytest.approx(72 / 595, abs=0.005)
    assert first.bbox[1] < 100 / 842 < first.bbox[3]
    assert {w.line for w in page.words[:3]} == {page.words[0].line}
    assert page.words[0].line != page.words[-1].line
    image = page.image()
    for word in page.words:
        x0, y0, x1, y1 = word.bbox
        assert 0 <= x0 < x1 <= 1 and 0 <= y0 < y1 <= 1
        assert ink_in_box(image, word.bbox) > 0.03, word  # the box sits on printed ink


def test_rotated_page_is_landscape_and_words_are_in_displayed_orientation(make_pdf, ink_in_box):
    data = make_pdf(["Rotated heading"], rotate=90)
    (page,) = rasterize(data, MediaType.PDF, NO_OCR)
    assert (page.width, page.height) == (1024, 724)
    assert page.rotation == 90
    assert (page.source_width_pt, page.source_height_pt) == (842, 595)
    # text at the top left of the portrait page lands at the top right once turned 90° clockwise
    word = page.words[0]
    assert word.text == "Rotated"
    assert word.bbox[0] > 0.8 and word.bbox[1] < 0.25
    assert word.bbox[3] - word.bbox[1] > word.bbox[2] - word.bbox[0]  # the word now runs downwards
    assert ink_in_box(page.image(), word.bbox) > 0.03


@pytest.mark.parametrize(
    "size", [(595.3, 841.9), (842, 595), (612, 792), (10, 10), (14400, 200), (200, 14400), (333.33, 333.33)]
)
def test_longest_side_is_exactly_page_size(make_pdf, size):
    (page,) = rasterize(make_pdf(["x y z"], size=size), MediaType.PDF, NO_OCR)
    assert max(page.width, page.height) == 1024
    assert page.image().size == (page.width, page.height)
    short = 1024 * min(size) / max(size)
    assert abs(min(page.width, page.height) - short) <= 1


def test_page_size_is_configurable(make_pdf):
    (page,) = rasterize(make_pdf(["hello"]), MediaType.PDF, RasterizeOptions(page_size=512, ocr=None))
    assert (page.width, page.height) == (362, 512)


def test_cropbox_offset_keeps_boxes_on_the_visible_page(make_pdf, ink_in_box):
    data = make_pdf(["Cropped words here"], cropbox=(50, 50, 545, 792))
    (page,) = rasterize(data, MediaType.PDF, NO_OCR)
    assert page.source_width_pt == pytest.approx(495) and page.source_height_pt == pytest.approx(742)
    assert page.words[0].bbox[0] == pytest.approx((72 - 50) / 495, abs=0.005)
    assert ink_in_box(page.image(), page.words[0].bbox) > 0.03


def test_count_pages_and_page_limit(make_pdf):
    data = make_pdf(["a b c"], pages=4)
    assert count_pages(data, MediaType.PDF) == 4
    with pytest.raises(DocaiError) as caught:
        rasterize(data, MediaType.PDF, RasterizeOptions(max_pages=3, ocr=None))
    assert caught.value.code is ErrorCode.TOO_MANY_PAGES


def test_iter_pages_yields_lazily(make_pdf):
    pages = iter_pages(make_pdf(["one"], pages=3), MediaType.PDF, NO_OCR)
    assert inspect.isgenerator(pages)
    assert [p.index for p in pages] == [0, 1, 2]


def test_scanned_page_gets_ocr_words(scanned_pdf, text_image):
    data = scanned_pdf(text_image("TOTAL 42.50"))
    (page,) = rasterize(data, MediaType.PDF, RasterizeOptions(ocr=OcrOptions()))
    assert page.text_source == "ocr"
    assert max(page.width, page.height) == 1024
    found = [w for w in page.words if "TOTAL" in w.text.upper()]
    assert found, page.text
    # drawn at x = 80 of 1400 px, y = 180..270 of 500 px
    assert found[0].bbox[0] == pytest.approx(80 / 1400, abs=0.03)
    assert 0.3 < (found[0].bbox[1] + found[0].bbox[3]) / 2 < 0.65


def test_scanned_page_without_ocr_has_no_words(scanned_pdf, text_image):
    (page,) = rasterize(scanned_pdf(text_image()), MediaType.PDF, NO_OCR)
    assert page.text_source == "none" and page.words == []


def test_poppler_renders_the_same_pages_and_words(make_pdf):
    data = make_pdf(["Invoice number 4711", "Total due 99.50 EUR"], pages=2, rotate=90)
    mupdf = rasterize(data, MediaType.PDF, NO_OCR)
    poppler = rasterize(data, MediaType.PDF, RasterizeOptions(ocr=None, renderer="poppler"))
    assert [p.renderer for p in poppler] == ["poppler", "poppler"]
    for a, b in zip(mupdf, poppler, strict=True):
        assert (b.width, b.height) == (a.width, a.height) == (1024, 724)
        assert b.rotation == 90
        assert b.text == a.text
        for wa, wb in zip(a.words, b.words, strict=True):
            assert wb.bbox == pytest.approx(wa.bbox, abs=0.02)


def test_poppler_reports_encrypted_and_corrupt_pdfs(make_pdf):
    import pymupdf

    doc = pymupdf.open(stream=make_pdf(["secret"]), filetype="pdf")
    locked = doc.tobytes(encryption=pymupdf.PDF_ENCRYPT_AES_256, user_pw="pw", owner_pw="owner")
    with pytest.raises(DocaiError) as caught:
        rasterize(locked, MediaType.PDF, RasterizeOptions(ocr=None, renderer="poppler"))
    assert caught.value.code is ErrorCode.ENCRYPTED
    with pytest.raises(DocaiError) as caught:
        rasterize(b"%PDF-1.4\nnothing here", MediaType.PDF, RasterizeOptions(ocr=None, renderer="poppler"))
    assert caught.value.code is ErrorCode.CORRUPT


def test_annotations_and_form_widgets_are_drawn():
    import pymupdf

    doc = pymupdf.open()
    page = doc.new_page()
    widget = pymupdf.Widget()
    widget.field_type = pymupdf.PDF_WIDGET_TYPE_TEXT
    widget.field_name = "name"
    widget.field_value = "Filled value here"
    widget.rect = pymupdf.Rect(72, 72, 400, 100)
    page.add_widget(widget)
    (result,) = rasterize(doc.tobytes(), MediaType.PDF, NO_OCR)
    assert "Filled value here" in result.text


def test_png_is_a_valid_rgb_image(make_pdf):
    (page,) = rasterize(make_pdf(["png check"]), MediaType.PDF, NO_OCR)
    image = page.image()
    image.load()
    assert image.format == "PNG" and image.mode == "RGB"
    assert image.getpixel((0, 0)) == (255, 255, 255)


def test_scan_with_a_negligible_text_layer_is_read_by_ocr(scanned_pdf, text_image):
    import pymupdf

    doc = pymupdf.open(stream=scanned_pdf(text_image("TOTAL 42.50")), filetype="pdf")
    doc[0].insert_text((10, 10), "p. 3", fontsize=6)  # a stamped page number is not a text layer
    data = doc.tobytes()
    (without_ocr,) = rasterize(data, MediaType.PDF, NO_OCR)
    assert without_ocr.text_source == "pdf" and without_ocr.text == "p. 3"
    (page,) = rasterize(data, MediaType.PDF, RasterizeOptions(ocr=OcrOptions()))
    assert page.text_source == "ocr"
    assert any("TOTAL" in w.text.upper() for w in page.words), page.text


def test_text_layer_can_be_left_out(make_pdf):
    (page,) = rasterize(make_pdf(["some words"]), MediaType.PDF, RasterizeOptions(text_layer=False))
    assert page.words == [] and page.text_source == "none"


def test_options_from_settings(monkeypatch):
    from docai.settings import get_settings

    monkeypatch.setenv("DOCAI_PAGE_SIZE", "800")
    monkeypatch.setenv("DOCAI_OCR_LANGUAGES", "eng+deu")
    get_settings.cache_clear()
    options = RasterizeOptions.from_settings(get_settings())
    assert options.page_size == 800 and options.ocr is not None and options.ocr.languages == "eng+deu"
    assert RasterizeOptions.from_settings(get_settings(), ocr=False).ocr is None
    get_settings.cache_clear()


def test_pictures_on_a_text_page_are_read_and_a_strip_is_left_alone() -> None:
    """A text-layer page with a picture of printed words under the text gets the picture's words too (text_source
    'pdf+ocr', boxes where the picture sits); a long thin picture OCR cannot lay out is skipped, not an error."""
    import io

    import pymupdf
    from PIL import Image, ImageDraw, ImageFont

    from docai.stages.ingest import MediaType
    from docai.stages.rasterize import RasterizeOptions, rasterize

    picture = Image.new("L", (900, 240), 255)
    ImageDraw.Draw(picture).text((30, 60), "NORTHWIND TRADERS", fill=0, font=ImageFont.load_default(size=72))
    strip = Image.new("L", (40, 2000), 255)
    for y in range(0, 2000, 8):  # a ruler-like strip: marks OCR would have to lay out, 33 times longer than wide
        ImageDraw.Draw(strip).line((0, y, 30, y), fill=0, width=2)
    doc = pymupdf.open()
    for size, text, image, rect in (
        ((595, 842), "Invoice 1001 Total 12.50", picture, pymupdf.Rect(50, 600, 500, 720)),
        ((300, 2000), "Receipt 7 Total 3.20", strip, pymupdf.Rect(0, 0, 60, 2000)),
    ):
        page = doc.new_page(width=size[0], height=size[1])
        page.insert_text((100, 80), text, fontsize=11)
        buf = io.BytesIO()
        image.save(buf, "PNG")
        page.insert_image(rect, stream=buf.getvalue())
    result, long_page = rasterize(doc.tobytes(), MediaType.PDF, RasterizeOptions())
    assert long_page.text_source == "pdf" and "Receipt" in long_page.text  # the strip was skipped, not an error
    assert result.text_source == "pdf+ocr"
    pictured = [w for w in result.words if w.confidence < 1]
    assert "NORTHWIND" in " ".join(w.text for w in pictured).upper()
    assert all(0.7 < w.bbox[1] < 0.86 for w in pictured)  # the picture spans 600-720 pt of 842
    assert "Invoice" in result.text
