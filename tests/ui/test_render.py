"""Boxes drawn on page images: scaling from normalised evidence, colours, the selected highlight."""

from PIL import Image

from ui.render import ISSUE, LOW, OK, SELECTED, crop_around, draw_boxes, page_boxes

EVIDENCE = {
    "/total": {"page": 0, "bbox": [0.5, 0.8, 0.7, 0.85], "text": "9.90", "confidence": 0.95, "source": "grounding"},
    "/merchant_name": {"page": 0, "bbox": [0.1, 0.05, 0.9, 0.1], "text": "SHOP", "confidence": 0.4},
    "/transaction_date": {"page": 1, "bbox": [0.1, 0.2, 0.3, 0.25], "confidence": 0.9},
    "/tip": {"page": 0, "bbox": None, "confidence": 0.0},
    "/subtotal": {"page": 0, "bbox": [0.9, 0.1, 0.2, 0.2], "confidence": 0.9},  # x1 < x0: not drawable
}


def test_page_boxes_scale_and_filter_by_page() -> None:
    boxes = {b.field: b for b in page_boxes(EVIDENCE, 0, (1000, 2000))}
    assert set(boxes) == {"/total", "/merchant_name"}
    assert boxes["/total"].rect == (500, 1600, 700, 1700)
    assert not boxes["/total"].flagged
    assert boxes["/merchant_name"].flagged  # under the 0.6 threshold
    assert [b.field for b in page_boxes(EVIDENCE, 1, (100, 100))] == ["/transaction_date"]


def test_issue_flags_a_confident_box() -> None:
    (box,) = [b for b in page_boxes(EVIDENCE, 0, (100, 100), flagged=["/total"]) if b.field == "/total"]
    assert box.flagged


def _pixel(image: Image.Image, xy: tuple[int, int]) -> tuple[int, int, int]:
    return image.getpixel(xy)[:3]


def test_draw_colours_and_selection() -> None:
    page = Image.new("RGB", (700, 700), "white")
    boxes = page_boxes(EVIDENCE, 0, page.size, flagged=["/total"])
    plain = draw_boxes(page, boxes, issues=["/total"])
    assert page.getpixel((0, 0)) == (255, 255, 255)  # the original is untouched
    x0, y0, x1, y1 = next(b.rect for b in boxes if b.field == "/total")
    assert _pixel(plain, (x0 - 2, (y0 + y1) // 2)) == ISSUE
    mx0, my0, _, my1 = next(b.rect for b in boxes if b.field == "/merchant_name")
    assert _pixel(plain, (mx0 - 2, (my0 + my1) // 2))[0] > 200 and _pixel(plain, (mx0 - 2, (my0 + my1) // 2)) != OK
    assert _pixel(plain, ((x0 + x1) // 2, (y0 + y1) // 2)) == (255, 255, 255)

    chosen = draw_boxes(page, boxes, selected="/total", issues=["/total"])
    inside = _pixel(chosen, ((x0 + x1) // 2, (y0 + y1) // 2))
    assert inside != (255, 255, 255) and inside[2] > inside[0]  # translucent blue fill
    assert _pixel(chosen, (x0 - 2, (y0 + y1) // 2)) == SELECTED


def test_low_confidence_colour_and_crop() -> None:
    page = Image.new("RGB", (700, 700), "white")
    boxes = page_boxes(EVIDENCE, 0, page.size)
    drawn = draw_boxes(page, boxes)
    merchant = next(b for b in boxes if b.field == "/merchant_name")
    assert _pixel(drawn, (merchant.rect[0] - 2, (merchant.rect[1] + merchant.rect[3]) // 2)) == LOW
    crop = crop_around(page, merchant)
    assert crop.width <= page.width and crop.height < page.height and crop.height >= merchant.rect[3] - merchant.rect[1]
