"""What rasterizing gives and takes: options, the rendered page, PNG encoding and the errors both halves share."""

from __future__ import annotations

import io
import logging
import struct
import zlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from docai.errors import DocaiError, ErrorCode
from docai.stages.ingest import MediaType
from model.ocr import OcrOptions
from model.types import Word

if TYPE_CHECKING:
    from PIL import Image

log = logging.getLogger(__name__)

ENCRYPTED_MESSAGE = "The PDF is password-protected; remove the password and upload it again."

# EXIF orientation -> (clockwise degrees the stored pixels are turned to display them, mirrored)
_EXIF_ROTATION = {1: 0, 2: 0, 3: 180, 4: 180, 5: 90, 6: 90, 7: 270, 8: 270}


@dataclass(frozen=True)
class RasterizeOptions:
    """How pages are rendered and read; pass explicitly, built from settings by the pipeline."""

    page_size: int = 1024  # longest side of every stored page image, px
    max_pages: int = 500
    max_pixels: int = 178_956_970  # per image frame, checked on the header before decoding
    ocr: OcrOptions | None = field(default_factory=OcrOptions)  # None: no OCR (image pages get no words)
    ocr_dpi: int = 300  # scanned PDF pages are rendered at this resolution for OCR
    ocr_max_side: int = 4200  # longest side of any image given to OCR (a 30-inch scan must not become 81 MP)
    min_text_chars: int = 8  # a PDF page with fewer letters/digits in its text layer is treated as a scan
    text_layer: bool = True  # False: images only (thumbnails, benchmarks); no words, no OCR for PDF pages
    png_level: int = 3  # zlib level: 3 is within 2% of level 6 in size for pages, at half the time
    renderer: str = "auto"  # PDF renderer: auto (MuPDF, Poppler when MuPDF fails), pymupdf or poppler

    @classmethod
    def from_settings(cls, settings: object, ocr: bool = True) -> RasterizeOptions:
        """Options from a docai.settings.Settings object (page size, limits, OCR languages)."""
        return cls(
            page_size=settings.page_size,  # type: ignore[attr-defined]
            max_pages=settings.max_pages,  # type: ignore[attr-defined]
            max_pixels=settings.max_pixels,  # type: ignore[attr-defined]
            ocr=OcrOptions(languages=settings.ocr_languages) if ocr else None,  # type: ignore[attr-defined]
        )


@dataclass
class RasterPage:
    """One rendered page: PNG bytes at page_size px, words with boxes normalised 0..1 to the displayed page."""

    index: int
    png: bytes
    width: int
    height: int
    words: list[Word]
    text_source: str  # "pdf" (text layer), "ocr" (Tesseract) or "none"
    rotation: int  # clockwise degrees applied for display: PDF /Rotate or EXIF orientation
    source_width_pt: float | None  # displayed page size in points (PDF only)
    source_height_pt: float | None
    renderer: str = "pymupdf"  # pymupdf, poppler or pillow

    @property
    def text(self) -> str:
        """The words joined into lines."""
        lines: dict[int, list[str]] = {}
        for word in self.words:
            lines.setdefault(word.line, []).append(word.text)
        return "\n".join(" ".join(ws) for ws in lines.values())

    def image(self) -> Image.Image:
        """The page image decoded from its PNG."""
        from PIL import Image

        return Image.open(io.BytesIO(self.png))


def _check_page_count(count: int, options: RasterizeOptions) -> None:
    if count == 0:
        raise DocaiError(ErrorCode.NO_PAGES, "The PDF has no pages; check that the right file was uploaded.")
    if count > options.max_pages:
        raise DocaiError(
            ErrorCode.TOO_MANY_PAGES,
            f"The document has {count} pages, more than the limit of {options.max_pages}; "
            "split it into smaller files and upload them separately.",
        )


def _to_rgb(image: Image.Image) -> Image.Image:
    """Any Pillow mode as 8-bit RGB; transparency is laid on white, as a page would show it."""
    from PIL import Image

    if image.mode in ("RGBA", "LA", "PA", "La", "RGBa") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, "white")
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    if image.mode.startswith(("I", "F")):
        import numpy as np

        # 16-bit and float scans: stretch the used range to 0..255
        values = np.asarray(image, dtype=np.float64)
        low, high = float(values.min()), float(values.max())
        scaled = (values - low) * (255.0 / (high - low)) if high > low else np.zeros_like(values)
        return Image.fromarray(scaled.astype(np.uint8), "L").convert("RGB")
    return image.convert("RGB") if image.mode != "RGB" else image


def fit_size(width: int, height: int, longest: int) -> tuple[int, int]:
    """The size with the longest side exactly `longest` px and the aspect ratio kept (short side at least 1)."""
    if width >= height:
        return longest, max(1, round(height * longest / width))
    return max(1, round(width * longest / height)), longest


def encode_png(width: int, height: int, samples: bytes, channels: int = 3, level: int = 3) -> bytes:
    """An 8-bit PNG from raw RGB (3) or gray (1) rows, unfiltered: pages are mostly flat, zlib does the rest."""
    stride = width * channels
    if len(samples) != stride * height:
        raise ValueError(f"{len(samples)} sample bytes do not make {width}×{height}×{channels}")
    raw = bytearray(height * (stride + 1))
    view = memoryview(samples)
    for row in range(height):
        start = row * (stride + 1) + 1  # the byte before each row stays 0: filter type None
        raw[start : start + stride] = view[row * stride : (row + 1) * stride]
    color_type = 2 if channels == 3 else 0
    header = struct.pack(">IIBBBBB", width, height, 8, color_type, 0, 0, 0)
    return b"".join(
        (
            b"\x89PNG\r\n\x1a\n",
            _chunk(b"IHDR", header),
            _chunk(b"IDAT", zlib.compress(bytes(raw), level)),
            _chunk(b"IEND", b""),
        )
    )


def _chunk(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))


def _corrupt(media_type: MediaType, err: object) -> DocaiError:
    hint = (
        "open it in a PDF viewer and save or print it to a new PDF, then upload that"
        if media_type is MediaType.PDF
        else "export or scan it again and upload the new file"
    )
    return DocaiError(
        ErrorCode.CORRUPT, f"The {media_type.label} is damaged and cannot be read ({_short(err)}); {hint}."
    )


def _short(err: object) -> str:
    text = str(err).strip() or type(err).__name__
    return text if len(text) <= 160 else text[:157] + "..."
