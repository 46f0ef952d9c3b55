"""Physician queries (clinical documentation improvement; issue 16, part 7).

From a code or a dropped candidate a coder sends the provider a compliant, non-leading
question built from a template kept as data (``query_templates.json``: specificity,
acuity, clinical validity, POA, conflicting documentation; each presents the words of
the record and offers clinically reasonable options with "other" and "unable to
determine", per the AHIMA/ACDIS query practice guidelines). A query is open, answered
(the provider's answer recorded) or closed; one sent with ``hold_finalize`` keeps the
encounter from being finalized while it is open. The report counts queries by template
and status with the median hours to an answer.

The question and the answer quote the note: encrypted like it. Every step is audited.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import statistics
from dataclasses import dataclass
from importlib import resources
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from medcoder.errors import InvalidInputError, RecordNotFoundError, WorkflowError
from medcoder.records import audit
from medcoder.records.finalize import FinalizeMixin
from medcoder.records.models import (
    Encounter,
    PhysicianQuery,
    QueryStatus,
    User,
    utcnow,
)
from medcoder.records.permissions import Action

MAX_TEXT = 2000  # the words quoted from the record, and an answer


@dataclass(frozen=True, slots=True)
class QueryTemplate:
    name: str
    label: str
    question: str  # with {code}, {title} and {text}
    options: tuple[str, ...]


@functools.cache
def query_templates() -> dict[str, QueryTemplate]:
    """The templates of ``query_templates.json`` (package data), by name."""
    raw = json.loads(
        resources.files("medcoder.records").joinpath("query_templates.json").read_text("utf-8")
    )
    return {
        name: QueryTemplate(name, t["label"], t["question"], tuple(t["options"]))
        for name, t in raw["templates"].items()
    }


@dataclass(frozen=True, slots=True)
class QueryView:
    """A query as the workbench and the API show it (question and answer decrypted)."""

    id: int
    encounter: str
    template: str
    code: str | None
    provider: str | None
    question: str
    options: tuple[str, ...]
    status: str
    hold_finalize: bool
    asked_by: str
    asked_at: dt.datetime
    answer: str | None
    answered_by: str | None
    answered_at: dt.datetime | None
    closed_at: dt.datetime | None

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id, "encounter": self.encounter, "template": self.template,
            "code": self.code, "provider": self.provider, "question": self.question,
            "options": list(self.options), "status": self.status,
            "hold_finalize": self.hold_finalize, "asked_by": self.asked_by,
            "asked_at": self.asked_at.isoformat(), "answer": self.answer,
            "answered_by": self.answered_by,
            "answered_at": self.answered_at.isoformat() if self.answered_at else None,
            "closed_at": self.closed_at.isoformat() if self.closed_at else None,
        }  # fmt: skip


class QueriesMixin(FinalizeMixin):
    """Compose, answer, close and report physician queries; hold finalize on them."""

    def ask_query(
        self,
        actor: str | None,
        encounter_id: str,
        template: str,
        *,
        code: str | None = None,
        text: str | None = None,
        provider: str | None = None,
        hold_finalize: bool = False,
    ) -> int:
        """Send the provider a query from ``template`` about ``code`` (its title is named)
        quoting ``text`` from the record; its id."""
        found = query_templates().get(template)
        if found is None:
            raise InvalidInputError(
                f"no query template {template!r}", hint=f"use {', '.join(query_templates())}"
            )
        words = (text or "").strip()
        if not words or len(words) > MAX_TEXT:
            raise InvalidInputError(
                f"a query quotes the record's words: 1 to {MAX_TEXT} characters",
                hint="quote the clinical indicators the question is about",
            )
        with self._acting(actor, Action.REVIEW) as (session, user):
            encounter = self._encounter(session, encounter_id)
            self._workable(session, encounter, user)
            title = code or "the condition"
            if code:
                line = next((c for c in encounter.codes if c.code == code.strip().upper()), None)
                title = f"{line.code} {line.title}".strip() if line else code.strip().upper()
            question = found.question.format(code=code or "", title=title, text=words)
            row = PhysicianQuery(
                encounter_id=encounter.id, template=found.name,
                code=code.strip().upper() if code else None,
                provider=(provider or encounter.attending or None),
                question_enc=self.cipher.encrypt(question, field="physician_queries.question"),
                options=list(found.options), status=QueryStatus.OPEN.value,
                hold_finalize=hold_finalize, asked_by=user.name,
            )  # fmt: skip
            session.add(row)
            session.flush()
            self._audit_query(session, user, encounter, "query_open", row, hold=hold_finalize)
            return row.id

    def answer_query(self, actor: str | None, query_id: int, answer: str) -> None:
        """Record the provider's answer (an open query only)."""
        words = (answer or "").strip()
        if not words or len(words) > MAX_TEXT:
            raise InvalidInputError(f"an answer is 1 to {MAX_TEXT} characters")
        with self._acting(actor, Action.REVIEW) as (session, user):
            row, encounter = self._query(session, query_id)
            if row.status != QueryStatus.OPEN:
                raise WorkflowError(f"query {query_id} is {row.status}, not open")
            row.answer_enc = self.cipher.encrypt(words, field="physician_queries.answer")
            row.status = QueryStatus.ANSWERED.value
            row.answered_by, row.answered_at = user.name, utcnow()
            self._audit_query(session, user, encounter, "query_answer", row)

    def close_query(self, actor: str | None, query_id: int, reason: str | None = None) -> None:
        """Close a query, answered or not (withdrawn, or the answer acted on)."""
        with self._acting(actor, Action.REVIEW) as (session, user):
            row, encounter = self._query(session, query_id)
            if row.status == QueryStatus.CLOSED:
                raise WorkflowError(f"query {query_id} is already closed")
            row.status = QueryStatus.CLOSED.value
            row.closed_at = utcnow()
            extra = {"reason": reason.strip()} if reason and reason.strip() else {}
            self._audit_query(session, user, encounter, "query_close", row, **extra)

    def queries(self, actor: str | None, encounter_id: str) -> list[QueryView]:
        """The encounter's queries, oldest first (PHI: audited)."""
        with self._reading(actor, encounter_id, "queries") as (session, encounter):
            rows = session.scalars(
                select(PhysicianQuery)
                .where(PhysicianQuery.encounter_id == encounter.id)
                .order_by(PhysicianQuery.id)
            ).all()
            return [self._query_view(row, encounter) for row in rows]

    def query_list(
        self,
        actor: str | None,
        *,
        status: QueryStatus | str | None = None,
        encounter_id: str | None = None,
        provider: str | None = None,
        limit: int = 100,
    ) -> list[QueryView]:
        """Queries across encounters, newest first: by status, encounter and provider
        (any case). PHI (the question and answer): audited."""
        with self._acting(actor, Action.VIEW_ENCOUNTER) as (session, user):
            found = select(PhysicianQuery, Encounter).join(
                Encounter, Encounter.id == PhysicianQuery.encounter_id
            )
            if status is not None:
                found = found.where(PhysicianQuery.status == QueryStatus(status).value)
            if encounter_id is not None:
                found = found.where(Encounter.id == self._encounter(session, encounter_id).id)
            if provider and provider.strip():
                wanted = provider.strip().lower()
                found = found.where(func.lower(PhysicianQuery.provider) == wanted)
            rows = session.execute(
                found.order_by(PhysicianQuery.id.desc()).limit(max(1, limit))
            ).all()
            views = [self._query_view(row, encounter) for row, encounter in rows]
            audit.record(
                session, actor=user.name, action="read", entity="queries",
                entity_id=encounter_id, queries=[v.id for v in views],
            )  # fmt: skip
            return views

    def query_report(self, actor: str | None) -> dict[str, Any]:
        """Query volume by template and status, and the median hours to an answer."""
        with self._acting(actor, Action.VIEW_QUEUE) as (session, _user):
            rows = session.execute(
                select(
                    PhysicianQuery.template, PhysicianQuery.status,
                    PhysicianQuery.asked_at, PhysicianQuery.answered_at,
                )
            ).all()  # fmt: skip
        by_template: dict[str, dict[str, int]] = {}
        hours: list[float] = []
        for template, status, asked, answered in rows:
            counts = by_template.setdefault(template, {s.value: 0 for s in QueryStatus})
            counts[status] = counts.get(status, 0) + 1
            if answered is not None:
                hours.append((_aware(answered) - _aware(asked)).total_seconds() / 3600)
        return {
            "total": len(rows),
            "open": sum(1 for r in rows if r[1] == QueryStatus.OPEN),
            "by_template": by_template,
            "answered": len(hours),
            "median_hours_to_answer": round(statistics.median(hours), 2) if hours else None,
        }

    def finalize(
        self, actor: str | None, encounter_id: str, acknowledge: str | None = None
    ) -> None:
        """As ``FinalizeMixin.finalize``; refused while a query sent with ``hold_finalize``
        is open (answer or close it first)."""
        with self._acting(actor, Action.FINALIZE) as (session, _user):
            encounter = self._encounter(session, encounter_id)
            held = session.scalars(
                select(PhysicianQuery.id).where(
                    PhysicianQuery.encounter_id == encounter.id,
                    PhysicianQuery.status == QueryStatus.OPEN,
                    PhysicianQuery.hold_finalize.is_(True),
                )
            ).all()
        if held:
            raise WorkflowError(
                f"{len(held)} physician query(ies) holding finalize still open: "
                + ", ".join(str(i) for i in held),
                hint="record the provider's answer or close the query, then finalize",
            )
        super().finalize(actor, encounter_id, acknowledge)

    # -- helpers ------------------------------------------------------------------------
    def _query(self, session: Session, query_id: int) -> tuple[PhysicianQuery, Encounter]:
        row = session.get(PhysicianQuery, query_id)
        if row is None:
            raise RecordNotFoundError(f"no physician query {query_id}")
        encounter = session.get(Encounter, row.encounter_id)
        assert encounter is not None  # a foreign key
        return row, encounter

    def _query_view(self, row: PhysicianQuery, encounter: Encounter) -> QueryView:
        answer = None
        if row.answer_enc is not None:
            answer = self.cipher.decrypt(row.answer_enc, field="physician_queries.answer")
        return QueryView(
            id=row.id, encounter=encounter.external_id, template=row.template, code=row.code,
            provider=row.provider,
            question=self.cipher.decrypt(row.question_enc, field="physician_queries.question"),
            options=tuple(row.options), status=row.status, hold_finalize=row.hold_finalize,
            asked_by=row.asked_by, asked_at=row.asked_at, answer=answer,
            answered_by=row.answered_by, answered_at=row.answered_at, closed_at=row.closed_at,
        )  # fmt: skip

    @staticmethod
    def _audit_query(
        session: Session, user: User, encounter: Encounter, action: str, row: PhysicianQuery,
        **extra: Any,
    ) -> None:  # fmt: skip
        audit.record(
            session, actor=user.name, action=action, entity="encounter",
            entity_id=encounter.external_id, query=row.id, template=row.template,
            code=row.code, **extra,
        )  # fmt: skip


def _aware(moment: dt.datetime) -> dt.datetime:
    """SQLite hands back naive datetimes (stored as UTC)."""
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
