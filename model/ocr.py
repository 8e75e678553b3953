"""Words with boxes from page images: RapidOCR (PP-OCR models, bundled in its wheel) or Tesseract."""

from __future__ import annotations

import re
import shutil
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from PIL import Image

from model.types import Word
from schemas.errors import DocaiError, ErrorCode

BACKENDS = ("auto", "rapidocr", "tesseract")


@dataclass(frozen=True)
class OcrOptions:
    languages: str = "eng"  # Tesseract languages, e.g. 'eng+deu+fra+nld'
    psm: int = 3  # Tesseract page segmentation: fully automatic
    min_confidence: float = 0.0  # 0..1; words under it are dropped
    backend: str = "auto"  # auto (RapidOCR when installed, else Tesseract), rapidocr, tesseract
    upscale_to: int = 0  # 0: off; smaller images are enlarged (at most 2.5x) until their longest side reaches this, px


def recognize(image: Image.Image, options: OcrOptions = OcrOptions()) -> list[Word]:
    """Words on the image in reading order, boxes normalised 0..1 to the image."""
    if options.backend not in BACKENDS:
        raise DocaiError(ErrorCode.OCR_FAILED, f"Unknown OCR backend {options.backend!r}; use one of {BACKENDS}.")
    if is_blank(image):
        return []  # nothing printed: no OCR, and nothing to read twice
    _check_shape(image)
    backend = options.backend
    if backend == "auto":
        backend = "rapidocr" if _rapidocr_available() else "tesseract"
    rgb = _enlarge(image.convert("RGB"), options.upscale_to)
    words = _rapidocr(rgb) if backend == "rapidocr" else _tesseract(rgb, options)
    return [w for w in words if w.confidence >= options.min_confidence]


BLANK_CONTRAST = 32  # grey levels a mark must stand out from the page's background
BLANK_MARKS = 1e-5  # a page with marks on fewer than this share of its pixels (and at most 16 px) is blank
MAX_ASPECT = 30  # a page longer than this many times its width is a strip, not a page OCR can lay out
MIN_SIDE = 8  # px: no line of text fits in fewer


def is_blank(image: Image.Image) -> bool:
    """True when nothing is printed: almost every pixel is within BLANK_CONTRAST levels of the background."""
    gray = image if image.mode == "L" else image.convert("L")
    histogram = gray.histogram()
    background = max(range(256), key=histogram.__getitem__)
    marks = sum(histogram[: max(0, background - BLANK_CONTRAST)]) + sum(histogram[background + BLANK_CONTRAST + 1 :])
    return marks <= max(16, gray.width * gray.height * BLANK_MARKS)


def _check_shape(image: Image.Image) -> None:
    """OCR_FAILED, with the reason, for a page no OCR engine can lay out (RapidOCR scales the short side to 736 px,
    so a 1×60000 strip would become a 44-gigapixel image)."""
    width, height = image.size
    short, long = sorted((width, height))
    if short < MIN_SIDE or long > MAX_ASPECT * short:
        raise DocaiError(
            ErrorCode.OCR_FAILED,
            f"The page is {width}×{height} px, a strip OCR cannot read (pages up to {MAX_ASPECT} times longer than "
            f"wide and at least {MIN_SIDE} px across are read); cut it into pages of ordinary shape, or scan it "
            "again, and upload that.",
        )


# Look-alike characters OCR swaps between letters and digits, fixed only where the neighbours leave no doubt.
_FIXES = [
    (
        re.compile(r"(?<=\d)[Oo](?=\d|$|[\s.,:/-])|(?<=\d{3})[Oo](?=[A-Z])|(?<=[\s(])[Oo](?=\d{2})|^[Oo](?=\d{2})"),
        "0",
    ),  # 8110O, 2O18
    (re.compile(r"(?<=\d)[lIi|](?=\d)|(?<=[.,:/])[lI](?=\d)"), "1"),  # 8i750, No.l2
    (re.compile(r"(?<=[A-Za-z])0(?=[A-Za-z])|(?<!\w)0(?=[A-Z]{2,})|(?<=\bN)0(?=[\s:.]|$)"), "O"),  # L0T, 0CT, N0:
    (re.compile(r"(?<=[a-z])1(?=[a-z1]|\b)|(?<=[a-z]1)1"), "l"),  # Ja1an, Leve1, Ma11
    (re.compile(r"(?<![\w&])&(?=\d{3})"), "8"),  # &1200 for 81200
]


