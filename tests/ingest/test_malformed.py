"""A corpus of malformed uploads, each ending with its own error code and a sentence a person can act on."""

from __future__ import annotations

import re
import time

import pytest

from docai.errors import DocaiError, ErrorCode
from docai.stages.ingest import sniff


def assert_human_sentence(message: str) -> None:
    assert 25 <= len(message) <= 400, message
    assert message[0].isupper() or message[0] == "“", message
    assert message.rstrip().endswith("."), message
    assert " " in message and "Traceback" not in message and "Error(" not in message, message
    # something to do about it: an instruction or what docai accepts
    assert re.search(r"upload|remove|split|scale|export|convert|check|open|unpack", message, re.I), message


def test_corpus_is_large_enough(malformed):
    from corpus import MALFORMED

    assert len(MALFORMED) >= 15
    assert len({c.code for c in MALFORMED}) >= 8


def test_malformed_input_fails_with_its_own_code(malformed, process):
    data = malformed.build()
    started = time.perf_counter()
    with pytest.raises(DocaiError) as caught:
        process(data, malformed.filename, malformed.limits)
    elapsed = time.perf_counter() - started
    error = caught.value
    assert error.code == malformed.code, f"{malformed.filename}: {error.code} {error.message}"
    for word in malformed.mentions:
        assert word.lower() in error.message.lower(), error.message
    assert_human_sentence(error.message)
    assert error.as_dict() == {"code": str(malformed.code), "message": error.message}
    # bombs and broken files fail on headers, fast, before any big allocation
    assert elapsed < 2.0, f"{malformed.filename} took {elapsed:.2f} s to fail"


def test_recoverable_input_succeeds(recoverable, process):
    pages = process(recoverable.build(), recoverable.filename, recoverable.limits)
    assert pages
    for page in pages:
        assert max(page.width, page.height) == 1024
        assert page.png.startswith(b"\x89PNG")


def test_pdf_with_text_survives_repair_with_its_words(process):
    from corpus import garbage_xref_pdf

    pages = process(garbage_xref_pdf(), "bad-xref.pdf")
    assert len(pages) == 3
    assert "4711" in pages[2].text and "page 3" in pages[2].text


def test_decompression_bomb_is_refused_before_decoding():
    from corpus import png_bomb

    started = time.perf_counter()
    with pytest.raises(DocaiError) as caught:
        sniff(png_bomb(), "bomb.png")
    assert caught.value.code is ErrorCode.IMAGE_TOO_LARGE
    assert "2,500 megapixels" in caught.value.message or "50000×50000" in caught.value.message
    assert time.perf_counter() - started < 0.5


def test_bomb_under_pillows_guard_is_refused_by_our_limit():
    from corpus import png_bomb

    from docai.stages.ingest import IngestLimits

    # 12000×12000 = 144 MP passes Pillow's own 179 MP error threshold; our limit of 100 MP catches it
    with pytest.raises(DocaiError) as caught:
        sniff(png_bomb(12_000, 12_000), "big.png", IngestLimits(max_pixels=100_000_000))
    assert caught.value.code is ErrorCode.IMAGE_TOO_LARGE
    assert "12000×12000" in caught.value.message


def test_batch_with_malformed_and_good_files_keeps_the_good_ones(process, pdf_bytes, image_bytes):
    from corpus import MALFORMED, RECOVERABLE

    good = [
        ("invoice.pdf", pdf_bytes(2)),
        ("receipt.jpg", image_bytes("JPEG")),
        ("scan.tiff", image_bytes("TIFF")),
        ("photo.heic", image_bytes("HEIF")),
    ]
    batch = [(c.filename, c.build(), c.limits) for c in MALFORMED + RECOVERABLE]
    batch += [(name, data, None) for name, data in good]
    batch.sort(key=lambda item: item[0])  # interleave good and bad
    outcomes: dict[str, str] = {}
    for name, data, limits in batch:
        try:
            pages = process(data, name, limits) if limits else process(data, name)
            outcomes[name] = f"ok:{len(pages)}"
        except DocaiError as err:
            outcomes[name] = str(err.code)
    for case in MALFORMED:
        assert outcomes[case.filename] == str(case.code)
    for name in [c.filename for c in RECOVERABLE] + [name for name, _ in good]:
        assert outcomes[name].startswith("ok:"), (name, outcomes[name])
    assert outcomes["invoice.pdf"] == "ok:2"
