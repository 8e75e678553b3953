"""Learning from corrections with real processes: `docai up` reads, a reviewer corrects and approves through the
REST API, `docai train` refits on the training split plus the approvals, and the running worker reads the next
receipt of that merchant right with the new model version, without a restart."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.cli.test_train_cli import _training_folder, draw_receipt
from tests.workers.conftest import REPO, free_port, wait_healthy

pytestmark = pytest.mark.slow

NAME, ADDRESS = "SUPER SAVER OUTLET 12", "22 JALAN BUNGA RAYA, 43000 KAJANG, SELANGOR"


def brand_receipt(total: str, day: int) -> bytes:
    """A shop known by its brand; the company that runs it is printed under it (what a model unseen reads)."""
    rows = [
        (30, "SUPER SAVER", 12),
        (44, "OUTLET 12", 9),
        (58, "ANGKASA NIAGA SDN BHD", 8),
        (70, "(998877-K)", 8),
        (82, "22 JALAN BUNGA RAYA,", 8),
        (94, "43000 KAJANG, SELANGOR", 8),
        (106, "TEL: 03-8736 1234", 8),
        (126, f"DATE: {day:02d}/04/2018", 8),
        (146, f"RICE 5KG|{total}", 8),
        (170, f"TOTAL|{total}", 9),
        (184, "CASH|50.00", 8),
    ]
    return draw_receipt(rows, 260, 260)


def _wait(api: str, auth: dict[str, str], ids: list[str], log: Path) -> list[dict]:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        docs = [httpx.get(f"{api}/v1/documents/{i}", headers=auth).json() for i in ids]
        if all(d["status"] in ("done", "needs_review", "failed") for d in docs):
            return [httpx.get(f"{api}/v1/documents/{i}/result", headers=auth).json() for i in ids]
        time.sleep(0.5)
    raise AssertionError(f"not finished: {docs}\n{log.read_text()[-3000:]}")


def test_approved_corrections_teach_the_running_worker(tmp_path: Path) -> None:
    home, port = tmp_path / "home", free_port()
    data = _training_folder(tmp_path)
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOCAI_")}
    env.update(PYTHONPATH=str(REPO), DOCAI_HOME=str(home), DOCAI_ENGINE="ocr")
    log_path = tmp_path / "up.log"
    up = subprocess.Popen(
        [sys.executable, "-m", "docai", "up", "--no-ui", "--port", str(port)],
        env=env,
        cwd=REPO,
        stdout=log_path.open("wb"),
        stderr=subprocess.STDOUT,
    )
    api = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(api)
        auth = {"Authorization": f"Bearer {(home / 'api_key').read_text().strip()}"}

        def post(pdf: bytes, name: str) -> str:
            reply = httpx.post(
                f"{api}/v1/documents", files={"file": (name, pdf)}, data={"schema": "receipt"}, headers=auth
            )
            assert reply.status_code == 202, reply.text
            return reply.json()["id"]

        first = [post(brand_receipt(t, d), f"r{d}.pdf") for t, d in [("9.90", 4), ("15.50", 5), ("7.20", 6)]]
        before = _wait(api, auth, first, log_path)
        assert all(r["data"]["merchant_name"] != NAME for r in before)  # nothing approved yet: read wrong
        for doc_id in first:
            fix = {
                "corrections": [
                    {"field": "/merchant_name", "value": NAME},
                    {"field": "/merchant_address", "value": ADDRESS},
                ]
            }
            assert httpx.patch(f"{api}/v1/documents/{doc_id}/result", json=fix, headers=auth).status_code == 200
            assert httpx.post(f"{api}/v1/documents/{doc_id}/approve", headers=auth).status_code == 200

        env_train = {**env}
        trained = subprocess.run(
            [sys.executable, "-m", "docai", "train", "--data", str(data), "--json"],
            env=env_train,
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert trained.returncode == 0, trained.stderr
        report = json.loads(trained.stdout)
        assert report["approved"] == 3
        memory = json.loads((home / "models" / "learned" / "memory.json").read_text())
        assert [v["name"] for v in memory] == [NAME]

        [after] = _wait(api, auth, [post(brand_receipt("12.30", 9), "r9.pdf")], log_path)  # same worker, no restart
        assert after["model"] == f"docai-ocr-learned-v{report['version']}"
        assert after["data"]["merchant_name"] == NAME
        assert after["data"]["merchant_address"] == ADDRESS
        assert after["data"]["total"] == "12.30"
    finally:
        up.send_signal(signal.SIGINT)
        try:
            up.wait(timeout=30)
        finally:
            if up.poll() is None:
                up.kill()
