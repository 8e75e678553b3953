"""The REST API against a real database: uploads and limits, listing, results, corrections, review, export."""

from __future__ import annotations

import csv
import io

import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import AUTH, KEY, receipt_pdf, run_queued_jobs


def upload(client: TestClient, data: bytes, name: str = "r.pdf", **form: str):  # type: ignore[no-untyped-def]
    return client.post("/v1/documents", files={"file": (name, data, "application/pdf")}, data=form, headers=AUTH)


def test_upload_queues_and_answers_with_a_status_url(api) -> None:  # type: ignore[no-untyped-def]
    response = upload(api.client, receipt_pdf(1), schema="receipt")
    assert response.status_code == 202, response.text
    body = response.json()
    assert body["status"] == "queued" and body["schema"] == "receipt" and body["source"] == "rest"
    assert response.headers["location"] == body["status_url"] == f"/v1/documents/{body['id']}"
    status = api.client.get(body["status_url"], headers=AUTH).json()
    assert [j["stage"] for j in status["jobs"]] == ["rasterize"]
    assert status["progress"] == {"stage": "queued", "pages_total": 0, "pages_rasterized": 0, "pages_done": 0}


def test_duplicate_is_answered_with_the_existing_document(api) -> None:  # type: ignore[no-untyped-def]
    first = upload(api.client, receipt_pdf(2)).json()
    again = upload(api.client, receipt_pdf(2), name="other-name.pdf")
    assert again.status_code == 200
    assert again.json()["id"] == first["id"] and again.json()["duplicate"] is True
    assert api.client.get("/v1/documents", headers=AUTH).json()["count"] == 1


def test_keys_are_required(api) -> None:  # type: ignore[no-untyped-def]
    assert api.client.post("/v1/documents", files={"file": ("a.pdf", receipt_pdf(3))}).status_code == 401
    wrong = {"Authorization": "Bearer not-the-key"}
    response = api.client.get("/v1/documents", headers=wrong)
    assert response.status_code == 401 and response.json()["error"]["code"] == "unauthorized"
    assert api.client.get("/v1/documents", headers={"Authorization": KEY}).status_code == 401
    assert api.client.get("/healthz").status_code == 200  # health stays open for probes (metrics ask for a key)


def test_unsupported_type_is_415(api) -> None:  # type: ignore[no-untyped-def]
    response = upload(api.client, b"just some text, not a document\n" * 4, name="notes.pdf")
    assert response.status_code == 415
    assert response.json()["error"]["code"] in ("unsupported_type", "mislabeled")
    again = upload(api.client, b"just some text, not a document\n" * 4, name="notes.pdf")
    assert again.status_code == 415  # a refused file stays refused, duplicate or not


def test_too_large_is_413_by_header_and_by_stream(db_url: str, make_settings) -> None:  # type: ignore[no-untyped-def]
    from docai.api import create_app

    settings = make_settings(db_url, max_file_bytes=100_000)
    with TestClient(create_app(settings, reconcile=False)) as client:
        big = b"%PDF-1.7\n" + b"0" * 300_000
        response = client.post("/v1/documents", files={"file": ("big.pdf", big)}, headers=AUTH)
        assert response.status_code == 413 and response.json()["error"]["code"] == "too_large"

        def chunks():  # no Content-Length: the cap must hold while the body streams in
            yield b'--b\r\nContent-Disposition: form-data; name="file"; filename="x.pdf"\r\n\r\n'
            for _ in range(40):
                yield b"1" * 10_000
            yield b"\r\n--b--\r\n"

        streamed = client.post(
            "/v1/documents",
            content=chunks(),
            headers={**AUTH, "Content-Type": "multipart/form-data; boundary=b"},
        )
        assert streamed.status_code == 413
        just_over = b"%PDF-1.7\n" + b"0" * 100_000  # over the file limit, within the multipart slack
        assert client.post("/v1/documents", files={"file": ("j.pdf", just_over)}, headers=AUTH).status_code == 413
        assert client.get("/v1/documents", headers=AUTH).json()["count"] == 0


@pytest.mark.parametrize(
    "name",
    [
        "../../etc/passwd.pdf",
        "..\\..\\windows\\evil.pdf",
        "bell\x07and\x1b[31mred\r\n.pdf",
        "/abs/path.pdf",
        "\x00.pdf",
    ],
)
def test_hostile_file_names_are_stored_safely(api, name: str) -> None:  # type: ignore[no-untyped-def]
    body = upload(api.client, receipt_pdf(hash(name) % 10_000), name=name).json()
    stored = body["filename"]
    assert "/" not in stored and "\\" not in stored and ".." not in stored.replace("...", "")
    assert all(c.isprintable() for c in stored) and stored
    download = api.client.get(f"/v1/documents/{body['id']}/file", headers=AUTH)
    assert download.status_code == 200 and download.content.startswith(b"%PDF")
    assert "\n" not in download.headers["content-disposition"] and "/" not in download.headers["content-disposition"]


