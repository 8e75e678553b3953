"""Pictures for review: the page image with the box of every extracted value drawn on it."""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from PIL import Image, ImageDraw

# Colours say how much attention a box needs; the selected one stands out from all of them.
OK = (22, 163, 74)  # green: confident, no issue
LOW = (234, 179, 8)  # amber: under the review threshold
ISSUE = (220, 38, 38)  # red: a validation issue names this field
SELECTED = (37, 99, 235)  # blue


@dataclass(frozen=True)
class Box:
    """One value's box on one page, in pixels of the page image."""

    field: str
    page: int
    rect: tuple[int, int, int, int]
    confidence: float
    flagged: bool


def page_boxes(
    evidence: Mapping[str, Any],
    page: int,
    size: tuple[int, int],
    *,
    flagged: Iterable[str] = (),
    threshold: float = 0.6,
) -> list[Box]:
    """The boxes of the values found on `page` (0-based), scaled from normalised 0..1 to `size` pixels."""
    width, height = size
    issues = set(flagged)
    boxes = []
    for field, ev in evidence.items():
        if not isinstance(ev, Mapping) or ev.get("page") != page or not _valid_bbox(ev.get("bbox")):
            continue
        x0, y0, x1, y1 = (float(v) for v in ev["bbox"])
        rect = (round(x0 * width), round(y0 * height), round(x1 * width), round(y1 * height))
        confidence = float(ev.get("confidence") or 0.0)
        boxes.append(Box(field, page, rect, confidence, field in issues or confidence < threshold))
    return boxes


def _valid_bbox(bbox: object) -> bool:
    if not isinstance(bbox, list | tuple) or len(bbox) != 4:
        return False
    try:
        x0, y0, x1, y1 = (float(v) for v in bbox)
    except (TypeError, ValueError):
        return False
    return 0.0 <= x0 <= x1 <= 1.0 and 0.0 <= y0 <= y1 <= 1.0


def box_colour(box: Box, issues: set[str]) -> tuple[int, int, int]:
    if box.field in issues:
        return ISSUE
    return LOW if box.flagged else OK


def draw_boxes(
    image: Image.Image,
    boxes: Iterable[Box],
    *,
    selected: str | None = None,
    issues: Iterable[str] = (),
) -> Image.Image:
    """A copy of `image` with each box outlined; the selected field filled translucent and drawn last, thicker."""
    canvas = image.convert("RGBA")
    overlay = Image.new("RGBA", canvas.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(overlay)
    issue_set = set(issues)
    scale = max(1, round(max(canvas.size) / 700))  # lines stay visible on large pages
    ordered = sorted(boxes, key=lambda b: b.field == selected)
    for box in ordered:
        pad = 2 * scale
        rect = (box.rect[0] - pad, box.rect[1] - pad, box.rect[2] + pad, box.rect[3] + pad)
        if box.field == selected:
            draw.rectangle(rect, fill=(*SELECTED, 60), outline=(*SELECTED, 255), width=3 * scale)
        else:
            draw.rectangle(rect, outline=(*box_colour(box, issue_set), 255), width=scale)
    return Image.alpha_composite(canvas, overlay).convert("RGB")


def crop_around(image: Image.Image, box: Box, margin: float = 0.08) -> Image.Image:
    """The region around one box, for a close look at the printed value."""
    width, height = image.size
    dx, dy = round(width * margin), round(height * margin / 2)
    x0, y0, x1, y1 = box.rect
    return image.crop((max(0, x0 - dx), max(0, y0 - dy), min(width, x1 + dx), min(height, y1 + dy)))


def open_png(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image
