"""The end of a review: finalize (every suggestion decided, the claim edits passed or
their warnings acknowledged, the MS-DRG of an inpatient stay billed, the encounter locked
and the patient enrolled in the registries it qualifies for) and re-open with a reason.
Both are audited with the status before and after."""

from __future__ import annotations

import datetime as dt
import weakref
from typing import TYPE_CHECKING

from medcoder.errors import WorkflowError
from medcoder.records import audit, enrollment, hcc_store
from medcoder.records.code_lines import is_dx, poa_complete
from medcoder.records.gate import RecordsGate, age_on
from medcoder.records.grouping import group_encounter
from medcoder.records.models import (
    REPORTED_STATUSES,
    CodeAssignment,
    CodeStatus,
    Encounter,
    EncounterStatus,
)
from medcoder.records.permissions import Action

if TYPE_CHECKING:  # claim edits run before finalize (issue 7)
    from sqlalchemy.orm import Session

    from medcoder.edits.checker import ClaimChecker
    from medcoder.edits.findings import EditReport

#: One claim checker per records service, built on its first claim edit (the edit tables
#: are read once); finalize, the claim panel and auto-finalize all check through it.
_CHECKERS: weakref.WeakKeyDictionary[RecordsGate, ClaimChecker] = weakref.WeakKeyDictionary()


class FinalizeMixin(RecordsGate):
    """Finalize and re-open an encounter."""

    def finalize(
        self, actor: str | None, encounter_id: str, acknowledge: str | None = None
    ) -> None:
        """Lock the encounter once every suggestion is decided and the claim edits pass
        (errors block; warnings need ``acknowledge``, a reason, which is audited)."""
        with self._acting(actor, Action.FINALIZE) as (session, user):
            encounter = self._encounter(session, encounter_id)
            self._workable(session, encounter, user)
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
            poa_complete(encounter, reported)
            acknowledged = self._claim_edits(encounter, reported, acknowledge)
            billed = self._bill_drg(encounter, reported)
            encounter.lock(user.name)
            audit.record(
                session,
                actor=user.name,
                action="finalize",
                entity="encounter",
                entity_id=encounter.external_id,
                before={"status": "review"},
                after={
                    "status": "finalized",
                    "codes": [
                        c.code for c in sorted(reported, key=lambda c: (not is_dx(c), c.sequence))
                    ],
                    **billed,
                },
                **({"edit_warnings": acknowledged, "reason": acknowledge} if acknowledged else {}),
            )
            after_finalize(self, session, user.name, encounter)

    def _claim_edits(
        self, encounter: Encounter, reported: list[CodeAssignment], acknowledge: str | None
    ) -> list[str]:
        """Claim edits (medcoder.edits) on the codes to report; the warnings acknowledged."""
        from medcoder.records.claim_gate import gate

        return [f.key for f in gate(self._edit_report(encounter, reported), acknowledge)]

    def _edit_report(self, encounter: Encounter, reported: list[CodeAssignment]) -> EditReport:
        return edit_report(self, encounter, reported)

    def reopen(self, actor: str | None, encounter_id: str, reason: str) -> None:
        """Unlock a finalized encounter for review again; the reason is audited."""
        with self._acting(actor, Action.REOPEN) as (session, user):
            encounter = self._encounter(session, encounter_id)
            if encounter.status != EncounterStatus.FINALIZED:
                raise WorkflowError(f"encounter {encounter.external_id} is not finalized")
            reason = self._reason(reason, "re-opening a finalized encounter")
            encounter.unlock()
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
            after_reopen(self, session, encounter)

    # -- helpers ---
    def _bill_drg(self, encounter: Encounter, reported: list[CodeAssignment]) -> dict[str, str]:
        return bill_drg(self, encounter, reported)


def edit_report(
    records: RecordsGate, encounter: Encounter, reported: list[CodeAssignment]
) -> EditReport:
    """The claim edits' findings on ``reported``, ICD-10-CM from the release the
    encounter is coded with (the nearest one where none covers its date): the one entry
    point of finalize, the claim panel and auto-finalize."""
    from medcoder.edits.checker import ClaimChecker, configured_tables
    from medcoder.records.claim_gate import encounter_claim

    checker = _CHECKERS.get(records)
    if checker is None:
        tables = configured_tables(home=records.home)
        checker = _CHECKERS[records] = ClaimChecker(records._registry(), tables)
    dob = records.cipher.decrypt(encounter.patient.dob_enc, field="patients.dob")
    age = age_on(dt.date.fromisoformat(dob), encounter.date_of_service)
    claim = encounter_claim(encounter, reported, age)
    return checker.check(claim, release=records.release_in_force(encounter))


def bill_drg(
    records: RecordsGate, encounter: Encounter, reported: list[CodeAssignment]
) -> dict[str, str]:
    """Store the MS-DRG of an inpatient stay as finalized (what reports read); the
    audit detail gets the DRG, or the grouper's error code where it assigned none (the
    claim edits have already passed: a grouper that is not configured here does not
    block the claim, but it is never silent). Finalize and auto-finalize both bill here."""
    dob = records.cipher.decrypt(encounter.patient.dob_enc, field="patients.dob")
    age = age_on(dt.date.fromisoformat(dob), encounter.date_of_service)
    grouping = group_encounter(encounter, reported, age, home=records._registry().home)
    if grouping.result is not None:
        encounter.drg = grouping.result.drg
        encounter.drg_version = grouping.result.version
        encounter.drg_weight = grouping.result.weight
        return {"drg": grouping.result.drg}
    encounter.drg = encounter.drg_version = encounter.drg_weight = None
    return {"drg_error": grouping.error[0]} if grouping.error else {}


def after_finalize(
    records: RecordsGate, session: Session, actor: str, encounter: Encounter
) -> None:
    """What a finalized encounter changes beyond itself (issue 15): registry enrollment
    and the patient-year's stored HCC score. Finalize and auto-finalize both end here."""
    dob = dt.date.fromisoformat(
        records.cipher.decrypt(encounter.patient.dob_enc, field="patients.dob")
    )
    enrollment.on_finalize(session, actor, encounter, dob)
    hcc_store.on_change(session, encounter, dob)


def after_reopen(records: RecordsGate, session: Session, encounter: Encounter) -> None:
    """What re-opening a finalized encounter changes beyond itself (issue 15): its
    patient-year's stored HCC score, rescored without it in the same transaction. Every
    path that unlocks a finalized encounter ends here (``reopen``, an auditor's
    disagreement with an auto-finalized one); registry membership waits for the next
    finalize (``enrollment``)."""
    dob = records.cipher.decrypt(encounter.patient.dob_enc, field="patients.dob")
    hcc_store.on_change(session, encounter, dt.date.fromisoformat(dob))
