"""What awaits review and what a reviewer sees: the queue, and an encounter read with its
PHI decrypted (reading it is audited)."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, select

from medcoder.kinds import CodeSystem, QueueSort
from medcoder.records import locks
from medcoder.records.auto_finalize import AUTO
from medcoder.records.gate import RecordsGate, age_on
from medcoder.records.grouping import group_encounter
from medcoder.records.models import (
    ACTIVE_STATUSES,
    CodeAssignment,
    CodeStatus,
    Encounter,
    EncounterStatus,
    date_of_service_sql,
    utcnow,
)
from medcoder.records.permissions import Action

#: What an audited read of an encounter opens (named in its event, never their values).
PHI_FIELDS = ("mrn", "name", "dob", "sex", "text", "evidence")


def _order(sort: QueueSort) -> tuple[Any, ...]:
    """The ORDER BY of each queue sort (ties: the encounter's id)."""
    if sort is QueueSort.NEWEST:
        return (Encounter.coded_at.desc(),)
    if sort is QueueSort.DATE:  # as Encounter.date_of_service: discharge, service, admit
        day = date_of_service_sql()
        return (day.is_(None), day, Encounter.coded_at)
    if sort is QueueSort.PAYER:
        return (Encounter.payer.is_(None), func.lower(Encounter.payer), Encounter.coded_at)
    if sort is QueueSort.CONFIDENCE:
        lowest = (
            select(func.min(CodeAssignment.confidence))
            .where(
                CodeAssignment.encounter_id == Encounter.id,
                CodeAssignment.status == CodeStatus.SUGGESTED,
            )
            .scalar_subquery()
        )
        return (lowest.is_(None), lowest, Encounter.coded_at)
    return (Encounter.coded_at,)


@dataclass(frozen=True, slots=True)
class QueueItem:
    """One encounter awaiting review, with its undecided suggestions counted."""

    encounter: str
    setting: str
    date_of_service: dt.date | None
    payer: str | None
    suggested: int
    lowest_confidence: float | None
    coded_at: dt.datetime | None
    encounter_confidence: float | None = None  # the engine's, at the last run
    # Who it is assigned to, who holds it for work and until when (a lapsed hold: None).
    assigned_to: str | None = None
    locked_by: str | None = None
    locked_until: dt.datetime | None = None

    def to_json(self) -> dict[str, Any]:
        """The item as ``medcoder queue --format json`` and the API list it."""
        day, until = self.date_of_service, self.locked_until
        return {
            "encounter": self.encounter, "setting": self.setting,
            "date_of_service": day.isoformat() if day else None, "payer": self.payer,
            "suggested": self.suggested, "lowest_confidence": self.lowest_confidence,
            "encounter_confidence": self.encounter_confidence,
            "assigned_to": self.assigned_to, "locked_by": self.locked_by,
            "locked_until": until.isoformat() if until else None,
        }  # fmt: skip


@dataclass(frozen=True, slots=True)
class CodeView:
    """One code of an encounter, decided or not, with its evidence decrypted."""

    code: str
    title: str
    sequence: int
    source: str
    status: str
    reason: str | None
    confidence: float | None
    release: str
    evidence: tuple[dict[str, Any], ...]
    # The claim fields (migration 0006): the code's system (diagnoses and procedures are
    # sequenced apart), units and modifiers of a CPT/HCPCS line, and the POA indicator of
    # an inpatient diagnosis with who set it and, for the engine's, why.
    system: str = CodeSystem.ICD10CM.value
    units: int = 1
    modifiers: tuple[str, ...] = ()
    poa: str | None = None
    poa_source: str | None = None
    poa_confidence: float | None = None
    poa_why: dict[str, Any] | None = None  # {"reason", "rule", "evidence"}

    @property
    def is_diagnosis(self) -> bool:
        return self.system == CodeSystem.ICD10CM.value

    def to_json(self) -> dict[str, Any]:
        """The code as `review show --format json` and the REST API print it."""
        return {
            "code": self.code,
            "title": self.title,
            "sequence": self.sequence,
            "source": self.source,
            "status": self.status,
            "reason": self.reason,
            "confidence": self.confidence,
            "release": self.release,
            "evidence": list(self.evidence),
            "system": self.system,
            "units": self.units,
            "modifiers": list(self.modifiers),
            "poa": self.poa,
            "poa_source": self.poa_source,
            "poa_confidence": self.poa_confidence,
            "poa_reason": self.poa_why.get("reason") if self.poa_why else None,
            "poa_evidence": list(self.poa_why.get("evidence", [])) if self.poa_why else [],
        }


@dataclass(frozen=True, slots=True)
class EncounterView:
    """An encounter with its PHI decrypted (reading it is audited)."""

    encounter: str
    status: str
    setting: str
    date_of_service: dt.date | None
    payer: str | None
    attending: str | None
    mrn: str
    name: str
    dob: dt.date
    sex: str | None
    documents: tuple[tuple[str, str], ...]  # (kind, text)
    codes: tuple[CodeView, ...]  # every code, decided or not, active ones first
    admit_date: dt.date | None = None
    discharge_date: dt.date | None = None
    discharge_status: str | None = None  # UB-04 FL17 patient discharge status
    # Inpatient stays: the MS-DRG its active codes group to now (records/grouping.py), or
    # the grouper's error; and the DRG stored when it was finalized.
    drg: dict[str, Any] | None = None
    billed_drg: str | None = None

    @property
    def diagnoses(self) -> tuple[CodeView, ...]:
        return tuple(c for c in self.codes if c.is_diagnosis)

    def to_json(self, *, patient_apart: bool = False) -> dict[str, Any]:
        """The encounter as ``review show --format json`` writes it; ``patient_apart``:
        the patient's fields grouped under ``patient`` (the API and the workbench)."""
        patient = {"mrn": self.mrn, "name": self.name, "dob": self.dob.isoformat(),
                   "sex": self.sex}  # fmt: skip
        day = self.date_of_service
        return {
            "encounter": self.encounter,
            "status": self.status,
            "setting": self.setting,
            "date_of_service": day.isoformat() if day else None,
            "payer": self.payer,
            "attending": self.attending,
            **({"patient": patient} if patient_apart else patient),
            "documents": [{"kind": k, "text": t} for k, t in self.documents],
            "codes": [c.to_json() for c in self.diagnoses],
            # ICD-10-PCS, CPT and HCPCS lines (system, units, modifiers), numbered apart.
            "procedures": [c.to_json() for c in self.procedures],
            "admit_date": self.admit_date.isoformat() if self.admit_date else None,
            "discharge_date": self.discharge_date.isoformat() if self.discharge_date else None,
            "discharge_status": self.discharge_status,
            # Inpatient stays: the MS-DRG the active codes group to now (drg, mdc, title,
            # weight, gmlos, mcc, cc, excluded, what_if), or {"error": ...}; null otherwise.
            "drg": self.drg,
            "billed_drg": self.billed_drg,
        }

    @property
    def procedures(self) -> tuple[CodeView, ...]:
        """ICD-10-PCS, CPT and HCPCS lines, numbered apart from the diagnoses."""
        return tuple(c for c in self.codes if not c.is_diagnosis)


class QueueMixin(RecordsGate):
    """The review queue, and an encounter as a reviewer reads it."""

    def queue(
        self,
        actor: str | None,
        *,
        setting: str | None = None,
        payer: str | None = None,
        max_confidence: float | None = None,
        limit: int = 100,
        offset: int = 0,
        sort: QueueSort = QueueSort.AGE,
        audit: bool = False,
        mine: bool = False,
    ) -> list[QueueItem]:
        """Encounters awaiting review in ``sort`` order (longest waiting first by default),
        one page (``limit``, ``offset``) at a time; ``payer`` matches whatever its case;
        ``max_confidence`` keeps those whose least certain suggestion is at or below it.
        The counts come from the queue index for the page's encounters only.
        ``audit``: instead, the auto-finalized encounters sampled for audit and not yet
        audited (issue 14 part 3). ``mine``: those assigned to the acting user or held by
        them. Each item names its assignee and its holder (issue 16, part 4)."""
        with self._acting(actor, Action.VIEW_QUEUE) as (session, user):
            waiting: ColumnElement[bool] = Encounter.status == EncounterStatus.REVIEW
            if audit:
                # Still as the policy finalized it: one re-opened (and perhaps finalized
                # again by a person) has had its review.
                waiting = and_(
                    Encounter.status == EncounterStatus.FINALIZED,
                    Encounter.audit_pending.is_(True),
                    Encounter.finalized_by == AUTO,
                )
            page = select(Encounter).where(waiting)
            page = page.order_by(*_order(QueueSort(sort)), Encounter.id)
            if setting:
                page = page.where(Encounter.setting == setting.strip().lower())
            if payer and payer.strip():
                page = page.where(func.lower(Encounter.payer) == payer.strip().lower())
            if mine:
                held = and_(Encounter.locked_by == user.name, Encounter.locked_until > utcnow())
                page = page.where(or_(Encounter.assigned_to == user.name, held))
            if max_confidence is not None:
                uncertain = select(CodeAssignment.encounter_id).where(
                    CodeAssignment.encounter_id == Encounter.id,
                    CodeAssignment.status == CodeStatus.SUGGESTED,
                    CodeAssignment.confidence <= max_confidence,
                )
                page = page.where(uncertain.exists())
            encounters = list(session.scalars(page.limit(max(1, limit)).offset(max(0, offset))))
            if not encounters:
                return []
            totals = {
                encounter_id: (lowest, count)
                for encounter_id, lowest, count in session.execute(
                    select(
                        CodeAssignment.encounter_id,
                        func.min(CodeAssignment.confidence),
                        func.count(),
                    )
                    .where(
                        CodeAssignment.encounter_id.in_([e.id for e in encounters]),
                        CodeAssignment.status == CodeStatus.SUGGESTED,
                    )
                    .group_by(CodeAssignment.encounter_id)
                )
            }
            return [
                QueueItem(
                    e.external_id,
                    e.setting,
                    e.date_of_service,
                    e.payer,
                    int(totals.get(e.id, (None, 0))[1] or 0),
                    totals.get(e.id, (None, 0))[0],
                    e.coded_at,
                    e.encounter_confidence,
                    e.assigned_to,
                    locks.live_holder(e),
                    locks.aware(e.locked_until) if locks.live_holder(e) else None,
                )
                for e in encounters
            ]

    # -- reading an encounter (PHI) -------------------------------------------------------
    def encounter_view(self, actor: str | None, encounter_id: str) -> EncounterView:
        fields = list(PHI_FIELDS)
        with self._reading(actor, encounter_id, "encounter", fields=fields) as (_, encounter):
            return self._encounter_view(encounter)

    def _encounter_view(self, encounter: Encounter) -> EncounterView:
        """The encounter with its PHI decrypted; the caller audits the read."""
        patient = encounter.patient
        c = self.cipher
        dob = dt.date.fromisoformat(c.decrypt(patient.dob_enc, field="patients.dob"))
        # Active before decided, diagnoses before procedures, each group in order.
        codes = sorted(
            encounter.codes,
            key=lambda a: (
                a.status not in ACTIVE_STATUSES,
                a.system != CodeSystem.ICD10CM.value,
                a.sequence,
                a.id,
            ),
        )
        view = EncounterView(
            encounter=encounter.external_id,
            status=encounter.status,
            setting=encounter.setting,
            date_of_service=encounter.date_of_service,
            payer=encounter.payer,
            attending=encounter.attending,
            mrn=c.decrypt(patient.mrn_enc, field="patients.mrn"),
            name=c.decrypt(patient.name_enc, field="patients.name"),
            dob=dob,
            sex=patient.sex,
            documents=tuple(
                (d.kind, c.decrypt(d.text_enc, field="documents.text")) for d in encounter.documents
            ),
            codes=tuple(self._code_view(a) for a in codes),
            admit_date=encounter.admit_date,
            discharge_date=encounter.discharge_date,
            discharge_status=encounter.discharge_status,
            drg=self._current_drg(encounter, dob),
            billed_drg=encounter.drg,
        )
        return view

    def _current_drg(self, encounter: Encounter, dob: dt.date) -> dict[str, Any] | None:
        """The DRG the stay's active codes group to now (None outside inpatient stays)."""
        active = [a for a in encounter.codes if a.status in ACTIVE_STATUSES]
        age = age_on(dob, encounter.date_of_service)
        return group_encounter(encounter, active, age, home=self._registry().home).to_json()

    def _code_view(self, a: CodeAssignment) -> CodeView:
        evidence: tuple[dict[str, Any], ...] = ()
        if a.evidence_enc is not None:
            evidence = tuple(
                json.loads(self.cipher.decrypt(a.evidence_enc, field="code_assignments.evidence"))
            )
        why: dict[str, Any] | None = None
        if a.poa_evidence_enc is not None:
            why = json.loads(
                self.cipher.decrypt(a.poa_evidence_enc, field="code_assignments.poa_evidence")
            )
        return CodeView(
            a.code,
            a.title,
            a.sequence,
            a.source,
            a.status,
            self.reason_text(a.reason),
            a.confidence,
            a.release,
            evidence,
            system=a.system,
            units=a.units or 1,
            modifiers=tuple(a.modifiers or ()),
            poa=a.poa,
            poa_source=a.poa_source,
            poa_confidence=a.poa_confidence,
            poa_why=why,
        )
