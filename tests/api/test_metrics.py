"""/metrics tells how busy the service is: an API key is asked for unless DOCAI_METRICS_PUBLIC says otherwise."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.api.conftest import AUTH


def test_metrics_need_a_key_unless_made_public(api, make_settings) -> None:  # type: ignore[no-untyped-def]
    from docai.api import create_app

    refused = api.client.get("/metrics")
    assert refused.status_code == 401 and refused.json()["error"]["code"] == "unauthorized"
    assert api.client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert "docai_documents" in api.client.get("/metrics", headers=AUTH).text
    with TestClient(create_app(make_settings(api.db_url, metrics_public=True), reconcile=False)) as client:
        assert client.get("/metrics").status_code == 200
