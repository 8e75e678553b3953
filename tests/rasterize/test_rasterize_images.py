"""Image pages: EXIF orientation, multi-page TIFF, HEIC, GIF, modes, OCR on the original pixels."""

from __future__ import annotations

import pytest
from PIL import Image, ImageDraw

from docai.errors import DocaiError, ErrorCode
from docai.stages.ingest import MediaType, sniff
from docai.stages.rasterize import RasterizeOptions, count_pages, encode_png, fit_size, rasterize
from model.ocr import OcrOptions

NO_OCR = RasterizeOptions(ocr=None)


def marked(size: tuple[int, int] = (800, 400)) -> Image.Image:
    """White image with a red block in its top-left corner, to see where the corner ends up."""
    image = Image.new("RGB", size, "white")
    ImageDraw.Draw(image).rectangle((0, 0, size[0] // 5, size[1] // 5), fill=(255, 0, 0))
    return image


def is_red(pixel: tuple[int, ...]) -> bool:
    return pixel[0] > 200 and pixel[1] < 60 and pixel[2] < 60


def test_exif_orientation_is_applied(encode):
    exif = Image.Exif()
    exif[0x0112] = 6  # stored landscape, shown turned 90° clockwise
    data = encode(marked(), "JPEG", exif=exif, quality=95)
    (page,) = rasterize(data, sniff(data), NO_OCR)
    assert (page.width, page.height) == (512, 1024)
    assert page.rotation == 90
    image = page.image()
    assert is_red(image.getpixel((page.width - 10, 10)))  # the stored top-left corner is now top-right
    assert not is_red(image.getpixel((10, 10)))


@pytest.mark.parametrize(("orientation", "size", "rotation"), [(3, (1024, 512), 180), (8, (512, 1024), 270)])
def test_other_exif_rotations(encode, orientation, size, rotation):
    exif = Image.Exif()
    exif[0x0112] = orientation
    data = encode(marked(), "JPEG", exif=exif)
    (page,) = rasterize(data, MediaType.JPEG, NO_OCR)
    assert (page.width, page.height) == size and page.rotation == rotation


def test_multi_page_tiff_is_several_pages(encode):
    frames = [marked((800, 400)), marked((300, 900)), Image.new("L", (2000, 2000), 128)]
    data = encode(frames[0], "TIFF", save_all=True, append_images=frames[1:], compression="tiff_lzw")
    assert count_pages(data, MediaType.TIFF) == 3
    pages = rasterize(data, sniff(data, "scan.tif"), NO_OCR)
    assert [(p.index, p.width, p.height) for p in pages] == [(0, 1024, 512), (1, 341, 1024), (2, 1024, 1024)]
    assert all(p.renderer == "pillow" and p.source_width_pt is None for p in pages)


def test_tiff_over_the_page_limit(encode):
    frames = [marked() for _ in range(4)]
    data = encode(frames[0], "TIFF", save_all=True, append_images=frames[1:])
    with pytest.raises(DocaiError) as caught:
        rasterize(data, MediaType.TIFF, RasterizeOptions(max_pages=3, ocr=None))
    assert caught.value.code is ErrorCode.TOO_MANY_PAGES


def test_heic_round_trip(encode):
    data = encode(marked((640, 480)), "HEIF", quality=90)
    assert sniff(data, "IMG_0001.HEIC") is MediaType.HEIC
    (page,) = rasterize(data, MediaType.HEIC, NO_OCR)
    assert (page.width, page.height) == (1024, 768)
    assert is_red(page.image().getpixel((20, 20)))
    assert page.image().getpixel((1000, 700))[0] > 230


def test_gif_uses_the_first_frame_only(encode):
    frames = [Image.new("RGB", (200, 100), color) for color in ("red", "green", "blue")]
    data = encode(frames[0], "GIF", save_all=True, append_images=frames[1:])
    assert count_pages(data, MediaType.GIF) == 1
    (page,) = rasterize(data, MediaType.GIF, NO_OCR)
    assert (page.width, page.height) == (1024, 512)
    assert is_red(page.image().getpixel((500, 250)))


@pytest.mark.parametrize("fmt", ["WEBP", "BMP", "PNG"])
def test_small_images_are_scaled_up_to_page_size(encode, fmt):
    data = encode(marked((120, 90)), fmt)
    (page,) = rasterize(data, sniff(data), NO_OCR)
    assert (page.width, page.height) == (1024, 768)


def test_transparency_is_laid_on_white(encode):
    image = Image.new("RGBA", (400, 200), (0, 0, 0, 0))
    ImageDraw.Draw(image).rectangle((0, 0, 100, 100), fill=(0, 0, 255, 255))
    (page,) = rasterize(encode(image, "PNG"), MediaType.PNG, NO_OCR)
    rendered = page.image()
    assert rendered.mode == "RGB"
    assert rendered.getpixel((900, 400)) == (255, 255, 255)
    assert rendered.getpixel((50, 50))[2] > 200 and rendered.getpixel((50, 50))[0] < 30


@pytest.mark.parametrize("mode", ["I;16", "1", "CMYK", "P", "LA"])
def test_unusual_modes_become_rgb(encode, mode):
    image = marked((300, 200)).convert(mode) if mode != "I;16" else Image.new("I;16", (300, 200), 40000)
    fmt = "JPEG" if mode == "CMYK" else "TIFF" if mode == "1" else "PNG"
    (page,) = rasterize(encode(image, fmt), sniff(encode(image, fmt)), NO_OCR)
    assert page.image().mode == "RGB" and max(page.width, page.height) == 1024


def test_frame_over_the_pixel_limit_fails_before_decoding(encode):
    data = encode(marked((3000, 2000)), "PNG")
    with pytest.raises(DocaiError) as caught:
        rasterize(data, MediaType.PNG, RasterizeOptions(max_pixels=5_000_000, ocr=None))
    assert caught.value.code is ErrorCode.IMAGE_TOO_LARGE
    assert "3000×2000" in caught.value.message


def test_image_page_gets_ocr_words_from_original_pixels(encode, text_image):
    data = encode(text_image("TOTAL 42.50"), "PNG")
    (page,) = rasterize(data, MediaType.PNG, RasterizeOptions(ocr=OcrOptions()))
    assert page.text_source == "ocr"
    assert (page.width, page.height) == (1024, 366)
    words = {w.text.upper(): w for w in page.words}
    assert "TOTAL" in words, page.text
    box = words["TOTAL"].bbox
    assert box[0] == pytest.approx(80 / 1400, abs=0.03) and 0 <= box[1] < box[3] <= 1


def test_without_ocr_image_pages_have_no_words(encode, text_image):
    (page,) = rasterize(encode(text_image(), "PNG"), MediaType.PNG, NO_OCR)
    assert page.text_source == "none" and page.words == []


def test_fit_size_and_png_encoder():
    assert fit_size(4000, 3000, 1024) == (1024, 768)
    assert fit_size(10, 5000, 1024) == (2, 1024)
    assert fit_size(5000, 1, 1024) == (1024, 1)
    gray = bytes(range(256)) * 4
    png = encode_png(256, 4, gray, channels=1, level=9)
    from io import BytesIO

    image = Image.open(BytesIO(png))
    assert image.mode == "L" and image.size == (256, 4) and image.getpixel((200, 3)) == 200
    with pytest.raises(ValueError):
        encode_png(10, 10, b"short")


def test_tiff_frame_over_the_pixel_limit_is_named(encode):
    frames = [marked((200, 100)), marked((3000, 2000))]
    data = encode(frames[0], "TIFF", save_all=True, append_images=frames[1:])
    pages = rasterize(data, MediaType.TIFF, RasterizeOptions(max_pixels=10_000_000, ocr=None, page_size=64))
    assert [max(p.width, p.height) for p in pages] == [64, 64]  # under a 10 MP limit both pages are fine
    with pytest.raises(DocaiError) as caught:
        rasterize(data, MediaType.TIFF, RasterizeOptions(max_pixels=1_000_000, ocr=None))
    assert caught.value.code is ErrorCode.IMAGE_TOO_LARGE
    assert caught.value.message.startswith("Page 2 of the TIFF image claims 3000×2000 px")


def test_a_small_limit_does_not_leak_into_pillow_for_later_calls(encode):
    before = Image.MAX_IMAGE_PIXELS
    with pytest.raises(DocaiError):
        rasterize(encode(marked((3000, 2000)), "PNG"), MediaType.PNG, RasterizeOptions(max_pixels=1_000, ocr=None))
    rasterize(encode(marked((300, 200)), "PNG"), MediaType.PNG, RasterizeOptions(max_pixels=100_000, ocr=None))
    assert Image.MAX_IMAGE_PIXELS == before


def test_ocr_failure_is_a_docai_error(encode, text_image):
    options = RasterizeOptions(ocr=OcrOptions(languages="no-such-language", backend="tesseract"))
    with pytest.raises(DocaiError) as caught:
        rasterize(encode(text_image(), "PNG"), MediaType.PNG, options)
    assert caught.value.code is ErrorCode.OCR_FAILED
