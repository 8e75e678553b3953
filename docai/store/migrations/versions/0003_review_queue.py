"""review queue: summary columns, decisions, full-text search

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30 18:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.add_column(sa.Column("vendor", sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column("document_date", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("total", sa.Numeric(precision=18, scale=4), nullable=True))
        batch_op.add_column(sa.Column("currency", sa.String(length=3), nullable=True))
        batch_op.add_column(sa.Column("doc_number", sa.String(length=128), nullable=True))
        batch_op.add_column(sa.Column("review_reasons", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("reason_codes", sa.String(length=128), nullable=True))
        batch_op.add_column(sa.Column("dedupe_key", sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column("duplicate_of", sa.String(length=32), nullable=True))
        batch_op.create_index(batch_op.f("ix_documents_dedupe_key"), ["dedupe_key"], unique=False)

    op.create_table(
        "decisions",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("document_id", sa.String(length=32), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("from_status", sa.String(length=16), nullable=False),
        sa.Column("to_status", sa.String(length=16), nullable=False),
        sa.Column("author", sa.String(length=255), nullable=False),
        sa.Column("reviewer", sa.String(length=255), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["document_id"], ["documents.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_decisions_document_id"), ["document_id"], unique=False)

    # Full-text search, kept out of the ORM models: its shape differs per database (docai.store.search).
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE TABLE document_search ("
            " document_id VARCHAR(32) PRIMARY KEY REFERENCES documents(id) ON DELETE CASCADE,"
            " body TEXT NOT NULL DEFAULT '',"
            " tsv TSVECTOR GENERATED ALWAYS AS (to_tsvector('simple', body)) STORED)"
        )
        op.execute("CREATE INDEX ix_document_search_tsv ON document_search USING GIN (tsv)")
    else:
        op.execute(
            "CREATE VIRTUAL TABLE document_search USING fts5("
            "document_id UNINDEXED, body, tokenize = 'unicode61 remove_diacritics 2')"
        )
        op.execute(
            "CREATE TRIGGER document_search_forget AFTER DELETE ON documents "
            "BEGIN DELETE FROM document_search WHERE document_id = old.id; END"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TABLE IF EXISTS document_search")
    else:
        op.execute("DROP TRIGGER IF EXISTS document_search_forget")
        op.execute("DROP TABLE IF EXISTS document_search")
    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_decisions_document_id"))
    op.drop_table("decisions")
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_documents_dedupe_key"))
        for column in (
            "duplicate_of", "dedupe_key", "reason_codes", "review_reasons", "doc_number",
            "currency", "total", "document_date", "vendor",
        ):
            batch_op.drop_column(column)
