"""Words with boxes from page images, by Tesseract (Debian's tesseract-ocr)."""

from __future__ import annotations

import shutil
from dataclasses import dataclass

from PIL import Image

from docai.errors import DocaiError, ErrorCode
from model.types import Word


@dataclass(frozen=True)
class OcrOptions:
    languages: str = "eng"
    psm: int = 3  # fully automatic page segmentation
    min_confidence: float = 0.0  # 0..1; words under it are dropped


def recognize(image: Image.Image, options: OcrOptions = OcrOptions()) -> list[Word]:
    """Words on the image in reading order, boxes normalised 0..1 to the image."""
    if shutil.which("tesseract") is None:
        raise DocaiError(ErrorCode.OCR_FAILED, "Tesseract is not installed; install the Debian package tesseract-ocr.")
    import pytesseract

    try:
        table = pytesseract.image_to_data(
            image.convert("RGB"),
            lang=options.languages,
            config=f"--psm {options.psm}",
            output_type=pytesseract.Output.DICT,
        )
    except pytesseract.TesseractError as err:
        raise DocaiError(ErrorCode.OCR_FAILED, f"Tesseract could not read the page: {err.message}") from err
    width, height = image.size
    words: list[Word] = []
    line_ids: dict[tuple[int, int, int], int] = {}
    for i, text in enumerate(table["text"]):
        text = text.strip()
        conf = float(table["conf"][i])
        if not text or conf < 0:
            continue
        conf /= 100.0
        if conf < options.min_confidence:
            continue
        key = (table["block_num"][i], table["par_num"][i], table["line_num"][i])
        line = line_ids.setdefault(key, len(line_ids))
        left, top, w, h = table["left"][i], table["top"][i], table["width"][i], table["height"][i]
        bbox = (left / width, top / height, (left + w) / width, (top + h) / height)
        words.append(Word(text, bbox, conf, line, table["block_num"][i]))
    return words