def test_list_filters_and_paging(api) -> None:  # type: ignore[no-untyped-def]
    ids = [
        upload(api.client, receipt_pdf(10 + i), name=f"shop-{i}.pdf", schema="receipt").json()["id"] for i in range(5)
    ]
    upload(api.client, receipt_pdf(99), name="invoice-x.pdf", schema="invoice")
    listing = api.client.get("/v1/documents", params={"limit": 2, "offset": 1}, headers=AUTH).json()
    assert listing["count"] == 6 and len(listing["data"]) == 2
    newest_first = [d["id"] for d in api.client.get("/v1/documents", headers=AUTH).json()["data"]]
    assert newest_first[1:] == ids[::-1]
    oldest = api.client.get("/v1/documents", params={"order": "asc", "limit": 1}, headers=AUTH).json()["data"]
    assert oldest[0]["id"] == ids[0]
    assert api.client.get("/v1/documents", params={"schema": "invoice"}, headers=AUTH).json()["count"] == 1
    assert api.client.get("/v1/documents", params={"q": "shop-3"}, headers=AUTH).json()["count"] == 1
    assert api.client.get("/v1/documents", params={"q": "%"}, headers=AUTH).json()["count"] == 0
    both = api.client.get("/v1/documents", params={"status": "queued,failed"}, headers=AUTH).json()
    assert both["count"] == 6
    bad = api.client.get("/v1/documents", params={"status": "nope"}, headers=AUTH)
    assert bad.status_code == 422 and "queued" in bad.json()["error"]["message"]
    assert api.client.get("/v1/documents/doesnotexist", headers=AUTH).status_code == 404


def test_result_corrections_review_and_export(api) -> None:  # type: ignore[no-untyped-def]
    from docai.service.auth import key_identity

    doc = upload(api.client, receipt_pdf(42, total="7.70"), name="cafe.pdf", schema="receipt").json()
    missing = api.client.get(f"/v1/documents/{doc['id']}/result", headers=AUTH)
    assert missing.status_code == 404 and "no result yet" in missing.json()["error"]["message"]
    assert run_queued_jobs(api.settings) == 2

    status = api.client.get(f"/v1/documents/{doc['id']}", headers=AUTH).json()
    assert status["status"] in ("done", "needs_review") and status["engine"] == "ocr"
    assert status["progress"]["stage"] == "finished" and status["progress"]["pages_done"] == 1
    assert status["pages"][0]["index"] == 0 and status["pages"][0]["text_source"] == "pdf"
    png = api.client.get(status["pages"][0]["image_url"], headers=AUTH)
    assert png.status_code == 200 and png.content.startswith(b"\x89PNG")
    assert api.client.get(f"/v1/documents/{doc['id']}/pages/5", headers=AUTH).status_code == 404

    result = api.client.get(f"/v1/documents/{doc['id']}/result", headers=AUTH).json()
    assert result["schema"] == "receipt" and result["data"] == result["original"]

    patch = api.client.patch(
        f"/v1/documents/{doc['id']}/result",
        json={
            "corrections": [
                {"field": "/merchant_name", "value": "Cafe Corrected"},
                {"field": "/total", "value": "9.99"},
            ]
        },
        headers={**AUTH, "X-Docai-User": "alice"},
    )
    assert patch.status_code == 200, patch.text
    corrected = patch.json()
    assert corrected["data"]["merchant_name"] == "Cafe Corrected" and corrected["data"]["total"] == "9.99"
    assert corrected["original"] == result["original"]  # the engine's output is never overwritten
    assert corrected["corrections"] == 2
    assert corrected["evidence"]["/total"]["source"] == "correction"
    audit = api.client.get(f"/v1/documents/{doc['id']}/corrections", headers=AUTH).json()
    signed_in = key_identity(KEY)  # the signed-in key is the author; the typed name is a note beside it
    assert [(a["field"], a["author"], a["note"]) for a in audit] == [
        ("/merchant_name", signed_in, "alice"),
        ("/total", signed_in, "alice"),
    ]
    assert audit[1]["old_value"] == result["data"]["total"] and audit[1]["new_value"] == "9.99"

    bad = api.client.patch(
        f"/v1/documents/{doc['id']}/result",
        json={"corrections": [{"field": "/transaction_date", "value": "31/02/2024"}]},
        headers=AUTH,
    )
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "invalid_value"
    nowhere = api.client.patch(
        f"/v1/documents/{doc['id']}/result", json={"corrections": [{"field": "/no/such", "value": 1}]}, headers=AUTH
    )
    assert nowhere.status_code == 422
    assert len(api.client.get(f"/v1/documents/{doc['id']}/corrections", headers=AUTH).json()) == 2

    assert api.client.post(f"/v1/documents/{doc['id']}/retry", headers=AUTH).status_code == 409
    approved = api.client.post(f"/v1/documents/{doc['id']}/approve", headers=AUTH)
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    assert approved.json()["reviewed_by"].startswith("key:")
    assert api.client.post(f"/v1/documents/{doc['id']}/approve", headers=AUTH).status_code == 409
    locked = api.client.patch(
        f"/v1/documents/{doc['id']}/result", json={"corrections": [{"field": "/total", "value": "1"}]}, headers=AUTH
    )
    assert locked.status_code == 409

    exported = api.client.get("/v1/export", params={"format": "json"}, headers=AUTH)
    assert exported.status_code == 200 and "docai-export.json" in exported.headers["content-disposition"]
    rows = exported.json()
    assert [r["id"] for r in rows] == [doc["id"]] and rows[0]["data"]["total"] == "9.99"
    table = list(csv.DictReader(io.StringIO(api.client.get("/v1/export?format=csv", headers=AUTH).text)))
    assert table[0]["merchant_name"] == "Cafe Corrected" and table[0]["total"] == "9.99"
    assert api.client.get("/v1/export?format=xml", headers=AUTH).status_code == 422


