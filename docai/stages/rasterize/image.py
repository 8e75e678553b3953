"""Image pages: TIFF frames, PNG, JPEG, WebP, HEIC; EXIF orientation honoured, words from OCR."""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from docai.errors import DocaiError, ErrorCode
from docai.stages.ingest import MediaType, check_image_size, open_image
from docai.stages.rasterize.common import (
    _EXIF_ROTATION,
    RasterizeOptions,
    RasterPage,
    WorkBudget,
    _check_page_count,
    _corrupt,
    _short,
    check_page_memory,
    encode_png,
    fit_size,
    out_of_memory,
    to_8bit,
)
from model.ocr import recognize
from model.types import Word

if TYPE_CHECKING:
    from PIL import Image

log = logging.getLogger(__name__)


def _image_pages(data: bytes, media_type: MediaType, options: RasterizeOptions) -> Iterator[RasterPage]:

    check_image_size(data, media_type, options.max_pixels, f"The {media_type.label}")
    count = frame_count(data, media_type)
    _check_page_count(count, options)
    try:
        source = open_image(data, media_type)
    except Exception as err:  # noqa: BLE001 - the header was readable a moment ago; treat as damage
        raise _corrupt(media_type, err) from err
    budget = WorkBudget(count, options)
    with source:
        for index in range(count):
            frame = f"page {index + 1} of the {media_type.label}" if count > 1 else f"the {media_type.label}"
            try:
                budget.check(index)
                if index:
                    source.seek(index)
                width, height = source.size
                if width * height > options.max_pixels:
                    raise DocaiError(
                        ErrorCode.IMAGE_TOO_LARGE,
                        f"{frame[0].upper() + frame[1:]} claims {width}×{height} px, more than the "
                        f"{options.max_pixels / 1e6:.0f} megapixel limit; scale it down and upload it again.",
                    )
                _draft(source, options)
                check_page_memory(source.mode, *source.size, frame, options)
                with _pillow_guard(options.max_pixels):
                    source.load()
                    upright, rotation = _upright(source)
                    pixels = to_8bit(upright)
            except DocaiError:
                raise
            except MemoryError as err:
                raise out_of_memory(frame, err) from err
            except Exception as err:  # noqa: BLE001 - truncated or damaged pixel data
                # a damaged frame fails the document: silently dropping a page of an invoice is worse
                raise DocaiError(
                    ErrorCode.CORRUPT,
                    f"{frame[0].upper() + frame[1:]} is damaged and cannot be decoded ({_short(err)}); "
                    "export or scan it again and upload the new file.",
                ) from err
            yield _image_page(index, pixels, rotation, options)


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


def _draft(source: Image.Image, options: RasterizeOptions) -> None:
    """A JPEG larger than anything made of it is decoded at 1/2, 1/4 or 1/8 scale (still at least that size)."""
    target = options.ocr_max_side if options.ocr is not None else options.page_size
    if source.format == "JPEG" and max(source.size) > target:
        source.draft(source.mode, fit_size(source.width, source.height, target))


def _image_page(index: int, rgb: Image.Image, rotation: int, options: RasterizeOptions) -> RasterPage:
    """rgb: the frame as 8-bit gray or RGB; the stored page is RGB, OCR reads the frame itself (capped)."""
    from PIL import Image

    size = fit_size(rgb.width, rgb.height, options.page_size)
    page = rgb.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0) if size != rgb.size else rgb
    page = page.convert("RGB") if page.mode != "RGB" else page
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


def frame_count(data: bytes, media_type: MediaType) -> int:
    """TIFF frames; a GIF or WebP is its first frame only, a HEIC its primary image."""
    if media_type is MediaType.TIFF:
        try:
            with open_image(data, media_type) as image:
                return getattr(image, "n_frames", 1)
        except Exception as err:  # noqa: BLE001 - a damaged IFD chain
            raise _corrupt(media_type, err) from err
    return 1
