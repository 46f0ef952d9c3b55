"""Registries in the records (issue 15): define one (its existing finalized encounters
enroll at once), list them, list a registry's members (a PHI read, audited) and extract
them, identified or de-identified like ``export`` (HIPAA Safe Harbor)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session, selectinload

from medcoder.errors import RecordNotFoundError
from medcoder.records import audit, enrollment
from medcoder.records.export import ExportMixin
from medcoder.records.gate import age_on
from medcoder.records.models import (
    Encounter,
    EncounterStatus,
    Patient,
    RegistryDefinition,
    RegistryMember,
    utcnow,
)
from medcoder.records.permissions import Action
from medcoder.registries.definition import Registry


@dataclass(frozen=True, slots=True)
class RegistrySummary:
    name: str
    title: str
    members: int  # enrolled now
    removed: int
    defined_by: str
    defined_at: str


class RegistryMixin(ExportMixin):
    def define_registry(self, actor: str | None, registry: Registry) -> int:
        """Store (or replace) a definition; enrolls the patients whose finalized encounters
        qualify now. Returns the number of patients enrolled by the definition."""
        with self._acting(actor, Action.MANAGE_REGISTRIES) as (session, user):
            row = session.scalar(
                select(RegistryDefinition).where(RegistryDefinition.name == registry.name)
            )
            before = row.definition if row is not None else None
            if row is None:
                row = RegistryDefinition(name=registry.name, defined_by=user.name)
                session.add(row)
            row.title, row.definition = registry.title, registry.source
            row.defined_by, row.defined_at = user.name, utcnow()
            session.flush()
            audit.record(
                session,
                actor=user.name,
                action="registry_define",
                entity="registry",
                entity_id=registry.name,
                before=before,
                after=registry.source,
            )
            return self._backfill(session, user.name, row)

    def _backfill(self, session: Session, actor: str, row: RegistryDefinition) -> int:
        registry = enrollment.compiled(row)
        enrolled = {
            m.patient_id: m
            for m in session.scalars(
                select(RegistryMember).where(RegistryMember.registry_id == row.id)
            )
        }
        # Finalized encounters in chunks (a large database holds millions of codes); the
        # date of birth is decrypted only for an encounter whose codes qualify.
        last = 0
        added = 0
        while True:
            chunk = session.scalars(
                select(Encounter)
                .where(Encounter.status == EncounterStatus.FINALIZED)
                .where(Encounter.id > last)
                .options(selectinload(Encounter.codes), selectinload(Encounter.patient))
                .order_by(Encounter.id)
                .limit(2000)
            ).all()
            if not chunk:
                return added
            last = chunk[-1].id
            added += self._enroll_chunk(session, actor, row, registry, enrolled, chunk)

    def _enroll_chunk(
        self,
        session: Session,
        actor: str,
        row: RegistryDefinition,
        registry: Registry,
        enrolled: dict[int, RegistryMember],
        encounters: Sequence[Encounter],
    ) -> int:
        added = 0
        for encounter in encounters:
            member = enrolled.get(encounter.patient_id)
            if member is not None and member.removed_at is None:
                continue
            if not registry.codes_qualify(
                encounter.setting, enrollment.reported_pairs(encounter.codes)
            ):
                continue
            dob = self.cipher.decrypt(encounter.patient.dob_enc, field="patients.dob")
            age = age_on(dt.date.fromisoformat(dob), encounter.date_of_service)
            if not registry.age_qualifies(age):
                continue
            if member is None:
                member = RegistryMember(
                    registry_id=row.id, patient_id=encounter.patient_id, encounter_id=encounter.id
                )
                session.add(member)
                enrolled[encounter.patient_id] = member
            else:
                member.removed_at, member.removed_reason = None, None
                member.encounter_id, member.enrolled_at = encounter.id, utcnow()
            audit.record(
                session,
                actor=actor,
                action="registry_enroll",
                entity="registry",
                entity_id=row.name,
                encounter=encounter.external_id,
                patient=encounter.patient_id,
                why="registry defined",
            )
            added += 1
        return added

    def list_registries(self, actor: str | None) -> list[RegistrySummary]:
        """Every registry with its member counts (aggregates: the reporting roles)."""
        with self._acting(actor, Action.VIEW_REPORTS) as (session, _user):
            counts = {
                rid: (int(now or 0), int(total or 0) - int(now or 0))
                for rid, now, total in session.execute(
                    select(
                        RegistryMember.registry_id,
                        func.count(case((RegistryMember.removed_at.is_(None), 1))),
                        func.count(),
                    ).group_by(RegistryMember.registry_id)
                )
            }
            return [
                RegistrySummary(
                    row.name,
                    row.title,
                    *counts.get(row.id, (0, 0)),
                    row.defined_by,
                    row.defined_at.isoformat(timespec="seconds"),
                )
                for row in session.scalars(
                    select(RegistryDefinition).order_by(RegistryDefinition.name)
                )
            ]

    def _registry_row(self, session: Session, name: str) -> RegistryDefinition:
        row = session.scalar(select(RegistryDefinition).where(RegistryDefinition.name == name))
        if row is None:
            known = ", ".join(session.scalars(select(RegistryDefinition.name))) or "none"
            raise RecordNotFoundError(
                f"no registry named {name!r}",
                hint=f"defined: {known}; `medcoder registry define FILE` adds one",
            )
        return row

    def registry_members(
        self, actor: str | None, name: str, *, removed: bool = False
    ) -> list[dict[str, Any]]:
        """The registry's members, by MRN (a PHI read: the encounter-viewing roles, audited);
        ``removed`` adds those removed, with the reason."""
        with self._acting(actor, Action.VIEW_ENCOUNTER) as (session, user):
            row = self._registry_row(session, name)
            query = (
                select(RegistryMember, Patient, Encounter)
                .join(Patient, Patient.id == RegistryMember.patient_id)
                .join(Encounter, Encounter.id == RegistryMember.encounter_id)
                .where(RegistryMember.registry_id == row.id)
                .order_by(RegistryMember.id)
            )
            if not removed:
                query = query.where(RegistryMember.removed_at.is_(None))
            found = [
                {
                    "mrn": self.cipher.decrypt(patient.mrn_enc, field="patients.mrn"),
                    "encounter": encounter.external_id,
                    "enrolled_at": member.enrolled_at.isoformat(timespec="seconds"),
                    "removed_at": member.removed_at.isoformat(timespec="seconds")
                    if member.removed_at
                    else None,
                    "removed_reason": member.removed_reason,
                }
                for member, patient, encounter in session.execute(query)
            ]
            audit.record(
                session,
                actor=user.name,
                action="read",
                entity="registry",
                entity_id=name,
                purpose="registry members",
                patients=len(found),
                fields=["mrn"],
            )
            return found

    def registry_extract(
        self, actor: str | None, name: str, *, deidentified: bool
    ) -> list[dict[str, Any]]:
        """One row per reported code of each member's enrolling encounter: identified (a
        manager's) or de-identified under Safe Harbor as ``export_rows`` (analysts' too)."""
        action = Action.EXPORT_DEIDENTIFIED if deidentified else Action.EXPORT_IDENTIFIED
        with self._acting(actor, action) as (session, user):
            row = self._registry_row(session, name)
            members = session.execute(
                select(RegistryMember, Encounter)
                .join(Encounter, Encounter.id == RegistryMember.encounter_id)
                .where(RegistryMember.registry_id == row.id)
                .where(RegistryMember.removed_at.is_(None))
                .options(selectinload(Encounter.codes), selectinload(Encounter.patient))
                .order_by(RegistryMember.id)
            )
            rows: list[dict[str, Any]] = []
            for number, (member, encounter) in enumerate(members, start=1):
                patient = encounter.patient
                dob = dt.date.fromisoformat(
                    self.cipher.decrypt(patient.dob_enc, field="patients.dob")
                )
                day = encounter.date_of_service
                if deidentified:
                    age = age_on(dob, day)
                    shift = self._date_shift(patient.id)
                    base: dict[str, Any] = {
                        "registry": name,
                        "patient": f"P{number:06d}",
                        "age": None if age is None else ("90+" if age >= 90 else str(age)),
                        "sex": patient.sex,
                        "setting": encounter.setting,
                        "date_shifted": (day + shift).isoformat() if day else None,
                        "payer": encounter.payer,
                    }
                else:
                    base = {
                        "registry": name,
                        "mrn": self.cipher.decrypt(patient.mrn_enc, field="patients.mrn"),
                        "name": self.cipher.decrypt(patient.name_enc, field="patients.name"),
                        "dob": dob.isoformat(),
                        "sex": patient.sex,
                        "encounter": encounter.external_id,
                        "setting": encounter.setting,
                        "date_of_service": day.isoformat() if day else None,
                        "payer": encounter.payer,
                        "enrolled_at": member.enrolled_at.isoformat(timespec="seconds"),
                    }
                for system, code in enrollment.reported_pairs(encounter.codes):
                    rows.append({**base, "system": system, "code": code})
            audit.record(
                session,
                actor=user.name,
                action="export",
                entity="registry",
                entity_id=name,
                deidentified=deidentified,
                rows=len(rows),
                fields=["dob"] if deidentified else ["mrn", "name", "dob"],
            )
            return rows
