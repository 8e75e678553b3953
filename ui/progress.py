"""How far along a document is, from its status and per-page progress, as a fraction and a phrase."""

from __future__ import annotations

from typing import Any

from ui.client import TERMINAL


def fraction(doc: dict[str, Any]) -> float:
    """0..1 for a progress bar: queued 5%, rasterizing up to 40%, extracting up to 95%, finished 100%."""
    status = doc.get("status")
    if status in TERMINAL:
        return 1.0
    if status != "processing":
        return 0.05
    progress = doc.get("progress") or {}
    total = progress.get("pages_total") or doc.get("page_count") or 0
    if progress.get("stage") in ("extract", "finished"):
        done = progress.get("pages_done") or 0
        return 0.4 + 0.55 * (done / total if total else 0.0)
    rasterized = progress.get("pages_rasterized") or 0
    return 0.1 + 0.3 * (rasterized / total if total else 0.0)


def phrase(doc: dict[str, Any]) -> str:
    """'processing: page 2 of 5', 'needs review', 'failed: <code>'."""
    status = str(doc.get("status") or "unknown")
    if status == "processing":
        progress = doc.get("progress") or {}
        total = progress.get("pages_total") or doc.get("page_count") or 0
        stage = progress.get("stage") or "processing"
        if not total:
            return str(stage)
        done = progress.get("pages_rasterized" if stage == "rasterize" else "pages_done") or 0
        verb = "rasterizing" if stage == "rasterize" else "extracting"
        return f"{verb}: {done} of {total} pages"
    if status == "failed" and doc.get("error"):
        return f"failed: {doc['error'].get('code')}"
    return status.replace("_", " ")


def all_finished(docs: list[dict[str, Any]]) -> bool:
    return all(d.get("status") in TERMINAL for d in docs)
