"""`docai watch DIR`: take complete files from a folder, queue them, file them under done/ or failed/.

A file is taken once it is complete: closed after writing and unchanged for a moment, or unchanged
for DOCAI_WATCH_STABLE_SECONDS (some writers and network mounts send no close event). inotify close and
move events wake the watcher; a periodic rescan catches what the events missed. Taken files wait in
DIR/.processing/ until their document is finished, then move to DIR/done/ or DIR/failed/ (with
NAME.error.txt). Restart-safe: documents are keyed by content hash, so a file seen twice is stored once.
"""

from __future__ import annotations

import logging
import os
import queue
import shutil
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from docai.errors import DocaiError, ErrorCode
from docai.settings import Settings
from docai.stages.ingest import sha256_file
from docai.store.db.models import Document, DocumentStatus

log = logging.getLogger(__name__)

DONE, FAILED, PROCESSING = "done", "failed", ".processing"
TEMP_SUFFIXES = (".tmp", ".temp", ".part", ".partial", ".crdownload", ".download", ".swp", ".swx", "~", ".lock")
CLOSE_SETTLE = 0.5  # seconds a closed file must stay unchanged (a writer may reopen it)


def ignored(name: str) -> bool:
    """Hidden, temporary and our own error notes are never taken."""
    lower = name.lower()
    return name.startswith((".", "~$")) or lower.endswith(TEMP_SUFFIXES) or lower.endswith(".error.txt")


@dataclass
class _Candidate:
    size: int
    mtime: float
    since: float  # when size and mtime were last seen to change
    closed_at: float | None = None


def _stat(path: Path) -> tuple[int, float] | None:
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    return st.st_size, st.st_mtime


def unique_target(folder: Path, name: str) -> Path:
    """folder/name, or folder/name-1, -2... when taken."""
    target = folder / name
    n = 1
    while target.exists():
        stem, suffix = os.path.splitext(name)
        target = folder / f"{stem}-{n}{suffix}"
        n += 1
    return target


