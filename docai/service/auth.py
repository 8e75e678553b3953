"""API keys: DOCAI_API_KEYS, else one local key generated once under DOCAI_HOME (0600)."""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import time
from pathlib import Path

from docai.settings import Settings

KEY_FILE = "api_key"


def local_key_path(settings: Settings) -> Path:
    return settings.home.resolve() / KEY_FILE


def local_api_key(settings: Settings) -> str:
    """The machine-local key in DOCAI_HOME/api_key, created on first use."""
    return _local_secret(local_key_path(settings))


def webhook_secret(settings: Settings) -> str:
    """DOCAI_WEBHOOK_SECRET, else one generated once in DOCAI_HOME/webhook_secret: every webhook is signed."""
    return settings.webhook_secret or _local_secret(settings.home.resolve() / "webhook_secret")


def _local_secret(path: Path) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        # O_EXCL: of two processes starting together, one writes the secret and both use it.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        for _ in range(100):  # the writer may not have finished its one line yet
            text = path.read_text().strip()
            if text:
                return text
            time.sleep(0.02)
        raise RuntimeError(f"{path} is empty; delete it and start again") from None
    key = secrets.token_urlsafe(24)
    with os.fdopen(fd, "w") as handle:
        handle.write(key + "\n")
    return key


def api_keys(settings: Settings) -> list[str]:
    """Keys the API accepts."""
    return list(settings.api_keys) or [local_api_key(settings)]


def client_api_key(settings: Settings) -> str:
    """The key a local client (UI, benchmarks) sends."""
    return settings.ui_api_key or api_keys(settings)[0]


def key_matches(candidate: str, keys: list[str]) -> bool:
    """Constant-time comparison against every accepted key."""
    found = False
    for key in keys:
        found |= hmac.compare_digest(candidate.encode(), key.encode())
    return found


def key_identity(key: str) -> str:
    """A stable, non-secret name for a key (audit rows never hold the key itself)."""
    return "key:" + hashlib.sha256(key.encode()).hexdigest()[:8]
