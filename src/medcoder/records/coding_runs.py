"""Coding encounters and reading the stored runs back: runs of the coding engine over an
encounter's documents, its suggestions stored for review (PHI: a stored result quotes the
note)."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from medcoder.errors import MedcoderError
from medcoder.kinds import Setting, Sex
from medcoder.nlp.document import ClinicalDocument
from medcoder.records import audit
from medcoder.records.auto_finalize import auto_finalize
from medcoder.records.gate import RecordsGate, age_on
from medcoder.records.models import CodeStatus, CodingRun, Encounter, EncounterStatus, utcnow
from medcoder.records.permissions import Action
from medcoder.records.suggestions import suggestion_rows
from medcoder.serialize import result_json


@dataclass(frozen=True, slots=True)
class CodingFailure:
    """An encounter that could not be coded: its id and the error's code and message."""

    encounter: str
    code: str
    message: str


@dataclass(slots=True)
class PendingReport:
    """What a run over the pending encounters did: codes suggested for each encounter
    coded, and the encounters that failed (nothing stored for them)."""

    coded: dict[str, int] = field(default_factory=dict)
    failures: list[CodingFailure] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class RunView:
    """One stored run of the coding engine, its result decrypted (``result_json`` form)."""

    id: int
    release: str
    engine_version: str
    run_by: str
    created_at: dt.datetime
    settings: dict[str, Any]
    result: dict[str, Any]


class CodingRunsMixin(RecordsGate):
    """Code encounters, and read the stored runs back."""

    def run_coding(self, actor: str | None, encounter_id: str) -> int:
        """Code the encounter's documents; store the run and its suggestions (how many)."""
        from medcoder import __version__

        with self._acting(actor, Action.RUN_CODING) as (session, user):
            encounter = self._encounter(session, encounter_id)
            self._editable(encounter)
            patient = encounter.patient
            texts = [
                self.cipher.decrypt(d.text_enc, field="documents.text") for d in encounter.documents
            ]
            dob = dt.date.fromisoformat(self.cipher.decrypt(patient.dob_enc, field="patients.dob"))
            age = age_on(dob, encounter.date_of_service)
            setting = Setting.parse(encounter.setting).guidelines  # emergency: Section IV
            document = ClinicalDocument(
                text="\n\n".join(texts),
                setting=setting,
                date_of_service=encounter.date_of_service,
                age=age if age is not None and 0 <= age <= 130 else None,
                sex=Sex(patient.sex) if patient.sex in ("F", "M") else None,
                id=encounter.external_id,
            )
            release, notice = self.release_choice(encounter)
            if notice:  # the nearest release, named (the engine would refuse the date)
                result = self.coding_engine().code(document, release_name=release.name)
            else:
                result = self.coding_engine().code(document)
            coded = result_json(result)
            if notice:  # a date no installed release covers: said on the run (part 5)
                coded["notices"] = [notice, *coded.get("notices", [])]
            settings = {
                "setting": setting.value,
                "date_of_service": result.date_of_service,
                "documents": [d.id for d in encounter.documents],
                "external_causes": self.coding_engine().external_causes,
                **({"release_notice": notice} if notice else {}),
            }
            run = CodingRun(
                encounter_id=encounter.id,
                engine_version=__version__,
                release=result.release,
                settings=settings,
                run_by=user.name,
                result_enc=self.cipher.encrypt(json.dumps(coded), field="coding_runs.result"),
            )
            session.add(run)
            session.flush()
            kept = [c for c in encounter.codes if c.status != CodeStatus.SUGGESTED]
            for stale in [c for c in encounter.codes if c.status == CodeStatus.SUGGESTED]:
                session.delete(stale)
            inpatient = Setting.parse(encounter.setting).is_inpatient
            rows = suggestion_rows(self.cipher, result, kept, inpatient=inpatient)
            for row in rows:
                row.encounter_id = encounter.id
                row.run_id = run.id
                row.updated_by = user.name
                session.add(row)
            suggested = len(rows)
            encounter.status = EncounterStatus.REVIEW.value
            encounter.coded_at = utcnow()
            audit.record(
                session,
                actor=user.name,
                action="run_coding",
                entity="encounter",
                entity_id=encounter.external_id,
                fields=["text", "dob", "sex"],
                after={
                    "run": run.id,
                    "release": result.release,
                    "suggested": [a.code for a in result.codes],
                    "procedures": [f"{p.system.value}:{p.code}" for p in result.procedures],
                },
            )
            session.flush()  # the suggestions, for the autonomous-coding policy to read
            auto_finalize(
                self, session, user, encounter, result.encounter_confidence, reviewed=bool(kept)
            )
            return suggested

    def code_pending(self, actor: str | None) -> PendingReport:
        """Code every pending encounter, going on past one that fails: each is its own
        transaction, so a failure stores nothing for that encounter and keeps it pending."""
        report = PendingReport()
        for encounter_id in self.pending(actor):
            try:
                report.coded[encounter_id] = self.run_coding(actor, encounter_id)
            except MedcoderError as exc:
                report.failures.append(CodingFailure(encounter_id, exc.code, exc.message))
            except Exception as exc:  # one encounter's bug must not stop the others
                message = f"unexpected {type(exc).__name__}: {exc}"
                report.failures.append(CodingFailure(encounter_id, "E000", message[:500]))
        return report

    def pending(self, actor: str | None) -> list[str]:
        """Encounters imported and not yet coded, oldest first."""
        with self._acting(actor, Action.RUN_CODING) as (session, _user):
            query = select(Encounter.external_id).where(Encounter.status == EncounterStatus.PENDING)
            return list(session.scalars(query.order_by(Encounter.created_at, Encounter.id)))

    # -- stored runs (PHI: the stored result quotes the note) ---------------------------
    def coding_runs(self, actor: str | None, encounter_id: str) -> list[RunView]:
        """Every coding run of the encounter, newest first, with the engine's full result
        (evidence, index paths, rules, dropped candidates). Reading it is audited."""
        fields = ["text", "evidence"]
        with self._reading(actor, encounter_id, "coding_runs", fields=fields) as (session, found):
            return self._run_views(session, found)

    def _run_views(
        self, session: Session, encounter: Encounter, limit: int | None = None
    ) -> list[RunView]:
        """The encounter's runs, newest first (``limit``: only so many decrypted); the
        caller audits the read."""
        query = (
            select(CodingRun)
            .where(CodingRun.encounter_id == encounter.id)
            .order_by(CodingRun.id.desc())
            .limit(limit)
        )
        return [
            RunView(
                id=r.id,
                release=r.release,
                engine_version=r.engine_version,
                run_by=r.run_by,
                created_at=r.created_at,
                settings=dict(r.settings),
                result=json.loads(self.cipher.decrypt(r.result_enc, field="coding_runs.result")),
            )
            for r in session.scalars(query)
        ]
