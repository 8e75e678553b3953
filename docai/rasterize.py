"""Rasterize: every page of a PDF or image to a PNG whose longest side is page_size px, with its words."""

from __future__ import annotations

import io
import logging
import struct
import warnings
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from docai.errors import DocaiError, ErrorCode
from docai.ingest import MediaType, check_image_size, open_image
from docai.ocr import OcrOptions, recognize
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


def count_pages(data: bytes, media_type: MediaType) -> int:
    """Pages without rendering any: PDF pages, TIFF frames; a GIF or WebP is its first frame only, a HEIC its primary image."""
    if media_type is MediaType.PDF:
        doc = _open_mupdf(data)
        if doc is not None:
            with doc:
                return doc.page_count
        return _poppler_page_count(data)
    if media_type is MediaType.TIFF:
        try:
            with open_image(data, media_type) as image:
                return getattr(image, "n_frames", 1)
        except Exception as err:  # noqa: BLE001 - a damaged IFD chain
            raise _corrupt(media_type, err) from err
    return 1


def rasterize(data: bytes, media_type: MediaType, options: RasterizeOptions = RasterizeOptions()) -> list[RasterPage]:
    """All pages of the document, rendered and read; raises DocaiError."""
    return list(iter_pages(data, media_type, options))


def iter_pages(
    data: bytes, media_type: MediaType, options: RasterizeOptions = RasterizeOptions()
) -> Iterator[RasterPage]:
    """The pages one by one (a long PDF need not sit in memory); limits are checked before the first page.

    A TIFF with one damaged frame fails as a whole (CORRUPT naming the page): dropping a page silently is worse.
    """
    if media_type is MediaType.XML:  # an e-invoice without a page: a plain page listing what it says
        from docai.stages.einvoice import parse, render_page

        data, media_type = render_page(parse(data)), MediaType.PDF
    pages = _pdf_pages(data, options) if media_type is MediaType.PDF else _image_pages(data, media_type, options)
    index = 0
    try:
        for page in pages:
            yield page
            index += 1
    except DocaiError:
        raise
    except Exception as err:  # noqa: BLE001 - whatever a decoder or OCR engine throws, the user gets a sentence
        log.exception("rasterizing page %d of a %s failed", index + 1, media_type.label)
        raise DocaiError(
            ErrorCode.RENDER_FAILED,
            f"Page {index + 1} of the {media_type.label} could not be processed ({_short(err)}); "
            "open the file, save or export it again and upload the new file.",
        ) from err


# ---------------------------------------------------------------- PDF


def _pymupdf():
    import pymupdf

    # MuPDF would print repair warnings to stderr; we log what matters instead
    pymupdf.TOOLS.mupdf_display_errors(False)
    pymupdf.TOOLS.mupdf_display_warnings(False)
    return pymupdf


def _open_mupdf(data: bytes):
    """The MuPDF document, or None when MuPDF cannot open it; raises ENCRYPTED for a password."""
    pymupdf = _pymupdf()
    try:
        doc = pymupdf.open(stream=data, filetype="pdf")
    except Exception as err:  # noqa: BLE001 - MuPDF raises several types for damaged files
        log.info("MuPDF cannot open the PDF (%s); trying Poppler", err)
        return None
    if doc.needs_pass:
        doc.close()
        raise DocaiError(ErrorCode.ENCRYPTED, ENCRYPTED_MESSAGE)
    if doc.is_repaired:
        log.info("MuPDF repaired a damaged PDF: %s", pymupdf.TOOLS.mupdf_warnings().replace("\n", "; ")[:300])
    return doc


def _check_page_count(count: int, options: RasterizeOptions) -> None:
    if count == 0:
        raise DocaiError(ErrorCode.NO_PAGES, "The PDF has no pages; check that the right file was uploaded.")
    if count > options.max_pages:
        raise DocaiError(
            ErrorCode.TOO_MANY_PAGES,
            f"The document has {count} pages, more than the limit of {options.max_pages}; "
            "split it into smaller files and upload them separately.",
        )


