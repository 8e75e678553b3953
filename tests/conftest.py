"""Fixtures shared by every test: an isolated DOCAI_HOME, databases (SQLite and real PostgreSQL), blobs, data."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"
PG_ADMIN_URL = os.environ.get("DOCAI_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


@pytest.fixture(autouse=True)
def docai_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Every test gets its own DOCAI_HOME and fresh settings; no DOCAI_* from the caller leaks in."""
    from docai.settings import get_settings

    for key in list(os.environ):
        if key.startswith("DOCAI_") and key != "DOCAI_TEST_PG_URL":
            monkeypatch.delenv(key)
    home = tmp_path / "docai-home"
    monkeypatch.setenv("DOCAI_HOME", str(home))
    get_settings.cache_clear()
    yield home
    get_settings.cache_clear()


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """../shared/data, or a skip that says where it was looked for (a user's machine has no dev data)."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"dev data not found at {SHARED_DATA} (it sits beside the repository as ../shared/data)")
    return SHARED_DATA


def _pg_available() -> bool:
    import sqlalchemy as sa

    try:
        engine = sa.create_engine(PG_ADMIN_URL)
        with engine.connect():
            pass
        engine.dispose()
        return True
    except sa.exc.OperationalError:
        return False


@pytest.fixture(scope="session")
def pg_database() -> Iterator[str]:
    """A throw-away database on the real PostgreSQL server, dropped after the session."""
    import sqlalchemy as sa

    if not _pg_available():
        pytest.fail(f"PostgreSQL is not answering at {PG_ADMIN_URL}; `make test` starts it")
    name = f"docai_test_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    yield url
    from docai.store.db.session import _factory

    _factory.cache_clear()
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, docai_home: Path) -> Iterator[str]:
    """A migrated, empty database: SQLite in DOCAI_HOME, and the same test again on real PostgreSQL."""
    from docai.store.db.migrate import upgrade

    if request.param == "sqlite":
        url = f"sqlite:///{docai_home / 'test.db'}"
        upgrade(url)
        yield url
        return
    url = request.getfixturevalue("pg_database")
    upgrade(url)
    yield url
    import sqlalchemy as sa

    from docai.store.db.models import Base

    engine = sa.create_engine(url)
    with engine.begin() as conn:  # empty the tables for the next test; keep the schema
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(table.delete())
    engine.dispose()


@pytest.fixture
def session(db_url: str):  # type: ignore[no-untyped-def]
    from docai.store.db.session import session_factory

    with session_factory(db_url)() as session:
        yield session


@pytest.fixture
def store(docai_home: Path):  # type: ignore[no-untyped-def]
    from docai.store.storage import LocalBlobStore

    return LocalBlobStore(docai_home / "blobs")
