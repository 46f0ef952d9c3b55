"""The records schema (SQLAlchemy 2 typed ORM); Alembic migrations in ``migrations/``.

PHI columns (``*_enc``) hold AES-GCM tokens from ``crypto.FieldCipher``, never plain text;
``*_index`` columns hold keyed blind indexes (HMAC) so a record can be found by MRN or
content without decrypting every row.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
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
    MetaData,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Role(StrEnum):
    CODER = "coder"
    REVIEWER = "reviewer"  # also the auditor
    MANAGER = "manager"
    ADMIN = "admin"
    ANALYST = "analyst"

    @classmethod
    def parse(cls, value: str) -> Role:
        from medcoder.errors import InvalidInputError

        text = value.strip().lower()
        if text == "auditor":
            return cls.REVIEWER
        try:
            return cls(text)
        except ValueError as exc:
            raise InvalidInputError(
                f"unknown role {value!r}", hint=f"use one of {', '.join(r.value for r in cls)}"
            ) from exc


class EncounterStatus(StrEnum):
    PENDING = "pending"  # imported, not yet coded
    REVIEW = "review"  # coded, awaiting the coder's review
    FINALIZED = "finalized"  # locked


class CodeSource(StrEnum):
    ENGINE = "engine"
    CODER = "coder"


class CodeStatus(StrEnum):
    SUGGESTED = "suggested"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    CHANGED = "changed"  # replaced by another code (``replaced_by``)
    ADDED = "added"  # added by the coder


ACTIVE_STATUSES = (CodeStatus.SUGGESTED, CodeStatus.ACCEPTED, CodeStatus.ADDED)
REPORTED_STATUSES = (CodeStatus.ACCEPTED, CodeStatus.ADDED)


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    role: Mapped[str] = mapped_column(String(20))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    password_hash: Mapped[str | None] = mapped_column(String(255))  # argon2id (migration 0003)
    # Signed into every token; bumped by a password change, a logout or a deactivation so
    # that every token issued before is refused at once (migration 0005).
    credential_version: Mapped[int] = mapped_column(default=0, server_default=text("0"))
    # A system (an EHR feed), not a person: it has no password, and it is the only kind of
    # user an admin may make API keys for (migration 0005).
    service_account: Mapped[bool] = mapped_column(default=False, server_default=false())


class ApiKey(Base):
    """A key a system (an EHR, a billing system) calls the API with, acting as ``user``.

    Only a SHA-256 of the key is stored: the key is random (256 bits), so a slow hash adds
    nothing, and a copy of the database cannot be used to call the API.
    """

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    label: Mapped[str] = mapped_column(String(120))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))

    user: Mapped[User] = relationship()


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


class RegistryDefinition(Base):
    """A registry (issue 15): its definition as loaded (``medcoder.registries``), kept so
    that enrollment at finalize reads the database only (migration r0008_reports)."""

    __tablename__ = "registries"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    definition: Mapped[dict[str, Any]] = mapped_column(JSON)
    defined_by: Mapped[str] = mapped_column(String(80))
    defined_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class RegistryMember(Base):
    """A patient in a registry, enrolled by a qualifying finalized encounter; removed
    (``removed_at``, ``removed_reason``) when no finalized encounter qualifies any more."""

    __tablename__ = "registry_members"
    __table_args__ = (UniqueConstraint("registry_id", "patient_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    registry_id: Mapped[int] = mapped_column(ForeignKey("registries.id"), index=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    encounter_id: Mapped[int] = mapped_column(ForeignKey("encounters.id"))  # the first
    enrolled_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    removed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    removed_reason: Mapped[str | None] = mapped_column(Text)


class AutonomyPolicy(Base):
    """One setting of the autonomous-coding policy (migration 0007); the newest row is in
    force, the older ones are its history. No row: the policy is off."""

    __tablename__ = "autonomy_policies"

    id: Mapped[int] = mapped_column(primary_key=True)
    enabled: Mapped[bool] = mapped_column(default=False)
    threshold: Mapped[float] = mapped_column(Float)  # encounter confidence at or above it
    sample: Mapped[float] = mapped_column(Float)  # share of auto-finalized sent to audit
    seed: Mapped[int] = mapped_column(Integer)  # the audit sample's seed
    set_by: Mapped[str] = mapped_column(String(80))
    set_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class AuditEvent(Base):
    """One append-only event; ``hash`` = HMAC-SHA256 under audit key ``key_id`` of
    prev_hash + canonical JSON of the event (``key_id`` NULL: plain SHA-256, an event from
    before keyed auditing; see ``audit.py``)."""

    __tablename__ = "audit_events"
    __table_args__ = (  # the workbench's history and failed list (migration 0009)
        Index("ix_audit_events_entity", "entity", "entity_id", "id"),
        Index("ix_audit_events_action", "action", "entity_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[str] = mapped_column(String(40))  # ISO 8601 UTC, hashed as written
    actor: Mapped[str] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(String(40))
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[str | None] = mapped_column(String(120))
    detail: Mapped[str] = mapped_column(Text)  # canonical JSON: before/after, fields read
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)
    key_id: Mapped[str | None] = mapped_column(String(32))  # the audit key (migration 0004)


class AuditHead(Base):
    """The chain's last link, so that deleting the newest events is detected too."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(primary_key=True)
    last_id: Mapped[int] = mapped_column(Integer)
    last_hash: Mapped[str] = mapped_column(String(64))


