"""The UI listens on 127.0.0.1 by default; exposed on another address it shows nothing before a login."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

APP = Path(__file__).resolve().parents[2] / "ui" / "app.py"


def test_ui_listens_on_loopback_unless_told(monkeypatch: pytest.MonkeyPatch) -> None:
    from docai.cli.serve import ui_argv
    from docai.settings import Settings

    argv = ui_argv(8501)
    assert argv[argv.index("--server.address") + 1] == "127.0.0.1" and Settings().ui_host == "127.0.0.1"
    argv = ui_argv(8501, "0.0.0.0")
    assert argv[argv.index("--server.address") + 1] == "0.0.0.0"


def test_is_loopback() -> None:
    from ui.auth import is_loopback

    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.5") and not is_loopback("docai.example")


@pytest.fixture
def exposed(monkeypatch: pytest.MonkeyPatch) -> None:
    from docai.settings import get_settings

    monkeypatch.setenv("DOCAI_UI_HOST", "0.0.0.0")
    monkeypatch.setenv("DOCAI_API_KEYS", "ui-key-123,other-key")
    monkeypatch.setenv("DOCAI_UI_USER", "ann")
    monkeypatch.setenv("DOCAI_UI_PASSWORD", "correct horse")
    monkeypatch.setenv("DOCAI_API_URL", "http://127.0.0.1:9")  # nothing is asked of the API before a login
    get_settings.cache_clear()


def _sign_in(at: AppTest, user: str, secret: str) -> AppTest:
    at.text_input[0].input(user)
    at.text_input[1].input(secret)
    return at.button[0].click().run()


def test_an_exposed_ui_asks_for_a_login_first(exposed: None) -> None:
    at = AppTest.from_file(str(APP), default_timeout=30).run()
    assert [t.value for t in at.title] == ["Sign in to docai"]
    assert not at.sidebar.text_input  # no page, no reviewer box, nothing from the API
    for user, secret in (("", "wrong-key"), ("ann", "wrong"), ("bob", "correct horse"), ("", "")):
        at = _sign_in(at, user, secret)
        assert [t.value for t in at.title] == ["Sign in to docai"], (user, secret)
        assert "Wrong user, password or API key." in [e.value for e in at.error]
    at = _sign_in(at, "", "other-key")
    assert at.session_state["docai_signed_in"].startswith("key:")
    assert "Sign in to docai" not in [t.value for t in at.title]


def test_user_and_password_sign_in(exposed: None) -> None:
    at = _sign_in(AppTest.from_file(str(APP), default_timeout=30).run(), "ann", "correct horse")
    assert at.session_state["docai_signed_in"] == "ann"
