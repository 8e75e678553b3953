"""Small text helpers for pages: escaping untrusted text for markdown, ages, status labels."""

from __future__ import annotations

import datetime as dt
import re

STATUS_LABELS = {
    "queued": "queued",
    "processing": "processing",
    "done": "done",
    "needs_review": "needs review",
    "failed": "failed",
    "approved": "approved",
    "rejected": "rejected",
}

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")


def md_escape(text: object) -> str:
    """Untrusted text made inert for st.markdown/st.caption: markdown punctuation and HTML brackets escaped."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", str(text)).replace("\n", " ")


def status_label(status: str | None) -> str:
    return STATUS_LABELS.get(status or "", status or "unknown")


def parse_time(value: str | None) -> dt.datetime | None:
    if not value:
        return None
    try:
        moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def age(value: str | None, now: dt.datetime | None = None) -> str:
    """'12 s', '4 min', '3 h', '2 d' since an ISO timestamp; '' when unknown."""
    moment = parse_time(value)
    if moment is None:
        return ""
    seconds = max(0, int(((now or dt.datetime.now(dt.UTC)) - moment).total_seconds()))
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min"
    if seconds < 86400:
        return f"{seconds // 3600} h"
    return f"{seconds // 86400} d"


def percent(confidence: float | None) -> str:
    return "" if confidence is None else f"{confidence:.0%}"
