"""PDF pages: MuPDF renders them (Poppler when MuPDF cannot), words from the text layer or OCR of a scan."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import TYPE_CHECKING

from docai.errors import DocaiError, ErrorCode
from docai.stages.ingest import MediaType
from docai.stages.rasterize.common import (
    ENCRYPTED_MESSAGE,
    RasterizeOptions,
    RasterPage,
    WorkBudget,
    _check_page_count,
    _corrupt,
    _short,
    _to_rgb,
    encode_png,
    fit_size,
    is_memory_error,
    out_of_memory,
)
from model.ocr import recognize
from model.types import Word

if TYPE_CHECKING:
    pass

log = logging.getLogger(__name__)


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
        budget = WorkBudget(count, options)
        for index in range(count):
            budget.check(index)
            yield _poppler_page(data, index, options)
        return
    with doc:
        _check_page_count(doc.page_count, options)
        log.info("rendering a %d-page PDF with MuPDF %s", doc.page_count, _pymupdf().VersionBind)
        budget = WorkBudget(doc.page_count, options)
        for index in range(doc.page_count):
            budget.check(index)
            try:
                page = _mupdf_page(doc, index, options)
            except DocaiError:
                raise
            except Exception as err:  # noqa: BLE001 - MuPDF failed on this page: Poppler may still draw it
                if is_memory_error(err):  # Poppler would need as much: fail the page, keep the worker
                    raise out_of_memory(f"page {index + 1} of the PDF", err) from err
                if options.renderer == "pymupdf":
                    raise DocaiError(
                        ErrorCode.RENDER_FAILED,
                        f"Page {index + 1} of the PDF cannot be drawn ({_short(err)}); "
                        "open it in a PDF viewer, print it to a new PDF and upload that.",
                    ) from err
                log.warning("MuPDF failed on page %d (%s); rendering it with Poppler", index + 1, err)
                page = _poppler_page(data, index, options)
            yield page


def _check_images(page, index: int, options: RasterizeOptions) -> None:
    """IMAGE_TOO_LARGE before drawing a page whose embedded image claims more pixels than the limit: MuPDF
    decodes a flate image whole, so a few KB of zeros declared 50000×50000 would take gigabytes."""
    for info in page.get_images(full=True):
        width, height = int(info[2]), int(info[3])
        if width * height > options.max_pixels:
            raise DocaiError(
                ErrorCode.IMAGE_TOO_LARGE,
                f"Page {index + 1} of the PDF holds an image of {width}×{height} px, more than the "
                f"{options.max_pixels / 1e6:.0f} megapixel limit; scale its images down (print it to a new PDF) "
                "and upload it again.",
            )


def _mupdf_page(doc, index: int, options: RasterizeOptions) -> RasterPage:
    pymupdf = _pymupdf()
    page = doc.load_page(index)
    _check_images(page, index, options)
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
    ocr_zoom = min(options.ocr_dpi / 72, options.ocr_max_side / max(width_pt, height_pt))
    if options.text_layer and options.ocr is not None and _negligible(words, options.min_text_chars):
        words = recognize(_gray(display, ocr_zoom), options.ocr)
        text_source = "ocr"
    elif options.text_layer and options.ocr is not None:
        pictured = _picture_words(page, display, words, ocr_zoom, options)
        if pictured:
            words, text_source = words + pictured, "pdf+ocr"
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


def _gray(display, zoom: float, clip=None):
    from PIL import Image

    pymupdf = _pymupdf()
    gray = display.get_pixmap(matrix=pymupdf.Matrix(zoom, zoom), colorspace=pymupdf.csGRAY, alpha=False, clip=clip)
    return Image.frombytes("L", (gray.width, gray.height), gray.samples)


def _picture_words(page, display, words: list[Word], zoom: float, options: RasterizeOptions) -> list[Word]:
    """OCR of the pictures on a page that has a text layer: each one covering options.bitmap_area of the page
    with no text-layer word on it, boxes mapped to the page. Rotated pages are left as their text layer says."""
    if page.rotation or options.ocr is None:
        return []
    pymupdf = _pymupdf()
    bounds = display.rect
    area = bounds.width * bounds.height
    found: list[Word] = []
    next_line = max((w.line for w in words), default=-1) + 1
    next_block = max((w.block for w in words), default=-1) + 1
    pictures = []
    for info in page.get_image_info():
        rect = pymupdf.Rect(info["bbox"]) & bounds
        if rect.is_empty or rect.width * rect.height < options.bitmap_area * area:
            continue
        box = (rect.x0 / bounds.width, rect.y0 / bounds.height, rect.x1 / bounds.width, rect.y1 / bounds.height)
        if any(_centre_in(w.bbox, box) for w in words):
            continue  # text drawn over it (an OCR'd scan's invisible layer, a form's background): already read
        native = max(info["width"] / rect.width, info["height"] / rect.height)  # the picture's own pixels per pt
        pictures.append((rect, box, min(zoom, max(native, 150 / 72))))
    for rect, box, scale in sorted(pictures, key=lambda p: -p[0].width * p[0].height)[: options.max_bitmaps]:
        lines: dict[int, int] = {}
        try:
            read = recognize(_gray(display, scale, clip=rect), options.ocr)
        except DocaiError as err:  # a strip OCR cannot lay out: the page keeps its text layer
            log.info("picture on page %d not read: %s", page.number + 1, err)
            continue
        for w in read:
            x0, y0, x1, y1 = w.bbox
            width, height = box[2] - box[0], box[3] - box[1]
            mapped = (box[0] + x0 * width, box[1] + y0 * height, box[0] + x1 * width, box[1] + y1 * height)
            line = lines.setdefault(w.line, next_line + len(lines))
            found.append(Word(w.text, mapped, w.confidence, line, next_block))
        next_line += len(lines)
        next_block += 1
    return found


def _centre_in(word: tuple[float, float, float, float], box: tuple[float, float, float, float]) -> bool:
    x, y = (word[0] + word[2]) / 2, (word[1] + word[3]) / 2
    return box[0] <= x <= box[2] and box[1] <= y <= box[3]


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
