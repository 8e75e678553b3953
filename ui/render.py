"""Pictures for review: a window of the page (zoom and pan) with the box of every extracted value drawn on it.

Boxes are outlines, never fills, drawn in order of how much attention they need (confident, then low confidence,
then validation errors) with wider margins for the more severe ones, so an error box is never hidden under another.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from PIL import Image, ImageDraw

# Colours say how much attention a box needs; the selected one stands out from all of them.
OK = (22, 163, 74)  # green: confident, no issue
LOW = (234, 179, 8)  # amber: under the review threshold, or a warning names it
ISSUE = (220, 38, 38)  # red: an error-level issue names this field
SELECTED = (37, 99, 235)  # blue: the field being looked at or filled
PICKED = (147, 51, 234)  # purple: words picked on the page for the selected field
COLOURS = {0: OK, 1: LOW, 2: ISSUE}
ZOOMS = {"Fit": 1.0, "1.5×": 1.5, "2×": 2.0, "3×": 3.0}

Rect = tuple[float, float, float, float]


@dataclass(frozen=True)
class Box:
    """One value's box on one page, normalised 0..1 to the page; severity 0 fine, 1 look again, 2 error."""

    field: str
    page: int
    bbox: Rect
    confidence: float
    severity: int

    @property
    def flagged(self) -> bool:
        return self.severity > 0

    def rect(self, size: tuple[int, int]) -> tuple[int, int, int, int]:
        """The box in pixels of an image of `size`."""
        width, height = size
        x0, y0, x1, y1 = self.bbox
        return round(x0 * width), round(y0 * height), round(x1 * width), round(y1 * height)


def severities(issues: Iterable[Mapping[str, Any]]) -> dict[str, int]:
    """The worst issue severity per field path: 2 for errors, 1 for warnings and the rest."""
    worst: dict[str, int] = {}
    for issue in issues:
        path = str(issue.get("field") or "")
        if path:
            level = 2 if issue.get("severity") == "error" else 1
            worst[path] = max(worst.get(path, 0), level)
    return worst


def page_boxes(
    evidence: Mapping[str, Any],
    page: int,
    *,
    issues: Iterable[Mapping[str, Any]] = (),
    threshold: float = 0.6,
) -> list[Box]:
    """The boxes of the values found on `page` (0-based), least severe first (the order they are drawn in)."""
    worst = severities(issues)
    boxes = []
    for field, ev in evidence.items():
        if not isinstance(ev, Mapping) or ev.get("page") != page or not valid_bbox(ev.get("bbox")):
            continue
        confidence = float(ev.get("confidence") or 0.0)
        severity = max(worst.get(field, 0), 1 if confidence < threshold else 0)
        boxes.append(Box(field, page, tuple(float(v) for v in ev["bbox"]), confidence, severity))  # type: ignore[arg-type]
    return sorted(boxes, key=lambda b: b.severity)


def valid_bbox(bbox: object) -> bool:
    if not isinstance(bbox, list | tuple) or len(bbox) != 4:
        return False
    try:
        x0, y0, x1, y1 = (float(v) for v in bbox)
    except (TypeError, ValueError):
        return False
    return 0.0 <= x0 <= x1 <= 1.0 and 0.0 <= y0 <= y1 <= 1.0


def union(rects: Iterable[Rect]) -> Rect | None:
    """The smallest box around all of `rects`; None when there are none."""
    rects = list(rects)
    if not rects:
        return None
    return min(r[0] for r in rects), min(r[1] for r in rects), max(r[2] for r in rects), max(r[3] for r in rects)


@dataclass(frozen=True)
class View:
    """Which part of the page is shown: a zoom (1 = the whole page) and the window's centre, 0..1 of the page."""

    zoom: float = 1.0
    cx: float = 0.5
    cy: float = 0.5

    def window(self) -> Rect:
        """The shown part of the page, normalised; the window never leaves the page."""
        half = 0.5 / max(1.0, self.zoom)
        cx = min(max(self.cx, half), 1 - half)
        cy = min(max(self.cy, half), 1 - half)
        return cx - half, cy - half, cx + half, cy + half

    def to_page(self, x: float, y: float, shown: tuple[float, float]) -> tuple[float, float]:
        """A point on the shown picture (pixels of a picture `shown` wide and high) as page coordinates 0..1."""
        x0, y0, x1, y1 = self.window()
        return x0 + (x / max(shown[0], 1)) * (x1 - x0), y0 + (y / max(shown[1], 1)) * (y1 - y0)

    def to_shown(self, bbox: Rect, size: tuple[int, int]) -> tuple[float, float, float, float]:
        """A page box as pixels of the shown picture of `size`."""
        x0, y0, x1, y1 = self.window()
        sx, sy = size[0] / (x1 - x0), size[1] / (y1 - y0)
        return (bbox[0] - x0) * sx, (bbox[1] - y0) * sy, (bbox[2] - x0) * sx, (bbox[3] - y0) * sy


def centred_on(bbox: Rect, zoom: float) -> View:
    """A view at `zoom` with `bbox` in its middle."""
    return View(zoom, (bbox[0] + bbox[2]) / 2, (bbox[1] + bbox[3]) / 2)


def render(
    image: Image.Image,
    boxes: Sequence[Box],
    view: View,
    width: int,
    *,
    selected: Rect | None = None,
    picked: Iterable[Rect] = (),
) -> Image.Image:
    """The view's window of `image` scaled to `width` px, every box outlined; strokes scale with the picture."""
    x0, y0, x1, y1 = view.window()
    crop = image.convert("RGB").crop(
        (round(x0 * image.width), round(y0 * image.height), round(x1 * image.width), round(y1 * image.height))
    )
    height = max(1, round(width * crop.height / max(crop.width, 1)))
    shown = crop.resize((width, height), Image.Resampling.LANCZOS)
    draw = ImageDraw.Draw(shown)
    stroke = max(2, round(width / 400))
    for box in sorted(boxes, key=lambda b: b.severity):  # errors last: on top of everything else
        pad = stroke * (1 + box.severity)  # and outside the others, so a shared box shows every colour
        _outline(draw, view.to_shown(box.bbox, shown.size), COLOURS[box.severity], stroke, pad)
    for rect in picked:
        _outline(draw, view.to_shown(rect, shown.size), PICKED, max(1, stroke // 2), 0)
    if selected is not None:
        _outline(draw, view.to_shown(selected, shown.size), SELECTED, stroke + 1, stroke * 4 + 2)
    return shown


def _outline(draw: ImageDraw.ImageDraw, rect: tuple[float, ...], colour: tuple[int, int, int], width: int, pad: int):
    x0, y0, x1, y1 = rect
    draw.rectangle((x0 - pad, y0 - pad, x1 + pad, y1 + pad), outline=colour, width=width)


def crop_around(image: Image.Image, bbox: Rect, margin: float = 0.08) -> Image.Image:
    """The region around one box, for a close look at the printed value."""
    width, height = image.size
    dx, dy = round(width * margin), round(height * margin / 2)
    x0, y0, x1, y1 = round(bbox[0] * width), round(bbox[1] * height), round(bbox[2] * width), round(bbox[3] * height)
    return image.crop((max(0, x0 - dx), max(0, y0 - dy), min(width, x1 + dx), min(height, y1 + dy)))


def open_png(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image
