"""A watched folder on a real SQLite database with the embedded broker."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def watch_settings(docai_home: Path):  # type: ignore[no-untyped-def]
    from docai.settings import Settings
    from docai.store.db.migrate import ensure_database

    settings = Settings(home=docai_home, engine="ocr", watch_stable_seconds=2.0, watch_rescan_seconds=1.0)
    ensure_database(settings.resolved_database_url)
    return settings


@pytest.fixture
def inbox(tmp_path: Path) -> Path:
    folder = tmp_path / "inbox"
    folder.mkdir()
    return folder


def documents(settings) -> list:  # type: ignore[no-untyped-def]
    from sqlalchemy import select

    from docai.store.db.models import Document
    from docai.store.db.session import session_factory

    with session_factory(settings.resolved_database_url)() as session:
        return list(session.scalars(select(Document)).all())
