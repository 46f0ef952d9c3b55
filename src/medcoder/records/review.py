"""The review workflow: a reviewer accepts, rejects, changes, adds and orders the codes of
an encounter (then finalizes it: ``finalize``). Every decision is audited with the code's
status before and after, and checks the encounter's work lock (``locks``): another
user's hold refuses it with E408; the actor's own hold is renewed.

Diagnoses (ICD-10-CM) and procedures (ICD-10-PCS, CPT, HCPCS) are two groups, each
numbered from 1 as on the claim (837 HI and SV/SV2 segments): diagnosis 1 is the
first-listed or principal diagnosis, procedure 1 the first procedure line. A code is
addressed with its system where its shape does not say it (``code_lines``)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from medcoder.codesets.validate import validate
from medcoder.errors import InvalidInputError, WorkflowError
from medcoder.kinds import CodeSystem, PoaIndicator, Setting
from medcoder.records import audit
from medcoder.records.code_lines import (
    NewLine,
    System,
    check_inpatient_pcs,
    check_modifiers,
    check_units,
    is_dx,
    label,
    parse_system,
    resolve_new,
    split_named,
    validate_modifiers,
    validate_procedure,
)
from medcoder.records.gate import RecordsGate
from medcoder.records.models import (
    ACTIVE_STATUSES,
    CodeAssignment,
    CodeStatus,
    CodingRun,
    Encounter,
    EncounterStatus,
    User,
    utcnow,
)
from medcoder.records.permissions import Action


class ReviewMixin(RecordsGate):
    """Decisions on an encounter's codes."""

    def accept(
        self, actor: str | None, encounter_id: str, code: str, *, system: System = None
    ) -> None:
        """Accept an active code of the encounter as it stands."""
        with self._acting(actor, Action.REVIEW) as (session, user):
            encounter = self._encounter(session, encounter_id)
            self._workable(session, encounter, user)
            row = self._active_line(encounter, code, system)
            before = row.status
            self._set(row, user, CodeStatus.ACCEPTED, None)
            self._audit_code(session, user, encounter, "accept", row, before, row.status)

    def reject(
        self,
        actor: str | None,
        encounter_id: str,
        code: str,
        reason: str,
        *,
        system: System = None,
    ) -> None:
        """Reject an active code, with a reason; the codes after it in its group move up."""
        with self._acting(actor, Action.REVIEW) as (session, user):
            encounter = self._encounter(session, encounter_id)
            self._workable(session, encounter, user)
            reason = self._reason(reason, "rejecting a code")
            row = self._active_line(encounter, code, system)
            before = row.status
            self._set(row, user, CodeStatus.REJECTED, reason)
            self._renumber(encounter)
            self._audit_code(
                session, user, encounter, "reject", row, before, row.status, reason=reason
            )

    def change(
        self,
        actor: str | None,
        encounter_id: str,
        code: str,
        new_code: str,
        reason: str | None,
        *,
        system: System = None,
        new_system: System = None,
        units: int | None = None,
        modifiers: Sequence[str] | None = None,
        poa: str | None = None,
    ) -> None:
        """Replace a code by another of its group (the old code's system unless
        ``new_system``), validated in its system's release in force on the date."""
        with self._acting(actor, Action.REVIEW) as (session, user):
            encounter = self._encounter(session, encounter_id)
            self._workable(session, encounter, user)
            row = self._active_line(encounter, code, system)
            old_system = CodeSystem(row.system)
            target = parse_system(new_system) or old_system
            if target.is_line_item and old_system.is_line_item:
                # A service line changed keeps its units and modifiers unless given anew.
                units = row.units if units is None else units
                modifiers = list(row.modifiers or ()) if modifiers is None else modifiers
            line = self._new_line(encounter, new_code, target, units, modifiers, poa)
            if line.system.is_diagnosis != old_system.is_diagnosis:
                raise InvalidInputError(
                    f"{row.code} ({old_system.value}) cannot become {line.code} "
                    f"({line.system.value}): a diagnosis is changed to a diagnosis, a "
                    "procedure to a procedure",
                    hint="reject the code and add the other",
                )
            new = line.row(
                encounter,
                user,
                row.sequence,
                CodeStatus.ACCEPTED,
                reason or f"changed from {row.code}",
            )
            new.evidence_enc = row.evidence_enc  # the words stay with the code (issue 16)
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
                row,
                before,
                row.status,
                new_code=line.code,
                new_system=line.system.value,
                reason=reason,
                **line.audit(),
            )

    def add(
        self,
        actor: str | None,
        encounter_id: str,
        code: str,
        reason: str | None,
        *,
        system: System = None,
        units: int | None = None,
        modifiers: Sequence[str] | None = None,
        poa: str | None = None,
    ) -> None:
        """Add a code the engine did not suggest, validated in its system's release in
        force, last of its group (diagnoses or procedures)."""
        with self._acting(actor, Action.REVIEW) as (session, user):
            encounter = self._encounter(session, encounter_id)
            self._workable(session, encounter, user)
            line = self._new_line(encounter, code, system, units, modifiers, poa)
            group = [
                c
                for c in encounter.codes
                if c.status in ACTIVE_STATUSES and is_dx(c) == line.system.is_diagnosis
            ]
            row = line.row(encounter, user, len(group) + 1, CodeStatus.ADDED, reason)
            row.evidence_enc = self._dropped_evidence(session, encounter, line.code)
            session.add(row)
            if encounter.status == EncounterStatus.PENDING:
                encounter.status = EncounterStatus.REVIEW.value
                encounter.coded_at = utcnow()
            self._audit_code(
                session, user, encounter, "add", row, None, CodeStatus.ADDED, reason=reason,
                **line.audit(),
            )  # fmt: skip

    def _dropped_evidence(self, session: Session, encounter: Encounter, code: str) -> bytes | None:
        """A code added that the latest run considered and dropped keeps that candidate's
        words as its evidence ("code this" on a dropped candidate; issue 16, part 3)."""
        run = session.scalar(
            select(CodingRun)
            .where(CodingRun.encounter_id == encounter.id)
            .order_by(CodingRun.id.desc())
            .limit(1)
        )
        if run is None:
            return None
        result = json.loads(self.cipher.decrypt(run.result_enc, field="coding_runs.result"))
        words = [
            item["evidence"]
            for item in result.get("dropped", [])
            if item.get("code") == code and isinstance(item.get("evidence"), dict)
        ]
        if not words:
            return None
        return self.cipher.encrypt(json.dumps(words[:1]), field="code_assignments.evidence")

    def resequence(
        self,
        actor: str | None,
        encounter_id: str,
        codes: Sequence[str],
        *,
        system: System = None,
    ) -> None:
        """Put the active codes of one group in this order: the diagnoses (first =
        first-listed / principal) or the procedures. ``SYSTEM:CODE`` names one code's
        system; ``system`` names every unnamed one's."""
        with self._acting(actor, Action.REVIEW) as (session, user):
            encounter = self._encounter(session, encounter_id)
            self._workable(session, encounter, user)
            rows = [self._active_line(encounter, *split_named(code, system)) for code in codes]
            diagnoses = {is_dx(r) for r in rows}
            if len(diagnoses) > 1:
                raise InvalidInputError(
                    "diagnoses and procedures are sequenced apart: list one group",
                    hint="sequence the diagnoses, then (separately) the procedures",
                )
            dx = diagnoses.pop() if diagnoses else True
            group = [c for c in encounter.codes if c.status in ACTIVE_STATUSES and is_dx(c) == dx]
            if sorted(r.id for r in rows) != sorted(r.id for r in group) or len(
                {r.id for r in rows}
            ) != len(rows):
                listed = ", ".join(sorted(label(c) for c in group))
                kind = "diagnoses" if dx else "procedures"
                raise InvalidInputError(
                    f"give every active code once ({kind}): {listed}",
                    hint="codes not listed keep no place; reject a code to drop it",
                )
            before = [label(c) for c in sorted(group, key=lambda c: c.sequence)]
            for sequence, row in enumerate(rows, start=1):
                row.sequence = sequence
                row.updated_by = user.name
            audit.record(
                session,
                actor=user.name,
                action="resequence",
                entity="encounter",
                entity_id=encounter.external_id,
                before=before,
                after=[label(r) for r in rows],
            )

    # -- helpers ------------------------------------------------------------------------
    def _new_line(
        self,
        encounter: Encounter,
        code: str,
        system: System,
        units: int | None,
        modifiers: Sequence[str] | None,
        poa: str | None,
    ) -> NewLine:
        """A code to add, validated in its own system's release in force on the date of
        service, with its units, modifiers (checked against the HCPCS modifier list) and,
        for an inpatient diagnosis, its POA indicator."""
        chosen, key = resolve_new(code, system)
        inpatient = Setting.parse(encounter.setting).is_inpatient
        check_inpatient_pcs(chosen, inpatient, encounter.external_id)
        count = check_units(units, chosen)
        mods = check_modifiers(modifiers, chosen)
        indicator = None
        if poa is not None and str(poa).strip():
            if not (chosen.is_diagnosis and inpatient):
                raise InvalidInputError("a POA indicator goes on inpatient diagnoses only")
            indicator = PoaIndicator.parse(poa)
        if chosen is CodeSystem.ICD10CM:
            key, title, release = self._validated(encounter, key)
        else:
            day = encounter.date_of_service
            key, title, release = validate_procedure(self.coding_engine().chooser, chosen, key, day)
            validate_modifiers(self.coding_engine().chooser, mods, day)
        if any(
            c.code == key and c.system == chosen.value and c.status in ACTIVE_STATUSES
            for c in encounter.codes
        ):
            raise WorkflowError(f"{key} is already on encounter {encounter.external_id}")
        return NewLine(chosen, key, title, release, count, mods, indicator)

    def _validated(self, encounter: Encounter, code: str) -> tuple[str, str, str]:
        release = self.release_in_force(encounter)
        result = validate(release, code)
        if not result.valid:
            hint = f"try: {', '.join(result.suggestions)}" if result.suggestions else None
            raise InvalidInputError(f"{result.code}: {result.reason} ({release.name})", hint=hint)
        return result.code, result.title or "", release.name

    @staticmethod
    def _set(row: CodeAssignment, user: User, status: CodeStatus, reason: str | None) -> None:
        row.status = status.value
        row.reason = reason
        row.updated_by = user.name
        row.updated_at = utcnow()

    @staticmethod
    def _renumber(encounter: Encounter) -> None:
        """Number each group's active codes 1, 2, ... in their order."""
        for dx in (True, False):
            active = sorted(
                (c for c in encounter.codes if c.status in ACTIVE_STATUSES and is_dx(c) == dx),
                key=lambda c: c.sequence,
            )
            for sequence, row in enumerate(active, start=1):
                row.sequence = sequence

    @staticmethod
    def _audit_code(
        session: Session,
        user: User,
        encounter: Encounter,
        action: str,
        row: CodeAssignment,
        before: str | None,
        after: str,
        **extra: Any,
    ) -> None:
        """A review decision on one line: its status before and after."""
        RecordsGate._audit_line(
            session, user, encounter, action, row, {"status": before}, {"status": str(after)},
            **extra,
        )  # fmt: skip
