"""`docai up` (embedded mode: SQLite, filesystem broker, no servers): REST, worker, watcher, webhook, shutdown."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import httpx
import pytest

from tests.workers.conftest import REPO, free_port, receipt_pdf, wait_healthy

pytestmark = pytest.mark.slow


class _Hook(BaseHTTPRequestHandler):
    calls: list[tuple[dict[str, str], bytes]] = []

    def do_POST(self) -> None:  # noqa: N802
        type(self).calls.append((dict(self.headers), self.rfile.read(int(self.headers["Content-Length"]))))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        return


def test_up_runs_everything_on_one_machine(tmp_path: Path) -> None:
    from docai.service.webhooks import SIGNATURE_HEADER, TIMESTAMP_HEADER, verify

    hook = HTTPServer(("127.0.0.1", 0), _Hook)
    threading.Thread(target=hook.serve_forever, daemon=True).start()
    home, port = tmp_path / "home", free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOCAI_")}
    env.update(PYTHONPATH=str(REPO), DOCAI_HOME=str(home), DOCAI_ENGINE="ocr", DOCAI_WEBHOOK_SECRET="hook-secret")
    env["DOCAI_WEBHOOK_ALLOW"] = "127.0.0.1"  # the test's receiver is on loopback, which webhooks refuse by default
    log = (tmp_path / "up.log").open("wb")
    up = subprocess.Popen(
        [sys.executable, "-m", "docai", "up", "--no-ui", "--port", str(port)], env=env, cwd=REPO, stdout=log, stderr=log
    )
    api = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(api)
        key = (home / "api_key").read_text().strip()  # generated on first start, printed by `docai up`
        deadline = time.monotonic() + 90
        while "API key" not in (tmp_path / "up.log").read_text() and time.monotonic() < deadline:
            time.sleep(0.3)
        printed = (tmp_path / "up.log").read_text()
        summary = printed[printed.rindex("docai is up") :]
        assert printed.count("[queues]") >= 3 and printed.rindex("[queues]") < printed.rindex("docai is up")
        assert "engine   ocr (engine 'ocr' was asked for)" in summary and "cannot read charts" in summary
        assert f"API key  {key}  (stored in {(home / 'api_key').resolve()})" in summary
        assert oct((home / "api_key").stat().st_mode & 0o777) == "0o600"
        auth = {"Authorization": f"Bearer {key}"}
        assert httpx.get(f"{api}/v1/documents").status_code == 401
        posted = httpx.post(
            f"{api}/v1/documents",
            files={"file": ("r.pdf", receipt_pdf(500))},
            data={"schema": "receipt", "webhook_url": f"http://127.0.0.1:{hook.server_port}/done"},
            headers=auth,
        )
        assert posted.status_code == 202, posted.text
        inside = httpx.post(
            f"{api}/v1/documents",
            files={"file": ("m.pdf", receipt_pdf(502))},
            data={"webhook_url": "http://169.254.169.254/latest/meta-data/"},
            headers=auth,
        )
        assert inside.status_code == 422 and "link-local" in inside.json()["error"]["message"]
        (home / "inbox" / "dropped.pdf").write_bytes(receipt_pdf(501))

        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            listing = httpx.get(f"{api}/v1/documents", headers=auth).json()
            if listing["count"] == 2 and all(d["status"] in ("done", "needs_review") for d in listing["data"]):
                break
            time.sleep(0.5)
        else:
            raise AssertionError(f"not finished: {listing}\n{(tmp_path / 'up.log').read_text()[-3000:]}")
        assert {d["source"] for d in listing["data"]} == {"rest", "watch"}
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not ((home / "inbox" / "done" / "dropped.pdf").exists() and _Hook.calls):
            time.sleep(0.3)
        assert (home / "inbox" / "done" / "dropped.pdf").exists()
        headers, body = _Hook.calls[0]
        assert json.loads(body)["document"]["id"] == posted.json()["id"]
        assert verify("hook-secret", headers[TIMESTAMP_HEADER], body, headers[SIGNATURE_HEADER])
    finally:
        up.send_signal(signal.SIGINT)
        try:
            returncode = up.wait(timeout=30)  # Ctrl-C stops every child, then `docai up` itself
        finally:
            if up.poll() is None:
                up.kill()
            hook.shutdown()
    assert returncode == 0
