"""Words on a page picked by pointing: a click takes the word under it, a drag every word inside the rectangle."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ui.render import Rect, View, valid_bbox

NEAR = 0.012  # a click this close to a word (fraction of the page) still takes it


def usable(words: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The API's words with a text and a drawable box, in reading order, each with its position `n`."""
    kept = []
    for n, word in enumerate(words):
        if isinstance(word, Mapping) and str(word.get("text") or "").strip() and valid_bbox(word.get("bbox")):
            kept.append({"n": n, "text": str(word["text"]), "bbox": tuple(float(v) for v in word["bbox"])})
    return kept


def _distance(bbox: Rect, x: float, y: float) -> float:
    dx = max(bbox[0] - x, 0.0, x - bbox[2])
    dy = max(bbox[1] - y, 0.0, y - bbox[3])
    return (dx * dx + dy * dy) ** 0.5


def at_point(words: Sequence[dict[str, Any]], x: float, y: float) -> dict[str, Any] | None:
    """The word under (or nearest to, within NEAR) a page point."""
    best = min(words, key=lambda w: _distance(w["bbox"], x, y), default=None)
    return best if best is not None and _distance(best["bbox"], x, y) <= NEAR else None


def in_rect(words: Sequence[dict[str, Any]], rect: Rect) -> list[dict[str, Any]]:
    """The words whose centre lies inside a page rectangle (corners in any order), in reading order."""
    x0, x1 = sorted((rect[0], rect[2]))
    y0, y1 = sorted((rect[1], rect[3]))
    inside = []
    for word in words:
        cx, cy = (word["bbox"][0] + word["bbox"][2]) / 2, (word["bbox"][1] + word["bbox"][3]) / 2
        if x0 <= cx <= x1 and y0 <= cy <= y1:
            inside.append(word)
    return inside


def from_pointer(words: Sequence[dict[str, Any]], event: Mapping[str, Any], view: View) -> list[dict[str, Any]]:
    """The words a click or drag on the shown picture points at (streamlit-image-coordinates' value)."""
    shown = (float(event.get("width") or 1), float(event.get("height") or 1))
    if "x1" in event:  # click_and_drag: a press and a release
        start = view.to_page(float(event["x1"]), float(event["y1"]), shown)
        end = view.to_page(float(event["x2"]), float(event["y2"]), shown)
        if _distance((*start, *start), *end) > NEAR:
            return in_rect(words, (*start, *end))
        x, y = start
    else:
        x, y = view.to_page(float(event["x"]), float(event["y"]), shown)
    word = at_point(words, x, y)
    return [word] if word else []


def join(picked: Sequence[dict[str, Any]]) -> str:
    """Picked words as one value, in reading order."""
    return " ".join(w["text"] for w in sorted(picked, key=lambda w: w["n"]))
