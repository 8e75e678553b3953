"""Content-addressed blob storage (originals, page images) behind a small interface."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path
from typing import Protocol, runtime_checkable


class BlobNotFound(KeyError):
    """No blob is stored under the key."""


@runtime_checkable
class BlobStore(Protocol):
    """Stores bytes under the sha256 of their content; the same bytes are stored once."""

    def put(self, data: bytes, suffix: str = "") -> str: ...

    def get(self, key: str) -> bytes: ...

    def exists(self, key: str) -> bool: ...

    def delete(self, key: str) -> None: ...


def blob_key(data: bytes, suffix: str = "") -> str:
    """'ab/cd/abcd…ef.png': two fan-out levels keep folders small."""
    digest = hashlib.sha256(data).hexdigest()
    return f"{digest[:2]}/{digest[2:4]}/{digest}{suffix}"


def _check_key(key: str) -> str:
    parts = key.split("/")
    if len(parts) != 3 or any(p in ("", ".", "..") for p in parts) or "\\" in key or "\x00" in key:
        raise BlobNotFound(key)
    return key


class LocalBlobStore:
    """Blobs as files under a root folder; writes are atomic (temp file + rename)."""

    def __init__(self, root: Path):
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)

    def _path(self, key: str) -> Path:
        return self.root / _check_key(key)

    def put(self, data: bytes, suffix: str = "") -> str:
        key = blob_key(data, suffix)
        path = self._path(key)
        if path.exists():
            return key
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return key

    def get(self, key: str) -> bytes:
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError:
            raise BlobNotFound(key) from None

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def __repr__(self) -> str:
        return f"LocalBlobStore({str(self.root)!r})"


_STORES: dict[str, BlobStore] = {}


def open_store(url: str) -> BlobStore:
    """The store for url: a folder path or file://path (S3 backends plug in by scheme)."""
    if url in _STORES:
        return _STORES[url]
    if url.startswith("file://"):
        store: BlobStore = LocalBlobStore(Path(url.removeprefix("file://")))
    elif "://" in url:
        scheme = url.split("://", 1)[0]
        raise ValueError(f"unsupported storage URL scheme {scheme!r} in {url!r}; use a folder path or file://")
    else:
        store = LocalBlobStore(Path(url))
    _STORES[url] = store
    return store


def store_from_settings(settings) -> BlobStore:  # type: ignore[no-untyped-def]
    """The blob store the settings name (DOCAI_STORAGE_URL, default DOCAI_HOME/blobs)."""
    return open_store(settings.resolved_storage_url)