def _pdf_pages(data: bytes, options: RasterizeOptions) -> Iterator[RasterPage]:
    doc = _open_mupdf(data) if options.renderer != "poppler" else None
    if doc is not None and doc.page_count == 0 and doc.is_repaired:
        # MuPDF "repaired" the file into nothing: it is damaged, not empty; Poppler may still find pages
        doc.close()
        doc = None
        if options.renderer == "pymupdf":
            raise _corrupt(MediaType.PDF, "no page could be recovered")
    if doc is None:
        if options.renderer == "pymupdf":
            raise _corrupt(MediaType.PDF, "MuPDF cannot open it")
        count = _poppler_page_count(data)
        _check_page_count(count, options)
        log.warning("rendering a %d-page PDF with Poppler (pdf2image)", count)
        for index in range(count):
            yield _poppler_page(data, index, options)
        return
    with doc:
        _check_page_count(doc.page_count, options)
        log.info("rendering a %d-page PDF with MuPDF %s", doc.page_count, _pymupdf().VersionBind)
        for index in range(doc.page_count):
            try:
                page = _mupdf_page(doc, index, options)
            except DocaiError:
                raise
            except Exception as err:  # noqa: BLE001 - MuPDF failed on this page: Poppler may still draw it
                if options.renderer == "pymupdf":
                    raise DocaiError(
                        ErrorCode.RENDER_FAILED,
                        f"Page {index + 1} of the PDF cannot be drawn ({_short(err)}); "
                        "open it in a PDF viewer, print it to a new PDF and upload that.",
                    ) from err
                log.warning("MuPDF failed on page %d (%s); rendering it with Poppler", index + 1, err)
                page = _poppler_page(data, index, options)
            yield page


def _mupdf_page(doc, index: int, options: RasterizeOptions) -> RasterPage:
    pymupdf = _pymupdf()
    page = doc.load_page(index)
    # one display list serves the image and the text, so the content stream is interpreted once;
    # its coordinates are already those of the displayed (rotated, cropped) page
    display = page.get_displaylist(annots=True)
    bounds = display.rect
    width_pt, height_pt = bounds.width, bounds.height
    if width_pt <= 0 or height_pt <= 0:
        raise DocaiError(
            ErrorCode.CORRUPT,
            f"Page {index + 1} of the PDF has no area ({width_pt:g}×{height_pt:g} pt); "
            "open it in a PDF viewer, print it to a new PDF and upload that.",
        )
    zoom = options.page_size / max(width_pt, height_pt)
    pix = display.get_pixmap(matrix=pymupdf.Matrix(zoom, zoom), colorspace=pymupdf.csRGB, alpha=False)
    width, height, samples = pix.width, pix.height, pix.samples
    if max(width, height) != options.page_size:
        # a fractional page origin can widen the pixel box by one; resample to the exact size
        width, height, samples = _exact_size(pix, options.page_size)
    words: list[Word] = []
    if options.text_layer:
        textpage = pymupdf.TextPage(display.get_textpage(flags=pymupdf.TEXTFLAGS_WORDS))
        words = _pdf_words(textpage.extractWORDS(), width_pt, height_pt)
    text_source = "pdf" if words else "none"
    if options.text_layer and options.ocr is not None and _negligible(words, options.min_text_chars):
        ocr_zoom = min(options.ocr_dpi / 72, options.ocr_max_side / max(width_pt, height_pt))
        gray = display.get_pixmap(matrix=pymupdf.Matrix(ocr_zoom, ocr_zoom), colorspace=pymupdf.csGRAY, alpha=False)
        from PIL import Image

        words = recognize(Image.frombytes("L", (gray.width, gray.height), gray.samples), options.ocr)
        text_source = "ocr"
    return RasterPage(
        index=index,
        png=encode_png(width, height, samples, 3, options.png_level),
        width=width,
        height=height,
        words=words,
        text_source=text_source,
        rotation=page.rotation,
        source_width_pt=round(width_pt, 3),
        source_height_pt=round(height_pt, 3),
        renderer="pymupdf",
    )


def _exact_size(pix, page_size: int) -> tuple[int, int, bytes]:
    from PIL import Image

    image = Image.frombytes("RGB", (pix.width, pix.height), pix.samples)
    image = image.resize(fit_size(pix.width, pix.height, page_size), Image.Resampling.LANCZOS)
    return image.width, image.height, image.tobytes()


def _pdf_words(rows: list[tuple], width_pt: float, height_pt: float) -> list[Word]:
    """Words from MuPDF rows (x0, y0, x1, y1, text, block, line, word), boxes normalised and clipped to the page."""
    words: list[Word] = []
    line_ids: dict[tuple[int, int], int] = {}
    for x0, y0, x1, y1, text, block, line, _ in rows:
        box = (
            _clip(x0 / width_pt),
            _clip(y0 / height_pt),
            _clip(x1 / width_pt),
            _clip(y1 / height_pt),
        )
        text = text.strip()
        if not text or box[2] <= box[0] or box[3] <= box[1]:
            continue  # text outside the visible page
        words.append(Word(text, box, 1.0, line_ids.setdefault((block, line), len(line_ids)), block))
    return words


def _negligible(words: list[Word], min_chars: int) -> bool:
    return sum(ch.isalnum() for w in words for ch in w.text) < min_chars


def _clip(v: float) -> float:
    return min(1.0, max(0.0, v))


# ---------------------------------------------------------------- PDF by Poppler (the fallback)


