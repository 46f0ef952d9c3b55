"""Registries (issue 15): ``registries`` holds each registry's definition as loaded,
``registry_members`` each patient enrolled, with the encounter that enrolled them and,
once no finalized encounter qualifies any more, when and why they were removed.
Reports read the existing tables only.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "registries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("definition", sa.JSON(), nullable=False),
        sa.Column("defined_by", sa.String(length=80), nullable=False),
        sa.Column("defined_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_registries")),
        sa.UniqueConstraint("name", name=op.f("uq_registries_name")),
    )
    op.create_table(
        "registry_members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("registry_id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("encounter_id", sa.Integer(), nullable=False),
        sa.Column("enrolled_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("removed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("removed_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["registry_id"],
            ["registries.id"],
            name=op.f("fk_registry_members_registry_id_registries"),
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_registry_members_patient_id_patients")
        ),
        sa.ForeignKeyConstraint(
            ["encounter_id"],
            ["encounters.id"],
            name=op.f("fk_registry_members_encounter_id_encounters"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_registry_members")),
        sa.UniqueConstraint(
            "registry_id", "patient_id", name=op.f("uq_registry_members_registry_id")
        ),
    )
    op.create_index(op.f("ix_registry_members_registry_id"), "registry_members", ["registry_id"])
    op.create_index(op.f("ix_registry_members_patient_id"), "registry_members", ["patient_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_registry_members_patient_id"), table_name="registry_members")
    op.drop_index(op.f("ix_registry_members_registry_id"), table_name="registry_members")
    op.drop_table("registry_members")
    op.drop_table("registries")
