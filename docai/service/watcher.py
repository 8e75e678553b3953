"""`docai watch DIR`: take complete files from a folder, queue them, file them under done/ or failed/.

A file is taken once it is complete: unchanged for DOCAI_WATCH_STABLE_SECONDS after its last close (or,
from writers and network mounts that send no close event, unchanged that long). A file that still looks
cut short (no PDF trailer, no image end marker, an unreadable header) is given one more stable period, so
a file written in pauses is never split into several documents. inotify close and move events wake the
watcher; a periodic rescan catches what the events missed. Only regular files directly inside the folder
are read: symbolic links, FIFOs, devices and folders are skipped (lstat, O_NOFOLLOW), and an error on one
entry is logged and skipped, never fatal. Taken files wait in DIR/.processing/ until their document is
finished, then move to DIR/done/ or DIR/failed/ (with NAME.error.txt). Restart-safe: documents are keyed
by content hash, so a file seen twice is stored once.
"""

from __future__ import annotations

import hashlib
import logging
import os
import queue
import shutil
import stat
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from docai.errors import DocaiError, ErrorCode
from docai.settings import Settings
from docai.stages.ingest import IngestLimits, sniff
from docai.store.db.models import Document, DocumentStatus

log = logging.getLogger(__name__)

DONE, FAILED, PROCESSING = "done", "failed", ".processing"
TEMP_SUFFIXES = (".tmp", ".temp", ".part", ".partial", ".crdownload", ".download", ".swp", ".swx", "~", ".lock")
# Byte sequences a complete file of the type ends with (give or take trailing bytes some writers add).
_ENDINGS = {"application/pdf": (b"%%EOF", 2048), "image/png": (b"IEND", 64), "image/jpeg": (b"\xff\xd9", 2048)}


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
    looked_cut: bool = False  # read once and looked cut short: given one more stable period


class NotRegular(OSError):
    """The entry is not a regular file inside the folder (a link, a FIFO, a device, a folder)."""


def _stat(path: Path) -> tuple[int, float] | None:
    """Size and mtime of a regular file, never following a link; None for anything else or a vanished entry."""
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return None
    if not stat.S_ISREG(st.st_mode):
        raise NotRegular(f"{path.name} is not a regular file (links, FIFOs, devices and folders are skipped)")
    return st.st_size, st.st_mtime


def read_regular(path: Path, limit: int) -> tuple[bytes | None, int, str]:
    """(bytes or None when over limit, size, sha256) of a regular file, opened without following a link.

    O_NONBLOCK keeps a FIFO swapped in after the lstat from blocking the open; fstat then refuses it.
    """
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    with os.fdopen(fd, "rb") as handle:
        st = os.fstat(handle.fileno())
        if not stat.S_ISREG(st.st_mode):
            raise NotRegular(f"{path.name} is not a regular file")
        digest, chunks, size = hashlib.sha256(), [], 0
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
            size += len(chunk)
            if size <= limit:
                chunks.append(chunk)
        return (b"".join(chunks) if size <= limit else None), size, digest.hexdigest()