def clean_text(text: str) -> str:
    """Unicode compatibility forms folded (full-width '（'), look-alike letters and digits put right."""
    text = unicodedata.normalize("NFKC", text)
    for pattern, repl in _FIXES:
        for _ in range(3):  # '400OO' needs a second pass once the first O is a digit
            fixed = pattern.sub(repl, text)
            if fixed == text:
                break
            text = fixed
    return text


def _enlarge(image: Image.Image, target: int) -> Image.Image:
    """Small print read from a small image: more pixels per letter help both OCR engines."""
    longest = max(image.size)
    if not target or longest >= target:
        return image
    factor = min(2.5, target / longest)
    size = (round(image.width * factor), round(image.height * factor))
    return image.resize(size, Image.Resampling.BICUBIC)


def _rapidocr_available() -> bool:
    try:
        import rapidocr_onnxruntime  # noqa: F401
    except ImportError:
        return False
    return True


@lru_cache(maxsize=1)
def _rapid_engine() -> Any:
    from rapidocr_onnxruntime import RapidOCR

    return RapidOCR()


def _rapidocr(image: Image.Image) -> list[Word]:
    import numpy as np

    pixels = np.asarray(image)
    # The 0/180 degree line classifier flips upright lines of photographed receipts now and then, so pages are read
    # as they stand; only a page that reads poorly is read again with it, and the surer reading kept.
    result = _rapid_read(pixels, use_cls=False)
    if result and _mean_score(result) < FLIP_RETRY_BELOW:  # a page where nothing was found is not read twice
        flipped = _rapid_read(pixels, use_cls=True)
        if _mean_score(flipped) > _mean_score(result):
            result = flipped
    width, height = image.size
    segments = []
    for item in result:
        quad, text, score = item[0], str(item[1]), float(item[2])
        chars = item[3] if len(item) > 3 else None
        xs = [float(p[0]) for p in quad]
        ys = [float(p[1]) for p in quad]
        box = (min(xs) / width, min(ys) / height, max(xs) / width, max(ys) / height)
        pieces = _split_by_char_boxes(text, chars, box) if chars else None
        if pieces is None:
            pieces = _split_evenly(clean_text(text), box)
        words = [(clean_text(t), b) for t, b in pieces if clean_text(t).strip()]
        if words:
            segments.append((box, words, score))
    return _segments_to_words(segments)


FLIP_RETRY_BELOW = 0.8  # mean recognition score of a page under which upside-down lines are suspected


def _rapid_read(pixels: Any, use_cls: bool) -> list:
    try:
        result, _ = _rapid_engine()(pixels, use_cls=use_cls, return_word_box=True)
    except Exception as err:  # onnxruntime raises plain RuntimeErrors on unreadable input
        reason = str(err).strip() or type(err).__name__
        raise DocaiError(
            ErrorCode.OCR_FAILED,
            f"RapidOCR could not read the page ({reason[:160]}); scan or export it again and upload that.",
        ) from err
    return result or []


def _mean_score(result: list) -> float:
    """Mean recognition score over the page's segments, weighted by their text length; 0 for an empty page."""
    total = sum(len(str(item[1])) for item in result)
    return sum(float(item[2]) * len(str(item[1])) for item in result) / total if total else 0.0


