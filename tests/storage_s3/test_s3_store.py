"""The S3 blob backend against a real S3 API server, alone and under the API and pipeline."""

from __future__ import annotations

import uuid

import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import AUTH, KEY, receipt_pdf, run_queued_jobs


def test_put_get_exists_delete(s3_options: dict[str, str]) -> None:
    from docai.store.storage import BlobNotFound, BlobStore, blob_key
    from docai.store.storage_s3 import S3BlobStore

    store = S3BlobStore(f"bucket-{uuid.uuid4().hex[:8]}", "tenant/a", **s3_options)
    assert isinstance(store, BlobStore)
    key = store.put(b"hello pages", ".png")
    assert key == blob_key(b"hello pages", ".png") and store.put(b"hello pages", ".png") == key
    assert store.get(key) == b"hello pages" and store.exists(key)
    listed = store.client.list_objects_v2(Bucket=store.bucket)["Contents"]
    assert [o["Key"] for o in listed] == [f"tenant/a/{key}"]  # stored once, under the prefix
    store.delete(key)
    assert not store.exists(key)
    with pytest.raises(BlobNotFound):
        store.get(key)
    with pytest.raises(BlobNotFound):
        store.get("../../etc/passwd")


def test_open_store_dispatches_s3_urls(s3_options: dict[str, str]) -> None:
    from docai.store.storage import open_store
    from docai.store.storage_s3 import S3BlobStore, parse_s3_url

    store = open_store(f"s3://docai-{uuid.uuid4().hex[:8]}/blobs", s3_options)
    assert isinstance(store, S3BlobStore) and store.prefix == "blobs"
    assert parse_s3_url("s3://b") == ("b", "")
    with pytest.raises(ValueError, match="bucket"):
        parse_s3_url("s3:///prefix")


def test_pipeline_and_api_run_on_s3(db_url: str, docai_home, s3_options: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    from docai.api import create_app
    from docai.settings import Settings

    settings = Settings(
        home=docai_home,
        database_url=db_url,
        api_keys=[KEY],
        engine="ocr",
        storage_url=f"s3://docai-{uuid.uuid4().hex[:8]}/prod",
        s3_endpoint_url=s3_options["endpoint_url"],
        s3_access_key="testing",
        s3_secret_key="testing",
    )
    with TestClient(create_app(settings, reconcile=False)) as client:
        doc = client.post(
            "/v1/documents", files={"file": ("r.pdf", receipt_pdf(5))}, data={"schema": "receipt"}, headers=AUTH
        ).json()
        run_queued_jobs(settings)
        assert client.get(f"/v1/documents/{doc['id']}", headers=AUTH).json()["status"] in ("done", "needs_review")
        page = client.get(f"/v1/documents/{doc['id']}/pages/0", headers=AUTH)
        assert page.status_code == 200 and page.content.startswith(b"\x89PNG")
        assert client.get(f"/v1/documents/{doc['id']}/file", headers=AUTH).content == receipt_pdf(5)
    app_store = create_app(settings, reconcile=False).state.store
    objects = app_store.client.list_objects_v2(Bucket=app_store.bucket)["Contents"]
    assert len(objects) == 2 and all(o["Key"].startswith("prod/") for o in objects)  # original + one page
