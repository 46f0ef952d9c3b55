"""The door reports read the database through (``medcoder.reports``, issue 15).

A report is an aggregate over coded data, never a PHI column: the reporting roles
(``Action.VIEW_REPORTS``: analyst, manager, admin) may run one, and each run is audited
with its kind and filters. ``decrypt_dob`` is there for the one report that needs an age
(risk scores): the date is read inside the service and only aggregates leave it.
A report's transaction writes only its audit event; ``refresh_hcc_store`` (the ``hcc``
report's stored scores) writes in a transaction of its own, audited.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from medcoder.records import audit, hcc_store
from medcoder.records.gate import RecordsGate
from medcoder.records.models import Patient
from medcoder.records.permissions import Action


class ReportingMixin(RecordsGate):
    @contextmanager
    def reporting(self, actor: str | None, kind: str, filters: dict[str, Any]) -> Iterator[Session]:
        """One transaction for report ``kind`` as ``actor``: the report only reads; the one
        row it writes is its audit event (``report``, with the kind and filters). What a
        report keeps up to date (the stored HCC scores) is written before, in a transaction
        of its own: ``refresh_hcc_store``."""
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

    def refresh_hcc_store(self, actor: str | None) -> int:
        """Bring the stored patient-year HCC scores (``hcc_store``) up to date for the
        ``hcc`` report, as ``actor`` (a reporting role), in a write transaction of its own:
        the patient-years finalized without a score (a bulk load, a database from before
        migration 0011, another hccinfhir version) scored and stored, the rows of
        patient-years no longer finalized dropped. Returns the number scored; a change is
        audited (``hcc_store_fill``), the usual nothing-to-do (two counts) is not."""
        with self._acting(actor, Action.VIEW_REPORTS) as (session, user):
            if hcc_store.complete(session):
                return 0
            scored = hcc_store.fill(session, self.birth_dates)
            audit.record(
                session,
                actor=user.name,
                action="hcc_store_fill",
                entity="report",
                entity_id="hcc",
                after={"patient_years_scored": scored, "model": hcc_store.model_name()},
            )
            return scored

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
