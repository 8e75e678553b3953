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


def open_store(url: str, s3_options: dict[str, str | None] | None = None) -> BlobStore:
    """The store for url: a folder path, file://path, or s3://bucket/prefix (endpoint and keys in s3_options)."""
    cache_key = f"{url}|{(s3_options or {}).get('endpoint_url')}" if url.startswith("s3://") else url
    if cache_key in _STORES:
        return _STORES[cache_key]
    if url.startswith("s3://"):
        from docai.store.storage_s3 import S3BlobStore, parse_s3_url

        bucket, prefix = parse_s3_url(url)
        store: BlobStore = S3BlobStore(bucket, prefix, **(s3_options or {}))  # type: ignore[arg-type]
    elif url.startswith("file://"):
        store = LocalBlobStore(Path(url.removeprefix("file://")))
    elif "://" in url:
        scheme = url.split("://", 1)[0]
        raise ValueError(f"unsupported storage URL scheme {scheme!r} in {url!r}; use a folder path, file:// or s3://")
    else:
        store = LocalBlobStore(Path(url))
    _STORES[cache_key] = store
    return store


def store_from_settings(settings) -> BlobStore:  # type: ignore[no-untyped-def]
    """The blob store the settings name (DOCAI_STORAGE_URL, default DOCAI_HOME/blobs)."""
    s3 = {
        "endpoint_url": settings.s3_endpoint_url,
        "access_key": settings.s3_access_key,
        "secret_key": settings.s3_secret_key,
        "region": settings.s3_region,
    }
    return open_store(settings.resolved_storage_url, s3)
