"""The records' side of risk adjustment: a patient's finalized encounters of one year,
as the reported codes risk adjustment reads (``medcoder hcc --patient``).

Reported codes are those accepted or added by the coder (``REPORTED_STATUSES``):
ICD-10-CM rows are the diagnoses, CPT and HCPCS rows the procedures that decide whether
an encounter is eligible. The read is a PHI read (date of birth, MRN lookup): the
encounter-viewing roles only, and audited.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from medcoder.errors import RecordNotFoundError
from medcoder.hcc.eligibility import RiskEncounter
from medcoder.kinds import CodeSystem, Setting
from medcoder.records import audit
from medcoder.records.gate import RecordsGate
from medcoder.records.models import REPORTED_STATUSES, Encounter, EncounterStatus, Patient
from medcoder.records.permissions import Action


@dataclass(frozen=True, slots=True)
class RiskInputs:
    """What risk adjustment needs of one patient-year; no name, no MRN."""

    dob: dt.date
    sex: str | None
    encounters: tuple[RiskEncounter, ...]


class RiskMixin(RecordsGate):
    def risk_inputs(self, actor: str | None, mrn: str, service_year: int) -> RiskInputs:
        """The patient's finalized encounters with a date of service in ``service_year``."""
        with self._acting(actor, Action.VIEW_ENCOUNTER) as (session, user):
            index = self.cipher.blind_index(mrn.strip(), purpose="mrn")
            patient = session.scalar(select(Patient).where(Patient.mrn_index == index))
            if patient is None:
                raise RecordNotFoundError(f"no patient with MRN {mrn!r}")
            encounters = session.scalars(
                select(Encounter)
                .where(Encounter.patient_id == patient.id)
                .where(Encounter.status == EncounterStatus.FINALIZED)
                .options(selectinload(Encounter.codes))
                .order_by(Encounter.id)
            ).all()
            found = []
            for encounter in encounters:
                day = encounter.date_of_service
                if day is None or day.year != service_year:
                    continue
                reported = sorted(
                    (c for c in encounter.codes if c.status in REPORTED_STATUSES),
                    key=lambda c: c.sequence,
                )
                found.append(
                    RiskEncounter(
                        encounter.external_id,
                        Setting.parse(encounter.setting),
                        day.isoformat(),
                        tuple(c.code for c in reported if c.system == CodeSystem.ICD10CM),
                        tuple(
                            c.code
                            for c in reported
                            if c.system in (CodeSystem.CPT, CodeSystem.HCPCS)
                        ),
                    )
                )
            dob = dt.date.fromisoformat(self.cipher.decrypt(patient.dob_enc, field="patients.dob"))
            audit.record(
                session,
                actor=user.name,
                action="read",
                entity="patient",
                entity_id=patient.id,
                purpose="risk adjustment",
                service_year=service_year,
                encounters=[e.encounter for e in found],
                fields=["dob", "sex", "codes"],
            )
            return RiskInputs(dob, patient.sex, tuple(found))
