"""Rasterize: every page of a PDF or image to a PNG whose longest side is page_size px, with its words."""

from __future__ import annotations

import logging
from collections.abc import Iterator

from docai.errors import DocaiError, ErrorCode
from docai.stages.ingest import MediaType
from docai.stages.rasterize.common import (
    RasterizeOptions,
    RasterPage,
    _short,
    encode_png,
    fit_size,
    is_memory_error,
    out_of_memory,
)
from docai.stages.rasterize.image import _image_pages, frame_count
from docai.stages.rasterize.pdf import _open_mupdf, _pdf_pages, _poppler_page_count
from model.types import Word

__all__ = ["RasterPage", "RasterizeOptions", "count_pages", "encode_png", "fit_size", "iter_pages", "rasterize"]

log = logging.getLogger(__name__)


def count_pages(data: bytes, media_type: MediaType) -> int:
    """Pages without rendering any: PDF pages, TIFF frames; a GIF or WebP is its first frame only, a HEIC its primary image."""
    if media_type is MediaType.PDF:
        doc = _open_mupdf(data)
        if doc is not None:
            with doc:
                return doc.page_count
        return _poppler_page_count(data)
    return frame_count(data, media_type)


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
            # words as the pipeline stores them (`Word.to_json`: boxes to 5 places): `docai eval`, `docai train` and
            # a worker then read one document alike (a box differing in its 6th place once changed an invoice total)
            page.words = [Word.from_json(w.to_json()) for w in page.words]
            yield page
            index += 1
    except DocaiError:
        raise
    except Exception as err:  # noqa: BLE001 - whatever a decoder or OCR engine throws, the user gets a sentence
        if is_memory_error(err):
            raise out_of_memory(f"page {index + 1} of the {media_type.label}", err) from err
        log.exception("rasterizing page %d of a %s failed", index + 1, media_type.label)
        raise DocaiError(
            ErrorCode.RENDER_FAILED,
            f"Page {index + 1} of the {media_type.label} could not be processed ({_short(err)}); "
            "open the file, save or export it again and upload the new file.",
        ) from err
