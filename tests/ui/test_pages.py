"""Every page of the Streamlit app (AppTest, in-process) against a live docai API over real documents."""

from __future__ import annotations

import base64
import csv
import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.ui.conftest import CHART_CSV, DATA, SCREENSHOT_HTML, LiveApi

APP = Path(__file__).resolve().parents[2] / "ui" / "app.py"
pytestmark = pytest.mark.slow


def open_page(page: str | None = None, **query: str) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.run()
    if page:
        for key, value in query.items():
            at.query_params[key] = value
        at.switch_page(page).run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def texts(at: AppTest, kind: str) -> list[str]:
    return [str(e.value) for e in getattr(at, kind)]


def plain(markdown: str) -> str:
    """Markdown text the app escaped, read back as shown."""
    return markdown.replace("\\", "")


def unknown(at: AppTest, kind: str) -> list:
    """Elements AppTest has no class for (iframe, vega-lite chart), found by their proto type."""
    return [e for e in at.main.get(kind)]


def test_queue_lists_filters_and_retries(ui_env: LiveApi) -> None:
    at = open_page()
    assert at.title[0].value == "Queue"
    table = at.dataframe[0].value
    assert {"X00016469612.jpg", "AzureInterior.pdf", "1270.png", "1839.png", "12142.png"} <= set(table["Document"])
    failed_row = table[table["Document"] == "1839.png"].iloc[0]
    assert failed_row["Status"] == "failed" and failed_row["Error"].startswith("schema_unsupported")
    assert table[table["Document"] == "X00016469612.jpg"].iloc[0]["Engine"] == "ocr"

    at.multiselect(key="queue_status").set_value(["failed"]).run()
    table = at.dataframe[0].value
    assert set(table["Status"]) == {"failed"} and "1839.png" in set(table["Document"])

    with ui_env.client() as http:
        before = len(http.get(f"/documents/{ui_env.ids['chart_failed']}").json()["jobs"])
    row = list(table["id"]).index(ui_env.ids["chart_failed"])
    at.session_state["queue_table"] = {"selection": {"rows": [row], "columns": [], "cells": []}}
    at.run()
    retry = [b for b in at.button if b.label == "Retry 1"]
    assert retry, "a failed document offers Retry"
    retry[0].click().run()
    assert not at.exception
    doc = ui_env.wait_terminal(ui_env.ids["chart_failed"])
    assert len(doc["jobs"]) > before  # queued again and run again by the worker
    assert doc["status"] == "failed" and doc["error"]["code"] == "schema_unsupported"

    at.multiselect(key="queue_status").set_value([]).run()
    table = at.dataframe[0].value
    row = list(table["id"]).index(ui_env.ids["invoice"])
    at.session_state["queue_table"] = {"selection": {"rows": [row], "columns": [], "cells": []}}
    at.run()
    [b for b in at.button if b.label == "Open in Review"][0].click().run()
    assert at.title[0].value == "Review" and at.query_params["doc"] == ui_env.ids["invoice"]


def test_queue_bulk_approve_takes_only_documents_without_open_errors(ui_env: LiveApi) -> None:
    from tests.api.conftest import receipt_pdf

    ids = {}
    with ui_env.client() as http:
        for name in ("clean", "wrong"):  # the items add up to the total
            files = {"file": (f"cafe-{name}.pdf", receipt_pdf(30 + len(ids), total="7.70"), "application/pdf")}
            ids[name] = http.post("/documents", files=files, data={"schema": "receipt"}).json()["id"]
        for doc_id in ids.values():
            ui_env.wait_terminal(doc_id)
        fix = {"corrections": [{"field": "/subtotal", "value": "1.00"}]}  # a subtotal the items do not add up to
        assert http.patch(f"/documents/{ids['wrong']}/result", json=fix).status_code == 200
        reasons = {name: http.get(f"/documents/{doc_id}").json()["reasons"] for name, doc_id in ids.items()}
    errors = {name: [r for r in found if r["severity"] == "error"] for name, found in reasons.items()}
    assert not errors["clean"] and errors["wrong"], errors

    at = open_page()
    at.text_input(key="queue_q").set_value("cafe").run()
    table = at.dataframe[0].value
    rows = [list(table["id"]).index(doc_id) for doc_id in ids.values()]
    at.session_state["queue_table"] = {"selection": {"rows": rows, "columns": [], "cells": []}}
    at.run()
    at.button(key="bulk_approve").click().run()
    assert not at.exception
    notice = "Approve: 1 done, 1 skipped (cafe-wrong.pdf: errors are open: approve it on the Review page, with a note)"
    assert any(notice in plain(w.value) for w in at.warning), [w.value for w in at.warning]
    with ui_env.client() as http:
        assert http.get(f"/documents/{ids['clean']}").json()["status"] == "approved"
        assert http.get(f"/documents/{ids['wrong']}").json()["status"] == "needs_review"