def _poppler_page_count(data: bytes) -> int:
    """Pages by Poppler's pdfinfo; ENCRYPTED or CORRUPT when Poppler cannot read the file either."""
    info = _poppler_info(data)
    try:
        return int(info["Pages"])
    except (KeyError, ValueError) as err:
        raise _corrupt(MediaType.PDF, "neither MuPDF nor Poppler can find its pages") from err


def _poppler_info(data: bytes, page: int | None = None) -> dict:
    import shutil

    from pdf2image import pdfinfo_from_bytes
    from pdf2image.exceptions import PDFPageCountError, PDFPopplerTimeoutError, PDFSyntaxError

    if shutil.which("pdfinfo") is None:
        raise _corrupt(MediaType.PDF, "MuPDF cannot open it and Poppler (Debian package poppler-utils) is missing")
    try:
        return pdfinfo_from_bytes(data, first_page=page, last_page=page, timeout=60)
    except (PDFPageCountError, PDFSyntaxError, PDFPopplerTimeoutError, ValueError) as err:
        if "password" in str(err).lower():
            raise DocaiError(ErrorCode.ENCRYPTED, ENCRYPTED_MESSAGE) from err
        raise _corrupt(MediaType.PDF, "neither MuPDF nor Poppler can open it") from err


def _poppler_page(data: bytes, index: int, options: RasterizeOptions) -> RasterPage:
    """One page drawn by Poppler (pdftoppm through pdf2image), words by pdftotext -bbox-layout."""
    from pdf2image import convert_from_bytes
    from PIL import Image

    info = _poppler_info(data, index + 1)
    width_pt, height_pt, rotation = _poppler_page_geometry(info, index + 1)
    try:
        # size=N is pdftoppm -scale-to N: the longest side becomes N px, with the page rotation applied
        images = convert_from_bytes(
            data, first_page=index + 1, last_page=index + 1, size=options.page_size, timeout=120
        )
    except Exception as err:  # noqa: BLE001 - pdf2image wraps several poppler failures
        raise DocaiError(
            ErrorCode.RENDER_FAILED,
            f"Page {index + 1} of the PDF cannot be drawn by MuPDF or Poppler ({_short(err)}); "
            "open it in a PDF viewer, print it to a new PDF and upload that.",
        ) from err
    if not images:
        raise DocaiError(ErrorCode.RENDER_FAILED, f"Poppler drew nothing for page {index + 1} of the PDF.")
    image = _to_rgb(images[0])
    if max(image.size) != options.page_size:
        image = image.resize(fit_size(image.width, image.height, options.page_size), Image.Resampling.LANCZOS)
    if width_pt is None or height_pt is None:
        width_pt, height_pt = float(image.width), float(image.height)
    words = _poppler_words(data, index, width_pt, height_pt) if options.text_layer else []
    text_source = "pdf" if words else "none"
    if options.text_layer and options.ocr is not None and _negligible(words, options.min_text_chars):
        side = min(options.ocr_max_side, round(max(width_pt, height_pt) * options.ocr_dpi / 72))
        scan = convert_from_bytes(
            data, first_page=index + 1, last_page=index + 1, size=side, grayscale=True, timeout=120
        )
        words = recognize(scan[0], options.ocr)
        text_source = "ocr"
    return RasterPage(
        index=index,
        png=encode_png(image.width, image.height, image.tobytes(), 3, options.png_level),
        width=image.width,
        height=image.height,
        words=words,
        text_source=text_source,
        rotation=rotation,
        source_width_pt=round(width_pt, 3),
        source_height_pt=round(height_pt, 3),
        renderer="poppler",
    )


def _poppler_page_geometry(info: dict, number: int) -> tuple[float | None, float | None, int]:
    """Displayed width and height in points and the rotation, from pdfinfo's per-page lines."""
    import re

    rotation = 0
    for key, value in info.items():
        if re.fullmatch(rf"Page\s+{number}\s+rot", key):
            rotation = int(float(value)) % 360
    size = next((v for k, v in info.items() if re.fullmatch(rf"Page\s+{number}\s+size", k)), info.get("Page size", ""))
    match = re.match(r"\s*([\d.]+)\s*x\s*([\d.]+)", str(size))
    if not match:
        return None, None, rotation
    width, height = float(match.group(1)), float(match.group(2))
    return (height, width, rotation) if rotation in (90, 270) else (width, height, rotation)


