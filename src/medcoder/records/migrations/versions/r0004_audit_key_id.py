"""Keyed audit chain: each event names the audit key that signed it (NULL before).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain ADD COLUMN (no batch table copy on SQLite), so the append-only triggers stay.
    op.add_column("audit_events", sa.Column("key_id", sa.String(length=32), nullable=True))


def downgrade() -> None:
    # Code from before 0004 cannot verify signed events either way: their links are HMACs.
    op.drop_column("audit_events", "key_id")