def _split_by_char_boxes(
    text: str, chars: list, box: tuple[float, float, float, float]
) -> list[tuple[str, tuple[float, float, float, float]]] | None:
    """Words placed along the segment by their characters' positions (the CTC positions are too rough to find lost
    spaces); every word keeps the segment's height so a tilted line stays one row."""
    if len(chars) != len(text):
        return None
    starts = [min(p[0] for p in q) for q in chars]
    ends = [max(p[0] for p in q) for q in chars]
    left, right = min(starts), max(ends)
    if right <= left:
        return None
    x0, y0, x1, y1 = box

    def to_box(i: int, j: int) -> tuple[float, float, float, float]:
        a = x0 + (x1 - x0) * (min(starts[i : j + 1]) - left) / (right - left)
        b = x0 + (x1 - x0) * (max(ends[i : j + 1]) - left) / (right - left)
        return (a, y0, max(b, a + 1e-4), y1)

    words: list[tuple[str, tuple[float, float, float, float]]] = []
    start = None
    for i, ch in enumerate(text + " "):
        if ch.isspace():
            if start is not None:
                words.append((text[start:i], to_box(start, i - 1)))
            start = None
        elif start is None:
            start = i
    return words


def _split_evenly(
    text: str, box: tuple[float, float, float, float]
) -> list[tuple[str, tuple[float, float, float, float]]]:
    """Words with boxes shared out by character count along the segment."""
    x0, y0, x1, y1 = box
    parts = text.split()
    total = max(1, sum(len(p) for p in parts) + len(parts) - 1)
    pieces, pos = [], 0
    for part in parts:
        start = x0 + (x1 - x0) * pos / total
        end = x0 + (x1 - x0) * (pos + len(part)) / total
        pieces.append((part, (start, y0, end, y1)))
        pos += len(part) + 1
    return pieces


def _segments_to_words(segments: list[tuple[tuple[float, float, float, float], list, float]]) -> list[Word]:
    """Detected segments grouped into visual rows, their words in reading order."""
    rows: list[list[int]] = []
    order = sorted(range(len(segments)), key=lambda i: (segments[i][0][1] + segments[i][0][3]) / 2)
    for i in order:
        x0, y0, x1, y1 = segments[i][0]
        centre = (y0 + y1) / 2
        for row in rows:
            rx0, ry0, rx1, ry1 = segments[row[-1]][0]
            # same row when the centre falls inside the last segment's band (tilted scans drift slowly)
            if ry0 <= centre <= ry1 and abs((ry1 - ry0) - (y1 - y0)) < max(ry1 - ry0, y1 - y0):
                row.append(i)
                break
        else:
            rows.append([i])
    rows.sort(key=lambda r: min(segments[i][0][1] for i in r))
    words: list[Word] = []
    for line, row in enumerate(rows):
        for block in sorted(row, key=lambda i: segments[i][0][0]):
            _, pieces, score = segments[block]
            words += [Word(text, box, score, line, block) for text, box in pieces]
    return words


def _tesseract(image: Image.Image, options: OcrOptions) -> list[Word]:
    if shutil.which("tesseract") is None:
        raise DocaiError(ErrorCode.OCR_FAILED, "Tesseract is not installed; install the Debian package tesseract-ocr.")
    import pytesseract

    try:
        table = pytesseract.image_to_data(
            image, lang=options.languages, config=f"--psm {options.psm}", output_type=pytesseract.Output.DICT
        )
    except pytesseract.TesseractError as err:
        reason = str(err.message).strip() or type(err).__name__
        raise DocaiError(
            ErrorCode.OCR_FAILED,
            f"Tesseract could not read the page ({reason[:160]}); scan or export it again and upload that.",
        ) from err
    width, height = image.size
    words: list[Word] = []
    line_ids: dict[tuple[int, int, int], int] = {}
    for i, text in enumerate(table["text"]):
        text = clean_text(text.strip())
        conf = float(table["conf"][i])
        if not text or conf < 0:
            continue
        key = (table["block_num"][i], table["par_num"][i], table["line_num"][i])
        line = line_ids.setdefault(key, len(line_ids))
        left, top, w, h = table["left"][i], table["top"][i], table["width"][i], table["height"][i]
        bbox = (left / width, top / height, (left + w) / width, (top + h) / height)
        words.append(Word(text, bbox, conf / 100.0, line, table["block_num"][i]))
    return words