class KeyState(Base):
    """Which key id encrypts the data (so a wrong key is refused before anything is read)."""

    __tablename__ = "key_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    key_id: Mapped[str] = mapped_column(String(32))
    check_enc: Mapped[bytes] = mapped_column(LargeBinary)


class QueryStatus(StrEnum):
    """A physician query's life (issue 16, part 7)."""

    OPEN = "open"  # sent, no answer yet
    ANSWERED = "answered"  # the provider's answer recorded
    CLOSED = "closed"  # done with (answered, withdrawn or expired)


class PhysicianQuery(Base):
    """A documentation query to the provider about one encounter, from a template
    (``records/query_templates.json``). The question and the answer quote the note: PHI,
    encrypted like it."""

    __tablename__ = "physician_queries"

    id: Mapped[int] = mapped_column(primary_key=True)
    encounter_id: Mapped[int] = mapped_column(ForeignKey("encounters.id"), index=True)
    template: Mapped[str] = mapped_column(String(40))
    code: Mapped[str | None] = mapped_column(String(20))
    provider: Mapped[str | None] = mapped_column(String(200))
    question_enc: Mapped[bytes] = mapped_column(LargeBinary)
    options: Mapped[list[str]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(20), default=QueryStatus.OPEN, index=True)
    hold_finalize: Mapped[bool] = mapped_column(default=False)
    asked_by: Mapped[str] = mapped_column(String(80))
    asked_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    answer_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    answered_by: Mapped[str | None] = mapped_column(String(80))
    answered_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    closed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class HccPatientYear(Base):
    """A patient-year's stored CMS-HCC score (migration 0011, issue 15's ``hcc`` report):
    the patient's finalized encounters with dates of service in ``service_year`` under one
    payer ("" for none), scored for ``payment_year``. Written at finalize and re-open
    (``records.hcc_store``); a row whose ``model`` is not the installed one is recomputed.
    ``diagnoses`` (the codes scored) and ``hccs`` (the blend's first model) are
    comma-joined; ``score`` is None when the patient's sex is not F or M. ``encounters``
    counts the finalized encounters scored: their sum against the finalized encounters'
    count is the report's check that no patient-year is missing."""

    __tablename__ = "hcc_patient_years"
    __table_args__ = (UniqueConstraint("patient_id", "payer", "service_year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    payer: Mapped[str] = mapped_column(String(200))
    service_year: Mapped[str] = mapped_column(String(4))
    payment_year: Mapped[int] = mapped_column(Integer)
    diagnoses: Mapped[str] = mapped_column(Text)
    hccs: Mapped[str] = mapped_column(Text)
    score: Mapped[float | None] = mapped_column(Float)
    encounters: Mapped[int] = mapped_column(Integer)  # its finalized encounters
    model: Mapped[str] = mapped_column(String(80))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
