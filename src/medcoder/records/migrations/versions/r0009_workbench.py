"""The workbench (issue 16): indexes for its reads of the audit trail (an encounter's
history, events by entity and id in order; the encounters that failed to code,
``coding_failed`` events by action: without them each read scans the whole trail), and
the physician queries table (question and answer encrypted: they quote the note).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_audit_events_entity", "audit_events", ["entity", "entity_id", "id"])
    op.create_index("ix_audit_events_action", "audit_events", ["action", "entity_id"])
    op.create_table(
        "physician_queries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("encounter_id", sa.Integer(), nullable=False),
        sa.Column("template", sa.String(length=40), nullable=False),
        sa.Column("code", sa.String(length=20), nullable=True),
        sa.Column("provider", sa.String(length=200), nullable=True),
        sa.Column("question_enc", sa.LargeBinary(), nullable=False),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("hold_finalize", sa.Boolean(), nullable=False),
        sa.Column("asked_by", sa.String(length=80), nullable=False),
        sa.Column("asked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answer_enc", sa.LargeBinary(), nullable=True),
        sa.Column("answered_by", sa.String(length=80), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["encounter_id"], ["encounters.id"],
            name=op.f("fk_physician_queries_encounter_id_encounters"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_physician_queries")),
    )  # fmt: skip
    with op.batch_alter_table("physician_queries") as batch_op:
        batch_op.create_index(
            batch_op.f("ix_physician_queries_encounter_id"), ["encounter_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_physician_queries_status"), ["status"], unique=False)


def downgrade() -> None:
    op.drop_table("physician_queries")
    op.drop_index("ix_audit_events_action", table_name="audit_events")
    op.drop_index("ix_audit_events_entity", table_name="audit_events")