def test_formula_cells_are_defused_in_csv() -> None:
    from docai.api.routes.export import to_csv

    rows = [
        {
            "id": "1",
            "filename": "f",
            "schema": "receipt",
            "status": "approved",
            "reviewed_by": None,
            "reviewed_at": None,
            "data": {"merchant_name": '=HYPERLINK("x")', "total": "-3.50"},
        }
    ]
    line = to_csv(rows).splitlines()[1]
    assert "'=HYPERLINK" in line and ",-3.50" in line


def test_failed_document_can_be_retried(api) -> None:  # type: ignore[no-untyped-def]
    broken = receipt_pdf(7)[:400]  # a truncated PDF: sniffed as PDF, fails to render
    doc = upload(api.client, broken, name="broken.pdf").json()
    run_queued_jobs(api.settings)
    failed = api.client.get(f"/v1/documents/{doc['id']}", headers=AUTH).json()
    assert failed["status"] == "failed" and failed["error"]["code"]
    retried = api.client.post(f"/v1/documents/{doc['id']}/retry", headers=AUTH)
    assert retried.status_code == 200 and retried.json()["status"] == "queued" and retried.json()["error"] is None
    detail = api.client.get(f"/v1/documents/{doc['id']}", headers=AUTH).json()
    assert [j["stage"] for j in detail["jobs"]] == ["rasterize", "rasterize"]
    rejected = api.client.post(f"/v1/documents/{doc['id']}/reject", headers=AUTH)
    assert rejected.status_code == 409  # queued again: not reviewable until it finishes


def test_health_metrics_and_openapi(api) -> None:  # type: ignore[no-untyped-def]
    upload(api.client, receipt_pdf(77))
    health = api.client.get("/healthz").json()
    assert health == {"status": "ok", "database": True, "broker": True, "version": health["version"]}
    assert api.client.get("/metrics").status_code == 401  # how busy the service is: for key holders
    metrics = api.client.get("/metrics", headers=AUTH).text
    assert 'docai_documents{status="queued"} 1.0' in metrics
    assert "docai_http_requests_total" in metrics
    spec = api.client.get("/openapi.json").json()
    for path in (
        "/v1/documents",
        "/v1/documents/{document_id}/result",
        "/v1/export",
        "/v1/documents/{document_id}/approve",
    ):
        assert path in spec["paths"]
    assert api.client.get("/docs").status_code == 200


def test_xrechnung_xml_uploaded_on_its_own_is_read_and_has_a_page(api) -> None:  # type: ignore[no-untyped-def]
    from tests.ingest.test_einvoice import UBL

    response = api.client.post("/v1/documents", files={"file": ("rechnung.xml", UBL, "application/xml")}, headers=AUTH)
    assert response.status_code == 202, response.text
    doc_id = response.json()["id"]
    run_queued_jobs(api.settings)
    document = api.client.get(f"/v1/documents/{doc_id}", headers=AUTH).json()
    assert document["status"] == "done" and document["media_type"] == "application/xml"
    result = api.client.get(f"/v1/documents/{doc_id}/result", headers=AUTH).json()
    assert result["engine"] == "e-invoice" and result["data"]["invoice_total"] == "119.00"
    page = api.client.get(f"/v1/documents/{doc_id}/pages/0", headers=AUTH)
    assert page.status_code == 200 and page.headers["content-type"] == "image/png"
