"""Resource bombs, odd pixel formats, polyglots and hostile names: each file succeeds or fails with its own code,
under a memory limit, while the rest of its batch finishes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import bombs
import pytest
from corpus import png_bomb
from drawn import png16

from docai.errors import DocaiError, ErrorCode

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
LIMIT_MB = 1024  # address space of the whole child process, Python and its libraries included

HEAVY = {
    "a-receipt.pdf": (lambda: bombs.make_pdf(1), "ok:1"),
    "deep16.png": (lambda: png16(8000, 8000), "ok:1"),  # 64 MP at 16 bits: once a 1.5 GB float64 copy
    "float32.tif": (bombs.float_tiff, "ok:1"),
    "cmyk-13000.tif": (lambda: bombs.tiff_header_only(13_000, 13_000), str(ErrorCode.RESOURCE_LIMIT)),
    "image-bomb.pdf": (bombs.pdf_image_bomb, str(ErrorCode.IMAGE_TOO_LARGE)),
    "huge-mediabox.pdf": (bombs.pdf_huge_mediabox, "ok:1"),
    "strip-mediabox.pdf": (bombs.pdf_strip_mediabox, "ok:1"),
    "png-bomb.png": (png_bomb, str(ErrorCode.IMAGE_TOO_LARGE)),
    "tight-16bit.png": (lambda: png16(12_000, 12_000), str(ErrorCode.RESOURCE_LIMIT)),
    "z-receipt.pdf": (lambda: bombs.make_pdf(2), "ok:2"),
}


@pytest.mark.slow
def test_heavy_files_under_a_memory_limit_end_with_their_own_code(tmp_path: Path) -> None:
    for name, (build, _) in HEAVY.items():
        (tmp_path / name).write_bytes(build())
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    started = time.perf_counter()
    # tight-16bit.png: 144 MP at 16 bits is 288 MB before any conversion; 450 MB of address space cannot hold it
    result = subprocess.run(
        [sys.executable, str(HERE / "heavy_batch.py"), str(tmp_path), str(LIMIT_MB), "450"],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    outcomes = json.loads(result.stdout.strip().splitlines()[-1])
    assert outcomes == {name: expected for name, (_, expected) in HEAVY.items()}
    assert time.perf_counter() - started < 120


def test_many_blank_frames_are_not_ocr_d(monkeypatch: pytest.MonkeyPatch) -> None:
    import model.ocr as ocr
    from docai.stages.ingest import MediaType
    from docai.stages.rasterize import RasterizeOptions, rasterize

    reads: list[bool] = []
    real = ocr._rapid_read
    monkeypatch.setattr(ocr, "_rapid_read", lambda pixels, use_cls: reads.append(use_cls) or real(pixels, use_cls))
    started = time.perf_counter()
    options = RasterizeOptions(page_size=64, ocr=ocr.OcrOptions(backend="rapidocr"))
    pages = rasterize(bombs.blank_frames_tiff(500), MediaType.TIFF, options)
    assert len(pages) == 500 and all(p.words == [] for p in pages)
    assert reads == []  # once 500 × 2 RapidOCR passes, over 600 s
    assert time.perf_counter() - started < 30


def test_a_document_over_its_work_budget_fails_timed_out() -> None:
    from docai.stages.ingest import MediaType
    from docai.stages.rasterize import RasterizeOptions, rasterize

    options = RasterizeOptions(page_size=64, ocr=None, base_seconds=0, seconds_per_page=1e-6)
    with pytest.raises(DocaiError) as caught:
        rasterize(bombs.blank_frames_tiff(5), MediaType.TIFF, options)
    assert caught.value.code is ErrorCode.TIMED_OUT
    assert "work budget" in caught.value.message and "after page 1" in caught.value.message


def test_hostile_names_are_stored_as_plain_names(session, store) -> None:  # type: ignore[no-untyped-def]
    import unicodedata

    from docai.stages.pipeline import ingest_bytes

    for i, name in enumerate(bombs.HOSTILE_NAMES):
        document = ingest_bytes(session, store, bombs.make_pdf(1, text=f"hostile {i}"), name).document
        stored = document.filename
        assert stored and len(stored) <= 200 and stored not in (".", "..")
        assert "/" not in stored and "\\" not in stored and not stored.startswith(".")
        assert all(unicodedata.category(ch)[0] != "C" for ch in stored), repr(stored)
        assert document.media_type == "application/pdf" and document.status == "queued"


def test_fifos_and_links_in_a_batch_are_skipped_and_the_rest_processed(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.pdf").write_bytes(bombs.make_pdf(1, text="Receipt total 12.30"))
    os.mkfifo(folder / "pipe.pdf")  # reading it would block the batch for ever
    (folder / "loop.pdf").symlink_to(folder / "loop.pdf")
    (folder / "dangling.pdf").symlink_to(folder / "gone.pdf")
    (folder / "link.pdf").symlink_to(folder / "good.pdf")
    paths = [folder / n for n in ("pipe.pdf", "loop.pdf", "good.pdf", "dangling.pdf", "link.pdf")]
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOCAI_")}
    env.update(PYTHONPATH=str(REPO), DOCAI_HOME=str(tmp_path / "home"), DOCAI_ENGINE="ocr")
    result = subprocess.run(
        [sys.executable, "-m", "docai", "process", "--json", *map(str, paths)],
        capture_output=True,
        text=True,
        timeout=180,
        env=env,
    )
    assert result.returncode == 1, result.stderr[-2000:]  # something was skipped: said, not hidden
    for name, why in (("pipe.pdf", "FIFO"), ("loop.pdf", "cannot be opened"), ("dangling.pdf", "cannot be opened")):
        assert f"{name} skipped" in result.stderr and why in result.stderr, result.stderr[-2000:]
    documents = json.loads(result.stdout)
    assert [d["status"] for d in documents] != [] and all(d["status"] != "failed" for d in documents)
    assert len({d["id"] for d in documents}) == 1  # the link is the same document as the file it points at
