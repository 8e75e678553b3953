"""A real browser (Debian chromium via Playwright) against `docai ui` and a live API + worker.

Each test checks what the page shows AND what the API then holds. One UI server and one browser serve them all.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, unquote_plus, urlparse

import httpx
import pytest

from tests.api.conftest import receipt_pdf
from tests.ui.conftest import DATA, REPO, UPLOAD_RECEIPT, LiveApi, free_port

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
INVOICE = DATA / "invoice2data" / "AzureInterior.pdf"  # seeded by tests/ui/seed.py; a re-saved copy is uploaded here
pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def ui_server(live_api: LiveApi, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The UI as `docai ui` starts it (same Streamlit flags), against the live API."""
    from docai.cli.serve import ui_argv

    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOCAI_")}
    env.update(DOCAI_HOME=str(live_api.home), DOCAI_API_URL=live_api.url, DOCAI_UI_API_KEY=live_api.key)
    log_path = tmp_path_factory.mktemp("streamlit") / "streamlit.log"
    argv = [*ui_argv(port), "--server.fileWatcherType", "none"]
    server = subprocess.Popen(argv, env=env, cwd=REPO, stdout=log_path.open("wb"), stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert server.poll() is None, f"streamlit exited: {log_path.read_text()[-2000:]}"
            try:
                if httpx.get(f"{url}/_stcore/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "streamlit did not start in 60 s"
            time.sleep(0.5)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()


@pytest.fixture(scope="module")
def browser() -> Iterator:
    from playwright import sync_api

    if not CHROMIUM.exists():  # `make test` installs it; a browser test that silently skips proves nothing
        pytest.fail(f"Debian's chromium is not installed at {CHROMIUM} (apt-get install chromium, or `make test`)")
    sync_api.expect.set_options(timeout=60_000)  # a loaded CI machine redraws slowly
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser, ui_server: str) -> Iterator:  # type: ignore[no-untyped-def]
    """A fresh tab, 1920 px wide (the Review page's picture takes 900+ px of it)."""
    tab = browser.new_page(viewport={"width": 1920, "height": 1200})
    tab.set_default_timeout(60_000)
    try:
        yield tab
    finally:
        tab.close()


def settle(page) -> None:  # type: ignore[no-untyped-def]
    """Wait until Streamlit finished the script run the last action started."""
    from playwright.sync_api import expect

    page.wait_for_timeout(300)
    expect(page.get_by_test_id("stStatusWidget")).to_be_hidden()


def doc_param(page) -> str:  # type: ignore[no-untyped-def]
    return parse_qs(urlparse(page.url).query).get("doc", [""])[0]


def upload_via_api(live_api: LiveApi, name: str, content: bytes, schema: str) -> dict:
    with live_api.client() as http:
        answer = http.post(
            "/documents", files={"file": (name, content, "application/octet-stream")}, data={"schema": schema}
        )
    assert answer.status_code in (200, 202), answer.text
    return live_api.wait_terminal(answer.json()["id"])


def resaved(path: Path) -> bytes:
    """The same PDF with other bytes (new metadata): what a second copy of an invoice looks like."""
    import pymupdf

    with pymupdf.open(path) as pdf:
        pdf.set_metadata({**pdf.metadata, "producer": "scanner 2", "title": "copy"})
        buffer = io.BytesIO()
        pdf.save(buffer, garbage=1)
    data = buffer.getvalue()
    assert data != path.read_bytes()
    return data


@pytest.fixture(scope="module")
def invoice_copy(live_api: LiveApi) -> dict:
    """A second copy of the seeded invoice (other bytes, same vendor, number and total), extracted by the worker."""
    doc = upload_via_api(live_api, "AzureInterior-copy.pdf", resaved(INVOICE), "invoice")
    assert doc["status"] in ("done", "needs_review"), doc
    return doc


@pytest.fixture(scope="module")
def misread_subtotal(live_api: LiveApi, invoice_copy: dict) -> tuple[str, str, list[dict]]:
    """The copy with its subtotal misread by 10.00 (set through the API): (id, the right subtotal, the errors)."""
    doc_id = invoice_copy["id"]
    right = result(live_api, doc_id)["data"]["subtotal"]
    assert right, "the invoice's subtotal is read"
    wrong = f"{float(right) + 10:.2f}"
    with live_api.client() as http:
        answer = http.patch(
            f"/documents/{doc_id}/result", json={"corrections": [{"field": "/subtotal", "value": wrong}]}
        )
    assert answer.status_code == 200, answer.text
    found = errors(live_api, doc_id)
    assert found, "a subtotal 10.00 off is an error"
    return doc_id, right, found


def result(live_api: LiveApi, document_id: str) -> dict:
    with live_api.client() as http:
        return http.get(f"/documents/{document_id}/result").json()


def errors(live_api: LiveApi, document_id: str) -> list[dict]:
    return [i for i in result(live_api, document_id)["issues"] if i["severity"] == "error"]


def shoot(page, name: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """A screenshot; `UI_SCREENSHOTS=docs pytest -m browser tests/ui` refreshes the README's pictures."""
    shot = tmp_path / name
    page.screenshot(path=str(shot))
    assert shot.stat().st_size > 20_000
    if os.environ.get("UI_SCREENSHOTS"):
        shutil.copyfile(shot, REPO / os.environ["UI_SCREENSHOTS"] / name)


def test_a_bookmarked_queue_address_opens_the_queue_with_its_filters(page, ui_server: str, live_api: LiveApi) -> None:
    from playwright.sync_api import expect

    page.goto(f"{ui_server}/queue?status=needs_review,done,approved&schema=invoice&sort=status")
    expect(page.get_by_role("heading", name="Queue")).to_be_visible()
    expect(page.get_by_test_id("stMultiSelect").get_by_text("needs review", exact=True)).to_be_visible()
    with live_api.client() as http:
        listing = http.get("/documents", params={"status": "needs_review,done,approved", "schema": "invoice"}).json()
    assert listing["count"] >= 1
    expect(page.get_by_text(f"{listing['count']} document(s) · page 1 of 1")).to_be_visible()
    grid = page.get_by_test_id("stDataFrame")
    names = {d["filename"] for d in listing["data"]}
    expect(grid.locator("td", has_text=sorted(names)[0]).first).to_be_attached()  # the grid's accessible copy
    shown = set(grid.locator("td[aria-colindex='2']").all_inner_texts())  # the Status column
    assert shown <= {"needs review", "done", "approved"} and shown
    assert "schema=invoice" in page.url and "sort=status" in page.url

    page.goto(ui_server)  # the root forwards to the queue's own address
    expect(page.get_by_role("heading", name="Queue")).to_be_visible()
    page.wait_for_url("**/queue**")
    assert "docai" in page.title()
    assert page.get_by_text("Deploy", exact=True).count() == 0  # Streamlit's toolbar is hidden


def test_searching_a_vendors_name_finds_its_document(page, ui_server: str, live_api: LiveApi) -> None:
    from playwright.sync_api import expect

    receipt = result(live_api, live_api.ids["receipt"])
    vendor = receipt["data"]["merchant_name"].split()[0]
    with live_api.client() as http:
        found = http.get("/documents", params={"q": vendor}).json()
    assert live_api.ids["receipt"] in {d["id"] for d in found["data"]}
    page.goto(f"{ui_server}/queue")
    search = page.get_by_role("textbox", name="Search")
    search.fill(vendor)
    search.press("Enter")
    expect(page.get_by_test_id("stDataFrame").locator("td", has_text="X00016469612.jpg")).to_be_attached()
    # the UI writes the search into the address a moment after the table shows (seen racing under a full `make test`)
    page.wait_for_function(
        "q => decodeURIComponent(location.search.replace(/[+]/g, ' ')).includes(q)", arg=f"q={vendor}", timeout=10000
    )
    assert f"q={vendor}" in unquote_plus(page.url)
    expect(page.get_by_test_id("stDataFrame").locator("td", has_text="AzureInterior.pdf")).to_have_count(0)


def test_a_refused_upload_is_shown_with_the_servers_sentence(page, ui_server: str, live_api: LiveApi) -> None:
    from playwright.sync_api import expect

    text = b"not a pdf at all, just a note\n"
    with live_api.client() as http:
        refused = http.post("/documents", files={"file": ("notes.pdf", text, "application/pdf")})
    assert refused.status_code == 415
    sentence = refused.json()["error"]["message"]

    page.goto(f"{ui_server}/upload")
    expect(page.get_by_role("heading", name="Upload documents")).to_be_visible()
    expect(page.get_by_text("Up to 100 MB per file: the server's limit.")).to_be_visible()
    expect(page.get_by_test_id("stFileUploaderDropzoneInstructions")).to_contain_text("100MB")
    page.locator("input[type=file]").set_input_files(
        [
            {"name": "notes.pdf", "mimeType": "application/pdf", "buffer": text},
            {"name": INVOICE.name, "mimeType": "application/pdf", "buffer": INVOICE.read_bytes()},
        ]
    )
    expect(page.get_by_text("notes.pdf", exact=True).first).to_be_visible()
    page.get_by_role("button", name="Upload", exact=True).click()
    expect(page.get_by_text(f"notes.pdf was refused: {sentence}")).to_be_visible()
    expect(page.get_by_text(f"{INVOICE.name} was uploaded before")).to_be_visible()
    page.get_by_role("link", name="Open the stored document").click()
    expect(page.get_by_role("heading", name="Review")).to_be_visible()
    assert doc_param(page) == live_api.ids["invoice"]


def test_a_second_copy_of_an_invoice_is_flagged_with_a_link(
    page, ui_server: str, live_api: LiveApi, invoice_copy: dict, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    with live_api.client() as http:
        detail = http.get(f"/documents/{invoice_copy['id']}").json()
    flagged = detail.get("possible_duplicate_of") or (detail.get("possible_duplicate") or {}).get("id")
    assert flagged == live_api.ids["invoice"], detail
    page.goto(f"{ui_server}/review?doc={invoice_copy['id']}")
    expect(page.get_by_text("Why it is here")).to_be_visible()
    expect(page.get_by_text("possible duplicate", exact=False).first).to_be_visible()
    link = page.get_by_role("button", name=f"document {live_api.ids['invoice'][:8]}")
    expect(link).to_be_visible()
    settle(page)
    shoot(page, "review.png", tmp_path)
    link.click()
    expect(page).to_have_url(re.compile(f"doc={live_api.ids['invoice']}"))


def test_a_review_reason_is_visible_and_approving_with_errors_asks_first(
    page, ui_server: str, live_api: LiveApi, misread_subtotal: tuple[str, str, list[dict]]
) -> None:
    from playwright.sync_api import expect

    doc_id, _right, open_errors = misread_subtotal
    page.goto(f"{ui_server}/review?doc={doc_id}")
    why = page.locator(".st-key-why_here")
    expect(why).to_contain_text(open_errors[0]["message"])
    page.get_by_role("button", name="Approve").first.click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("Approve with open errors?")
    dialog.get_by_role("button", name="Approve anyway").click()
    expect(dialog.get_by_text("Write a note first")).to_be_visible()
    with live_api.client() as http:
        assert http.get(f"/documents/{doc_id}").json()["status"] in ("done", "needs_review")  # nothing happened yet
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_be_hidden()
    with live_api.client() as http:
        refused = http.post(f"/documents/{doc_id}/approve", json={})
    assert refused.status_code == 409  # the API asks the same of every client


def test_a_correction_clears_the_issue_it_fixed(
    page, ui_server: str, live_api: LiveApi, misread_subtotal: tuple[str, str, list[dict]]
) -> None:
    from playwright.sync_api import expect

    doc_id, right, open_errors = misread_subtotal
    page.goto(f"{ui_server}/review?doc={doc_id}")
    for issue in open_errors:
        expect(page.get_by_text(issue["message"]).first).to_be_visible()
    subtotal = page.get_by_role("textbox", name="Subtotal", exact=True)
    subtotal.fill(right)
    subtotal.press("Enter")
    expect(page.get_by_text("Saved subtotal.")).to_be_visible()
    settle(page)
    fixed = [i for i in open_errors if i["code"] != "possible_duplicate"]  # what the misread subtotal caused
    assert any(i["field"] == "/subtotal" for i in fixed), open_errors
    for issue in fixed:  # on the page and in the API: the issue the correction fixed is gone
        expect(page.get_by_text(issue["message"])).to_have_count(0)
    now = result(live_api, doc_id)
    assert not {i["message"] for i in now["issues"]} & {i["message"] for i in fixed}
    assert now["data"]["subtotal"] == right


def test_clicking_a_word_fills_the_selected_field(page, ui_server: str, live_api: LiveApi) -> None:
    from playwright.sync_api import expect

    doc = upload_via_api(live_api, "receipt-a.jpg", UPLOAD_RECEIPT.read_bytes() + b"\0\0", "receipt")
    with live_api.client() as http:
        words = http.get(f"/documents/{doc['id']}/pages/0/words").json()["words"]
    word = next(w for w in words if w["text"].isalpha() and len(w["text"]) >= 5)
    page.goto(f"{ui_server}/review?doc={doc['id']}")
    expect(page.get_by_role("heading", name="Fields")).to_be_visible()
    page.get_by_test_id("stSelectbox").filter(has_text="Fill by pointing").click()
    page.get_by_role("option", name="merchant name", exact=True).click()
    settle(page)
    picture = page.frame_locator("iframe[title*='image_coordinates']").locator("img")
    shown = picture.bounding_box()
    assert shown["width"] >= 900
    x0, y0, x1, y1 = word["bbox"]
    picture.click(position={"x": (x0 + x1) / 2 * shown["width"], "y": (y0 + y1) / 2 * shown["height"]})
    expect(page.get_by_text(f"Picked: {word['text']}")).to_be_visible()
    expect(page.get_by_role("textbox", name="Merchant name", exact=True)).to_have_value(word["text"])
    page.get_by_role("button", name="Save merchant name").click()
    expect(page.get_by_text("Saved merchant name.")).to_be_visible()
    saved = result(live_api, doc["id"])
    assert saved["data"]["merchant_name"] == word["text"]
    assert saved["evidence"]["/merchant_name"]["bbox"] == pytest.approx(word["bbox"], abs=1e-4)


def test_keyboard_approve_opens_the_next_document(page, ui_server: str, live_api: LiveApi, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    # a receipt whose items add up and whose values sit in a text layer: nothing stands in approval's way
    doc = upload_via_api(live_api, "cafe-7.pdf", receipt_pdf(7, total="7.70"), "receipt")
    with live_api.client() as http:
        reasons = http.get(f"/documents/{doc['id']}").json()["reasons"]
    assert not [r for r in reasons if r["severity"] == "error"], reasons
    page.goto(f"{ui_server}/review?doc={doc['id']}&reviewer=Kim")
    expect(page.get_by_role("heading", name="Fields")).to_be_visible()
    expect(page.get_by_text("A approve")).to_be_visible()  # the keys are listed on the page
    settle(page)
    merchant = page.get_by_role("textbox", name="Merchant name", exact=True)
    merchant.fill("Cafe Number Seven")
    merchant.press("Tab")  # Tab saves the field and moves on to the next one, which keeps the focus
    expect(page.get_by_text("Saved merchant name.")).to_be_visible()
    settle(page)
    focused = page.evaluate("[document.activeElement.tagName, document.activeElement.getAttribute('aria-label')]")
    assert focused[0] in ("INPUT", "TEXTAREA") and focused[1] in ("Merchant address", "Merchant phone"), focused
    assert result(live_api, doc["id"])["data"]["merchant_name"] == "Cafe Number Seven"
    page.get_by_role("heading", name="Review").click()  # the keys work wherever no input has the focus
    page.keyboard.press("a")
    expect(page.get_by_text("Document approved.")).to_be_visible()
    expect(page).to_have_url(re.compile(rf"^(?!.*doc={doc['id']}).*doc=\w+"))
    settle(page)
    with live_api.client() as http:
        approved = http.get(f"/documents/{doc['id']}").json()
        nxt = http.get(f"/documents/{doc_param(page)}").json()
    assert approved["status"] == "approved" and "Kim" in (approved["reviewed_by"] or "")
    assert nxt["status"] == "needs_review"
    assert page.get_by_test_id("stSidebar").get_by_role("textbox", name="Your name").input_value() == "Kim"

    page.goto(f"{ui_server}/queue?status=needs_review")
    expect(page.get_by_test_id("stDataFrame")).to_be_visible()
    settle(page)
    shoot(page, "queue.png", tmp_path)


def test_generated_html_runs_no_script_in_the_sandbox(browser) -> None:  # type: ignore[no-untyped-def]
    """The UI-code frame shows the page but none of its scripts run, not even inside the frame."""
    from playwright import sync_api

    from ui.sandbox import sandboxed_src

    generated = (
        "<html><body><h1 id='t'>Generated heading</h1>"
        "<script>document.getElementById('t').textContent='SCRIPT RAN';"
        "try{parent.parent.document.title='owned'}catch(e){}</script>"
        "<img src=x onerror=\"document.body.append('ONERROR RAN')\"></body></html>"
    )
    page = browser.new_page()
    try:
        page.set_content(f'<title>app</title><iframe id="outer" src="{sandboxed_src(generated)}"></iframe>')
        inner = page.frame_locator("#outer").frame_locator("iframe")
        sync_api.expect(inner.locator("h1")).to_have_text("Generated heading")
        page.wait_for_timeout(500)  # time for a script that would run
        assert inner.locator("body").inner_text().strip() == "Generated heading"
        assert page.title() == "app"
    finally:
        page.close()


def test_upload_edit_approve_in_a_real_browser(page, ui_server: str, live_api: LiveApi) -> None:
    from playwright.sync_api import expect

    page.goto(f"{ui_server}/upload")
    expect(page.get_by_role("heading", name="Upload documents")).to_be_visible()
    name = page.get_by_test_id("stSidebar").get_by_role("textbox", name="Your name")
    name.fill("Browser Reviewer")
    name.press("Enter")
    page.get_by_test_id("stSelectbox").filter(has_text="Schema").click()
    page.get_by_role("option", name="receipt", exact=True).click()
    page.locator("input[type=file]").set_input_files(str(UPLOAD_RECEIPT))
    expect(page.get_by_text(UPLOAD_RECEIPT.name).first).to_be_visible()
    page.get_by_role("button", name="Upload", exact=True).click()

    expect(page.get_by_text("All 1 accepted documents are finished.")).to_be_visible(timeout=240_000)
    page.get_by_role("link", name="Review them").click()
    expect(page.get_by_role("heading", name="Fields")).to_be_visible()
    document_id = doc_param(page)
    assert "reviewer=Browser" in page.url  # the name travels with the address
    total = page.get_by_role("textbox", name="Total", exact=True)
    total.fill("12.34")
    total.press("Enter")
    expect(page.get_by_text("Saved total.")).to_be_visible()
    settle(page)
    expect(page.get_by_role("textbox", name="Total", exact=True)).to_have_value("12.34")
    page.reload()  # a reload keeps the document and the reviewer's name
    expect(page.get_by_role("textbox", name="Total", exact=True)).to_have_value("12.34")
    expect(page.get_by_test_id("stSidebar").get_by_role("textbox", name="Your name")).to_have_value("Browser Reviewer")

    with live_api.client() as http:
        reasons = http.get(f"/documents/{document_id}").json()["reasons"]
    page.get_by_role("button", name="Approve").first.click()
    if any(r["severity"] == "error" for r in reasons):  # the total typed in may not add up: approve with a note
        dialog = page.get_by_role("dialog")
        dialog.get_by_role("textbox").fill("total checked on the paper receipt")
        dialog.get_by_role("button", name="Approve anyway").click()
    expect(page.get_by_text("Document approved.")).to_be_visible()
    with live_api.client() as http:
        doc = http.get(f"/documents/{document_id}").json()
        trail = http.get(f"/documents/{document_id}/corrections").json()
    assert doc["filename"] == UPLOAD_RECEIPT.name and doc["source"] == "ui"
    assert doc["status"] == "approved" and "Browser Reviewer" in (doc["reviewed_by"] or "")
    assert ("/total", "12.34") in [(c["field"], c["new_value"]) for c in trail]