def test_upload_marks_the_kinds_the_engine_cannot_read(ui_env: LiveApi) -> None:
    with ui_env.client() as http:
        unsupported = http.get("/engine").json()["unsupported"]
    assert "chart" in unsupported  # the live API runs the ocr engine
    at = open_page("views/upload.py")
    assert any(unsupported["chart"][:40] in plain(c.value) for c in at.caption)
    at.selectbox(key="upload_schema").set_value("chart")
    at.file_uploader(key="files").set_value([("chart.png", (DATA / "chartqa" / "1270.png").read_bytes(), "image/png")])
    at.button[0].click().run()
    assert any(unsupported["chart"][:40] in plain(e.value) for e in at.error)
    assert at.session_state["uploads"] == []  # refused before anything was sent


def page_pictures(at: AppTest) -> list[str]:
    """The page pictures the Review page drew (streamlit-image-coordinates components), as their data URLs."""
    return [json.loads(e.proto.json_args)["src"] for e in at.main.get("component_instance")]


def test_review_shows_boxes_edits_are_audited_and_approval(ui_env: LiveApi) -> None:
    receipt = ui_env.ids["receipt"]
    at = open_page("views/review.py", doc=receipt)
    at.sidebar.text_input(key="reviewer").set_value("Ada Reviewer").run()
    assert at.session_state["review_doc"] == receipt
    assert at.query_params["reviewer"] == "Ada Reviewer"  # kept in the address: a reload keeps it
    assert len(page_pictures(at)) == 1  # the page with its boxes
    at.selectbox(key=f"target:{receipt}").set_value("/total").run()
    assert any(t.startswith("total: read as") for t in texts(at, "text"))

    total = at.text_input(key=f"f:{receipt}:/total")
    total.set_value("nine ringgit").run()
    assert any("not an amount" in c for c in texts(at, "caption"))
    with ui_env.client() as http:
        assert http.get(f"/documents/{receipt}/corrections").json() == []

    total.set_value("RM 9,10").run()
    assert not at.exception
    with ui_env.client() as http:
        result = http.get(f"/documents/{receipt}/result").json()
        trail = http.get(f"/documents/{receipt}/corrections").json()
    assert result["data"]["total"] == "9.10" and result["original"]["total"] != "9.10"
    assert [(c["field"], c["new_value"], c["note"]) for c in trail] == [("/total", "9.10", "Ada Reviewer")]
    assert any("Saved total" in s for s in texts(at, "toast"))
    assert any(t.value == "9.10" for t in at.text_input if t.label == "Total")

    with ui_env.client() as http:
        for issue in http.get(f"/documents/{receipt}/result").json()["issues"]:
            if issue["severity"] == "error":  # settled here, so that approval needs no confirmation
                http.patch(
                    f"/documents/{receipt}/result", json={"corrections": [{"field": issue["field"], "op": "remove"}]}
                )
    at.run()
    at.button(key="approve").click().run()
    assert not at.exception
    with ui_env.client() as http:
        doc = http.get(f"/documents/{receipt}").json()
        nxt = http.get(f"/documents/{at.query_params['doc']}").json()
    assert doc["status"] == "approved" and "Ada Reviewer" in doc["reviewed_by"]
    assert nxt["id"] != receipt and nxt["status"] == "needs_review"  # the next document opened by itself

    at.button(key="next_review").click().run()  # N: the next one that needs review, other than this one
    with ui_env.client() as http:
        after = http.get(f"/documents/{at.query_params['doc']}").json()
    assert after["id"] != nxt["id"] and after["status"] == "needs_review"

    at = open_page("views/review.py", doc=receipt)  # an approved document is read-only until reopened
    assert "approved" in at.caption[0].value
    assert at.button(key="approve").disabled and at.button(key="reject").disabled
    assert all(t.disabled for t in at.text_input if t.key and t.key.startswith(f"f:{receipt}:"))
    at.button(key="reopen").click().run()
    assert not at.exception
    with ui_env.client() as http:
        reopened = http.get(f"/documents/{receipt}").json()
    # the approval is taken back; the status is what the corrected result says: its errors were settled above, so
    # with every value confident nothing is left open ('done'), else it is back in the queue
    assert reopened["status"] in ("needs_review", "done") and reopened["reviewed_by"] is None
    assert not at.button(key="approve").disabled
    with ui_env.client() as http:
        audit = http.get(f"/documents/{receipt}/audit").json()
    assert [e["action"] for e in audit if e["kind"] == "decision"] == ["approve", "reopen"]


