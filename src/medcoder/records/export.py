"""Export of finalized encounters' reported codes: identified (a manager's), or
de-identified under HIPAA Safe Harbor (analysts' too)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from medcoder.errors import InvalidInputError
from medcoder.kinds import CodeSystem
from medcoder.records import audit, deid
from medcoder.records.gate import RecordsGate, age_on
from medcoder.records.models import REPORTED_STATUSES, Encounter, EncounterStatus
from medcoder.records.permissions import Action


class ExportMixin(RecordsGate):
    """One row per reported code of each finalized encounter."""

    def export_rows(
        self, actor: str | None, *, deidentified: bool, with_text: bool = False
    ) -> list[dict[str, Any]]:
        """The reported codes of finalized encounters, one row per code.

        De-identified rows follow HIPAA Safe Harbor (45 CFR 164.514(b)(2)): no name, MRN,
        encounter number or provider; the date of service shifted by a per-patient offset
        of -182..+182 days (a keyed hash of the patient, so the same in every export made
        under one key, and intervals between a patient's encounters survive); ages over
        89 pooled as "90+"; patients and encounters numbered afresh in each export (not
        derived from any identifier); no evidence. ``with_text`` adds the encounter's notes as
        ``text``, scrubbed of identifiers by ``deid.scrub`` (told the patient's name, MRN and
        date of birth and the attending's name); the text carries no evidence spans, so
        nothing points into it by offset.
        """
        if with_text and not deidentified:
            raise InvalidInputError(
                "note text is exported only de-identified", hint="add --deidentified"
            )
        action = Action.EXPORT_DEIDENTIFIED if deidentified else Action.EXPORT_IDENTIFIED
        with self._acting(actor, action) as (session, user):
            encounters = session.scalars(
                select(Encounter)
                .where(Encounter.status == EncounterStatus.FINALIZED)
                .options(selectinload(Encounter.codes), selectinload(Encounter.patient))
                .order_by(Encounter.id)
            ).all()
            rows: list[dict[str, Any]] = []
            patients: dict[int, str] = {}
            for number, encounter in enumerate(encounters, start=1):
                patient = encounter.patient
                if deidentified:
                    pseudonym = patients.setdefault(patient.id, f"P{len(patients) + 1:06d}")
                    base = self.encounter_base(encounter, (pseudonym, f"E{number:06d}"))
                    if with_text:  # the notes before discharge_status, as the columns were
                        status = base.pop("discharge_status")
                        base["text"] = self._scrubbed_text(encounter)
                        base["discharge_status"] = status
                else:
                    base = self.encounter_base(encounter, None)
                # Diagnoses, then procedures: each group numbered apart, as on the claim.
                reported = sorted(
                    (c for c in encounter.codes if c.status in REPORTED_STATUSES),
                    key=lambda c: (c.system != CodeSystem.ICD10CM.value, c.sequence),
                )
                for c in reported:
                    rows.append(
                        {
                            **base,
                            "sequence": c.sequence,
                            "system": c.system,
                            "code": c.code,
                            "title": c.title,
                            "source": c.source,
                            "release": c.release,
                            # Claim fields: one string of modifiers, so that CSV and
                            # Parquet columns keep one type ("59,RT"; "" for none).
                            "units": c.units or 1,
                            "modifiers": ",".join(c.modifiers or ()),
                            "poa": c.poa,
                        }
                    )
            audit.record(
                session,
                actor=user.name,
                action="export",
                entity="encounters",
                entity_id=None,
                deidentified=deidentified,
                encounters=[e.external_id for e in encounters],
                fields=(
                    (["dob", "mrn", "name", "text"] if with_text else ["dob"])
                    if deidentified
                    else ["mrn", "name", "dob"]
                ),
            )
            return rows

    def encounter_base(
        self, encounter: Encounter, pseudonyms: tuple[str, str] | None
    ) -> dict[str, Any]:
        """The encounter's columns of an export row: identified (``pseudonyms`` None), or
        de-identified under Safe Harbor as ``export_rows`` states, the patient and the
        encounter named by ``pseudonyms`` (numbered afresh by the caller)."""
        patient = encounter.patient
        dob = dt.date.fromisoformat(self.cipher.decrypt(patient.dob_enc, field="patients.dob"))
        day = encounter.date_of_service
        base: dict[str, Any]
        if pseudonyms is not None:
            age = age_on(dob, day)
            base = {
                "patient": pseudonyms[0],
                "encounter": pseudonyms[1],
                "age": None if age is None else ("90+" if age >= 90 else str(age)),
                "sex": patient.sex,
                "setting": encounter.setting,
                "date_shifted": (day + self._date_shift(patient.id)).isoformat() if day else None,
                "payer": encounter.payer,
            }
        else:
            base = {
                "encounter": encounter.external_id,
                "mrn": self.cipher.decrypt(patient.mrn_enc, field="patients.mrn"),
                "name": self.cipher.decrypt(patient.name_enc, field="patients.name"),
                "dob": dob.isoformat(),
                "sex": patient.sex,
                "setting": encounter.setting,
                "date_of_service": day.isoformat() if day else None,
                "payer": encounter.payer,
                "attending": encounter.attending,
            }
        base["discharge_status"] = encounter.discharge_status
        return base

    def _scrubbed_text(self, encounter: Encounter) -> str:
        """The encounter's notes scrubbed by ``deid.scrub`` (see ``export_rows``)."""
        patient = encounter.patient
        dob = dt.date.fromisoformat(self.cipher.decrypt(patient.dob_enc, field="patients.dob"))
        who = deid.PatientIdentifiers(
            names=tuple(
                n
                for n in (
                    self.cipher.decrypt(patient.name_enc, field="patients.name"),
                    encounter.attending,
                )
                if n
            ),
            mrns=(
                self.cipher.decrypt(patient.mrn_enc, field="patients.mrn"),
                encounter.external_id,
            ),
            dob=dob,
        )
        return "\n\n".join(
            deid.scrub(self.cipher.decrypt(d.text_enc, field="documents.text"), who)
            for d in encounter.documents
        )