class Watcher:
    """Watches one folder; run() blocks, step() does one round (tests drive it directly)."""

    def __init__(
        self,
        folder: Path,
        settings: Settings,
        *,
        schema: str = "auto",
        stable_seconds: float | None = None,
        rescan_seconds: float | None = None,
    ):
        self.folder = Path(folder).resolve()
        self.settings = settings
        self.schema = schema
        self.stable = settings.watch_stable_seconds if stable_seconds is None else stable_seconds
        self.rescan_every = settings.watch_rescan_seconds if rescan_seconds is None else rescan_seconds
        self.candidates: dict[Path, _Candidate] = {}
        self.events: queue.SimpleQueue[tuple[str, Path]] = queue.SimpleQueue()
        self._stop = threading.Event()
        self._last_scan = 0.0
        self._last_check = 0.0
        self._digests: dict[tuple[Path, int, int], str] = {}
        for sub in (DONE, FAILED, PROCESSING):
            (self.folder / sub).mkdir(parents=True, exist_ok=True)

    # ------------------------------------------------------------ events

    def notify(self, kind: str, path: Path) -> None:
        """An event from the observer (thread-safe): 'closed', 'moved', 'created' or 'modified'."""
        self.events.put((kind, Path(path)))

    def _drain_events(self, now: float) -> None:
        while True:
            try:
                kind, path = self.events.get_nowait()
            except queue.Empty:
                return
            if path.parent != self.folder or ignored(path.name):
                continue
            self._see(path, now, closed=kind in ("closed", "moved"))

    def _see(self, path: Path, now: float, closed: bool = False) -> None:
        stat = _stat(path)
        if stat is None or not path.is_file():
            self.candidates.pop(path, None)
            return
        known = self.candidates.get(path)
        if known is None or (known.size, known.mtime) != stat:
            known = _Candidate(stat[0], stat[1], now, known.closed_at if known else None)
            self.candidates[path] = known
        if closed:
            known.closed_at = now

    def scan(self, now: float | None = None) -> None:
        """List the folder: catches files whose events were missed (network mounts, restarts)."""
        now = time.monotonic() if now is None else now
        self._last_scan = now
        try:
            entries = list(os.scandir(self.folder))
        except FileNotFoundError:
            return
        for entry in entries:
            if entry.is_file(follow_symlinks=False) and not ignored(entry.name):
                self._see(Path(entry.path), now)

    def ready(self, now: float) -> list[Path]:
        """Candidates complete by now: closed and settled, or unchanged for the stable time."""
        out = []
        for path, c in list(self.candidates.items()):
            stat = _stat(path)
            if stat is None:
                del self.candidates[path]
                continue
            if (c.size, c.mtime) != stat:
                self.candidates[path] = _Candidate(stat[0], stat[1], now, None)
                continue
            settled = now - c.since
            if (c.closed_at is not None and now - c.closed_at >= CLOSE_SETTLE and settled >= CLOSE_SETTLE) or (
                settled >= self.stable
            ):
                out.append(path)
        return out

    # ------------------------------------------------------------ taking files

    def take(self, path: Path) -> None:
        """Ingest one complete file and queue it; it then waits in .processing/."""
        from docai.service.queue import submit
        from docai.stages.pipeline import PipelineOptions, ingest_bytes, record_rejected
        from docai.store.db.session import session_factory
        from docai.store.storage import store_from_settings

        self.candidates.pop(path, None)
        settings = self.settings
        options = PipelineOptions.from_settings(settings)
        with session_factory(settings.resolved_database_url)() as session:
            size = path.stat().st_size
            if size > options.limits.max_file_bytes:
                error = DocaiError(
                    ErrorCode.TOO_LARGE,
                    f"The file is {size / 1e6:.1f} MB; the limit is {options.limits.max_file_bytes / 1e6:.0f} MB "
                    "(DOCAI_MAX_FILE_BYTES).",
                )
                record_rejected(session, path.name, size, sha256_file(path), error, source="watch")
                self._file(path, FAILED, error.message)
                return
            data = path.read_bytes()
            outcome = ingest_bytes(
                session,
                store_from_settings(settings),
                data,
                path.name,
                schema=self.schema,
                source="watch",
                options=options,
            )
            document = outcome.document
            if not outcome.duplicate and document.status == DocumentStatus.QUEUED:
                submit(session, settings, document)
            log.info(
                "took %s as document %s%s", path.name, document.id, " (already stored)" if outcome.duplicate else ""
            )
        shutil.move(str(path), str(unique_target(self.folder / PROCESSING, path.name)))

    def check_processing(self) -> None:
        """Move files whose documents are finished to done/ or failed/."""
        from docai.store.db.session import session_factory

        waiting = [p for p in (self.folder / PROCESSING).iterdir() if p.is_file()]
        if not waiting:
            return
        with session_factory(self.settings.resolved_database_url)() as session:
            for path in waiting:
                try:
                    digest = self._digest(path)
                except FileNotFoundError:
                    continue
                document = session.scalar(select(Document).where(Document.sha256 == digest))
                if document is None:  # stopped between moving and storing: take it again
                    shutil.move(str(path), str(unique_target(self.folder, path.name)))
                    continue
                status = DocumentStatus(document.status)
                if not status.terminal:
                    continue
                if status == DocumentStatus.FAILED:
                    self._file(path, FAILED, f"{document.error_code}: {document.error_message}\ndocument {document.id}")
                else:
                    self._file(path, DONE)

    def _digest(self, path: Path) -> str:
        """The file's sha256, remembered while its size and mtime stay the same (files wait here a while)."""
        st = path.stat()
        key = (path, st.st_size, st.st_mtime_ns)
        if key not in self._digests:
            if len(self._digests) > 10_000:
                self._digests.clear()
            self._digests[key] = sha256_file(path)
        return self._digests[key]

    def _file(self, path: Path, where: str, error: str | None = None) -> None:
        target = unique_target(self.folder / where, path.name)
        shutil.move(str(path), str(target))
        if error is not None:
            target.with_name(target.name + ".error.txt").write_text(error + "\n", encoding="utf-8")

    # ------------------------------------------------------------ loop

    def step(self, now: float | None = None) -> list[Path]:
        """One round: events, rescan when due, take ready files, file finished ones. Returns files taken."""
        now = time.monotonic() if now is None else now
        self._drain_events(now)
        if now - self._last_scan >= self.rescan_every:
            self.scan(now)
        taken = []
        for path in self.ready(now):
            try:
                self.take(path)
                taken.append(path)
            except FileNotFoundError:
                self.candidates.pop(path, None)
            except DocaiError as err:
                self._file(path, FAILED, f"{err.code}: {err.message}")
            except Exception:  # the database or the store blinked: the file stays and is tried again
                log.exception("could not take %s; will retry", path.name)
                self.candidates.pop(path, None)
        if now - self._last_check >= 1.0:
            self._last_check = now
            try:
                self.check_processing()
            except Exception:
                log.exception("could not check finished documents; will retry")
        return taken

    def run(self, poll: float = 0.25) -> None:
        """Watch until stop() (or Ctrl-C)."""
        from watchdog.events import FileSystemEvent, FileSystemEventHandler
        from watchdog.observers import Observer

        from docai.store.db.migrate import ensure_database

        ensure_database(self.settings.resolved_database_url)
        watcher = self

        class Handler(FileSystemEventHandler):
            def on_closed(self, event: FileSystemEvent) -> None:
                watcher.notify("closed", Path(os.fsdecode(event.src_path)))

            def on_moved(self, event: FileSystemEvent) -> None:
                watcher.notify("moved", Path(os.fsdecode(event.dest_path)))

            def on_created(self, event: FileSystemEvent) -> None:
                watcher.notify("created", Path(os.fsdecode(event.src_path)))

            def on_modified(self, event: FileSystemEvent) -> None:
                watcher.notify("modified", Path(os.fsdecode(event.src_path)))

        observer = Observer()
        observer.schedule(Handler(), str(self.folder), recursive=False)
        observer.start()
        log.info("watching %s", self.folder)
        self.scan()
        try:
            while not self._stop.wait(poll):
                self.step()
        except KeyboardInterrupt:
            pass
        finally:
            observer.stop()
            observer.join(timeout=5)

    def stop(self) -> None:
        self._stop.set()