def looks_cut_short(data: bytes, name: str, limits: IngestLimits) -> bool:
    """The bytes are empty, of no known type, or lack the end marker their type closes with."""
    try:
        media_type = sniff(data, name, limits)
    except DocaiError:
        return True
    ending = _ENDINGS.get(str(media_type))
    return ending is not None and ending[0] not in data[-ending[1] :]


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
        self._skipped: dict[Path, str] = {}
        for sub in (DONE, FAILED, PROCESSING):
            (self.folder / sub).mkdir(parents=True, exist_ok=True)
            if (self.folder / sub).is_symlink():  # files are moved there: it must not lead out of the folder
                raise DocaiError(ErrorCode.INTERNAL, f"{self.folder / sub} is a symbolic link; make it a folder.")

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
        try:
            seen = _stat(path)
        except OSError as err:  # a link, a FIFO, a self-referencing link (ELOOP), a name too long...
            self._skip(path, err)
            return
        if seen is None:
            self.candidates.pop(path, None)
            return
        known = self.candidates.get(path)
        if known is None or (known.size, known.mtime) != seen:
            known = _Candidate(seen[0], seen[1], now, known.closed_at if known else None)
            self.candidates[path] = known
        if closed:
            known.closed_at = now

    def _skip(self, path: Path, err: BaseException) -> None:
        """Log an entry that cannot be taken, once per entry and reason; the watcher goes on."""
        self.candidates.pop(path, None)
        reason = str(err) if isinstance(err, NotRegular) else f"{path.name}: {type(err).__name__}: {err}"
        if self._skipped.get(path) != reason:
            self._skipped[path] = reason
            if len(self._skipped) > 10_000:
                self._skipped.clear()
            log.warning("skipping %s", reason)

    def scan(self, now: float | None = None) -> None:
        """List the folder: catches files whose events were missed (network mounts, restarts)."""
        now = time.monotonic() if now is None else now
        self._last_scan = now
        try:
            entries = list(os.scandir(self.folder))
        except FileNotFoundError:
            return
        for entry in entries:
            if entry.name not in (DONE, FAILED) and not ignored(entry.name):
                self._see(Path(entry.path), now)

    def ready(self, now: float) -> list[Path]:
        """Candidates complete by now: unchanged for the stable time, and that long since their last close."""
        out = []
        for path, c in list(self.candidates.items()):
            try:
                seen = _stat(path)
            except OSError as err:
                self._skip(path, err)
                continue
            if seen is None:
                del self.candidates[path]
                continue
            if (c.size, c.mtime) != seen:
                self.candidates[path] = _Candidate(seen[0], seen[1], now, c.closed_at)
                continue
            if now - c.since >= self.stable and (c.closed_at is None or now - c.closed_at >= self.stable):
                out.append(path)
        return out

    # ------------------------------------------------------------ taking files

    def take(self, path: Path, now: float) -> bool:
        """Ingest one complete file and queue it (it then waits in .processing/); False when it must wait."""
        from docai.service.queue import submit
        from docai.stages.pipeline import PipelineOptions, ingest_bytes, record_rejected
        from docai.store.db.session import session_factory
        from docai.store.storage import store_from_settings

        settings = self.settings
        options = PipelineOptions.from_settings(settings)
        candidate = self.candidates.get(path) or _Candidate(-1, -1.0, now)
        data, size, digest = read_regular(path, options.limits.max_file_bytes)
        if size != candidate.size or _stat(path) != (candidate.size, candidate.mtime):
            self._see(path, now)  # it changed while being read: complete only once stable again
            return False
        if data is not None and looks_cut_short(data, path.name, options.limits):
            if not candidate.looked_cut:  # perhaps still being written: one more stable period first
                candidate.looked_cut, candidate.since = True, now
                log.info("%s looks incomplete; waiting %.0fs more before taking it", path.name, self.stable)
                return False
        self.candidates.pop(path, None)
        # The file is read: no transaction is open while it was (each stage below commits its own short writes).
        with session_factory(settings.resolved_database_url)() as session:
            if data is None:
                error = DocaiError(
                    ErrorCode.TOO_LARGE,
                    f"The file is {size / 1e6:.1f} MB; the limit is {options.limits.max_file_bytes / 1e6:.0f} MB "
                    "(DOCAI_MAX_FILE_BYTES).",
                )
                record_rejected(session, path.name, size, digest, error, source="watch")
                self._file(path, FAILED, error.message)
                return True
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
        return True

    def check_processing(self) -> None:
        """Move files whose documents are finished to done/ or failed/."""
        from docai.store.db.session import session_factory

        digests: dict[Path, str] = {}
        for path in (self.folder / PROCESSING).iterdir():
            try:
                digests[path] = self._digest(path)
            except FileNotFoundError:
                continue
            except OSError as err:
                self._skip(path, err)
        if not digests:
            return
        # One short read; files are hashed before and moved after it, with no transaction open.
        with session_factory(self.settings.resolved_database_url)() as session:
            rows = session.execute(
                select(
                    Document.sha256, Document.id, Document.status, Document.error_code, Document.error_message
                ).where(Document.sha256.in_(set(digests.values())))
            ).all()
        found = {row.sha256: row for row in rows}
        for path, digest in digests.items():
            row = found.get(digest)
            if row is None:  # stopped between moving and storing: take it again
                shutil.move(str(path), str(unique_target(self.folder, path.name)))
                continue
            status = DocumentStatus(row.status)
            if not status.terminal:
                continue
            if status == DocumentStatus.FAILED:
                self._file(path, FAILED, f"{row.error_code}: {row.error_message}\ndocument {row.id}")
            else:
                self._file(path, DONE)

    def _digest(self, path: Path) -> str:
        """The file's sha256, remembered while its size and mtime stay the same (files wait here a while)."""
        st = os.lstat(path)
        if not stat.S_ISREG(st.st_mode):
            raise NotRegular(f"{PROCESSING}/{path.name} is not a regular file")
        key = (path, st.st_size, st.st_mtime_ns)
        if key not in self._digests:
            if len(self._digests) > 10_000:
                self._digests.clear()
            self._digests[key] = read_regular(path, 0)[2]
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
                if self.take(path, now):
                    taken.append(path)
            except FileNotFoundError:
                self.candidates.pop(path, None)
            except DocaiError as err:
                self._file(path, FAILED, f"{err.code}: {err.message}")
            except OSError as err:  # a link or a FIFO swapped in after the lstat, a name too long...
                self._skip(path, err)
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
