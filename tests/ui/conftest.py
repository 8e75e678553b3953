"""A real docai API (and worker) over documents processed by the real pipeline, for the UI tests."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from tests.conftest import REPO
from tests.conftest import SHARED_DATA as DATA

KEY = "ui-test-key"
CHART_CSV = DATA / "chartqa" / "1270.csv"  # ground truth of the chart tests/ui/seed.py extracts with a tiny model
SCREENSHOT_HTML = DATA / "design2code" / "12142.html"
UPLOAD_RECEIPT = DATA / "sroie" / "X51005255805.jpg"  # not seeded: the browser test uploads it


@dataclass
class LiveApi:
    url: str
    key: str
    home: Path
    ids: dict[str, str] = field(default_factory=dict)

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=f"{self.url}/v1", headers={"Authorization": f"Bearer {self.key}"}, timeout=30)

    def wait_terminal(self, document_id: str, timeout: float = 180) -> dict:
        """Poll the status until the document is finished; fail the test with its last state otherwise."""
        deadline = time.monotonic() + timeout
        with self.client() as http:
            while True:
                doc = http.get(f"/documents/{document_id}").json()
                if doc["status"] not in ("queued", "processing") or time.monotonic() > deadline:
                    break
                time.sleep(1)
        assert doc["status"] not in ("queued", "processing"), f"not finished after {timeout}s: {doc}"
        return doc


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _env(home: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOCAI_")}
    env.update(DOCAI_HOME=str(home), DOCAI_ENGINE="ocr", DOCAI_API_KEYS=KEY, **extra)
    return env


def _wait_healthy(url: str, processes: list[subprocess.Popen], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for process in processes:
            assert process.poll() is None, f"{process.args} exited with {process.returncode}"
        try:
            if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise AssertionError(f"the API at {url} did not become healthy in {timeout}s")


@pytest.fixture(scope="session")
def live_api(tmp_path_factory: pytest.TempPathFactory, shared_data: Path) -> Iterator[LiveApi]:
    """API + one worker over a DOCAI_HOME seeded by tests/ui/seed.py (receipt, invoice, two charts, a screenshot)."""
    from docai.store.db.migrate import ensure_database

    home = tmp_path_factory.mktemp("ui-docai-home")
    ensure_database(f"sqlite:///{(home / 'docai.db').resolve()}")  # once, before the children share it
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    logs = home / "logs"
    logs.mkdir()
    env = _env(home, DOCAI_API_URL=url)
    api = [sys.executable, "-m", "docai", "api", "--port", str(port)]
    worker = [sys.executable, "-m", "docai", "worker", "-Q", "cpu,gpu", "-c", "1", "--loglevel", "warning"]
    processes = [
        subprocess.Popen(argv, env=env, cwd=REPO, stdout=(logs / f"{name}.log").open("wb"), stderr=subprocess.STDOUT)
        for name, argv in (("api", api), ("worker", worker))
    ]
    try:
        # The ocr documents and the tiny DeepSeek-VL ones are seeded side by side, while the services start.
        seeders = {
            mode: subprocess.Popen(
                [sys.executable, "-m", "tests.ui.seed", str(home / f"seed-{mode}.json"), mode],
                env=_env(home),
                cwd=REPO,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
            )
            for mode in ("ocr", "tiny")
        }
        ids: dict[str, str] = {}
        for mode, seeder in seeders.items():
            output, _ = seeder.communicate(timeout=600)
            assert seeder.returncode == 0, f"seeding ({mode}) failed: {output.decode(errors='replace')[-3000:]}"
            ids.update({name: row["id"] for name, row in json.loads((home / f"seed-{mode}.json").read_text()).items()})
        _wait_healthy(url, processes)
        yield LiveApi(url=url, key=KEY, home=home, ids=ids)
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


@pytest.fixture
def ui_env(live_api: LiveApi, monkeypatch: pytest.MonkeyPatch) -> LiveApi:
    """Point the in-process Streamlit app (AppTest) at the live API."""
    from docai.settings import get_settings

    monkeypatch.setenv("DOCAI_API_URL", live_api.url)
    monkeypatch.setenv("DOCAI_UI_API_KEY", live_api.key)
    get_settings.cache_clear()
    return live_api
