"""Autonomous coding (issue 14 part 3): the policy and the auto-finalized encounters.

autonomy_policies: one row per setting of the policy (``enabled``, ``threshold`` on the
encounter confidence, ``sample``: the share of auto-finalized encounters sent to audit,
``seed`` of that sample, ``set_by``, ``set_at``); the newest row is in force.
encounters: ``encounter_confidence`` (the engine's, at the last run), ``auto_finalized``
and ``audit_pending`` (sampled for audit, not yet audited).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "autonomy_policies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("threshold", sa.Float(), nullable=False),
        sa.Column("sample", sa.Float(), nullable=False),
        sa.Column("seed", sa.Integer(), nullable=False),
        sa.Column("set_by", sa.String(length=80), nullable=False),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_autonomy_policies")),
    )
    # Plain ADD COLUMNs with server defaults or NULL: no batch table copy on SQLite.
    op.add_column("encounters", sa.Column("encounter_confidence", sa.Float(), nullable=True))
    op.add_column(
        "encounters",
        sa.Column("auto_finalized", sa.Boolean(), server_default=sa.false(), nullable=False),
    )
    op.add_column(
        "encounters",
        sa.Column("audit_pending", sa.Boolean(), server_default=sa.false(), nullable=False),
    )


def downgrade() -> None:
    with op.batch_alter_table("encounters") as batch:
        for column in ("audit_pending", "auto_finalized", "encounter_confidence"):
            batch.drop_column(column)
    op.drop_table("autonomy_policies")
