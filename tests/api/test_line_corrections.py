"""A correction that makes a line's arithmetic wrong is answered with an issue, not a 500."""

from __future__ import annotations

from tests.api.conftest import AUTH, run_queued_jobs


def test_line_edited_to_wrong_arithmetic_answers_200_with_an_issue(api) -> None:  # type: ignore[no-untyped-def]
    from docai.samples import sample_invoice_pdf

    posted = api.client.post(
        "/v1/documents", files={"file": ("inv.pdf", sample_invoice_pdf())}, data={"schema": "invoice"}, headers=AUTH
    )
    assert posted.status_code == 202, posted.text
    run_queued_jobs(api.settings)
    line = {"description": "Consulting", "quantity": 2, "unit_price": 3, "amount": 10}  # no tax rate
    patched = api.client.patch(
        f"/v1/documents/{posted.json()['id']}/result",
        json={"corrections": [{"field": "/line_items", "value": [line]}]},
        headers=AUTH,
    )
    assert patched.status_code == 200, patched.text
    issues = {(i["code"], i["field"]) for i in patched.json()["issues"]}
    assert ("line_amount_mismatch", "/line_items/0/amount") in issues
