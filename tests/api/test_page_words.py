"""GET /v1/documents/{id}/pages/{n}/words: the words a reviewer can point at, with their boxes."""

from __future__ import annotations

from tests.api.conftest import AUTH, receipt_pdf, run_queued_jobs
from tests.api.test_documents import upload


def test_page_words_in_reading_order_with_boxes(api) -> None:  # type: ignore[no-untyped-def]
    doc = upload(api.client, receipt_pdf(7), name="cafe.pdf", schema="receipt").json()
    early = api.client.get(f"/v1/documents/{doc['id']}/pages/0/words", headers=AUTH)
    assert early.status_code == 404 and "once rasterized" in early.json()["error"]["message"]
    run_queued_jobs(api.settings)

    answer = api.client.get(f"/v1/documents/{doc['id']}/pages/0/words", headers=AUTH)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    texts = [w["text"] for w in body["words"]]
    assert body["page"] == 0 and texts[:3] == ["CAFE", "NUMBER", "7"]  # the PDF's text layer, in reading order
    total = body["words"][texts.index("TOTAL")]
    x0, y0, x1, y1 = total["bbox"]
    assert 0 <= x0 < x1 <= 1 and 0 <= y0 < y1 <= 1 and total["confidence"] == 1.0
    assert total["line"] != body["words"][0]["line"]

    assert api.client.get(f"/v1/documents/{doc['id']}/pages/3/words", headers=AUTH).status_code == 404
    assert api.client.get(f"/v1/documents/{doc['id']}/pages/-1/words", headers=AUTH).status_code == 422
    assert api.client.get("/v1/documents/nope/pages/0/words", headers=AUTH).status_code == 404
    assert api.client.get(f"/v1/documents/{doc['id']}/pages/0/words").status_code == 401
