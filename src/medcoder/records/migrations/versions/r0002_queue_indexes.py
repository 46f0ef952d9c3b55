"""Indexes for the review queue: suggestions per encounter, encounters by status and age.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_encounters_queue", "encounters", ["status", "coded_at", "id"])
    op.create_index(
        "ix_code_assignments_queue",
        "code_assignments",
        ["encounter_id", "status", "confidence"],
    )


def downgrade() -> None:
    op.drop_index("ix_code_assignments_queue", table_name="code_assignments")
    op.drop_index("ix_encounters_queue", table_name="encounters")
