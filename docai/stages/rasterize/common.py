"""What rasterizing gives and takes: options, the rendered page, PNG encoding and the errors both halves share."""

from __future__ import annotations

import io
import logging
import struct
import time
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
    # a picture on a page with a text layer is OCR'd too when it covers this share of the page and no text-layer
    # word sits on it (a vendor's letterhead pasted in as an image); docling's bitmap_area_threshold is the same 5%
    bitmap_area: float = 0.05
    max_bitmaps: int = 4  # pictures OCR'd per page at most
    text_layer: bool = True  # False: images only (thumbnails, benchmarks); no words, no OCR for PDF pages
    png_level: int = 3  # zlib level: 3 is within 2% of level 6 in size for pages, at half the time
    renderer: str = "auto"  # PDF renderer: auto (MuPDF, Poppler when MuPDF fails), pymupdf or poppler
    page_memory: int = 1024 * 2**20  # bytes one page may take to decode and convert; larger ones fail RESOURCE_LIMIT
    seconds_per_page: float = 60.0  # work budget: a document may take base_seconds plus this per page; 0: no budget
    base_seconds: float = 60.0

    @classmethod
    def from_settings(cls, settings: object, ocr: bool = True) -> RasterizeOptions:
        """Options from a docai.settings.Settings object (page size, limits, OCR languages)."""
        return cls(
            page_size=settings.page_size,  # type: ignore[attr-defined]
            max_pages=settings.max_pages,  # type: ignore[attr-defined]
            max_pixels=settings.max_pixels,  # type: ignore[attr-defined]
            ocr=OcrOptions(languages=settings.ocr_languages) if ocr else None,  # type: ignore[attr-defined]
            page_memory=settings.page_memory_mb * 2**20,  # type: ignore[attr-defined]
            seconds_per_page=settings.work_seconds_per_page,  # type: ignore[attr-defined]
        )


@dataclass
class RasterPage:
    """One rendered page: PNG bytes at page_size px, words with boxes normalised 0..1 to the displayed page."""

    index: int
    png: bytes
    width: int
    height: int
    words: list[Word]
    text_source: str  # "pdf" (text layer), "pdf+ocr" (text layer and OCR of pictures), "ocr" (Tesseract) or "none"
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
    eight = to_8bit(image)
    return eight if eight.mode == "RGB" else eight.convert("RGB")


def to_8bit(image: Image.Image) -> Image.Image:
    """Any Pillow mode as 8-bit gray ('L') or 'RGB', without a full-size float copy; transparency laid on white.

    Gray stays gray (a third of the memory of RGB); callers convert to RGB once the page is scaled down.
    """
    from PIL import Image

    if image.mode in ("RGBA", "LA", "PA", "La", "RGBa") or (image.mode == "P" and "transparency" in image.info):
        gray = image.mode in ("LA", "La")
        rgba = image.convert("LA" if gray else "RGBA")
        background = Image.new("L" if gray else "RGB", rgba.size, "white")
        background.paste(rgba.convert("L" if gray else "RGB"), mask=rgba.getchannel("A"))
        return background
    if image.mode.startswith(("I", "F")):
        return _stretch_to_gray(image)
    if image.mode in ("L", "RGB"):
        return image
    return image.convert("L" if image.mode == "1" else "RGB")


def _stretch_to_gray(image: Image.Image) -> Image.Image:
    """16-bit, 32-bit and float scans: the used range stretched to 0..255, a band of rows at a time."""
    import math

    import numpy as np
    from PIL import Image

    low, high = image.getextrema()
    if not (math.isfinite(low) and math.isfinite(high)):
        raise ValueError(f"pixel values run from {low} to {high}")
    out = Image.new("L", image.size, 0)
    if high <= low:
        return out
    scale = 255.0 / (high - low)
    rows = max(1, (4 << 20) // max(1, image.width))  # about 4 million pixels (16 MB of float32) at a time
    for top in range(0, image.height, rows):
        box = (0, top, image.width, min(image.height, top + rows))
        band = np.asarray(image.crop(box), dtype=np.float32)
        out.paste(Image.fromarray(np.clip((band - low) * scale, 0, 255).astype(np.uint8), "L"), box)
    return out


_DECODED_BYTES = {"1": 0.125, "L": 1, "P": 1, "LA": 2, "La": 2, "PA": 2, "I;16": 2, "I;16B": 2, "I;16L": 2, "I;16N": 2}


def page_bytes(mode: str, width: int, height: int) -> int:
    """About how many bytes decoding a frame and turning it into 8-bit takes (pixels, plus any converted copy)."""
    decoded = _DECODED_BYTES.get(mode, 3 if mode in ("RGB", "YCbCr", "LAB", "HSV") else 4)
    converted = 0 if mode in ("L", "RGB") else 1 if mode in ("1", "LA", "La") or mode.startswith(("I", "F")) else 3
    alpha = 4 if mode in ("RGBA", "PA", "RGBa") else 0
    return int(width * height * (decoded + converted + alpha))


def check_page_memory(mode: str, width: int, height: int, what: str, options: RasterizeOptions) -> None:
    """RESOURCE_LIMIT before decoding a frame that would need more than options.page_memory bytes."""
    need = page_bytes(mode, width, height)
    if need > options.page_memory:
        raise DocaiError(
            ErrorCode.RESOURCE_LIMIT,
            f"{what[0].upper() + what[1:]} ({width}×{height} px, {mode}) needs about {need / 2**20:,.0f} MB to decode, "
            f"more than the {options.page_memory / 2**20:,.0f} MB a page may use (DOCAI_PAGE_MEMORY_MB); "
            "scale it down or save it as 8-bit RGB, and upload it again.",
        )


def is_memory_error(err: BaseException) -> bool:
    """Python's MemoryError, or a decoder's out-of-memory failure (MuPDF, onnxruntime)."""
    text = str(err).lower()
    return isinstance(err, MemoryError) or any(
        word in text for word in ("malloc", "out of memory", "cannot allocate", "bad_alloc", "failed to allocate")
    )


def out_of_memory(what: str, err: BaseException) -> DocaiError:
    return DocaiError(
        ErrorCode.RESOURCE_LIMIT,
        f"{what[0].upper() + what[1:]} needs more memory than this worker may use ({_short(err)}); "
        "scale it down or split the document, and upload it again.",
    )


class WorkBudget:
    """A document may take base_seconds plus seconds_per_page per page; past that it fails TIMED_OUT between pages."""

    def __init__(self, pages: int, options: RasterizeOptions):
        self.pages, self.seconds = pages, options.base_seconds + options.seconds_per_page * pages
        self.started = time.monotonic()
        self.on = options.seconds_per_page > 0

    def check(self, done: int) -> None:
        if self.on and done and time.monotonic() - self.started > self.seconds:
            raise DocaiError(
                ErrorCode.TIMED_OUT,
                f"Reading the document took longer than its work budget of {self.seconds:,.0f} s for "
                f"{self.pages} pages (stopped after page {done}); split it into smaller files, or raise "
                "DOCAI_WORK_SECONDS_PER_PAGE, and upload it again.",
            )


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
