"""What `docai up` shows: the children's output line by line, then, once they have started, a summary last."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from docai.settings import Settings


class Console:
    """Relays children's output to ours whole lines at a time, and tells when start-up is over.

    Start-up is over when the API answers and every worker has printed its banner and been quiet a while
    (or after `timeout` seconds), so that the summary, with the API key, is the last thing on the screen.
    """

    QUIET_SECONDS = 2.0

    def __init__(self, api_url: str, workers: list[str], timeout: float = 90):
        self.api_url, self.workers = api_url, workers
        self.deadline = time.monotonic() + timeout
        self.lock = threading.Lock()
        self.spoke: dict[str, float] = {}
        self.api_up = False
        self.announced = False

    def popen(self, name: str, argv: list[str], env: dict[str, str], cwd: Path) -> subprocess.Popen[bytes]:
        process = subprocess.Popen(argv, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        threading.Thread(target=self._relay, args=(name, process), name=f"relay-{name}", daemon=True).start()
        return process

    def _relay(self, name: str, process: subprocess.Popen[bytes]) -> None:
        assert process.stdout is not None
        for line in iter(process.stdout.readline, b""):
            with self.lock:
                self.spoke[name] = time.monotonic()
                sys.stdout.buffer.write(line)
                sys.stdout.buffer.flush()

    def started(self) -> bool:
        """True once the API answers and the workers have gone quiet after their banners (or time is up)."""
        import httpx

        now = time.monotonic()
        if now > self.deadline:
            return True
        if not self.api_up:
            try:
                self.api_up = httpx.get(f"{self.api_url}/healthz", timeout=1).status_code < 500
            except httpx.HTTPError:
                return False
        return all(name in self.spoke and now - self.spoke[name] > self.QUIET_SECONDS for name in self.workers)

    def announce_when_started(self, text: str) -> None:
        """Print text once, as soon as start-up is over (called from the supervisor's loop)."""
        if not self.announced and self.started():
            with self.lock:
                print(text, flush=True)
            self.announced = True


def up_summary(settings: Settings, key: str, api_docs: str, ui_url: str | None, inbox: Path) -> str:
    """What `docai up` prints once everything runs: the engine it chose, where things are, the API key."""
    from docai.service.auth import local_key_path
    from docai.stages.engines import KIND_WORDS, capabilities

    engine = capabilities(settings)
    reads = ", ".join(KIND_WORDS[k] for k in KIND_WORDS if k in engine["supports"])  # type: ignore[operator]
    cannot = ", ".join(KIND_WORDS[k] for k in KIND_WORDS if k in engine["unsupported"])  # type: ignore[operator]
    if settings.ui_api_key:
        where = "set by DOCAI_UI_API_KEY"
    elif settings.api_keys:
        where = "set by DOCAI_API_KEYS"
    else:
        where = f"stored in {local_key_path(settings)}"
    lines = [
        "",
        "docai is up",
        f"  engine   {engine['engine']} ({engine['reason']})",
        f"           reads {reads}" + (f"; cannot read {cannot}" if cannot else ""),
        f"  API      {api_docs}",
        *([f"  UI       {ui_url}"] if ui_url else []),
        f"  inbox    {inbox} (files dropped here are processed)",
        f"  API key  {key}  ({where})",
        "Ctrl-C stops everything.",
    ]
    return "\n".join(lines)
