"""The records service: every action checks the acting user's role and is audited.

The CLI (and later the API) only parse input and print; permissions, validation, the
workflow (suggested -> accepted / rejected / changed / added -> finalized, locked until
re-opened with a reason), encryption of PHI and the audit trail all live here.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from medcoder.codesets.codes import normalize
from medcoder.codesets.store import Release
from medcoder.codesets.validate import validate
from medcoder.errors import (
    EncryptionKeyError,
    ImportFormatError,
    InvalidInputError,
    MedcoderError,
    PermissionDeniedError,
    RecordNotFoundError,
    WorkflowError,
)
from medcoder.kinds import Setting, Sex
from medcoder.nlp.document import ClinicalDocument
from medcoder.pipeline import CodingEngine
from medcoder.records import audit, crypto, db, deid, passwords
from medcoder.records.importer import ImportDocument, read_path
from medcoder.records.models import (
    ACTIVE_STATUSES,
    REPORTED_STATUSES,
    ApiKey,
    CodeAssignment,
    CodeSource,
    CodeStatus,
    CodingRun,
    Document,
    Encounter,
    EncounterSetting,
    EncounterStatus,
    KeyState,
    Patient,
    Role,
    User,
    utcnow,
)
from medcoder.records.permissions import Action, allowed
from medcoder.serialize import evidence_json, result_json
from medcoder.settings import home_dir

if TYPE_CHECKING:  # claim edits run before finalize (issue 7)
    from medcoder.edits.checker import ClaimChecker

ICD10CM = "icd10cm"
KEY_CHECK = "medcoder-key-check"


@dataclass(slots=True)
class ImportReport:
    encounters_created: int = 0
    documents_added: int = 0
    duplicates: int = 0
    errors: list[ImportFormatError] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class QueueItem:
    encounter: str
    setting: str
    date_of_service: dt.date | None
    payer: str | None
    suggested: int
    lowest_confidence: float | None
    coded_at: dt.datetime | None


@dataclass(frozen=True, slots=True)
class CodeView:
    code: str
    title: str
    sequence: int
    source: str
    status: str
    reason: str | None
    confidence: float | None
    release: str
    evidence: tuple[dict[str, Any], ...]

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
        }


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


def _age(dob: dt.date, on: dt.date | None) -> int | None:
    if on is None:
        return None
    return on.year - dob.year - ((on.month, on.day) < (dob.month, dob.day))


class Records:
    """The coded-records service over one database and one key ring."""

    _edit_checker: ClaimChecker | None = None  # built on the first finalize

    def __init__(
        self,
        engine: Engine,
        cipher: crypto.FieldCipher,
        *,
        home: Path | None = None,
        coder: CodingEngine | None = None,
    ) -> None:
        self.engine = engine
        self.cipher = cipher
        self.home = home_dir(home)
        self._coder = coder
        self._sessions = db.session_factory(engine)

    # -- opening ------------------------------------------------------------------------
    @classmethod
    def init(cls, home: Path | None = None) -> Records:
        """Create the key file (unless ``MEDCODER_KEY`` is set) and migrate to head."""
        where = home_dir(home)
        crypto.create_key_file(where)
        engine = db.make_engine(db.database_url(where))
        try:
            db.upgrade(engine)
            records = cls(engine, crypto.load_cipher(where), home=where)
            records._check_key(create=True)
        except BaseException:
            engine.dispose()  # no pooled connection outlives a refusal
            raise
        return records

    @classmethod
    def open(cls, home: Path | None = None, *, coder: CodingEngine | None = None) -> Records:
        where = home_dir(home)
        engine = db.make_engine(db.database_url(where))
        try:
            db.check_current(engine)
            records = cls(engine, crypto.load_cipher(where), home=where, coder=coder)
            records._check_key()
        except BaseException:
            engine.dispose()
            raise
        return records

    def close(self) -> None:
        self.engine.dispose()

    def _check_key(self, *, create: bool = False) -> None:
        """Refuse a key the database was not written with before anything is stored."""
        with self._sessions.begin() as session:
            state = session.get(KeyState, 1)
            if state is None:
                if create:
                    token = self.cipher.encrypt(KEY_CHECK, field="key_state.check")
                    session.add(KeyState(id=1, key_id=self.cipher.current, check_enc=token))
                return
            try:
                self.cipher.decrypt(state.check_enc, field="key_state.check")
            except EncryptionKeyError as exc:
                raise EncryptionKeyError(
                    f"the loaded key cannot read this database (it was written under key "
                    f"{state.key_id})",
                    hint="set MEDCODER_KEY or records.key to the key the database uses",
                ) from exc

    # -- acting users -------------------------------------------------------------------
    @contextmanager
    def _acting(self, actor: str | None, action: Action) -> Iterator[tuple[Session, User]]:
        """One transaction as ``actor``; a refused action is audited, then raised."""
        session = self._sessions()
        try:
            user, refusal = self._authorize(session, actor, action)
            if refusal is not None or user is None:
                audit.record(
                    session,
                    actor=actor or "(none)",
                    action="denied",
                    entity="action",
                    entity_id=action.value,
                )
                session.commit()
                raise refusal or PermissionDeniedError("no acting user")
            yield session, user
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def _authorize(
        self, session: Session, actor: str | None, action: Action
    ) -> tuple[User | None, PermissionDeniedError | None]:
        if not actor:
            return None, PermissionDeniedError(
                "no acting user", hint="pass --user NAME or set MEDCODER_USER"
            )
        user = session.scalar(select(User).where(User.name == actor))
        if user is None or not user.active:
            return None, PermissionDeniedError(
                f"no active user named {actor!r}",
                hint="an admin adds users with `medcoder users add NAME --role ROLE`",
            )
        if not allowed(Role(user.role), action):
            return user, PermissionDeniedError(
                f"{actor} ({user.role}) may not {action.value.replace('_', ' ')}",
                hint="ask an admin for a role that allows it",
            )
        return user, None

    # -- users --------------------------------------------------------------------------
    def add_user(self, actor: str | None, name: str, role: str) -> None:
        """Add a user; the very first user must be an admin and needs no acting user."""
        parsed = Role.parse(role)
        name = name.strip()
        if not name:
            raise InvalidInputError("a user needs a name")
        with self._sessions.begin() as session:
            if session.scalar(select(func.count()).select_from(User)) == 0:
                if parsed is not Role.ADMIN:
                    raise PermissionDeniedError(
                        "the first user must be an admin", hint="add it with --role admin"
                    )
                session.add(User(name=name, role=parsed.value))
                audit.record(
                    session,
                    actor=name,
                    action="user_add",
                    entity="user",
                    entity_id=name,
                    after={"role": parsed.value},
                    bootstrap=True,
                )
                return
        with self._acting(actor, Action.MANAGE_USERS) as (session, user):
            if session.scalar(select(User).where(User.name == name)) is not None:
                raise InvalidInputError(
                    f"a user named {name!r} exists", hint="change a role with `medcoder users role`"
                )
            session.add(User(name=name, role=parsed.value))
            audit.record(
                session,
                actor=user.name,
                action="user_add",
                entity="user",
                entity_id=name,
                after={"role": parsed.value},
            )

    def set_role(self, actor: str | None, name: str, role: str) -> None:
        parsed = Role.parse(role)
        with self._acting(actor, Action.MANAGE_USERS) as (session, user):
            target = self._user(session, name)
            before = target.role
            target.role = parsed.value
            audit.record(
                session,
                actor=user.name,
                action="user_role",
                entity="user",
                entity_id=name,
                before={"role": before},
                after={"role": parsed.value},
            )

    def list_users(self, actor: str | None) -> list[tuple[str, str, bool]]:
        with self._acting(actor, Action.MANAGE_USERS) as (session, _user):
            users = session.scalars(select(User).order_by(User.name))
            return [(u.name, u.role, u.active) for u in users]

    # -- import -------------------------------------------------------------------------
    def import_path(self, actor: str | None, path: Path) -> ImportReport:
        """Import documents; one transaction per encounter, so a kill loses no committed
        encounter and leaves none half-written. Re-importing a document is a no-op."""
        with self._acting(actor, Action.IMPORT) as (_session, user):
            name = user.name
        report = ImportReport()
        group: list[ImportDocument] = []
        for item in read_path(path):
            if isinstance(item, ImportFormatError):
                report.errors.append(item)
                continue
            if group and item.encounter_id != group[0].encounter_id:
                self._import_encounter(name, group, report)
                group = []
            group.append(item)
        if group:
            self._import_encounter(name, group, report)
        return report

    def _import_encounter(
        self, actor: str, docs: list[ImportDocument], report: ImportReport
    ) -> None:
        try:
            with self._sessions.begin() as session:
                created, added, duplicates = self._store_encounter(session, actor, docs)
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
        self, session: Session, actor: str, docs: list[ImportDocument]
    ) -> tuple[int, int, int]:
        first = docs[0]
        if any((d.mrn, d.setting) != (first.mrn, first.setting) for d in docs):
            raise WorkflowError(f"encounter {first.encounter_id}: lines disagree on MRN or setting")
        mrn_index = self.cipher.blind_index(first.mrn, purpose="mrn")
        patient = session.scalar(select(Patient).where(Patient.mrn_index == mrn_index))
        if patient is None:
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
        encounter = session.scalar(
            select(Encounter).where(Encounter.external_id == first.encounter_id)
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
            )
            session.add(encounter)
            session.flush()
            created = 1
        elif encounter.patient_id != patient.id:
            raise WorkflowError(f"encounter {first.encounter_id} belongs to another patient")
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

    # -- coding -------------------------------------------------------------------------
    def coding_engine(self) -> CodingEngine:
        if self._coder is None:
            from medcoder.pipeline import engine_for

            self._coder = engine_for(self.home)
        return self._coder

    def release_in_force(self, encounter: Encounter) -> Release:
        return self.coding_engine().registry.choose(day=encounter.date_of_service)

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
            age = _age(dob, encounter.date_of_service)
            setting = (
                Setting.INPATIENT
                if encounter.setting == EncounterSetting.INPATIENT
                else Setting.OUTPATIENT
            )
            document = ClinicalDocument(
                text="\n\n".join(texts),
                setting=setting,
                date_of_service=encounter.date_of_service,
                age=age if age is not None and 0 <= age <= 130 else None,
                sex=Sex(patient.sex) if patient.sex in ("F", "M") else None,
                id=encounter.external_id,
            )
            result = self.coding_engine().code(document)
            settings = {
                "setting": setting.value,
                "date_of_service": result.date_of_service,
                "documents": [d.id for d in encounter.documents],
                "external_causes": self.coding_engine().external_causes,
            }
            run = CodingRun(
                encounter_id=encounter.id,
                engine_version=__version__,
                release=result.release,
                settings=settings,
                run_by=user.name,
                result_enc=self.cipher.encrypt(
                    json.dumps(result_json(result)), field="coding_runs.result"
                ),
            )
            session.add(run)
            session.flush()
            kept = [c for c in encounter.codes if c.status != CodeStatus.SUGGESTED]
            for stale in [c for c in encounter.codes if c.status == CodeStatus.SUGGESTED]:
                session.delete(stale)
            active = {c.code for c in kept if c.status in ACTIVE_STATUSES}
            decided = {c.code for c in kept}
            sequence = len(active)
            suggested = 0
            for assignment in result.codes:
                if assignment.code in decided:
                    continue
                sequence += 1
                suggested += 1
                evidence = json.dumps([evidence_json(e) for e in assignment.evidence])
                session.add(
                    CodeAssignment(
                        encounter_id=encounter.id,
                        run_id=run.id,
                        system=assignment.system,
                        code=assignment.code,
                        title=assignment.title,
                        sequence=sequence,
                        source=CodeSource.ENGINE.value,
                        status=CodeStatus.SUGGESTED.value,
                        confidence=assignment.confidence,
                        release=assignment.release,
                        evidence_enc=self.cipher.encrypt(
                            evidence, field="code_assignments.evidence"
                        ),
                        updated_by=user.name,
                    )
                )
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
                },
            )
            return suggested

    def pending(self, actor: str | None) -> list[str]:
        with self._acting(actor, Action.RUN_CODING) as (session, _user):
            query = select(Encounter.external_id).where(Encounter.status == EncounterStatus.PENDING)
            return list(session.scalars(query.order_by(Encounter.created_at, Encounter.id)))

    # -- review queue -------------------------------------------------------------------
    def queue(
        self,
        actor: str | None,
        *,
        setting: str | None = None,
        payer: str | None = None,
        max_confidence: float | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> list[QueueItem]:
        """Encounters awaiting review, oldest first, one page (``limit``, ``offset``) at a
        time; ``max_confidence`` keeps those whose least certain suggestion is at or below
        it. The counts come from the queue index for the page's encounters only."""
        with self._acting(actor, Action.VIEW_QUEUE) as (session, _user):
            page = (
                select(Encounter)
                .where(Encounter.status == EncounterStatus.REVIEW)
                .order_by(Encounter.coded_at, Encounter.id)
            )
            if setting:
                page = page.where(Encounter.setting == setting.strip().lower())
            if payer:
                page = page.where(Encounter.payer == payer)
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
                )
                for e in encounters
            ]

    # -- reading an encounter (PHI) -------------------------------------------------------
    def encounter_view(self, actor: str | None, encounter_id: str) -> EncounterView:
        with self._acting(actor, Action.VIEW_ENCOUNTER) as (session, user):
            encounter = self._encounter(session, encounter_id)
            patient = encounter.patient
            c = self.cipher
            codes = sorted(
                encounter.codes, key=lambda a: (a.status not in ACTIVE_STATUSES, a.sequence, a.id)
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
                dob=dt.date.fromisoformat(c.decrypt(patient.dob_enc, field="patients.dob")),
                sex=patient.sex,
                documents=tuple(
                    (d.kind, c.decrypt(d.text_enc, field="documents.text"))
                    for d in encounter.documents
                ),
                codes=tuple(self._code_view(a) for a in codes),
            )
            audit.record(
                session,
                actor=user.name,
                action="read",
                entity="encounter",
                entity_id=encounter.external_id,
                fields=["mrn", "name", "dob", "sex", "text", "evidence"],
            )
            return view

    def _code_view(self, a: CodeAssignment) -> CodeView:
        evidence: tuple[dict[str, Any], ...] = ()
        if a.evidence_enc is not None:
            evidence = tuple(
                json.loads(self.cipher.decrypt(a.evidence_enc, field="code_assignments.evidence"))
            )
        return CodeView(
            a.code,
            a.title,
            a.sequence,
            a.source,
            a.status,
            a.reason,
            a.confidence,
            a.release,
            evidence,
        )

    # -- review actions -----------------------------------------------------------------
    def accept(self, actor: str | None, encounter_id: str, code: str) -> None:
        with self._acting(actor, Action.REVIEW) as (session, user):
            encounter = self._encounter(session, encounter_id)
            self._editable(encounter)
            row = self._active(encounter, code)
            before = row.status
            self._set(row, user, CodeStatus.ACCEPTED, None)
            self._audit_code(session, user, encounter, "accept", row.code, before, row.status)

    def reject(self, actor: str | None, encounter_id: str, code: str, reason: str) -> None:
        with self._acting(actor, Action.REVIEW) as (session, user):
            encounter = self._encounter(session, encounter_id)
            self._editable(encounter)
            reason = self._reason(reason, "rejecting a code")
            row = self._active(encounter, code)
            before = row.status
            self._set(row, user, CodeStatus.REJECTED, reason)
            self._renumber(encounter)
            self._audit_code(
                session, user, encounter, "reject", row.code, before, row.status, reason=reason
            )

    def change(
        self, actor: str | None, encounter_id: str, code: str, new_code: str, reason: str | None
    ) -> None:
        """Replace a code by another, validated in the release in force on the date."""
        with self._acting(actor, Action.REVIEW) as (session, user):
            encounter = self._encounter(session, encounter_id)
            self._editable(encounter)
            row = self._active(encounter, code)
            key, title, release = self._validated(encounter, new_code)
            if any(c.code == key and c.status in ACTIVE_STATUSES for c in encounter.codes):
                raise WorkflowError(f"{key} is already on encounter {encounter.external_id}")
            new = CodeAssignment(
                encounter_id=encounter.id,
                system=ICD10CM,
                code=key,
                title=title,
                sequence=row.sequence,
                source=CodeSource.CODER.value,
                status=CodeStatus.ACCEPTED.value,
                reason=reason or f"changed from {row.code}",
                release=release,
                updated_by=user.name,
            )
            session.add(new)
            session.flush()
            before = row.status
            self._set(row, user, CodeStatus.CHANGED, reason)
            row.replaced_by = new.id
            self._audit_code(
                session,
                user,
                encounter,
                "change",
                row.code,
                before,
                row.status,
                new_code=key,
                reason=reason,
            )

    def add(self, actor: str | None, encounter_id: str, code: str, reason: str | None) -> None:
        with self._acting(actor, Action.REVIEW) as (session, user):
            encounter = self._encounter(session, encounter_id)
            self._editable(encounter)
            key, title, release = self._validated(encounter, code)
            active = [c for c in encounter.codes if c.status in ACTIVE_STATUSES]
            if any(c.code == key for c in active):
                raise WorkflowError(f"{key} is already on encounter {encounter.external_id}")
            session.add(
                CodeAssignment(
                    encounter_id=encounter.id,
                    system=ICD10CM,
                    code=key,
                    title=title,
                    sequence=len(active) + 1,
                    source=CodeSource.CODER.value,
                    status=CodeStatus.ADDED.value,
                    reason=reason,
                    release=release,
                    updated_by=user.name,
                )
            )
            if encounter.status == EncounterStatus.PENDING:
                encounter.status = EncounterStatus.REVIEW.value
                encounter.coded_at = utcnow()
            self._audit_code(
                session, user, encounter, "add", key, None, CodeStatus.ADDED, reason=reason
            )

    def resequence(self, actor: str | None, encounter_id: str, codes: Sequence[str]) -> None:
        """Put the active codes in this order (first = first-listed / principal)."""
        with self._acting(actor, Action.REVIEW) as (session, user):
            encounter = self._encounter(session, encounter_id)
            self._editable(encounter)
            active = {c.code: c for c in encounter.codes if c.status in ACTIVE_STATUSES}
            order = [self._normalize(code) for code in codes]
            if sorted(order) != sorted(active) or len(set(order)) != len(order):
                raise InvalidInputError(
                    f"give every active code once: {', '.join(sorted(active))}",
                    hint="codes not listed keep no place; reject a code to drop it",
                )
            before = [c.code for c in sorted(active.values(), key=lambda c: c.sequence)]
            for sequence, code in enumerate(order, start=1):
                active[code].sequence = sequence
                active[code].updated_by = user.name
            audit.record(
                session,
                actor=user.name,
                action="resequence",
                entity="encounter",
                entity_id=encounter.external_id,
                before=before,
                after=order,
            )

    def finalize(
        self, actor: str | None, encounter_id: str, acknowledge: str | None = None
    ) -> None:
        """Lock the encounter once every suggestion is decided and the claim edits pass
        (errors block; warnings need ``acknowledge``, a reason, which is audited)."""
        with self._acting(actor, Action.FINALIZE) as (session, user):
            encounter = self._encounter(session, encounter_id)
            self._editable(encounter)
            undecided = [c.code for c in encounter.codes if c.status == CodeStatus.SUGGESTED]
            if undecided:
                raise WorkflowError(
                    f"{len(undecided)} suggested code(s) undecided: {', '.join(undecided)}",
                    hint="accept, reject or change each before finalizing",
                )
            reported = [c for c in encounter.codes if c.status in REPORTED_STATUSES]
            if not reported:
                raise WorkflowError(
                    f"encounter {encounter.external_id} has no code to report",
                    hint="add a code first",
                )
            acknowledged = self._claim_edits(encounter, reported, acknowledge)
            encounter.status = EncounterStatus.FINALIZED.value
            encounter.finalized_at = utcnow()
            encounter.finalized_by = user.name
            audit.record(
                session,
                actor=user.name,
                action="finalize",
                entity="encounter",
                entity_id=encounter.external_id,
                before={"status": "review"},
                after={
                    "status": "finalized",
                    "codes": [c.code for c in sorted(reported, key=lambda c: c.sequence)],
                },
                **({"edit_warnings": acknowledged, "reason": acknowledge} if acknowledged else {}),
            )

    def _claim_edits(
        self, encounter: Encounter, reported: list[CodeAssignment], acknowledge: str | None
    ) -> list[str]:
        """Claim edits (medcoder.edits) on the codes to report; the warnings acknowledged."""
        from medcoder.codesets.registry import Registry
        from medcoder.edits.checker import ClaimChecker, configured_tables
        from medcoder.edits.records import encounter_claim, gate

        if self._edit_checker is None:
            tables = configured_tables(home=self.home)
            registry = self._coder.registry if self._coder else Registry(self.home, quiet=True)
            self._edit_checker = ClaimChecker(registry, tables)
        dob = self.cipher.decrypt(encounter.patient.dob_enc, field="patients.dob")
        age = _age(dt.date.fromisoformat(dob), encounter.date_of_service)
        report = self._edit_checker.check(encounter_claim(encounter, reported, age))
        return [f.key for f in gate(report, acknowledge)]

    def reopen(self, actor: str | None, encounter_id: str, reason: str) -> None:
        with self._acting(actor, Action.REOPEN) as (session, user):
            encounter = self._encounter(session, encounter_id)
            if encounter.status != EncounterStatus.FINALIZED:
                raise WorkflowError(f"encounter {encounter.external_id} is not finalized")
            reason = self._reason(reason, "re-opening a finalized encounter")
            encounter.status = EncounterStatus.REVIEW.value
            encounter.finalized_at = None
            encounter.finalized_by = None
            audit.record(
                session,
                actor=user.name,
                action="reopen",
                entity="encounter",
                entity_id=encounter.external_id,
                before={"status": "finalized"},
                after={"status": "review"},
                reason=reason,
            )

    # -- export -------------------------------------------------------------------------
    def _date_shift(self, patient_id: int) -> dt.timedelta:
        """-182..-1 or +1..+182 days: never zero, so no real date passes through."""
        digest = self.cipher.blind_index(str(patient_id), purpose="date-shift")
        n = int(digest[:8], 16) % 364
        return dt.timedelta(days=n - 182 if n < 182 else n - 181)

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
        ``text``, scrubbed of identifiers by ``deid.scrub``.
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
                dob = dt.date.fromisoformat(
                    self.cipher.decrypt(patient.dob_enc, field="patients.dob")
                )
                day = encounter.date_of_service
                if deidentified:
                    age = _age(dob, day)
                    pseudonym = patients.setdefault(patient.id, f"P{len(patients) + 1:06d}")
                    base: dict[str, Any] = {
                        "patient": pseudonym,
                        "encounter": f"E{number:06d}",
                        "age": None if age is None else ("90+" if age >= 90 else str(age)),
                        "sex": patient.sex,
                        "setting": encounter.setting,
                        "date_shifted": (day + self._date_shift(patient.id)).isoformat()
                        if day
                        else None,
                        "payer": encounter.payer,
                    }
                    if with_text:
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
                        )
                        base["text"] = "\n\n".join(
                            deid.scrub(self.cipher.decrypt(d.text_enc, field="documents.text"), who)
                            for d in encounter.documents
                        )
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
                reported = sorted(
                    (c for c in encounter.codes if c.status in REPORTED_STATUSES),
                    key=lambda c: c.sequence,
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

    # -- audit and keys -----------------------------------------------------------------
    def verify_audit(self, actor: str | None) -> audit.ChainReport:
        with self._acting(actor, Action.VERIFY_AUDIT) as (session, _user):
            return audit.verify(session)

    def rotate_keys(self, actor: str | None) -> Counter[str]:
        """Re-encrypt every PHI value under a new key, in one transaction."""
        with self._acting(actor, Action.ROTATE_KEYS) as (_session, _user):
            pass
        rotated = crypto.begin_rotation(self.home, self.cipher)
        counts: Counter[str] = Counter()
        with self._acting(actor, Action.ROTATE_KEYS) as (session, user):

            def again(token: bytes, field: str) -> bytes:
                counts[field] += 1
                return rotated.encrypt(rotated.decrypt(token, field=field), field=field)

            for p in session.scalars(select(Patient)):
                mrn = rotated.decrypt(p.mrn_enc, field="patients.mrn")
                p.mrn_index = rotated.blind_index(mrn, purpose="mrn")
                p.mrn_enc = again(p.mrn_enc, "patients.mrn")
                p.name_enc = again(p.name_enc, "patients.name")
                p.dob_enc = again(p.dob_enc, "patients.dob")
            for d in session.scalars(select(Document)):
                text = rotated.decrypt(d.text_enc, field="documents.text")
                d.content_index = rotated.blind_index(text, purpose="document")
                d.text_enc = again(d.text_enc, "documents.text")
            for r in session.scalars(select(CodingRun)):
                r.result_enc = again(r.result_enc, "coding_runs.result")
            for a in session.scalars(
                select(CodeAssignment).where(CodeAssignment.evidence_enc.is_not(None))
            ):
                assert a.evidence_enc is not None
                a.evidence_enc = again(a.evidence_enc, "code_assignments.evidence")
            state = session.get(KeyState, 1)
            if state is not None:
                state.key_id = rotated.current
                state.check_enc = rotated.encrypt(KEY_CHECK, field="key_state.check")
            audit.record(
                session,
                actor=user.name,
                action="rotate_keys",
                entity="keys",
                entity_id=rotated.current,
                before={"key": self.cipher.current},
                after={"key": rotated.current, "values": sum(counts.values())},
            )
        crypto.finish_rotation(self.home, rotated)
        self.cipher = crypto.FieldCipher(
            {rotated.current: rotated.keys[rotated.current]}, rotated.current
        )
        return counts

    # -- credentials (the REST API) ---------------------------------------------------
    def set_password(self, actor: str | None, name: str, password: str) -> None:
        """Set a user's API password (argon2id); only admins manage credentials."""
        hashed = passwords.hash_password(password)
        with self._acting(actor, Action.MANAGE_USERS) as (session, user):
            target = self._user(session, name)
            target.password_hash = hashed
            audit.record(
                session, actor=user.name, action="set_password", entity="user", entity_id=name
            )

    def authenticate(self, name: str, password: str) -> tuple[str, str] | None:
        """(name, role) when the password is right and the user active; a failure is
        audited (the name tried, never the password)."""
        with self._sessions.begin() as session:
            user = session.scalar(select(User).where(User.name == name))
            ok = passwords.verify_password(user.password_hash if user else None, password)
            if user is None or not ok or not user.active:
                audit.record(
                    session,
                    actor=name[:80] or "(none)",
                    action="login_failed",
                    entity="user",
                    entity_id=name[:120] or None,
                )
                return None
            return user.name, user.role

    def active_user(self, name: str) -> tuple[str, str] | None:
        """(name, role) of an active user, else None (checked on every API request)."""
        with self._sessions() as session:
            user = session.scalar(select(User).where(User.name == name))
            if user is None or not user.active:
                return None
            return user.name, user.role

    def create_api_key(self, actor: str | None, name: str, label: str) -> str:
        """A new API key acting as user ``name``; the key is shown once, only its hash kept."""
        key = "mck_" + secrets.token_urlsafe(32)
        with self._acting(actor, Action.MANAGE_USERS) as (session, user):
            target = self._user(session, name)
            session.add(
                ApiKey(
                    user_id=target.id,
                    label=label.strip()[:120] or "api key",
                    key_hash=hashlib.sha256(key.encode()).hexdigest(),
                    created_by=user.name,
                )
            )
            audit.record(
                session,
                actor=user.name,
                action="api_key_create",
                entity="user",
                entity_id=name,
                after={"label": label[:120]},
            )
        return key

    def api_key_user(self, key: str) -> tuple[str, str] | None:
        """(name, role) of the active user an unrevoked key acts as, else None."""
        digest = hashlib.sha256(key.encode("utf-8", "replace")).hexdigest()
        with self._sessions() as session:
            row = session.scalar(
                select(ApiKey).where(ApiKey.key_hash == digest, ApiKey.revoked_at.is_(None))
            )
            if row is None or not row.user.active:
                return None
            return row.user.name, row.user.role

    # -- coding runs (PHI: the stored result quotes the note) ---------------------------
    def coding_runs(self, actor: str | None, encounter_id: str) -> list[RunView]:
        """Every coding run of the encounter, newest first, with the engine's full result
        (evidence, index paths, rules, dropped candidates). Reading it is audited."""
        with self._acting(actor, Action.VIEW_ENCOUNTER) as (session, user):
            encounter = self._encounter(session, encounter_id)
            runs = session.scalars(
                select(CodingRun)
                .where(CodingRun.encounter_id == encounter.id)
                .order_by(CodingRun.id.desc())
            ).all()
            views = [
                RunView(
                    id=r.id,
                    release=r.release,
                    engine_version=r.engine_version,
                    run_by=r.run_by,
                    created_at=r.created_at,
                    settings=dict(r.settings),
                    result=json.loads(
                        self.cipher.decrypt(r.result_enc, field="coding_runs.result")
                    ),
                )
                for r in runs
            ]
            audit.record(
                session,
                actor=user.name,
                action="read",
                entity="coding_runs",
                entity_id=encounter.external_id,
                fields=["text", "evidence"],
            )
            return views

    # -- helpers ------------------------------------------------------------------------
    @staticmethod
    def _user(session: Session, name: str) -> User:
        target = session.scalar(select(User).where(User.name == name))
        if target is None:
            raise RecordNotFoundError(f"no user named {name!r}")
        return target

    def _encounter(self, session: Session, encounter_id: str) -> Encounter:
        encounter = session.scalar(select(Encounter).where(Encounter.external_id == encounter_id))
        if encounter is None:
            raise RecordNotFoundError(
                f"no encounter {encounter_id!r}",
                hint="`medcoder queue` lists encounters awaiting review",
            )
        return encounter

    @staticmethod
    def _editable(encounter: Encounter) -> None:
        if encounter.status == EncounterStatus.FINALIZED:
            raise WorkflowError(
                f"encounter {encounter.external_id} is finalized (locked)",
                hint=f"re-open it with a reason: medcoder review {encounter.external_id} "
                "reopen --reason TEXT",
            )

    @staticmethod
    def _normalize(code: str) -> str:
        try:
            return normalize(code)
        except InvalidInputError:
            return code.strip().upper()

    def _active(self, encounter: Encounter, code: str) -> CodeAssignment:
        key = self._normalize(code)
        for row in encounter.codes:
            if row.code == key and row.status in ACTIVE_STATUSES:
                return row
        active = ", ".join(c.code for c in encounter.codes if c.status in ACTIVE_STATUSES)
        raise RecordNotFoundError(
            f"{key} is not an active code of encounter {encounter.external_id}",
            hint=f"active codes: {active or 'none'}",
        )

    def _validated(self, encounter: Encounter, code: str) -> tuple[str, str, str]:
        release = self.release_in_force(encounter)
        result = validate(release, code)
        if not result.valid:
            hint = f"try: {', '.join(result.suggestions)}" if result.suggestions else None
            raise InvalidInputError(f"{result.code}: {result.reason} ({release.name})", hint=hint)
        return result.code, result.title or "", release.name

    @staticmethod
    def _reason(reason: str | None, what: str) -> str:
        text = (reason or "").strip()
        if not text:
            raise WorkflowError(f"{what} needs a reason", hint="pass --reason TEXT")
        return text

    @staticmethod
    def _set(row: CodeAssignment, user: User, status: CodeStatus, reason: str | None) -> None:
        row.status = status.value
        row.reason = reason
        row.updated_by = user.name
        row.updated_at = utcnow()

    @staticmethod
    def _renumber(encounter: Encounter) -> None:
        active = sorted(
            (c for c in encounter.codes if c.status in ACTIVE_STATUSES), key=lambda c: c.sequence
        )
        for sequence, row in enumerate(active, start=1):
            row.sequence = sequence

    @staticmethod
    def _audit_code(
        session: Session,
        user: User,
        encounter: Encounter,
        action: str,
        code: str,
        before: str | None,
        after: str,
        **extra: Any,
    ) -> None:
        audit.record(
            session,
            actor=user.name,
            action=action,
            entity="encounter",
            entity_id=encounter.external_id,
            code=code,
            before={"status": before},
            after={"status": str(after)},
            **extra,
        )
