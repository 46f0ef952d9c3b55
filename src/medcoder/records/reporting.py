"""The door reports read the database through (``medcoder.reports``, issue 15).

A report is an aggregate over coded data, never a PHI column: the reporting roles
(``Action.VIEW_REPORTS``: analyst, manager, admin) may run one, and each run is audited
with its kind and filters. ``decrypt_dob`` is there for the one report that needs an age
(risk scores): the date is read inside the service and only aggregates leave it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from medcoder.records import audit
from medcoder.records.gate import RecordsGate
from medcoder.records.models import Patient
from medcoder.records.permissions import Action


class ReportingMixin(RecordsGate):
    @contextmanager
    def reporting(self, actor: str | None, kind: str, filters: dict[str, Any]) -> Iterator[Session]:
        """One read-only transaction for report ``kind`` as ``actor`` (audited)."""
        with self._acting(actor, Action.VIEW_REPORTS) as (session, user):
            yield session
            audit.record(
                session,
                actor=user.name,
                action="report",
                entity="report",
                entity_id=kind,
                filters={k: v for k, v in filters.items() if v is not None},
            )

    def birth_dates(
        self, session: Session, patient_ids: Iterable[int]
    ) -> dict[int, tuple[dt.date, str | None]]:
        """Date of birth and sex of these patients, for ages inside a report only."""
        wanted = sorted(set(patient_ids))
        found: dict[int, tuple[dt.date, str | None]] = {}
        for start in range(0, len(wanted), 5000):
            chunk = wanted[start : start + 5000]
            for pid, dob_enc, sex in session.execute(
                select(Patient.id, Patient.dob_enc, Patient.sex).where(Patient.id.in_(chunk))
            ):
                dob = self.cipher.decrypt(dob_enc, field="patients.dob")
                found[pid] = (dt.date.fromisoformat(dob), sex)
        return found
