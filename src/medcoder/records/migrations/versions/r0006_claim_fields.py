"""The whole claim in the record: procedure units and modifiers, present-on-admission
indicators, the discharge status and the MS-DRG of an inpatient stay.

code_assignments: ``units`` (service units, 1 for diagnoses and PCS), ``modifiers``
(CPT/HCPCS modifiers in claim order, JSON list), ``poa`` (Y/N/U/W/1, inpatient diagnoses
only), ``poa_source`` (engine | coder), ``poa_confidence`` and ``poa_evidence_enc`` (the
engine's evidence, PHI: encrypted like the code's evidence).
encounters: ``discharge_status`` (UB-04 patient discharge status, two digits, e.g. 01),
and the MS-DRG grouped at finalize (``drg``, ``drg_version``, ``drg_weight``) so reports
read the DRG that was billed.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMNs with server defaults or NULL: no batch table copy on SQLite.
    op.add_column(
        "code_assignments",
        sa.Column("units", sa.Integer(), server_default="1", nullable=False),
    )
    op.add_column("code_assignments", sa.Column("modifiers", sa.JSON(), nullable=True))
    op.add_column("code_assignments", sa.Column("poa", sa.String(length=1), nullable=True))
    op.add_column("code_assignments", sa.Column("poa_source", sa.String(length=10), nullable=True))
    op.add_column("code_assignments", sa.Column("poa_confidence", sa.Float(), nullable=True))
    op.add_column(
        "code_assignments", sa.Column("poa_evidence_enc", sa.LargeBinary(), nullable=True)
    )
    op.add_column("encounters", sa.Column("discharge_status", sa.String(length=2), nullable=True))
    op.add_column("encounters", sa.Column("drg", sa.String(length=3), nullable=True))
    op.add_column("encounters", sa.Column("drg_version", sa.String(length=10), nullable=True))
    op.add_column("encounters", sa.Column("drg_weight", sa.Float(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("encounters") as batch:
        for column in ("drg_weight", "drg_version", "drg", "discharge_status"):
            batch.drop_column(column)
    with op.batch_alter_table("code_assignments") as batch:
        for column in (
            "poa_evidence_enc",
            "poa_confidence",
            "poa_source",
            "poa",
            "modifiers",
            "units",
        ):
            batch.drop_column(column)
