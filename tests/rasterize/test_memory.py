"""Pages are decoded within bounds: 16-bit and float scans without float64 copies, big JPEGs at reduced scale,
gray kept gray until the page is small."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from PIL import Image

import docai.stages.rasterize.image as image_pages
from docai.stages.ingest import MediaType
from docai.stages.rasterize import RasterizeOptions, rasterize
from docai.stages.rasterize.common import page_bytes, to_8bit


def _png16(width: int, height: int) -> bytes:
    row = b"\x00" + b"".join(struct.pack(">H", 1000 + x * 60000 // (width - 1)) for x in range(width))
    header = struct.pack(">IIBBBBB", width, height, 16, 0, 0, 0, 0)

    def chunk(kind: bytes, payload: bytes) -> bytes:
        return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))

    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(row * height))
        + chunk(b"IEND", b"")
    )


def test_16_bit_scans_are_stretched_to_the_full_range() -> None:
    [page] = rasterize(_png16(400, 30), MediaType.PNG, RasterizeOptions(ocr=None))
    pixels = page.image().convert("L")
    assert pixels.getpixel((0, 5)) == 0 and pixels.getpixel((page.width - 1, 5)) == 255  # used range -> 0..255
    assert 100 < pixels.getpixel((page.width // 2, 5)) < 155


@pytest.mark.parametrize("mode", ["I;16", "I", "F"])
def test_deep_pixels_become_8_bit_gray_without_a_float_copy(mode: str) -> None:
    deep = Image.new(mode, (3000, 2000), 0)
    deep.paste(200 if mode != "F" else 0.5, (0, 0, 1500, 2000))
    gray = to_8bit(deep)
    assert gray.mode == "L" and gray.getpixel((10, 10)) == 255 and gray.getpixel((2900, 10)) == 0
    # what the page costs: the decoded pixels and one gray copy, not eight bytes a pixel
    assert page_bytes(mode, 3000, 2000) <= 3000 * 2000 * 5


def test_a_large_jpeg_is_decoded_at_reduced_scale(monkeypatch: pytest.MonkeyPatch) -> None:
    photo = Image.new("RGB", (6000, 4000), "white")
    photo.paste("black", (1000, 1000, 3000, 2000))
    buffer = io.BytesIO()
    photo.save(buffer, "JPEG", quality=80)
    decoded: list[tuple[int, int]] = []
    real = image_pages.to_8bit
    monkeypatch.setattr(image_pages, "to_8bit", lambda im: decoded.append(im.size) or real(im))
    [page] = rasterize(buffer.getvalue(), MediaType.JPEG, RasterizeOptions(ocr=None))
    assert (page.width, page.height) == (1024, 683)
    assert decoded == [(1500, 1000)]  # 1/4 scale: still larger than the page, 16 times fewer pixels
