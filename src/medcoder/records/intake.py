"""Bringing encounters in: documents imported into encounters, one transaction per
encounter (coding them: records/coding_runs.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from medcoder.errors import (
    ImportFormatError,
    InputTooLargeError,
    MedcoderError,
    PermissionDeniedError,
    WorkflowError,
)
from medcoder.kinds import ImportFormat
from medcoder.nlp.document import MAX_TEXT_CHARS
from medcoder.records import audit
from medcoder.records.gate import RecordsGate
from medcoder.records.importer import ImportDocument, read_path
from medcoder.records.models import (
    Document,
    Encounter,
    EncounterStatus,
    Patient,
    Role,
)
from medcoder.records.permissions import Action, allowed


@dataclass(slots=True)
class ImportReport:
    """What an import stored: encounters created, documents added, duplicates skipped, and
    the lines refused (each a one-line error)."""

    encounters_created: int = 0
    documents_added: int = 0
    duplicates: int = 0
    errors: list[ImportFormatError] = field(default_factory=list)


class IntakeMixin(RecordsGate):
    """Import documents into encounters."""

    # -- import -------------------------------------------------------------------------
    def import_path(
        self, actor: str | None, path: Path, fmt: ImportFormat | None = None
    ) -> ImportReport:
        """Import documents (JSONL, FHIR Bundles or HL7 v2 messages: ``fmt``, else seen in
        each file); one transaction per encounter, so a kill loses no committed encounter
        and leaves none half-written. Re-importing a document is a no-op."""
        with self._acting(actor, Action.IMPORT) as (_session, user):
            name = user.name
            # An importer who may not read an encounter (the admin) adds only new ones.
            may_view = allowed(Role(user.role), Action.VIEW_ENCOUNTER)
        report = ImportReport()
        group: list[ImportDocument] = []
        for item in read_path(path, fmt):
            if isinstance(item, ImportFormatError):
                report.errors.append(item)
                continue
            if group and item.encounter_id != group[0].encounter_id:
                self._import_encounter(name, group, report, may_view=may_view)
                group = []
            group.append(item)
        if group:
            self._import_encounter(name, group, report, may_view=may_view)
        return report

    def _import_encounter(
        self, actor: str, docs: list[ImportDocument], report: ImportReport, *, may_view: bool
    ) -> None:
        try:
            with self._sessions.begin() as session:
                created, added, duplicates = self._store_encounter(
                    session, actor, docs, may_view=may_view
                )
        except (MedcoderError, IntegrityError) as exc:
            problem = (
                exc.message if isinstance(exc, MedcoderError) else "conflicts with a stored record"
            )
            for doc in docs:
                report.errors.append(ImportFormatError(doc.source, problem, line=doc.line))
            return
        report.encounters_created += created
        report.documents_added += added
        report.duplicates += duplicates

    def _store_encounter(
        self, session: Session, actor: str, docs: list[ImportDocument], *, may_view: bool
    ) -> tuple[int, int, int]:
        first = docs[0]
        if any((d.mrn, d.setting) != (first.mrn, first.setting) for d in docs):
            raise WorkflowError(f"encounter {first.encounter_id}: lines disagree on MRN or setting")
        statuses = {d.discharge_status for d in docs if d.discharge_status}
        if len(statuses) > 1:
            raise WorkflowError(
                f"encounter {first.encounter_id}: lines disagree on discharge_status "
                f"({', '.join(sorted(statuses))})"
            )
        discharge_status = statuses.pop() if statuses else None
        encounter = session.scalar(
            select(Encounter).where(Encounter.external_id == first.encounter_id)
        )
        if encounter is not None and not may_view:
            # One answer whatever MRN was given: the error must not say whose it is.
            raise PermissionDeniedError(
                f"encounter {first.encounter_id} is already stored: adding to a stored "
                "encounter needs a role that may view it",
                hint="ask a manager to import the document",
            )
        mrn_index = self.cipher.blind_index(first.mrn, purpose="mrn")
        patient = session.scalar(select(Patient).where(Patient.mrn_index == mrn_index))
        if patient is not None:
            self._same_patient(patient, first)
        else:
            patient = Patient(
                mrn_index=mrn_index,
                mrn_enc=self.cipher.encrypt(first.mrn, field="patients.mrn"),
                name_enc=self.cipher.encrypt(first.name, field="patients.name"),
                dob_enc=self.cipher.encrypt(first.dob.isoformat(), field="patients.dob"),
                sex=first.sex,
            )
            session.add(patient)
            session.flush()
            audit.record(
                session,
                actor=actor,
                action="create",
                entity="patient",
                entity_id=patient.id,
                fields=["mrn", "name", "dob", "sex"],
            )
        created = 0
        if encounter is None:
            encounter = Encounter(
                external_id=first.encounter_id,
                patient_id=patient.id,
                setting=first.setting.value,
                service_date=first.service_date,
                admit_date=first.admit_date,
                discharge_date=first.discharge_date,
                attending=first.attending,
                payer=first.payer,
                status=EncounterStatus.PENDING.value,
                discharge_status=discharge_status,
            )
            session.add(encounter)
            session.flush()
            created = 1
        elif encounter.patient_id != patient.id:
            raise WorkflowError(f"encounter {first.encounter_id} belongs to another patient")
        elif discharge_status and discharge_status != encounter.discharge_status:
            if encounter.discharge_status is not None:
                raise WorkflowError(
                    f"encounter {first.encounter_id} is stored with discharge_status "
                    f"{encounter.discharge_status}, not {discharge_status}"
                )
            if encounter.status == EncounterStatus.FINALIZED:
                raise WorkflowError(f"encounter {first.encounter_id} is finalized (locked)")
            encounter.discharge_status = discharge_status
        self._check_length(encounter, docs, existing=not created)
        added, duplicates = 0, 0
        for doc in docs:
            content = self.cipher.blind_index(doc.text, purpose="document")
            exists = session.scalar(
                select(Document.id).where(
                    Document.encounter_id == encounter.id, Document.content_index == content
                )
            )
            if exists is not None:
                duplicates += 1
                continue
            if encounter.status == EncounterStatus.FINALIZED:
                raise WorkflowError(f"encounter {first.encounter_id} is finalized (locked)")
            document = Document(
                encounter_id=encounter.id,
                kind=doc.kind,
                content_index=content,
                text_enc=self.cipher.encrypt(doc.text, field="documents.text"),
            )
            session.add(document)
            added += 1
        session.flush()
        if added:
            audit.record(
                session,
                actor=actor,
                action="import",
                entity="encounter",
                entity_id=encounter.external_id,
                after={"documents_added": added, "created": bool(created)},
                fields=["text"],
            )
        return created, added, duplicates

    def _same_patient(self, patient: Patient, doc: ImportDocument) -> None:
        """A known MRN must come with its stored name and DOB (and sex, where both say):
        a mismatch is a wrong MRN or a wrong patient, never merged. Names compare without
        case or spacing; no value, stored or given, goes into the message (PHI)."""

        def plain(name: str) -> str:
            return " ".join(name.split()).casefold()

        differs = []
        if plain(self.cipher.decrypt(patient.name_enc, field="patients.name")) != plain(doc.name):
            differs.append("name")
        if self.cipher.decrypt(patient.dob_enc, field="patients.dob") != doc.dob.isoformat():
            differs.append("dob")
        if {patient.sex, doc.sex} <= {"F", "M"} and patient.sex != doc.sex:
            differs.append("sex")
        if differs:
            raise WorkflowError(
                f"MRN {doc.mrn} is stored with another {' and '.join(differs)}: not merged",
                hint="check the MRN and the patient's details in the source system",
            )

    def _check_length(
        self, encounter: Encounter, docs: list[ImportDocument], *, existing: bool
    ) -> None:
        """Refuse documents that would make the encounter's notes, joined as run_coding
        joins them, longer than a note may be (it could then never be coded)."""
        texts = [d.text for d in docs]
        if existing:  # decrypted only when adding to an encounter stored before
            texts += [
                self.cipher.decrypt(d.text_enc, field="documents.text") for d in encounter.documents
            ]
        total = sum(len(t) for t in set(texts)) + 2 * (len(set(texts)) - 1)
        if total > MAX_TEXT_CHARS:
            raise InputTooLargeError(
                f"encounter {encounter.external_id}: its notes together would be {total:,} "
                f"characters; the limit is {MAX_TEXT_CHARS:,}"
            )
