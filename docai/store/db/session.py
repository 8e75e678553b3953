"""Database engines and sessions; SQLite gets WAL, foreign keys and immediate write locks, PostgreSQL a pool.

Every stage keeps its transactions short and holds none across slow work (rendering, OCR, an engine batch,
the broker, the blob store), so one writer never keeps the others waiting.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

SQLITE_BUSY_SECONDS = 30.0  # how long a writer waits for the write lock; `?timeout=S` in the URL overrides it


def _private_file(path: Path) -> None:
    """The SQLite file (and its WAL and shared-memory files) readable by this user only, like the key and blobs.

    SQLite gives the -wal and -shm files the database file's mode, so creating it 0600 covers them too.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    os.close(os.open(path, os.O_RDONLY | os.O_CREAT, 0o600))
    for file in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        try:
            if file.stat().st_mode & 0o077:
                file.chmod(0o600)
        except FileNotFoundError:
            continue


def make_db_engine(url: str) -> Engine:
    """An Engine for url; SQLite files get their folder created, WAL journaling and a busy timeout."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            _private_file(Path(parsed.database))
        busy = float(parsed.query.get("timeout", SQLITE_BUSY_SECONDS))  # type: ignore[arg-type]
        engine = create_engine(
            parsed.difference_update_query(["timeout"]),
            connect_args={"timeout": busy, "check_same_thread": False},
        )

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):  # type: ignore[no-untyped-def]
            # SQLAlchemy, not the sqlite3 module, begins transactions (the pysqlite recipe in SQLAlchemy's docs):
            # sqlite3's own deferred BEGIN would take the write lock only at the first write, and a reader that
            # then writes fails at once with "database is locked" instead of waiting its turn.
            dbapi_conn.isolation_level = None
            cursor = dbapi_conn.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute(f"PRAGMA busy_timeout={int(busy * 1000)}")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _begin_immediately(conn):  # type: ignore[no-untyped-def]
            conn.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    if parsed.get_backend_name() == "postgresql" and parsed.drivername == "postgresql":
        url = parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


@lru_cache(maxsize=8)
def _factory(url: str) -> sessionmaker[Session]:
    return sessionmaker(make_db_engine(url), expire_on_commit=False)


def session_factory(url: str | None = None) -> sessionmaker[Session]:
    """The process-wide session factory for url (default: the settings' database)."""
    if url is None:
        from docai.settings import get_settings

        url = get_settings().resolved_database_url
    return _factory(url)


@contextmanager
def session_scope(url: str | None = None) -> Iterator[Session]:
    """A session that commits on success and rolls back on error."""
    session = session_factory(url)()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
