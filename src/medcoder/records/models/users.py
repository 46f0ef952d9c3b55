"""Users and the API keys of service accounts."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, ForeignKey, String, false, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from medcoder.records.models.base import Base, utcnow


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
