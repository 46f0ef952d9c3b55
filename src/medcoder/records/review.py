"""The review workflow: a reviewer accepts, rejects, changes, adds and orders the codes of
an encounter, then finalizes it (locked, once the claim edits pass) or re-opens it with a
reason. Every decision is audited with the code's status before and after."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from medcoder.codesets.codes import normalize
from medcoder.codesets.validate import validate
from medcoder.errors import InvalidInputError, RecordNotFoundError, WorkflowError
from medcoder.kinds import CodeSystem
from medcoder.records import audit
from medcoder.records.gate import RecordsGate, age_on
from medcoder.records.models import (
    ACTIVE_STATUSES,
    REPORTED_STATUSES,
    CodeAssignment,
    CodeSource,
    CodeStatus,
    Encounter,
    EncounterStatus,
    User,
    utcnow,
)
from medcoder.records.permissions import Action

if TYPE_CHECKING:  # claim edits run before finalize (issue 7)
    from medcoder.edits.checker import ClaimChecker
    from medcoder.edits.findings import EditReport


class ReviewMixin(RecordsGate):
    """Decisions on an encounter's codes, finalize and re-open."""

    _edit_checker: ClaimChecker | None = None  # built on the first finalize

    def accept(self, actor: str | None, encounter_id: str, code: str) -> None:
        """Accept an active code of the encounter as it stands."""
        with self._acting(actor, Action.REVIEW) as (session, user):
            encounter = self._encounter(session, encounter_id)
            self._editable(encounter)
            row = self._active(encounter, code)
            before = row.status
            self._set(row, user, CodeStatus.ACCEPTED, None)
            self._audit_code(session, user, encounter, "accept", row.code, before, row.status)

    def reject(self, actor: str | None, encounter_id: str, code: str, reason: str) -> None:
        """Reject an active code, with a reason; the codes after it move up."""
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
                system=CodeSystem.ICD10CM.value,
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
        """Add a code the engine did not suggest, validated in the release in force, last."""
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
                    system=CodeSystem.ICD10CM.value,
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
        from medcoder.records.claim_gate import gate

        return [f.key for f in gate(self._edit_report(encounter, reported), acknowledge)]

    def _edit_report(self, encounter: Encounter, reported: list[CodeAssignment]) -> EditReport:
        """The claim edits' findings on ``reported``, ICD-10-CM from the release the
        encounter is coded with (the nearest one where none covers its date)."""
        from medcoder.edits.checker import ClaimChecker, configured_tables
        from medcoder.records.claim_gate import encounter_claim

        if self._edit_checker is None:
            tables = configured_tables(home=self.home)
            self._edit_checker = ClaimChecker(self._registry(), tables)
        dob = self.cipher.decrypt(encounter.patient.dob_enc, field="patients.dob")
        age = age_on(dt.date.fromisoformat(dob), encounter.date_of_service)
        claim = encounter_claim(encounter, reported, age)
        return self._edit_checker.check(claim, release=self.release_in_force(encounter))

    def reopen(self, actor: str | None, encounter_id: str, reason: str) -> None:
        """Unlock a finalized encounter for review again; the reason is audited."""
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

    # -- helpers ------------------------------------------------------------------------
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
