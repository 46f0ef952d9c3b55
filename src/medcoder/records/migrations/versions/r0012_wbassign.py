"""Assignment and the work lock (issue 16, part 4): who an encounter is assigned to (by
whom, when), and who holds it for work until when. Plain nullable columns on
``encounters``: taking a lock is one conditional UPDATE on the encounter's row, atomic on
SQLite (every transaction ``BEGIN IMMEDIATE``) and PostgreSQL (the row lock, and the
predicate re-checked after a concurrent update commits) alike.

Revision ID: 0012_wbassign
Revises: 0011_reports
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012_wbassign"
down_revision = "0011_reports"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("encounters") as batch_op:
        batch_op.add_column(sa.Column("assigned_to", sa.String(length=80), nullable=True))
        batch_op.add_column(sa.Column("assigned_by", sa.String(length=80), nullable=True))
        batch_op.add_column(sa.Column("assigned_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("locked_by", sa.String(length=80), nullable=True))
        batch_op.add_column(sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_encounters_assigned_to"), ["assigned_to"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("encounters") as batch_op:
        batch_op.drop_index(batch_op.f("ix_encounters_assigned_to"))
        batch_op.drop_column("locked_until")
        batch_op.drop_column("locked_by")
        batch_op.drop_column("assigned_at")
        batch_op.drop_column("assigned_by")
        batch_op.drop_column("assigned_to")
