"""Generated HTML shown safely: a frame whose document can run no script and reach nothing, off the app's origin."""

from __future__ import annotations

import base64
import html

# The outer document is a data: URL, so it has an opaque origin of its own (never the app's); it carries no
# script, and its policy (inherited by the srcdoc frame) blocks scripts and all network loads. The inner
# frame's empty sandbox removes scripts, forms, popups and same-origin access on top of that.
POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:"


def wrapper_document(generated: str) -> str:
    """An HTML page that shows `generated` inside <iframe sandbox srcdoc=...> (escaped, never interpreted here)."""
    escaped = html.escape(generated, quote=True)
    return (
        "<!doctype html><html><head><meta charset='utf-8'>"
        f'<meta http-equiv="Content-Security-Policy" content="{POLICY}">'
        "<style>html,body{margin:0;height:100%}iframe{border:0;width:100%;height:100%}</style>"
        f'</head><body><iframe sandbox="" referrerpolicy="no-referrer" srcdoc="{escaped}"></iframe></body></html>'
    )


def sandboxed_src(generated: str) -> str:
    """A data: URL for st.iframe / components.iframe that renders `generated` with no script and no network."""
    payload = base64.b64encode(wrapper_document(generated).encode("utf-8")).decode("ascii")
    return f"data:text/html;charset=utf-8;base64,{payload}"
