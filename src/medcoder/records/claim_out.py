"""A finalized encounter as interop's neutral ``ClaimDocument``, and the releases that
check its codes (``InstalledCodeCatalog``).

Interop knows nothing of the records; this module reads the rows (decrypting the
patient's MRN, name and birth date), keeps the reported codes in their sequence, and
hands the neutral claim to the writers. Reading one is an identified export: the
manager's right (``Action.EXPORT_IDENTIFIED``), audited as ``export`` with the format.

``claim_documents`` gives every finalized encounter at once, identified or de-identified
(``medcoder export --format fhir [--deidentified]``). De-identified claims follow the
rows export (``export.py``): patients and encounters numbered afresh in each export,
no name, MRN, encounter number, attending or birth date, and every date shifted by the
patient's offset (``RecordsGate._date_shift``).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from medcoder.errors import MedcoderError, WorkflowError
from medcoder.interop.claim import (
    ClaimDiagnosis,
    ClaimDocument,
    ClaimEncounter,
    ClaimPatient,
    ProcedureLine,
)
from medcoder.interop.code_values import CodeCatalog, check_claim
from medcoder.kinds import CodeSystem, PoaIndicator, Setting, Sex
from medcoder.records import audit
from medcoder.records.gate import RecordsGate
from medcoder.records.models import REPORTED_STATUSES, Encounter, EncounterStatus
from medcoder.records.permissions import Action
from medcoder.settings import claim_parties


class InstalledCodeCatalog:
    """The code sets under a home, as interop's ``CodeCatalog``: ICD-10-CM billable in
    the release in force (required), ICD-10-PCS valid in its tables and CPT/HCPCS valid
    on the day (each when installed; the form checks still apply when not)."""

    def __init__(self, home: Path) -> None:
        from medcoder.codesets.hcpcs.lookup import ProcedureCodeSets
        from medcoder.codesets.pcs.store import PcsRegistry
        from medcoder.codesets.registry import Registry

        self.registry = Registry(home, quiet=True)
        self.pcs = PcsRegistry(home)
        self.procedure_sets = ProcedureCodeSets(home)

    def problem(self, system: CodeSystem, code: str, day: dt.date | None) -> str | None:
        if system is CodeSystem.ICD10CM:
            release = self.registry.choose(day=day)
            entry = release.get(code)
            if entry is None:
                return f"is not a code in {release.name}"
            if not entry.billable:
                return f"is not billable in {release.name}: code to the highest specificity"
            return None
        if system is CodeSystem.ICD10PCS:
            if not self.pcs.installed():
                return None
            check = self.pcs.choose(day=day).validate(code)
            return None if check.valid else f"is not valid: {check.message()}"
        held = (
            self.procedure_sets.has_cpt
            if system is CodeSystem.CPT
            else (self.procedure_sets.has_hcpcs)
        )
        if not held:
            return None
        try:
            status = self.procedure_sets.lookup(code, day)
        except MedcoderError as exc:
            return f"is not valid: {exc.message}"
        # No date in the message: a de-identified export checks on the real date of service.
        return None if status.valid else f"is not valid on the date of service: {status.status}"

    def close(self) -> None:
        self.registry.close()
        self.pcs.close()
        self.procedure_sets.close()


class ClaimOutMixin(RecordsGate):
    """The claim document of one finalized encounter."""

    def claim_document(self, actor: str | None, encounter_id: str, *, fmt: str) -> ClaimDocument:
        """The neutral claim of ``encounter_id`` (finalized; WorkflowError otherwise),
        audited as an identified export in format ``fmt``."""
        with self._reading(
            actor, encounter_id, "encounter", action=Action.EXPORT_IDENTIFIED, event="export",
            deidentified=False, format=fmt, fields=["mrn", "name", "dob"],
        ) as (_session, encounter):  # fmt: skip
            if encounter.status != EncounterStatus.FINALIZED:
                raise WorkflowError(
                    f"encounter {encounter_id} is {encounter.status}, not finalized: a claim "
                    "is written for a finalized encounter only",
                    hint=f"review and finalize it: medcoder review {encounter_id} finalize",
                )
            return self._claim_of(encounter)

    def claim_documents(
        self, actor: str | None, *, deidentified: bool, catalog: CodeCatalog | None = None
    ) -> list[ClaimDocument]:
        """Every finalized encounter's claim, in encounter order; audited as one export.
        With ``catalog`` each claim's codes are checked first (``checked_claim``)."""
        action = Action.EXPORT_DEIDENTIFIED if deidentified else Action.EXPORT_IDENTIFIED
        with self._acting(actor, action) as (session, user):
            encounters = session.scalars(
                select(Encounter)
                .where(Encounter.status == EncounterStatus.FINALIZED)
                .options(selectinload(Encounter.codes), selectinload(Encounter.patient))
                .order_by(Encounter.id)
            ).all()
            patients: dict[int, str] = {}
            claims = []
            for number, encounter in enumerate(encounters, start=1):
                if not deidentified:
                    claims.append(self.checked_claim(encounter, catalog))
                    continue
                pseudonym = patients.setdefault(encounter.patient_id, f"P{len(patients) + 1:06d}")
                pseudonyms = (pseudonym, f"E{number:06d}")
                claims.append(self.checked_claim(encounter, catalog, pseudonyms=pseudonyms))
            audit.record(
                session,
                actor=user.name,
                action="export",
                entity="encounters",
                entity_id=None,
                deidentified=deidentified,
                format="fhir",
                encounters=[e.external_id for e in encounters],
                fields=[] if deidentified else ["mrn", "name", "dob"],
            )
            return claims

    def checked_claim(
        self,
        encounter: Encounter,
        catalog: CodeCatalog | None,
        *,
        pseudonyms: tuple[str, str] | None = None,
    ) -> ClaimDocument:
        """The claim of ``encounter`` (de-identified with ``pseudonyms``), its codes checked
        with ``catalog`` against the releases in force on the REAL dates of service: a
        de-identified claim's shifted dates may cross a release boundary the coding never
        did (issue 15). The claim checked carries the pseudonyms, so an error names no
        identifier."""
        if catalog is not None:
            check_claim(self._claim_of(encounter, pseudonyms=pseudonyms, shift=False), catalog)
        return self._claim_of(encounter, pseudonyms=pseudonyms)

    def _claim_of(
        self,
        encounter: Encounter,
        *,
        pseudonyms: tuple[str, str] | None = None,
        shift: bool = True,
    ) -> ClaimDocument:
        """The claim of ``encounter``; with ``pseudonyms`` (patient, encounter) de-identified,
        its dates shifted unless ``shift`` is False (for ``checked_claim`` only)."""
        patient = encounter.patient
        reported = sorted(
            (c for c in encounter.codes if c.status in REPORTED_STATUSES),
            key=lambda c: c.sequence,
        )
        diagnoses = tuple(
            ClaimDiagnosis(c.code, PoaIndicator.parse(c.poa) if c.poa else None, c.release)
            for c in reported
            if CodeSystem(c.system).is_diagnosis
        )
        procedures = tuple(
            ProcedureLine(
                CodeSystem(c.system),
                c.code,
                units=c.units or 1,
                modifiers=tuple(c.modifiers or ()),
                release=c.release,
            )
            for c in reported
            if not CodeSystem(c.system).is_diagnosis
        )
        offset = dt.timedelta(0)
        if pseudonyms is None:
            dob = self.cipher.decrypt(patient.dob_enc, field="patients.dob")
            who = ClaimPatient(
                patient_id=self.cipher.decrypt(patient.mrn_enc, field="patients.mrn"),
                name=self.cipher.decrypt(patient.name_enc, field="patients.name"),
                dob=dt.date.fromisoformat(dob) if dob else None,
                sex=Sex(patient.sex) if patient.sex in ("F", "M") else None,
            )
            claim_id = encounter.external_id
        else:
            offset = self._date_shift(patient.id) if shift else dt.timedelta(0)
            who = ClaimPatient(
                patient_id=pseudonyms[0],
                name="",
                dob=None,
                sex=Sex(patient.sex) if patient.sex in ("F", "M") else None,
                deidentified=True,
            )
            claim_id = pseudonyms[1]

        def moved(day: dt.date | None) -> dt.date | None:
            return day + offset if day is not None else None

        return ClaimDocument(
            claim_id=claim_id,
            patient=who,
            encounter=ClaimEncounter(
                encounter_id=claim_id,
                setting=Setting.parse(encounter.setting),
                service_date=moved(encounter.service_date),
                admit_date=moved(encounter.admit_date),
                discharge_date=moved(encounter.discharge_date),
                discharge_status=encounter.discharge_status,
                payer=encounter.payer,
                attending=None if pseudonyms else encounter.attending,
            ),
            diagnoses=diagnoses,
            procedures=procedures,
            drg=encounter.drg,
            drg_version=encounter.drg_version,
            parties=claim_parties(),
        )
