"""An upload's webhook_url is checked before the document is stored: inside the network only when allowed."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.api.conftest import AUTH, receipt_pdf


def _post(client: TestClient, i: int, url: str):  # type: ignore[no-untyped-def]
    files = {"file": (f"r{i}.pdf", receipt_pdf(900 + i))}
    return client.post("/v1/documents", files=files, data={"webhook_url": url}, headers=AUTH)


def test_internal_webhooks_are_refused_at_upload_unless_allowed(api, make_settings) -> None:  # type: ignore[no-untyped-def]
    from docai.api import create_app

    for i, url in enumerate(
        ["http://169.254.169.254/latest", "http://0x7f000001:8000/", "http://[::1]/", "gopher://x"]
    ):
        refused = _post(api.client, i, url)
        assert refused.status_code == 422, refused.text
        assert refused.json()["error"]["code"] == "invalid_request"
    assert api.client.get("/v1/documents", headers=AUTH).json()["count"] == 0  # nothing was stored
    with TestClient(create_app(make_settings(api.db_url, webhook_allow=["127.0.0.0/8"]), reconcile=False)) as client:
        assert _post(client, 9, "http://127.0.0.1:9/hook").status_code == 202
        assert _post(client, 10, "http://169.254.169.254/").status_code == 422
