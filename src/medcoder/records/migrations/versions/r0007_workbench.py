"""Indexes for the workbench's reads of the audit trail (issue 16): an encounter's
history (events by entity and id, in order) and the encounters that failed to code
(``coding_failed`` events by action). Without them each read scans the whole trail.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07
"""

from __future__ import annotations

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_audit_events_entity", "audit_events", ["entity", "entity_id", "id"])
    op.create_index("ix_audit_events_action", "audit_events", ["action", "entity_id"])


def downgrade() -> None:
    op.drop_index("ix_audit_events_action", table_name="audit_events")
    op.drop_index("ix_audit_events_entity", table_name="audit_events")
