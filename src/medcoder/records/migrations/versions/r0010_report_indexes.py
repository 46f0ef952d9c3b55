"""Covering indexes for the reports (issue 15): a report over every code reads these
instead of the ``code_assignments`` table.

``ix_code_assignments_report``: each code's assignments by status, with the encounter
and the release (``codes`` counts in code order without sorting; ``comorbidity`` and
``hcc`` read the distinct codes from it and seek the mapped ones; ``release-impact`` reads
it whole: without the release the planner took it for ``system = ?`` and read the table
row by row, 10x slower than a scan). ``ix_code_assignments_decisions``: the engine's
suggestions by status, with system, code and confidence (``agreement``). Plain B-tree
indexes: SQLite and PostgreSQL alike.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07
"""

from __future__ import annotations

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_code_assignments_report",
        "code_assignments",
        ["system", "code", "status", "encounter_id", "release"],
    )
    op.create_index(
        "ix_code_assignments_decisions",
        "code_assignments",
        ["source", "status", "system", "code", "confidence"],
    )


def downgrade() -> None:
    op.drop_index("ix_code_assignments_decisions", table_name="code_assignments")
    op.drop_index("ix_code_assignments_report", table_name="code_assignments")
