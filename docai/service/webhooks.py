"""Completion webhooks: a JSON POST signed with HMAC-SHA256, retried with backoff by the worker task."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import uuid
from typing import Any

import httpx

SIGNATURE_HEADER = "X-Docai-Signature"
TIMESTAMP_HEADER = "X-Docai-Timestamp"
EVENT_HEADER = "X-Docai-Event-Id"


class WebhookFailed(Exception):
    """The receiver did not accept the call; the task retries it."""


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """'sha256=' + HMAC-SHA256(secret, timestamp + '.' + body), as the receiver recomputes it."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def verify(secret: str, timestamp: str, body: bytes, signature: str, max_age: float = 300) -> bool:
    """What a receiver runs: the signature matches and the call is fresh."""
    try:
        fresh = abs(time.time() - int(timestamp)) <= max_age
    except ValueError:
        return False
    return fresh and hmac.compare_digest(sign(secret, timestamp, body), signature)


def check_url(url: str) -> str:
    """Only absolute http(s) URLs are accepted as webhooks."""
    parsed = httpx.URL(url)
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise ValueError(f"The webhook URL {url!r} is not an absolute http(s) URL.")
    return url


def payload(summary: dict[str, Any]) -> dict[str, Any]:
    return {"event": "document.completed", "id": uuid.uuid4().hex, "document": summary}


def deliver(url: str, body: dict[str, Any], secret: str | None, timeout: float = 10.0) -> int:
    """POST the body; raises WebhookFailed unless the receiver answers 2xx."""
    raw = json.dumps(body, default=str, separators=(",", ":")).encode()
    timestamp = str(int(time.time()))
    headers = {"Content-Type": "application/json", TIMESTAMP_HEADER: timestamp, EVENT_HEADER: body["id"]}
    if secret:
        headers[SIGNATURE_HEADER] = sign(secret, timestamp, raw)
    try:
        response = httpx.post(url, content=raw, headers=headers, timeout=timeout, follow_redirects=False)
    except httpx.HTTPError as err:
        raise WebhookFailed(f"{url}: {err}") from err
    if not 200 <= response.status_code < 300:
        raise WebhookFailed(f"{url} answered {response.status_code}")
    return response.status_code
