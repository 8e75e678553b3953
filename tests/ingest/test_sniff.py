"""Type by magic bytes, names made safe, hashes for deduplication."""

from __future__ import annotations

import hashlib

import pytest
from corpus import make_image, make_pdf, zero_page_pdf

from docai.errors import DocaiError, ErrorCode
from docai.stages.ingest import IngestLimits, MediaType, label_mismatch, safe_filename, sha256_hex, sniff


@pytest.mark.parametrize(
    ("fmt", "expected"),
    [
        ("PNG", MediaType.PNG),
        ("JPEG", MediaType.JPEG),
        ("TIFF", MediaType.TIFF),
        ("WEBP", MediaType.WEBP),
        ("BMP", MediaType.BMP),
        ("GIF", MediaType.GIF),
        ("HEIF", MediaType.HEIC),
    ],
)
def test_images_are_typed_by_content_whatever_their_name(fmt, expected):
    data = make_image(fmt, (120, 80))
    assert sniff(data) is expected
    assert sniff(data, "upload.bin") is expected
    assert sniff(data, "misnamed.pdf") is expected  # the content wins over the extension


def test_pdf_is_typed_by_content_even_with_junk_before_the_header():
    assert sniff(make_pdf(1), "x.png") is MediaType.PDF
    assert sniff(b"\r\n\r\n" + zero_page_pdf()) is MediaType.PDF


def test_mislabeled_file_is_accepted_and_noted():
    data = make_image("PNG", (90, 90))
    assert sniff(data, "receipt.jpg") is MediaType.PNG
    note = label_mismatch("receipt.jpg", MediaType.PNG)
    assert note is not None and "JPEG" in note and "PNG" in note
    assert label_mismatch("receipt.png", MediaType.PNG) is None
    assert label_mismatch(None, MediaType.PNG) is None
    assert label_mismatch("README", MediaType.PDF) is None


def test_unsupported_file_names_what_it_really_is():
    with pytest.raises(DocaiError) as caught:
        sniff(b"<html><head></head><body>hi</body></html>", "invoice.pdf")
    assert caught.value.code is ErrorCode.UNSUPPORTED_TYPE
    assert caught.value.message.startswith("“invoice.pdf” is an HTML web page, not a PDF")
    with pytest.raises(DocaiError) as caught:
        sniff(b"\x1f\x8b\x08\x00" + bytes(40), "scans.gz")
    assert "gzip archive" in caught.value.message and "unpack" in caught.value.message


def test_size_limit_is_checked_before_anything_else():
    with pytest.raises(DocaiError) as caught:
        sniff(b"x" * 2048, "big.pdf", IngestLimits(max_file_bytes=1024))
    assert caught.value.code is ErrorCode.TOO_LARGE


@pytest.mark.parametrize(
    ("raw", "safe"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\ann\\Rechnung März.pdf", "Rechnung März.pdf"),
        ("in\x00voice\x07.pdf", "invoice.pdf"),
        ("  收据 2024.jpg  ", "收据 2024.jpg"),
        ("line\nbreak.pdf", "line break.pdf"),
        ("", "document"),
        ("../", "document"),
        ("\x00\x01\x02", "document"),
        ("...", "document"),
    ],
)
def test_safe_filename(raw, safe):
    assert safe_filename(raw) == safe


def test_safe_filename_caps_length_and_keeps_the_extension():
    name = safe_filename("a" * 1000 + ".pdf")
    assert len(name) == 200 and name.endswith(".pdf")


def test_sha256_matches_hashlib_and_identifies_identical_bytes():
    data = make_pdf(1)
    assert sha256_hex(data) == hashlib.sha256(data).hexdigest()
    assert sha256_hex(data) == sha256_hex(bytes(data))
    assert sha256_hex(data) != sha256_hex(data + b"\n")


def test_media_type_values_are_mime_types():
    assert {m.value for m in MediaType} >= {"application/pdf", "image/png", "image/jpeg", "image/heic"}
    assert not MediaType.PDF.is_image and MediaType.GIF.is_image


def test_limits_from_settings(monkeypatch):
    from docai.settings import get_settings

    monkeypatch.setenv("DOCAI_MAX_PAGES", "7")
    get_settings.cache_clear()
    limits = IngestLimits.from_settings(get_settings())
    assert limits.max_pages == 7
    assert IngestLimits().max_file_bytes == get_settings().max_file_bytes
    assert IngestLimits().max_pixels == get_settings().max_pixels
    get_settings.cache_clear()
