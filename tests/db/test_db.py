"""The models and migrations on SQLite and on the real PostgreSQL server."""

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from docai.store.db.migrate import current_revision
from docai.store.db.models import Correction, Document, DocumentStatus, Extraction, Job, Page


def test_migrations_reach_head_and_match_the_models(db_url):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from alembic.script import ScriptDirectory

    from docai.store.db.migrate import alembic_config, include_name
    from docai.store.db.models import Base

    heads = ScriptDirectory.from_config(alembic_config(db_url)).get_heads()
    assert len(heads) == 1, f"migrations branch: {heads}"
    assert current_revision(db_url) == heads[0]
    engine = sa.create_engine(db_url)
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_name": include_name})
        diff = compare_metadata(context, Base.metadata)
    engine.dispose()
    assert diff == [], f"models and migrations differ: {diff}"


def test_document_graph_round_trip(session):
    doc = Document(sha256="a" * 64, filename="x.pdf", size_bytes=10, media_type="application/pdf")
    session.add(doc)
    session.flush()
    session.add(
        Page(
            document_id=doc.id,
            index=0,
            blob_key="aa/bb/x.png",
            width=1024,
            height=768,
            words=[["hi", 0, 0, 1, 1, 1.0, 0, 0]],
        )
    )
    extraction = Extraction(
        document_id=doc.id,
        schema="receipt",
        schema_version="1",
        data={"total": "1.00"},
        current={"total": "1.00"},
        evidence={"/total": {"page": 0}},
        issues=[],
        engine="ocr",
        model="tesseract",
    )
    session.add(extraction)
    session.flush()
    session.add(
        Correction(extraction_id=extraction.id, field="/total", old_value="1.00", new_value="2.00", author="ann")
    )
    session.add(Job(document_id=doc.id, stage="extract"))
    session.commit()
    session.expire_all()
    loaded = session.get(Document, doc.id)
    assert loaded.status == DocumentStatus.QUEUED
    assert loaded.pages[0].words == [["hi", 0, 0, 1, 1, 1.0, 0, 0]]
    assert loaded.extractions[0].corrections[0].new_value == "2.00"
    assert loaded.jobs[0].status == "queued"
    assert loaded.created_at is not None


def test_sha256_is_unique(session):
    session.add(Document(sha256="b" * 64, filename="a", size_bytes=1))
    session.commit()
    session.add(Document(sha256="b" * 64, filename="b", size_bytes=1))
    with pytest.raises(IntegrityError):
        session.commit()
    session.rollback()


def test_deleting_a_document_removes_its_rows(session):
    doc = Document(sha256="c" * 64, filename="a", size_bytes=1)
    session.add(doc)
    session.flush()
    session.add(Page(document_id=doc.id, index=0, blob_key="k", width=1, height=1))
    session.commit()
    session.delete(doc)
    session.commit()
    assert session.scalar(sa.select(sa.func.count()).select_from(Page)) == 0


def test_sqlite_files_are_private(tmp_path):
    import os

    from docai.store.db.migrate import upgrade

    path = tmp_path / "home" / "docai.db"
    old_umask = os.umask(0o022)
    try:
        upgrade(f"sqlite:///{path}")
        engine = sa.create_engine(f"sqlite:///{path}")
        with engine.connect() as conn:  # a reader opens the WAL and shared-memory files
            conn.execute(sa.text("SELECT 1"))
            modes = {p.name: oct(p.stat().st_mode & 0o777) for p in path.parent.iterdir()}
        engine.dispose()
    finally:
        os.umask(old_umask)
    assert modes["docai.db"] == "0o600", modes
    assert all(mode == "0o600" for name, mode in modes.items() if name.startswith("docai.db")), modes
    path.chmod(0o644)  # a database made by an older version is tightened when it is opened again
    from docai.store.db.session import make_db_engine

    make_db_engine(f"sqlite:///{path}").dispose()
    assert oct(path.stat().st_mode & 0o777) == "0o600"
