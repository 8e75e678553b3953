"""The folder watcher: complete files only, once, filed under done/ or failed/, safe across restarts."""

from __future__ import annotations

import hashlib
import threading
import time
from pathlib import Path

from tests.api.conftest import receipt_pdf, run_queued_jobs
from tests.watcher.conftest import documents


def test_file_written_slowly_is_taken_once_when_complete(watch_settings, inbox: Path) -> None:  # type: ignore[no-untyped-def]
    from docai.service.watcher import Watcher

    watcher = Watcher(inbox, watch_settings)
    thread = threading.Thread(target=watcher.run, kwargs={"poll": 0.1}, daemon=True)
    thread.start()
    try:
        data = receipt_pdf(1) + b"\n%" + b"x" * 50_000  # bytes after %%EOF keep the PDF valid
        chunks = [data[i : i + len(data) // 10 + 1] for i in range(0, len(data), len(data) // 10 + 1)]
        target = inbox / "slow.pdf"
        with target.open("wb") as handle:  # one writer, 5 s, pausing longer than a poll between chunks
            for n, chunk in enumerate(chunks):
                handle.write(chunk)
                handle.flush()
                time.sleep(0.5 if n != 4 else 1.5)  # one pause near the stable time, without a close
                assert documents(watch_settings) == [], "taken before the writer closed it"
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not list((inbox / ".processing").iterdir()):
            time.sleep(0.1)
        stored = documents(watch_settings)
        assert len(stored) == 1
        assert stored[0].sha256 == hashlib.sha256(data).hexdigest() and stored[0].source == "watch"
        assert not target.exists() and (inbox / ".processing" / "slow.pdf").exists()
        time.sleep(1.5)  # rescans after the move must not take it again
        assert len(documents(watch_settings)) == 1
    finally:
        watcher.stop()
        thread.join(timeout=10)


def test_hidden_and_temporary_files_are_ignored(watch_settings, inbox: Path) -> None:  # type: ignore[no-untyped-def]
    from docai.service.watcher import Watcher, ignored

    for name in (".hidden.pdf", "upload.pdf.part", "x.pdf.tmp", "~$lock.pdf", "doc.pdf.crdownload", "a.pdf.error.txt"):
        assert ignored(name)
        (inbox / name).write_bytes(receipt_pdf(2))
    watcher = Watcher(inbox, watch_settings, stable_seconds=0.2)
    watcher.step(now=100.0)
    assert watcher.step(now=200.0) == [] and documents(watch_settings) == []
    assert not ignored("receipt.pdf") and not ignored("Scan 2024.PDF")


def test_stable_file_without_close_event_is_taken_after_stable_time(watch_settings, inbox: Path) -> None:  # type: ignore[no-untyped-def]
    from docai.service.watcher import Watcher

    (inbox / "copied.pdf").write_bytes(receipt_pdf(3))  # e.g. on a network mount: no events at all
    watcher = Watcher(inbox, watch_settings, stable_seconds=2.0, rescan_seconds=0.0)
    assert watcher.step(now=10.0) == []
    assert watcher.step(now=11.0) == []
    assert [p.name for p in watcher.step(now=12.5)] == ["copied.pdf"]
    assert len(documents(watch_settings)) == 1


def test_files_are_filed_under_done_or_failed(watch_settings, inbox: Path) -> None:  # type: ignore[no-untyped-def]
    from docai.service.watcher import Watcher

    (inbox / "good.pdf").write_bytes(receipt_pdf(4))
    (inbox / "notes.pdf").write_bytes(b"this is plain text, not a pdf\n" * 3)
    (inbox / "broken.pdf").write_bytes(receipt_pdf(5)[:300])
    watcher = Watcher(inbox, watch_settings, stable_seconds=1.0, rescan_seconds=0.0)
    watcher.step(now=1.0)
    assert [p.name for p in watcher.step(now=3.0)] == ["good.pdf"]  # the others look cut short: one more wait
    assert sorted(p.name for p in watcher.step(now=4.5)) == ["broken.pdf", "notes.pdf"]
    run_queued_jobs(watch_settings)  # what the workers do
    watcher.check_processing()
    assert sorted(p.name for p in (inbox / "done").iterdir()) == ["good.pdf"]
    failed = sorted(p.name for p in (inbox / "failed").iterdir())
    assert failed == ["broken.pdf", "broken.pdf.error.txt", "notes.pdf", "notes.pdf.error.txt"]
    note = (inbox / "failed" / "notes.pdf.error.txt").read_text()
    assert "unsupported_type" in note or "mislabeled" in note
    assert list((inbox / ".processing").iterdir()) == []


def test_restart_is_safe(watch_settings, inbox: Path) -> None:  # type: ignore[no-untyped-def]
    from docai.service.watcher import Watcher

    data = receipt_pdf(6)
    (inbox / "a.pdf").write_bytes(data)
    first = Watcher(inbox, watch_settings, stable_seconds=1.0, rescan_seconds=0.0)
    first.step(now=1.0)
    first.step(now=3.0)  # taken; then the watcher "crashes"
    (inbox / "a-again.pdf").write_bytes(data)  # the same bytes dropped again under another name
    (inbox / ".processing" / "lost.pdf").write_bytes(receipt_pdf(7))  # moved, but stopped before it was stored

    second = Watcher(inbox, watch_settings, stable_seconds=1.0, rescan_seconds=0.0)
    second.step(now=1.0)  # re-takes the lost file from .processing and sees the new one
    second.step(now=3.0)
    second.step(now=5.0)
    names = sorted(d.filename for d in documents(watch_settings))
    assert names == ["a.pdf", "lost.pdf"]  # one document per content, none skipped
    run_queued_jobs(watch_settings)
    second.check_processing()
    assert sorted(p.name for p in (inbox / "done").iterdir()) == ["a-again.pdf", "a.pdf", "lost.pdf"]
