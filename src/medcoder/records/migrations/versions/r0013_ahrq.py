"""Indexes for the AHRQ Elixhauser rules of the ``comorbidity`` report (issue 15).

``ix_code_assignments_report`` gains ``sequence`` and ``poa``: the report seeks the mapped
codes and needs each one's POA indicator and sequence, now read from the index instead of
the table row by row (AHRQ counts secondary diagnoses only: the principal is the reported
diagnosis numbered 1). A plain B-tree index: SQLite and PostgreSQL alike.

Revision ID: 0013_ahrq
Revises: 0012_wbassign
Create Date: 2026-12-07
"""

from __future__ import annotations

from alembic import op

revision = "0013_ahrq"
down_revision = "0012_wbassign"
branch_labels = None
depends_on = None

_REPORT = ["system", "code", "status", "encounter_id", "release"]


def upgrade() -> None:
    op.drop_index("ix_code_assignments_report", table_name="code_assignments")
    op.create_index("ix_code_assignments_report", "code_assignments", [*_REPORT, "sequence", "poa"])


def downgrade() -> None:
    op.drop_index("ix_code_assignments_report", table_name="code_assignments")
    op.create_index("ix_code_assignments_report", "code_assignments", _REPORT)
