"""The UI's login gate: nothing to do on 127.0.0.1; when DOCAI_UI_HOST exposes it, an API key or user+password first.

The UI holds a key that can do everything through the API, so nobody who can merely reach the port may use it.
"""

from __future__ import annotations

import hmac
import ipaddress
import time
from typing import TYPE_CHECKING

import streamlit as st

if TYPE_CHECKING:
    from docai.settings import Settings

SESSION_KEY = "docai_signed_in"


def is_loopback(host: str) -> bool:
    """127.0.0.1, ::1 and localhost listen only on this machine."""
    if host.strip().lower() in ("localhost", "localhost."):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


def check_login(settings: Settings, user: str, secret: str) -> str | None:
    """Who signed in ('key:ab12cd34' or the user name), or None when the credentials are wrong."""
    from docai.service.auth import api_keys, key_identity, key_matches

    user, secret = user.strip(), secret.strip()
    if not secret:
        return None
    if user:
        expected_user, expected_password = settings.ui_user, settings.ui_password
        if expected_user and expected_password and _same(user, expected_user) and _same(secret, expected_password):
            return user
        return None
    return key_identity(secret) if key_matches(secret, api_keys(settings)) else None


def require_login() -> None:
    """Stop the page with a sign-in form unless the UI listens on loopback only or this session signed in."""
    from docai.settings import get_settings

    settings = get_settings()
    if is_loopback(settings.ui_host) or st.session_state.get(SESSION_KEY):
        return
    st.title("Sign in to docai")
    st.caption("This review UI is reachable from the network, so it asks who you are first.")
    with st.form("docai_login"):
        user = st.text_input("User", help="Leave empty to sign in with an API key.")
        secret = st.text_input("Password or API key", type="password")
        submitted = st.form_submit_button("Sign in")
    if submitted:
        who = check_login(settings, user, secret)
        if who:
            st.session_state[SESSION_KEY] = who
            st.rerun()
        time.sleep(1.0)  # slows guessing
        st.error("Wrong user, password or API key.")
    st.stop()
