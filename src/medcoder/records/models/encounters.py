"""Patients, their encounters and documents, the engine's coding runs and the code lines."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    false,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.sql import ColumnElement

from medcoder.records.models.base import Base, utcnow
from medcoder.records.models.kinds import EncounterStatus


class Patient(Base):
    __tablename__ = "patients"

    id: Mapped[int] = mapped_column(primary_key=True)
    mrn_index: Mapped[str] = mapped_column(String(64), unique=True)
    mrn_enc: Mapped[bytes] = mapped_column(LargeBinary)
    name_enc: Mapped[bytes] = mapped_column(LargeBinary)
    dob_enc: Mapped[bytes] = mapped_column(LargeBinary)
    sex: Mapped[str | None] = mapped_column(String(1))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    encounters: Mapped[list[Encounter]] = relationship(back_populates="patient")


class Encounter(Base):
    __tablename__ = "encounters"
    # The review queue pages encounters in review, oldest first, from this index alone.
    __table_args__ = (Index("ix_encounters_queue", "status", "coded_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str] = mapped_column(String(120), unique=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    setting: Mapped[str] = mapped_column(String(20))
    service_date: Mapped[dt.date | None] = mapped_column(Date)
    admit_date: Mapped[dt.date | None] = mapped_column(Date)
    discharge_date: Mapped[dt.date | None] = mapped_column(Date)
    attending: Mapped[str | None] = mapped_column(String(200))
    payer: Mapped[str | None] = mapped_column(String(200), index=True)
    status: Mapped[str] = mapped_column(String(20), default=EncounterStatus.PENDING, index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    coded_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    finalized_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    finalized_by: Mapped[str | None] = mapped_column(String(80))
    # UB-04 patient discharge status (two digits, "01" home); the MS-DRG grouped at
    # finalize, so reports read the DRG that was billed (migration 0006).
    discharge_status: Mapped[str | None] = mapped_column(String(2))
    drg: Mapped[str | None] = mapped_column(String(3))
    drg_version: Mapped[str | None] = mapped_column(String(10))
    drg_weight: Mapped[float | None] = mapped_column(Float)
    # Autonomous coding (migration 0007, issue 14 part 3): the engine's encounter
    # confidence at the last run; finalized by the policy without review; and, for a
    # sampled share of those, awaiting an auditor's look (the audit queue).
    encounter_confidence: Mapped[float | None] = mapped_column(Float)
    auto_finalized: Mapped[bool] = mapped_column(default=False, server_default=false())
    audit_pending: Mapped[bool] = mapped_column(default=False, server_default=false())
    # Assignment and the work lock (migration r0011, issue 16 part 4): the coder a manager
    # (or the coder, taking the next) gave it to; who holds it for work, until when.
    assigned_to: Mapped[str | None] = mapped_column(String(80), index=True)
    assigned_by: Mapped[str | None] = mapped_column(String(80))
    assigned_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    locked_by: Mapped[str | None] = mapped_column(String(80))
    locked_until: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))

    patient: Mapped[Patient] = relationship(back_populates="encounters")
    documents: Mapped[list[Document]] = relationship(
        back_populates="encounter", order_by="Document.id"
    )
    codes: Mapped[list[CodeAssignment]] = relationship(
        back_populates="encounter", order_by="CodeAssignment.id"
    )

    @property
    def date_of_service(self) -> dt.date | None:
        """The date that picks the release: discharge for inpatient stays, else service."""
        return self.discharge_date or self.service_date or self.admit_date

    def lock(self, by: str) -> None:
        """Finalized by ``by`` (a user, or "auto"): its codes are the claim's."""
        self.status = EncounterStatus.FINALIZED.value
        self.finalized_at = utcnow()
        self.finalized_by = by
        self.locked_by = self.locked_until = None  # the work is done: the hold ends

    def unlock(self) -> None:
        """Back in review (a re-open, an audit that disagrees). The billed DRG belongs to
        the finalized claim: a re-opened stay has none until it is finalized again (the
        view groups its codes as they are meanwhile)."""
        self.status = EncounterStatus.REVIEW.value
        self.finalized_at = None
        self.finalized_by = None
        self.drg = self.drg_version = self.drg_weight = None


