"""Boxes drawn on page images: severity order and colours, outlines only, zoom and pan, the selected box."""

from PIL import Image

from ui.render import ISSUE, LOW, OK, SELECTED, View, crop_around, page_boxes, render, union

EVIDENCE = {
    "/total": {"page": 0, "bbox": [0.5, 0.8, 0.7, 0.85], "text": "9.90", "confidence": 0.95, "source": "grounding"},
    "/merchant_name": {"page": 0, "bbox": [0.1, 0.05, 0.9, 0.1], "text": "SHOP", "confidence": 0.4},
    "/transaction_date": {"page": 1, "bbox": [0.1, 0.2, 0.3, 0.25], "confidence": 0.9},
    "/tip": {"page": 0, "bbox": None, "confidence": 0.0},
    "/subtotal": {"page": 0, "bbox": [0.9, 0.1, 0.2, 0.2], "confidence": 0.9},  # x1 < x0: not drawable
}
ERROR = [{"code": "sum", "field": "/total", "message": "does not add up", "severity": "error"}]


def test_page_boxes_filter_by_page_and_order_by_severity() -> None:
    boxes = page_boxes(EVIDENCE, 0, issues=ERROR)
    assert [b.field for b in boxes] == ["/merchant_name", "/total"]  # drawn in this order: the error last
    assert [b.severity for b in boxes] == [1, 2]
    assert boxes[1].rect((1000, 2000)) == (500, 1600, 700, 1700)
    assert [b.field for b in page_boxes(EVIDENCE, 1)] == ["/transaction_date"]
    assert not page_boxes(EVIDENCE, 0)[0].flagged  # /total without the issue: confident, drawn first


def _pixel(image: Image.Image, xy: tuple[float, float]) -> tuple[int, int, int]:
    return image.getpixel((round(xy[0]), round(xy[1])))[:3]


def test_an_error_box_is_never_hidden_by_a_box_drawn_on_the_same_place() -> None:
    page = Image.new("RGB", (700, 1000), "white")
    same = [0.2, 0.5, 0.6, 0.55]
    evidence = {
        "/subtotal": {"page": 0, "bbox": same, "confidence": 0.99},
        "/total": {"page": 0, "bbox": same, "confidence": 0.99},
    }
    errors = [{"field": "/subtotal", "severity": "error", "message": "m"}]
    boxes = page_boxes(evidence, 0, issues=errors)
    shown = render(page, boxes, View(), 900)
    assert shown.width == 900 and shown.height == round(900 * 1000 / 700)
    stroke = 2  # max(2, 900 // 400)
    x0, y0, x1, y1 = View().to_shown(tuple(same), shown.size)
    mid = (y0 + y1) / 2
    assert _pixel(shown, (x0 - stroke * 3 + 1, mid)) == ISSUE  # the error's outline, outside the green one
    assert _pixel(shown, (x0 - stroke + 1, mid)) == OK
    assert _pixel(shown, ((x0 + x1) / 2, mid)) == (255, 255, 255)  # outlines, never fills
    assert page.getpixel((0, 0)) == (255, 255, 255)  # the original is untouched


def test_low_confidence_and_selected_colours() -> None:
    page = Image.new("RGB", (700, 700), "white")
    boxes = page_boxes(EVIDENCE, 0)
    merchant = next(b for b in boxes if b.field == "/merchant_name")
    shown = render(page, boxes, View(), 700, selected=merchant.bbox)
    x0, y0, x1, y1 = View().to_shown(merchant.bbox, shown.size)
    mid = (y0 + y1) / 2
    assert _pixel(shown, (x0 - 2 * 2 + 1, mid)) == LOW
    assert _pixel(shown, (x0 - (2 * 4 + 2) + 1, mid)) == SELECTED  # the selection rings the box, outside it
    assert _pixel(shown, ((x0 + x1) / 2, mid)) == (255, 255, 255)


def test_zoom_and_pan_map_points_both_ways() -> None:
    view = View(zoom=2.0, cx=0.9, cy=0.1)
    assert view.window() == (0.5, 0.0, 1.0, 0.5)  # the window stays on the page
    assert view.to_page(450, 0, (900, 900)) == (0.75, 0.0)
    assert view.to_shown((0.5, 0.25, 1.0, 0.5), (900, 900)) == (0.0, 450.0, 900.0, 900.0)
    page = Image.new("RGB", (100, 100), "white")
    page.paste((0, 0, 0), (50, 0, 100, 50))  # the top-right quarter is black
    shown = render(page, [], view, 400)
    assert shown.size == (400, 400) and _pixel(shown, (200, 200)) == (0, 0, 0)


def test_union_and_crop() -> None:
    assert union([(0.1, 0.2, 0.3, 0.4), (0.2, 0.1, 0.5, 0.3)]) == (0.1, 0.1, 0.5, 0.4)
    assert union([]) is None
    page = Image.new("RGB", (700, 700), "white")
    crop = crop_around(page, (0.1, 0.05, 0.9, 0.1))
    assert crop.width <= page.width and crop.height < page.height
