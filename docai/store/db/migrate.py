"""Run Alembic migrations programmatically (`docai db upgrade`)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def include_name(name: str | None, type_: str, parent_names: object) -> bool:
    """Autogenerate and model checks leave the full-text search tables alone: 0002 makes them per database."""
    return not (type_ == "table" and name is not None and name.startswith("document_search"))


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Bring the database at url to revision (creating it if empty)."""
    from docai.store.db.session import make_db_engine

    make_db_engine(url).dispose()  # creates the SQLite folder
    command.upgrade(alembic_config(url), revision)


def current_revision(url: str) -> str | None:
    from alembic.runtime.migration import MigrationContext

    from docai.store.db.session import make_db_engine

    engine = make_db_engine(url)
    with engine.connect() as conn:
        rev = MigrationContext.configure(conn).get_current_revision()
    engine.dispose()
    return rev


_UPGRADED: set[str] = set()


def ensure_database(url: str) -> None:
    """Migrate the database to head once per process (embedded and CLI modes need no manual step)."""
    if url in _UPGRADED:
        return
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config(url)).get_current_head()
    if current_revision(url) != head:
        upgrade(url)
    _UPGRADED.add(url)
