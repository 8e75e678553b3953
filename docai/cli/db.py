"""`docai db upgrade`: bring the database schema up to date."""

from __future__ import annotations

import typer

from docai.cli.app import app

db_app = typer.Typer(help="Database migrations.", no_args_is_help=True)
app.add_typer(db_app, name="db")


@db_app.command("upgrade")
def upgrade(revision: str = typer.Argument("head", help="Alembic revision to upgrade to.")) -> None:
    """Create or migrate the database named by DOCAI_DATABASE_URL (default SQLite in DOCAI_HOME)."""
    from docai.settings import get_settings
    from docai.store.db.migrate import current_revision
    from docai.store.db.migrate import upgrade as run_upgrade

    settings = get_settings()
    url = settings.resolved_database_url
    run_upgrade(url, revision)
    typer.echo(f"database at {_redact(url)} is at revision {current_revision(url)}")
    if revision == "head":
        from docai.stages.review import backfill
        from docai.store.db.session import session_factory

        with session_factory(url)() as session:
            count = backfill(session, settings.review_threshold)
        if count:
            typer.echo(f"review columns and search text filled in for {count} earlier documents")


def _redact(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)
