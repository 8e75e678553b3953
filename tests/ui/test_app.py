"""How `docai ui` starts Streamlit: the server's upload limit, no Deploy toolbar."""

from __future__ import annotations

import pytest


def test_ui_argv_carries_the_servers_upload_limit_and_hides_the_toolbar(monkeypatch: pytest.MonkeyPatch) -> None:
    from docai.cli.serve import ui_argv
    from docai.settings import get_settings

    monkeypatch.setenv("DOCAI_MAX_FILE_BYTES", str(30 * 1024 * 1024 + 1))
    get_settings.cache_clear()
    argv = ui_argv(8501)
    assert argv[argv.index("--server.maxUploadSize") + 1] == "31"  # rounded up: the server still checks the bytes
    assert argv[argv.index("--client.toolbarMode") + 1] == "minimal"
    monkeypatch.delenv("DOCAI_MAX_FILE_BYTES")
    get_settings.cache_clear()
    assert get_settings().max_upload_mb == 100
