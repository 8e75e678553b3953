"""What became of each upload: refused (with the server's sentence), a duplicate of a stored document, or accepted."""

from __future__ import annotations

from typing import Any

from ui.client import ApiClient, ApiError

REFUSED, DUPLICATE, ACCEPTED = "refused", "duplicate", "accepted"


def send(client: ApiClient, filename: str, content: bytes, schema: str, media_type: str | None) -> dict[str, Any]:
    """POST one file and say what became of it: {filename, outcome, id?, message?}."""
    try:
        doc = client.upload(filename, content, schema, media_type)
    except ApiError as err:
        return {"filename": filename, "outcome": REFUSED, "id": None, "message": err.message}
    outcome = DUPLICATE if doc.get("duplicate") else ACCEPTED
    return {"filename": filename, "outcome": outcome, "id": doc["id"], "message": None}


def summary(records: list[dict[str, Any]]) -> str:
    """'2 accepted · 1 duplicate · 1 refused'."""
    counts = {o: sum(1 for r in records if r["outcome"] == o) for o in (ACCEPTED, DUPLICATE, REFUSED)}
    return " · ".join(f"{n} {o}" for o, n in counts.items() if n)
