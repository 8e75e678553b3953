"""The watcher under awkward writers and hostile entries: files written in pauses, links, FIFOs, loops."""

from __future__ import annotations

import hashlib
import io
import os
import threading
import time
from pathlib import Path

import pytest

from tests.api.conftest import receipt_pdf, run_queued_jobs
from tests.watcher.conftest import documents


def large_receipt_pdf() -> bytes:
    """A ~700 KB receipt: its text layer, and a photo-like image (incompressible noise) beside it."""
    import numpy as np
    import pymupdf
    from PIL import Image

    noise = np.random.default_rng(0).integers(0, 256, size=(420, 560, 3), dtype=np.uint8)
    png = io.BytesIO()
    Image.fromarray(noise).save(png, format="PNG")
    doc = pymupdf.open()
    page = doc.new_page(width=300, height=520)
    lines = ["CAFE PAUSE", "1 SLOW STREET", "Date: 2024-03-15", "TEA    2.50", "TOTAL  2.50", "CASH"]
    for n, line in enumerate(lines):
        page.insert_text((20, 40 + 22 * n), line, fontsize=10)
    page.insert_image(pymupdf.Rect(20, 200, 280, 500), stream=png.getvalue())
    doc.set_metadata({})
    return doc.tobytes(no_new_id=True, deflate_images=False)


def test_file_appended_in_pauses_becomes_one_processed_document(watch_settings, inbox: Path) -> None:  # type: ignore[no-untyped-def]
    from docai.service.watcher import Watcher

    data = large_receipt_pdf()
    assert len(data) > 600_000
    watcher = Watcher(inbox, watch_settings, stable_seconds=1.5, rescan_seconds=1.0)
    thread = threading.Thread(target=watcher.run, kwargs={"poll": 0.1}, daemon=True)
    thread.start()
    try:
        target, size = inbox / "scan.pdf", -(-len(data) // 6)
        for n in range(6):  # six writers in turn, each opening, appending and closing, a second apart
            with target.open("ab") as handle:
                handle.write(data[n * size : (n + 1) * size])
            time.sleep(1.0)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and not list((inbox / ".processing").iterdir()):
            time.sleep(0.1)
        stored = documents(watch_settings)
        assert [d.sha256 for d in stored] == [hashlib.sha256(data).hexdigest()]  # one document: the whole file
        run_queued_jobs(watch_settings)
        [document] = documents(watch_settings)
        assert document.status in ("done", "needs_review"), document.error_message
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not (inbox / "done" / "scan.pdf").exists():
            time.sleep(0.1)
        assert (inbox / "done" / "scan.pdf").read_bytes() == data
        assert list((inbox / "failed").iterdir()) == []
    finally:
        watcher.stop()
        thread.join(timeout=10)


def test_a_cut_short_file_waits_one_more_stable_period_then_fails_as_itself(watch_settings, inbox: Path) -> None:  # type: ignore[no-untyped-def]
    from docai.service.watcher import Watcher

    whole = receipt_pdf(11)
    (inbox / "part.pdf").write_bytes(whole[: len(whole) // 2])
    watcher = Watcher(inbox, watch_settings, stable_seconds=1.0, rescan_seconds=0.0)
    watcher.step(now=1.0)
    assert watcher.step(now=2.5) == []  # stable, but no %%EOF: perhaps still being written
    (inbox / "part.pdf").write_bytes(whole)  # ...and it was
    watcher.step(now=3.0)
    assert [p.name for p in watcher.step(now=4.5)] == ["part.pdf"]
    assert [d.sha256 for d in documents(watch_settings)] == [hashlib.sha256(whole).hexdigest()]

    (inbox / "broken.pdf").write_bytes(receipt_pdf(12)[:300])  # never completed: taken after the extra wait
    watcher.step(now=10.0)
    assert watcher.step(now=11.5) == []
    assert [p.name for p in watcher.step(now=13.0)] == ["broken.pdf"]


def test_links_fifos_and_loops_are_skipped_and_never_read(watch_settings, inbox: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from docai.service.watcher import Watcher

    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.pdf").write_bytes(receipt_pdf(21))
    (inbox / "passwd.pdf").symlink_to("/etc/passwd")
    (inbox / "elsewhere.pdf").symlink_to(outside / "secret.pdf")
    (inbox / "loop.pdf").symlink_to(inbox / "loop.pdf")  # ELOOP on any stat that follows links
    (inbox / "dangling.pdf").symlink_to(tmp_path / "nothing-here.pdf")
    os.mkfifo(inbox / "pipe.pdf")
    (inbox / "folder.pdf").mkdir()
    (inbox / "real.pdf").write_bytes(receipt_pdf(22))
    watcher = Watcher(inbox, watch_settings, stable_seconds=1.0, rescan_seconds=0.0)
    for name in ("passwd.pdf", "elsewhere.pdf", "loop.pdf", "dangling.pdf", "pipe.pdf", "folder.pdf", "real.pdf"):
        watcher.notify("created", inbox / name)  # as inotify reports them
        watcher.notify("closed", inbox / name)
    watcher.step(now=1.0)
    assert [p.name for p in watcher.step(now=2.5)] == ["real.pdf"]
    assert watcher.step(now=5.0) == []
    assert [d.filename for d in documents(watch_settings)] == ["real.pdf"]
    assert (inbox / ".processing" / "real.pdf").exists()
    for name in ("passwd.pdf", "elsewhere.pdf", "loop.pdf", "dangling.pdf"):
        assert (inbox / name).is_symlink()  # left where they are, unread
    assert (outside / "secret.pdf").exists() and (inbox / "pipe.pdf").exists()
    blobs = [p.read_bytes() for p in (watch_settings.home / "blobs").rglob("*") if p.is_file()]
    assert Path("/etc/passwd").read_bytes() not in blobs and (outside / "secret.pdf").read_bytes() not in blobs


def test_an_entry_swapped_for_a_link_or_fifo_after_the_lstat_is_refused_at_open(inbox: Path) -> None:
    from docai.service.watcher import read_regular

    (inbox / "loop.pdf").symlink_to(inbox / "loop.pdf")
    (inbox / "passwd.pdf").symlink_to("/etc/passwd")
    os.mkfifo(inbox / "pipe.pdf")  # opening it for reading without O_NONBLOCK would hang the watcher
    for name in ("loop.pdf", "passwd.pdf", "pipe.pdf"):
        with pytest.raises(OSError):
            read_regular(inbox / name, 1 << 20)
    (inbox / "real.pdf").write_bytes(b"%PDF-1.7 tiny")
    assert read_regular(inbox / "real.pdf", 1 << 20)[:2] == (b"%PDF-1.7 tiny", 13)
    assert read_regular(inbox / "real.pdf", 4)[:2] == (None, 13)  # over the limit: hashed, not kept


def test_a_filing_folder_that_is_a_link_out_of_the_inbox_is_refused(
    watch_settings, inbox: Path, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    from docai.errors import DocaiError
    from docai.service.watcher import Watcher

    (tmp_path / "elsewhere").mkdir()
    (inbox / "done").symlink_to(tmp_path / "elsewhere")  # finished files would be moved out of the folder
    with pytest.raises(DocaiError, match="symbolic link"):
        Watcher(inbox, watch_settings)