def _poppler_words(data: bytes, index: int, width_pt: float, height_pt: float) -> list[Word]:
    """Words with boxes from pdftotext -bbox-layout, normalised to the displayed page; [] when it fails."""
    import subprocess
    import tempfile
    import xml.etree.ElementTree as ET

    with tempfile.NamedTemporaryFile(suffix=".pdf") as tmp:
        tmp.write(data)
        tmp.flush()
        try:
            result = subprocess.run(
                ["pdftotext", "-q", "-bbox-layout", "-f", str(index + 1), "-l", str(index + 1), tmp.name, "-"],
                capture_output=True,
                timeout=120,
                check=True,
            )
            root = ET.fromstring(result.stdout)
        except (OSError, subprocess.SubprocessError, ET.ParseError) as err:
            log.warning("pdftotext could not read the text of page %d: %s", index + 1, err)
            return []
    ns = {"h": "http://www.w3.org/1999/xhtml"}
    page = root.find(".//h:page", ns)
    if page is None:
        return []
    # pdftotext's boxes are on the displayed (rotated) page, though <page> gives the unrotated size
    rows = []
    for block_no, block in enumerate(page.iterfind(".//h:block", ns)):
        for line_no, line in enumerate(block.iterfind("h:line", ns)):
            for word in line.iterfind("h:word", ns):
                box = tuple(float(word.get(k, 0)) for k in ("xMin", "yMin", "xMax", "yMax"))
                rows.append((*box, word.text or "", block_no, line_no, 0))
    return _pdf_words(rows, width_pt, height_pt)


# ---------------------------------------------------------------- images


def _image_pages(data: bytes, media_type: MediaType, options: RasterizeOptions) -> Iterator[RasterPage]:

    check_image_size(data, media_type, options.max_pixels, f"The {media_type.label}")
    count = count_pages(data, media_type)
    _check_page_count(count, options)
    try:
        source = open_image(data, media_type)
    except Exception as err:  # noqa: BLE001 - the header was readable a moment ago; treat as damage
        raise _corrupt(media_type, err) from err
    with source:
        for index in range(count):
            frame = f"page {index + 1} of the {media_type.label}" if count > 1 else f"the {media_type.label}"
            try:
                if index:
                    source.seek(index)
                width, height = source.size
                if width * height > options.max_pixels:
                    raise DocaiError(
                        ErrorCode.IMAGE_TOO_LARGE,
                        f"{frame[0].upper() + frame[1:]} claims {width}×{height} px, more than the "
                        f"{options.max_pixels / 1e6:.0f} megapixel limit; scale it down and upload it again.",
                    )
                with _pillow_guard(options.max_pixels):
                    source.load()
                    upright, rotation = _upright(source)
                    rgb = _to_rgb(upright)
            except DocaiError:
                raise
            except Exception as err:  # noqa: BLE001 - truncated or damaged pixel data
                # a damaged frame fails the document: silently dropping a page of an invoice is worse
                raise DocaiError(
                    ErrorCode.CORRUPT,
                    f"{frame[0].upper() + frame[1:]} is damaged and cannot be decoded ({_short(err)}); "
                    "export or scan it again and upload the new file.",
                ) from err
            yield _image_page(index, rgb, rotation, options)


@contextmanager
def _pillow_guard(max_pixels: int) -> Iterator[None]:
    """Pillow's own bomb guard set to our limit while pixels are decoded, as a second line behind the header check.

    The guard is process-wide, so it is put back afterwards: a call with a small limit must not leak into others.
    """
    from PIL import Image

    previous = Image.MAX_IMAGE_PIXELS
    Image.MAX_IMAGE_PIXELS = max_pixels
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            yield
    finally:
        Image.MAX_IMAGE_PIXELS = previous


def _image_page(index: int, rgb: Image.Image, rotation: int, options: RasterizeOptions) -> RasterPage:
    from PIL import Image

    size = fit_size(rgb.width, rgb.height, options.page_size)
    page = rgb.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0) if size != rgb.size else rgb
    words: list[Word] = []
    text_source = "none"
    if options.ocr is not None:
        # OCR reads the original pixels (capped), not the 1024 px page: small print needs them
        ocr_image = rgb
        if max(rgb.size) > options.ocr_max_side:
            ocr_image = rgb.resize(fit_size(rgb.width, rgb.height, options.ocr_max_side), Image.Resampling.LANCZOS)
        words = recognize(ocr_image, options.ocr)
        text_source = "ocr"
    return RasterPage(
        index=index,
        png=encode_png(page.width, page.height, page.tobytes(), 3, options.png_level),
        width=page.width,
        height=page.height,
        words=words,
        text_source=text_source,
        rotation=rotation,
        source_width_pt=None,
        source_height_pt=None,
        renderer="pillow",
    )


def _upright(image: Image.Image) -> tuple[Image.Image, int]:
    from PIL import ImageOps

    orientation = image.getexif().get(0x0112, 1)
    if orientation not in _EXIF_ROTATION or orientation == 1:
        return image, 0
    return ImageOps.exif_transpose(image), _EXIF_ROTATION[orientation]


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


# ---------------------------------------------------------------- shared


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
