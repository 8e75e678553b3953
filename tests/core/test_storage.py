import pytest

from docai.store.storage import BlobNotFound, LocalBlobStore, blob_key, open_store


def test_put_is_content_addressed_and_idempotent(tmp_path):
    store = LocalBlobStore(tmp_path)
    key = store.put(b"hello", ".txt")
    assert key == blob_key(b"hello", ".txt")
    assert store.put(b"hello", ".txt") == key
    assert store.get(key) == b"hello"
    assert store.exists(key)
    assert not any(p.name.startswith(".tmp-") for p in tmp_path.rglob("*"))
    store.delete(key)
    assert not store.exists(key)


@pytest.mark.parametrize("key", ["../../etc/passwd", "aa/bb/../../x", "/etc/passwd", "aa/bb/c\x00", "missing/aa/bb"])
def test_bad_or_missing_keys_raise_not_found(tmp_path, key):
    store = LocalBlobStore(tmp_path)
    with pytest.raises(BlobNotFound):
        store.get(key)


def test_open_store_by_url(tmp_path):
    assert isinstance(open_store(str(tmp_path / "a")), LocalBlobStore)
    assert isinstance(open_store(f"file://{tmp_path / 'b'}"), LocalBlobStore)
    with pytest.raises(ValueError, match="unsupported storage URL scheme 'ftp'"):
        open_store("ftp://host/x")
