"""A real browser (Debian chromium via Playwright) uploads a receipt, edits a field, approves, and takes a picture."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.ui.conftest import REPO, UPLOAD_RECEIPT, LiveApi, free_port

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
pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def ui_server(live_api: LiveApi, tmp_path: Path) -> Iterator[str]:
    """`streamlit run ui/app.py` (what `docai ui` runs) against the live API."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOCAI_")}
    env.update(DOCAI_HOME=str(live_api.home), DOCAI_API_URL=live_api.url, DOCAI_UI_API_KEY=live_api.key)
    argv = [
        sys.executable, "-m", "streamlit", "run", str(REPO / "ui" / "app.py"), "--server.headless", "true",
        "--server.port", str(port), "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none",
    ]  # fmt: skip
    log = (tmp_path / "streamlit.log").open("wb")
    server = subprocess.Popen(argv, env=env, cwd=REPO, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert server.poll() is None, f"streamlit exited: {(tmp_path / 'streamlit.log').read_text()[-2000:]}"
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


def test_upload_edit_approve_in_a_real_browser(ui_server: str, live_api: LiveApi, tmp_path: Path) -> None:
    from playwright import sync_api

    if not CHROMIUM.exists():  # `make test` installs it; a browser test that silently skips proves nothing
        pytest.fail(f"Debian's chromium is not installed at {CHROMIUM} (apt-get install chromium, or `make test`)")
    expect = sync_api.expect
    expect.set_options(timeout=60_000)  # a loaded CI machine redraws slowly
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1440, "height": 1500})
            page.set_default_timeout(60_000)
            page.goto(f"{ui_server}/upload")
            expect(page.get_by_role("heading", name="Upload documents")).to_be_visible()

            sidebar = page.get_by_test_id("stSidebar")
            name = sidebar.get_by_role("textbox", name="Your name")
            name.fill("Browser Reviewer")
            name.press("Enter")

            page.get_by_test_id("stSelectbox").filter(has_text="Schema").click()
            page.get_by_role("option", name="receipt", exact=True).click()
            page.locator("input[type=file]").set_input_files(str(UPLOAD_RECEIPT))
            expect(page.get_by_text(UPLOAD_RECEIPT.name).first).to_be_visible()
            page.get_by_role("button", name="Upload", exact=True).click()

            expect(page.get_by_text("All 1 documents are finished.")).to_be_visible(timeout=240_000)
            page.get_by_role("link", name="Review them").click()

            expect(page.get_by_role("heading", name="Fields")).to_be_visible()
            document_id = page.url.split("doc=", 1)[1].split("&", 1)[0]
            total = page.get_by_role("textbox", name="Total", exact=True)
            total.fill("12.34")
            total.press("Enter")
            expect(page.get_by_text("Saved total.")).to_be_visible()
            idle = page.get_by_test_id("stStatusWidget")  # shown while a script run is drawing
            expect(idle).to_be_hidden()
            # the saved edit re-keys the field; until the rerun ends the old widget may still stand beside the new one
            expect(page.get_by_role("textbox", name="Total", exact=True).last).to_have_value("12.34")

            page.get_by_role("radio", name="total", exact=True).click()  # highlight its box on the page
            expect(page.get_by_text("/total: read as")).to_be_visible()
            page.get_by_role("button", name="Approve").click()
            expect(page.get_by_text("Document approved.")).to_be_visible()
            expect(page.get_by_role("button", name="Approve")).to_be_disabled()
            expect(page.get_by_test_id("stImage").first).to_be_visible()

            expect(idle).to_be_hidden()
            expect(page.get_by_text("approved · schema receipt")).to_be_visible()
            shot = tmp_path / "review.png"
            page.screenshot(path=str(shot))
        finally:
            browser.close()

    assert shot.stat().st_size > 20_000
    if os.environ.get("UI_SCREENSHOT"):  # `UI_SCREENSHOT=docs/review.png pytest -m browser tests/ui` refreshes it
        shutil.copyfile(shot, REPO / os.environ["UI_SCREENSHOT"])
    with live_api.client() as http:
        doc = http.get(f"/documents/{document_id}").json()
        result = http.get(f"/documents/{document_id}/result").json()
        trail = http.get(f"/documents/{document_id}/corrections").json()
    assert doc["filename"] == UPLOAD_RECEIPT.name and doc["source"] == "ui"
    assert doc["status"] == "approved" and doc["reviewed_by"] == "Browser Reviewer"
    assert result["data"]["total"] == "12.34"
    assert [(c["field"], c["new_value"], c["author"]) for c in trail] == [("/total", "12.34", "Browser Reviewer")]


def test_generated_html_runs_no_script_in_the_sandbox() -> None:
    """The UI-code frame shows the page but none of its scripts run, not even inside the frame."""
    from playwright import sync_api

    if not CHROMIUM.exists():  # `make test` installs it; a browser test that silently skips proves nothing
        pytest.fail(f"Debian's chromium is not installed at {CHROMIUM} (apt-get install chromium, or `make test`)")
    from ui.sandbox import sandboxed_src

    generated = (
        "<html><body><h1 id='t'>Generated heading</h1>"
        "<script>document.getElementById('t').textContent='SCRIPT RAN';"
        "try{parent.parent.document.title='owned'}catch(e){}</script>"
        "<img src=x onerror=\"document.body.append('ONERROR RAN')\"></body></html>"
    )
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.set_content(f'<title>app</title><iframe id="outer" src="{sandboxed_src(generated)}"></iframe>')
            inner = page.frame_locator("#outer").frame_locator("iframe")
            sync_api.expect(inner.locator("h1")).to_have_text("Generated heading")
            page.wait_for_timeout(500)  # time for a script that would run
            assert inner.locator("body").inner_text().strip() == "Generated heading"
            assert page.title() == "app"
        finally:
            browser.close()
