"""The records' enumerations: roles, an encounter's and a code line's status and source,
a physician query's life."""

from __future__ import annotations

from enum import StrEnum


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


class QueryStatus(StrEnum):
    """A physician query's life (issue 16, part 7)."""

    OPEN = "open"  # sent, no answer yet
    ANSWERED = "answered"  # the provider's answer recorded
    CLOSED = "closed"  # done with (answered, withdrawn or expired)
