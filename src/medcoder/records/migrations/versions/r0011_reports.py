"""Stored patient-year CMS-HCC scores (issue 15): the ``hcc`` report reads them with one
query instead of scoring every patient-year on each run (``records.hcc_store``).

Revision ID: 0011_reports
Revises: 0010
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011_reports"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "hcc_patient_years",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("payer", sa.String(length=200), nullable=False),
        sa.Column("service_year", sa.String(length=4), nullable=False),
        sa.Column("payment_year", sa.Integer(), nullable=False),
        sa.Column("diagnoses", sa.Text(), nullable=False),
        sa.Column("hccs", sa.Text(), nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("encounters", sa.Integer(), nullable=False),
        sa.Column("model", sa.String(length=80), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
            name=op.f("fk_hcc_patient_years_patient_id_patients"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hcc_patient_years")),
        sa.UniqueConstraint(
            "patient_id", "payer", "service_year", name=op.f("uq_hcc_patient_years_patient_id")
        ),
    )
    op.create_index(op.f("ix_hcc_patient_years_patient_id"), "hcc_patient_years", ["patient_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_hcc_patient_years_patient_id"), table_name="hcc_patient_years")
    op.drop_table("hcc_patient_years")
