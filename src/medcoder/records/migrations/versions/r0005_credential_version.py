"""Revocable credentials: a credential version per user, and service accounts.

``credential_version`` is signed into every token; a password change, a logout or a
deactivation bumps it, so every token issued before stops working at once.
``service_account`` marks the users an admin may make API keys for (nobody logs in as
one: it has no password).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMNs with server defaults: no batch table copy on SQLite.
    op.add_column(
        "users",
        sa.Column("credential_version", sa.Integer(), server_default="0", nullable=False),
    )
    op.add_column(
        "users",
        sa.Column("service_account", sa.Boolean(), server_default=sa.false(), nullable=False),
    )


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_column("service_account")
        batch.drop_column("credential_version")
