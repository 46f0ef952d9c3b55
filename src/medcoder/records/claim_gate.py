"""Claim edits on stored encounters: the gate before ``finalize`` (errors block; warnings
need an acknowledgement with a reason) and the re-check of open encounters after a new
release or quarter is installed.

This is records workflow that uses the claim edits (``medcoder.edits``); the edits know
nothing of the records.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from medcoder.edits.checker import ClaimChecker, EditTables
from medcoder.edits.claim import Claim, ClaimCode, sort_codes
from medcoder.edits.findings import EditReport, Finding, finding_json
from medcoder.errors import EditsBlockedError, MedcoderError, WorkflowError
from medcoder.kinds import CodeSystem, Setting
from medcoder.records.gate import RecordsGate
from medcoder.records.models import ACTIVE_STATUSES, CodeAssignment, Encounter, EncounterStatus
from medcoder.records.permissions import Action


def encounter_claim(
    encounter: Encounter, codes: Sequence[CodeAssignment], age: int | None
) -> Claim:
    """The claim an encounter's codes make (``codes``: the ones to report, in order)."""
    lines: list[ClaimCode] = []
    for row in sorted(codes, key=lambda c: c.sequence):
        try:
            system = CodeSystem(row.system)
        except ValueError:
            continue
        # Units and modifiers as stored on the line (migration 0006): the NCCI PTP, MUE
        # and modifier-validity edits read them.
        modifiers = tuple(row.modifiers or ())
        lines.append(ClaimCode(system, row.code, row.sequence, modifiers, row.units or 1))
    setting = Setting.parse(encounter.setting).guidelines
    day = encounter.date_of_service or dt.date.today()
    return Claim(encounter.external_id, day, setting, sort_codes(lines), age, encounter.patient.sex)


def gate(report: EditReport, acknowledgement: str | None) -> list[Finding]:
    """Raise E603 for edit errors, or warnings without an acknowledgement; return the
    warnings acknowledged (to audit them)."""
    if report.errors:
        listed = "; ".join(f"{f.edit} {' '.join(f.codes)}: {f.message}" for f in report.errors)
        raise EditsBlockedError(
            f"{len(report.errors)} claim edit error(s): {listed}",
            hint="fix each (" + "; ".join(f.fix for f in report.errors[:2]) + ") and finalize",
        )
    if report.warnings and not (acknowledgement or "").strip():
        listed = "; ".join(f"{f.edit} {' '.join(f.codes)}: {f.message}" for f in report.warnings)
        raise EditsBlockedError(
            f"{len(report.warnings)} claim edit warning(s) to acknowledge: {listed}",
            hint="fix them, or finalize --acknowledge REASON to report the codes as they are",
        )
    if acknowledgement is not None and not acknowledgement.strip():
        raise WorkflowError("an acknowledgement needs a reason", hint="--acknowledge REASON")
    return list(report.warnings)


@dataclass(frozen=True, slots=True)
class RecheckResult:
    """An open encounter's findings that its codes' own release did not give."""

    encounter: str
    release: str  # the ICD-10-CM release in force now
    coded_in: tuple[str, ...]  # the releases the codes were validated in
    new: tuple[Finding, ...]  # findings now that the codes' own release did not give

    def to_json(self) -> dict[str, Any]:
        return {
            "encounter": self.encounter,
            "release": self.release,
            "coded_in": list(self.coded_in),
            "new": [finding_json(f) for f in self.new],
        }


def recheck_open(
    records: RecordsGate, actor: str | None, tables: EditTables
) -> list[RecheckResult]:
    """Open encounters (not finalized) whose codes the releases installed now break."""
    registry = records._registry()
    checker = ClaimChecker(registry, tables)
    results: list[RecheckResult] = []
    with records._acting(actor, Action.VIEW_QUEUE) as (session, _user):
        query = select(Encounter).where(Encounter.status == EncounterStatus.REVIEW.value)
        for encounter in session.scalars(query.order_by(Encounter.id)):
            active = [c for c in encounter.codes if c.status in ACTIVE_STATUSES]
            if not active:
                continue
            claim = encounter_claim(encounter, active, None)
            now = checker.check(claim)
            # The ICD-10-CM releases only: procedure lines name their own systems' releases.
            coded_in = tuple(
                sorted({c.release for c in active if c.system == CodeSystem.ICD10CM.value})
            )
            # The oldest release the codes were coded in, if not the one in force now:
            # what it did not flag, the release in force now breaks.
            older = [n for n in coded_in if n != now.releases.get(CodeSystem.ICD10CM)]
            if not older:
                continue
            try:
                old = checker.check(claim, release=registry.open(older[0]))
            except MedcoderError:  # that release is no longer installed: all is new
                before: set[str] = set()
            else:
                before = {f.key for f in old.findings}
            new = tuple(f for f in now.findings if f.key not in before)
            if new:
                results.append(
                    RecheckResult(
                        encounter.external_id, now.releases[CodeSystem.ICD10CM], coded_in, new
                    )
                )
    return results