class Document(Base):
    __tablename__ = "documents"
    __table_args__ = (UniqueConstraint("encounter_id", "content_index"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    encounter_id: Mapped[int] = mapped_column(ForeignKey("encounters.id"), index=True)
    kind: Mapped[str] = mapped_column(String(80))
    text_enc: Mapped[bytes] = mapped_column(LargeBinary)
    content_index: Mapped[str] = mapped_column(String(64))  # keyed hash of the text
    received_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    encounter: Mapped[Encounter] = relationship(back_populates="documents")


class CodingRun(Base):
    __tablename__ = "coding_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    encounter_id: Mapped[int] = mapped_column(ForeignKey("encounters.id"), index=True)
    engine_version: Mapped[str] = mapped_column(String(40))
    release: Mapped[str] = mapped_column(String(40))
    settings: Mapped[dict[str, Any]] = mapped_column(JSON)
    result_enc: Mapped[bytes] = mapped_column(LargeBinary)  # the full result (evidence is PHI)
    run_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class CodeAssignment(Base):
    __tablename__ = "code_assignments"
    # The review queue counts an encounter's suggestions and finds the least certain one
    # from this index alone (migration 0002). The reports read their codes from covering
    # indexes (migration 0010, 0013_ahrq, 0014_rptspeed): by code and status, and the
    # engine's decisions (with every other column ``agreement`` reads, its filters' too).
    __table_args__ = (
        Index("ix_code_assignments_queue", "encounter_id", "status", "confidence"),
        Index("ix_code_assignments_report", "system", "code", "status", "encounter_id", "release",
              "sequence", "poa"),
        Index(
            "ix_code_assignments_decisions",
            *("source", "status", "system", "code", "confidence"),
            *("replaced_by", "updated_by", "release", "encounter_id"),
        ),
    )  # fmt: skip

    id: Mapped[int] = mapped_column(primary_key=True)
    encounter_id: Mapped[int] = mapped_column(ForeignKey("encounters.id"), index=True)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("coding_runs.id"))
    system: Mapped[str] = mapped_column(String(20))
    code: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(Text)
    sequence: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(12))
    reason: Mapped[str | None] = mapped_column(Text)
    confidence: Mapped[float | None] = mapped_column(Float)
    evidence_enc: Mapped[bytes | None] = mapped_column(LargeBinary)  # spans quote the note
    release: Mapped[str] = mapped_column(String(40))
    replaced_by: Mapped[int | None] = mapped_column(ForeignKey("code_assignments.id"))
    updated_by: Mapped[str | None] = mapped_column(String(80))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # Claim fields (migration 0006): service units and modifiers of a CPT/HCPCS line; the
    # present-on-admission indicator of an inpatient diagnosis, who set it (engine |
    # coder), the engine's confidence and its evidence (PHI, encrypted).
    units: Mapped[int] = mapped_column(Integer, default=1, server_default=text("1"))
    modifiers: Mapped[list[str] | None] = mapped_column(JSON)
    poa: Mapped[str | None] = mapped_column(String(1))
    poa_source: Mapped[str | None] = mapped_column(String(10))
    poa_confidence: Mapped[float | None] = mapped_column(Float)
    poa_evidence_enc: Mapped[bytes | None] = mapped_column(LargeBinary)

    encounter: Mapped[Encounter] = relationship(back_populates="codes")


def date_of_service_sql() -> ColumnElement[dt.date]:
    """``Encounter.date_of_service`` in SQL: discharge, else service, else admission date
    (the one expression the queue, the HCC store and the reports group and filter by)."""
    return func.coalesce(
        Encounter.__table__.c.discharge_date,
        Encounter.__table__.c.service_date,
        Encounter.__table__.c.admit_date,
        type_=Date,
    )
