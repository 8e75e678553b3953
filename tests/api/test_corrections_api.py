"""PATCH /result against hostile bodies: fields outside the schema, invented amounts, huge values and indexes."""

from __future__ import annotations

import pytest

from tests.api.conftest import AUTH, receipt_pdf, run_queued_jobs


@pytest.fixture
def extracted(api):  # type: ignore[no-untyped-def]
    """A receipt uploaded and extracted; its id."""
    posted = api.client.post(
        "/v1/documents", files={"file": ("r.pdf", receipt_pdf(77))}, data={"schema": "receipt"}, headers=AUTH
    )
    assert posted.status_code == 202, posted.text
    assert run_queued_jobs(api.settings) == 2
    return posted.json()["id"]


def _patch(api, doc_id: str, corrections: list, **extra):  # type: ignore[no-untyped-def]
    headers = {**AUTH, **extra.pop("headers", {})}
    return api.client.patch(
        f"/v1/documents/{doc_id}/result", json={"corrections": corrections, **extra}, headers=headers
    )


def _audit(api, doc_id: str) -> list[dict]:  # type: ignore[no-untyped-def]
    return api.client.get(f"/v1/documents/{doc_id}/corrections", headers=AUTH).json()


def test_fields_outside_the_schema_and_invented_amounts_are_422_without_audit(api, extracted) -> None:  # type: ignore[no-untyped-def]
    for pointer in ("/nonexistent", "/__class__", "/items/0/__init__", "/total/0"):
        answer = _patch(api, extracted, [{"field": pointer, "value": "1"}])
        assert answer.status_code == 422, (pointer, answer.text)
        assert answer.json()["error"]["code"] == "invalid_value"
    for value in ("12 USD 2024", "1e400", "-=1+2", [1, 2], True, "NaN"):
        answer = _patch(api, extracted, [{"field": "/total", "value": value}])
        assert answer.status_code == 422, (value, answer.text)
        assert "not an amount" in answer.json()["error"]["message"]
    assert _audit(api, extracted) == []


def test_append_a_row_and_the_audit_names_the_signed_in_key(api, extracted) -> None:  # type: ignore[no-untyped-def]
    from docai.service.auth import key_identity
    from tests.api.conftest import KEY

    rows = len(api.client.get(f"/v1/documents/{extracted}/result", headers=AUTH).json()["data"]["items"])
    answer = _patch(
        api,
        extracted,
        [
            {"field": "/items/-", "value": {"description": "TEA", "amount": "2.50"}},
            {"field": "/total", "value": "€ 1.234,50"},
        ],
        author="mallory",  # a typed name: kept as a note, never as the author
        headers={"X-Docai-User": "alice"},
    )
    assert answer.status_code == 200, answer.text
    data = answer.json()["data"]
    assert data["items"][-1]["description"] == "TEA" and data["total"] == "1234.50"
    audit = _audit(api, extracted)
    assert [a["field"] for a in audit] == [f"/items/{rows}", "/total"]
    assert {(a["author"], a["note"]) for a in audit} == {(key_identity(KEY), "mallory")}


def test_sizes_and_indexes_are_capped(api, extracted) -> None:  # type: ignore[no-untyped-def]
    long = _patch(api, extracted, [{"field": "/merchant_name", "value": "A" * 20_000}])
    assert long.status_code == 422 and "10,000" in long.json()["error"]["message"]
    huge = _patch(api, extracted, [{"field": "/merchant_name", "value": "A" * 2_000_000}])
    assert huge.status_code == 413 and huge.json()["error"]["code"] == "too_large"
    nested = api.client.patch(
        f"/v1/documents/{extracted}/result",
        content=b'{"corrections": [{"field": "/merchant_name", "value": ' + b"[" * 50_000 + b"]" * 50_000 + b"}]}",
        headers={**AUTH, "Content-Type": "application/json"},
    )
    assert nested.status_code in (400, 413, 422), nested.text  # a client error, never a 500
    assert api.client.get("/v1/documents", params={"offset": 10**20}, headers=AUTH).status_code == 422
    assert api.client.get("/v1/documents", params={"offset": 2**40}, headers=AUTH).status_code == 422
    assert api.client.get(f"/v1/documents/{extracted}/pages/{10**20}", headers=AUTH).status_code == 422
    assert api.client.get(f"/v1/documents/{extracted}/pages/-1", headers=AUTH).status_code == 422
    assert _audit(api, extracted) == []
