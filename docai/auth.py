"""API keys: DOCAI_API_KEYS, else one local key generated once under DOCAI_HOME (0600)."""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

from docai.settings import Settings

KEY_FILE = "api_key"


def local_key_path(settings: Settings) -> Path:
    return settings.home.resolve() / KEY_FILE


def local_api_key(settings: Settings) -> str:
    """The machine-local key in DOCAI_HOME/api_key, created on first use."""
    path = local_key_path(settings)
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(24)
    # O_EXCL: two processes starting together agree on the key the first one wrote.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
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
