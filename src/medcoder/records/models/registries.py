"""Registries and their members (issue 15), and the stored CMS-HCC patient-year scores."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, DateTime, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from medcoder.records.models.base import Base, utcnow


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
