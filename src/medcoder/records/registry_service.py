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
from medcoder.interop.claim import ClaimDocument
from medcoder.interop.code_values import CodeCatalog
from medcoder.records import audit, enrollment
from medcoder.records.claim_out import ClaimOutMixin
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


class RegistryMixin(ExportMixin, ClaimOutMixin):
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

    def _member_encounters(self, session: Session, name: str) -> list[Encounter]:
        """The enrolling encounter of each current member, in enrollment order."""
        row = self._registry_row(session, name)
        return list(
            session.scalars(
                select(Encounter)
                .join(RegistryMember, Encounter.id == RegistryMember.encounter_id)
                .where(RegistryMember.registry_id == row.id)
                .where(RegistryMember.removed_at.is_(None))
                .options(selectinload(Encounter.codes), selectinload(Encounter.patient))
                .order_by(RegistryMember.id)
            )
        )

    def registry_extract(
        self, actor: str | None, name: str, *, deidentified: bool
    ) -> list[dict[str, Any]]:
        """One row per reported code of each member's enrolling encounter, with the columns
        of ``export_rows`` (``encounter_base``): identified (a manager's) or de-identified
        under Safe Harbor exactly as ``export --deidentified`` (analysts' too); members
        numbered afresh in each extract."""
        action = Action.EXPORT_DEIDENTIFIED if deidentified else Action.EXPORT_IDENTIFIED
        with self._acting(actor, action) as (session, user):
            rows: list[dict[str, Any]] = []
            for number, encounter in enumerate(self._member_encounters(session, name), 1):
                pseudonyms = (f"P{number:06d}", f"E{number:06d}") if deidentified else None
                base = {"registry": name, **self.encounter_base(encounter, pseudonyms)}
                for system, code in enrollment.reported_pairs(encounter.codes):
                    rows.append({**base, "system": system, "code": code})
            self._audit_extract(session, user.name, name, deidentified, "rows", len(rows))
            return rows

    def registry_claims(
        self,
        actor: str | None,
        name: str,
        *,
        deidentified: bool,
        catalog: CodeCatalog | None = None,
    ) -> list[ClaimDocument]:
        """The members' enrolling encounters as claim documents (``claim_documents``'
        de-identification: pseudonyms, dates shifted, no name, birth date or attending),
        for ``registry extract --format fhir``. With ``catalog`` each member's codes are
        checked against the releases in force on the real dates of service first (a
        shifted date may fall outside the release that coded the stay)."""
        action = Action.EXPORT_DEIDENTIFIED if deidentified else Action.EXPORT_IDENTIFIED
        with self._acting(actor, action) as (session, user):
            claims = []
            for number, encounter in enumerate(self._member_encounters(session, name), 1):
                pseudonyms = (f"P{number:06d}", f"E{number:06d}") if deidentified else None
                claims.append(self.checked_claim(encounter, catalog, pseudonyms=pseudonyms))
            self._audit_extract(
                session, user.name, name, deidentified, "members", len(claims), deid_fields=[]
            )
            return claims

    def _audit_extract(
        self,
        session: Session,
        actor: str,
        name: str,
        deidentified: bool,
        what: str,
        count: int,
        deid_fields: tuple[str, ...] | list[str] = ("dob",),
    ) -> None:
        audit.record(
            session,
            actor=actor,
            action="export",
            entity="registry",
            entity_id=name,
            deidentified=deidentified,
            **{what: count},
            fields=list(deid_fields) if deidentified else ["mrn", "name", "dob"],
        )