def test_review_line_items_saved_from_the_data_editor(ui_env: LiveApi) -> None:
    invoice = ui_env.ids["invoice"]
    at = open_page("views/review.py", doc=invoice)
    editor = at.data_editor[0]
    rows = editor.value
    assert len(rows) >= 1 and "amount" in rows.columns
    (plain_page,) = page_pictures(at)
    at.selectbox(key=f"row:{invoice}").set_value(1).run()  # the first row's box is drawn, and its cells offered
    (with_row,) = page_pictures(at)
    assert with_row != plain_page
    assert "line items 1 amount" in at.selectbox(key=f"target:{invoice}").options  # labels count rows from 1
    zoom = next(b for b in at.get("button_group") if b.key == f"zoom:{invoice}")
    zoom.set_value("2×").run()  # zoomed in on the chosen row, with sliders to pan
    (zoomed,) = page_pictures(at)
    assert zoomed != with_row and at.slider(key=f"panx:{invoice}:0").value != 50  # centred on the row's box
    at.slider(key=f"pany:{invoice}:0").set_value(0).run()
    assert page_pictures(at) != [zoomed]
    key = editor.key
    at.session_state[key] = {
        "edited_rows": {0: {"description": "Corrected line"}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.run()
    at.button(key=f"save:{invoice}:line_items").click().run()
    assert not at.exception
    with ui_env.client() as http:
        trail = http.get(f"/documents/{invoice}/corrections").json()
        result = http.get(f"/documents/{invoice}/result").json()
    assert ("/line_items/0/description", "Corrected line") in [(c["field"], c["new_value"]) for c in trail]
    assert result["data"]["line_items"][0]["description"] == "Corrected line"
    assert at.data_editor[0].value.loc[1, "description"] == "Corrected line"  # rows numbered from 1, as shown


def test_chart_page_failed_and_redrawn(ui_env: LiveApi) -> None:
    at = open_page("views/chart.py", doc=ui_env.ids["chart_failed"])
    assert len(at.get("image")) == 1  # the original chart is shown even though extraction failed
    assert any("schema_unsupported" in plain(e.value) for e in at.error)

    with CHART_CSV.open(newline="") as handle:
        header, *rows = list(csv.reader(handle))
    with ui_env.client() as http:  # a reviewer fixes the table the tiny random model produced
        fixed = http.patch(
            f"/documents/{ui_env.ids['chart']}/result",
            json={"corrections": [{"field": "/columns", "value": header}, {"field": "/rows", "value": rows}]},
        )
    assert fixed.status_code == 200, fixed.text
    at = open_page("views/chart.py", doc=ui_env.ids["chart"])
    assert not at.error
    table = at.dataframe[0].value
    assert list(table.columns) == header and table.values.tolist() == rows
    (plot,) = unknown(at, "vega_lite_chart")
    spec = json.loads(plot.proto.spec)
    assert spec["encoding"]["x"]["field"] == "category" and spec["mark"]["type"] == "bar"
    assert [b.label for b in at.get("download_button")] == ["Download CSV"]
    assert len(at.get("image")) == 1


def test_ui_code_page_renders_generated_html_only_in_a_sandbox(ui_env: LiveApi) -> None:
    page = SCREENSHOT_HTML.read_text(encoding="utf-8")
    # the start of a real page (a field holds 10,000 characters at most) with a script added to it
    hostile = page[:9000] + "<script>parent.document.title='owned'</script></body></html>"
    with ui_env.client() as http:
        fixed = http.patch(
            f"/documents/{ui_env.ids['ui_code']}/result", json={"corrections": [{"field": "/html", "value": hostile}]}
        )
    assert fixed.status_code == 200, fixed.text
    at = open_page("views/ui_code.py", doc=ui_env.ids["ui_code"])
    (frame,) = unknown(at, "iframe")
    src = frame.proto.src
    assert src.startswith("data:text/html;charset=utf-8;base64,")
    wrapper = base64.b64decode(src.split(",", 1)[1]).decode("utf-8")
    assert '<iframe sandbox=""' in wrapper and "allow-scripts" not in wrapper and "allow-same-origin" not in wrapper
    assert "<script>" not in wrapper and "&lt;script&gt;parent.document.title" in wrapper
    assert at.code[0].value == hostile.strip()  # the schema strips surrounding whitespace
    assert [b.label for b in at.get("download_button")] == ["Download HTML"]
    assert len(at.get("image")) == 1  # the screenshot beside it


def test_upload_several_files_until_done(ui_env: LiveApi) -> None:
    at = open_page("views/upload.py")
    files = [DATA / "invoice2data" / "QualityHosting.pdf", DATA / "invoice2data" / "free_fiber.pdf"]
    at.file_uploader(key="files").set_value([(p.name, p.read_bytes(), "application/pdf") for p in files])
    at.selectbox(key="upload_schema").set_value("invoice")
    at.button[0].click().run()
    assert not at.exception and not at.error
    uploads = at.session_state["uploads"]
    assert sorted(u["filename"] for u in uploads) == sorted(p.name for p in files)
    for upload in uploads:
        assert ui_env.wait_terminal(upload["id"])["status"] in ("done", "needs_review")
    at.run()
    assert any("All 2 accepted documents are finished" in s for s in texts(at, "success"))
    bars = [e for e in at.main.get("progress")]
    assert len(bars) == 2 and all(b.proto.value == 100 for b in bars)

    # each is a 2-page invoice: the Review page pages through it
    doc_id = uploads[0]["id"]
    review = open_page("views/review.py", doc=doc_id)
    pager = review.get("button_group")[0]
    assert pager.key == f"page:{doc_id}" and list(pager.options) == ["1", "2"]
    (first,) = page_pictures(review)
    pager.set_value(2).run()
    assert not review.exception
    (second,) = page_pictures(review)
    assert second != first
    with ui_env.client() as http:
        detail = http.get(f"/documents/{doc_id}").json()
    assert detail["page_count"] == 2 and detail["source"] == "ui"


def test_export_approved_results(ui_env: LiveApi) -> None:
    with ui_env.client() as http:
        approved = http.post(f"/documents/{ui_env.ids['invoice']}/approve", json={"confirm": True, "note": "checked"})
        assert approved.status_code == 200, approved.text
    at = open_page("views/export.py")
    assert at.metric[0].value != "0"
    at.radio(key="export_format").set_value("json").run()
    assert ui_env.ids["invoice"] in at.code[0].value
    labels = [b.label for b in at.get("download_button")]
    assert labels[0].startswith("Download all kinds") and any(label.startswith("Invoices (") for label in labels)
    at.radio(key="export_format").set_value("csv").run()
    assert at.code[0].value.splitlines()[0].count(",") >= 3


def test_review_rejects_a_failed_document(ui_env: LiveApi) -> None:
    failed = ui_env.ids["chart_failed"]
    ui_env.wait_terminal(failed)
    at = open_page("views/review.py", doc=failed)
    assert any("schema_unsupported" in plain(e.value) for e in at.error)
    assert len(page_pictures(at)) == 1 and at.button(key="approve").disabled
    at.button(key="reject").click().run()
    assert not at.exception
    with ui_env.client() as http:
        assert http.get(f"/documents/{failed}").json()["status"] == "rejected"
    at = open_page("views/review.py", doc=failed)
    assert at.button(key="reject").disabled
