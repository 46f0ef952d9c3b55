"""The append-only audit chain and the data key's state."""

from __future__ import annotations

from sqlalchemy import Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from medcoder.records.models.base import Base


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
