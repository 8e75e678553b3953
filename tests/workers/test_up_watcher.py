"""`docai up` with hostile entries in its inbox: links are never read, and a crashed watcher is restarted
while the API keeps serving (issue 12: a self-referencing link killed the watcher, and with it everything)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.workers.conftest import REPO, free_port, receipt_pdf

pytestmark = pytest.mark.slow


def children(pid: int) -> dict[int, str]:
    """pid -> command line of the direct children of pid."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            if ppid == pid:
                found[int(entry.name)] = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except (OSError, IndexError, ValueError):
            continue
    return found


def watcher_pid(up: subprocess.Popen[bytes], inbox: Path) -> int | None:
    return next((pid for pid, cmd in children(up.pid).items() if f" watch {inbox}" in cmd), None)


def wait_for(condition, timeout: float, what: str, log: Path) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}\n{log.read_text(errors='replace')[-3000:]}")
        time.sleep(0.3)


def test_up_never_reads_links_and_restarts_a_crashed_watcher(tmp_path: Path) -> None:
    home, port = tmp_path / "home", free_port()
    inbox = home / "inbox"
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOCAI_")}
    env.update(
        PYTHONPATH=str(REPO),
        DOCAI_HOME=str(home),
        DOCAI_ENGINE="ocr",
        DOCAI_WATCH_STABLE_SECONDS="0.5",
        DOCAI_WATCH_RESCAN_SECONDS="1",
    )
    log_path = tmp_path / "up.log"
    up = subprocess.Popen(
        [sys.executable, "-m", "docai", "up", "--no-ui", "--port", str(port)],
        env=env,
        cwd=REPO,
        stdout=log_path.open("wb"),
        stderr=subprocess.STDOUT,
    )
    api = f"http://127.0.0.1:{port}"

    def healthy() -> bool:
        try:
            return httpx.get(f"{api}/healthz", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    def names() -> list[str]:
        listing = httpx.get(f"{api}/v1/documents", headers=auth, timeout=10).json()
        return sorted(d["filename"] for d in listing["data"])

    try:
        wait_for(healthy, 90, "the API did not start", log_path)
        auth = {"Authorization": f"Bearer {(home / 'api_key').read_text().strip()}"}
        (inbox / "first.pdf").write_bytes(receipt_pdf(601))
        wait_for(lambda: names() == ["first.pdf"], 60, "the watcher never took first.pdf", log_path)

        # hostile entries appear while it watches (inotify reports each of them)
        (inbox / "loop.pdf").symlink_to(inbox / "loop.pdf")
        (inbox / "passwd.pdf").symlink_to("/etc/passwd")
        outside = tmp_path / "outside.pdf"
        outside.write_bytes(receipt_pdf(602))
        (inbox / "outside.pdf").symlink_to(outside)
        os.mkfifo(inbox / "pipe.pdf")
        (inbox / "second.pdf").write_bytes(receipt_pdf(603))
        wait_for(lambda: "second.pdf" in names(), 30, "the watcher stopped taking files", log_path)
        time.sleep(2)  # a few more rounds and a rescan over the hostile entries
        assert names() == ["first.pdf", "second.pdf"] and healthy() and up.poll() is None

        first = watcher_pid(up, inbox)
        assert first is not None, children(up.pid)
        os.kill(first, signal.SIGKILL)  # the watcher crashes
        wait_for(lambda: watcher_pid(up, inbox) not in (None, first), 30, "the watcher was not restarted", log_path)
        assert healthy() and up.poll() is None  # the API and the workers were never stopped
        (inbox / "third.pdf").write_bytes(receipt_pdf(604))
        wait_for(lambda: "third.pdf" in names(), 60, "the restarted watcher took nothing", log_path)
        assert "watcher exited" in log_path.read_text(errors="replace")
    finally:
        up.send_signal(signal.SIGINT)
        try:
            returncode = up.wait(timeout=30)
        finally:
            if up.poll() is None:
                up.kill()
    assert returncode == 0
