from pathlib import Path

from docai.settings import get_settings


def test_defaults_live_under_docai_home(docai_home):
    settings = get_settings()
    assert settings.home == docai_home
    assert settings.resolved_database_url == f"sqlite:///{(docai_home / 'docai.db').resolve()}"
    assert settings.resolved_storage_url == str((docai_home / "blobs").resolve())
    assert settings.engine == "auto"
    assert settings.page_size == 1024


def test_environment_overrides(monkeypatch):
    monkeypatch.setenv("DOCAI_API_KEYS", "k1, k2,")
    monkeypatch.setenv("DOCAI_MAX_PAGES", "7")
    monkeypatch.setenv("DOCAI_MODEL", "/models/x")
    get_settings.cache_clear()
    settings = get_settings()
    assert settings.api_keys == ["k1", "k2"]
    assert settings.max_pages == 7
    assert settings.model_path == Path("/models/x")
    assert get_settings() is settings  # cached
