"""The autonomous-coding policy and physician queries."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, DateTime, Float, ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from medcoder.records.models.base import Base, utcnow
from medcoder.records.models.kinds import QueryStatus


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
