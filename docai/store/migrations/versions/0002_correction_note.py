"""corrections.note: the name the reviewer typed, beside the signed-in author

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30 18:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("corrections") as batch:
        batch.add_column(sa.Column("note", sa.String(length=255), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("corrections") as batch:
        batch.drop_column("note")
