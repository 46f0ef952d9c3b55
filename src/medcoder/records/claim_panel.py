"""The claim as it stands (issue 16, part 2): the claim edits run on an encounter's active
codes without finalizing, so a coder sees each finding beside its code after every
change, and the release notice of a date no installed release covers (part 5).

Nothing is stored and nothing is locked; reading it is audited (it names the codes).
The MS-DRG slot is filled where the encounter view carries it (``drg``); the HCC slot,
for a payer that risk-adjusts, with each diagnosis's CMS-HCC (V28) flags and the raw
score they give (``risk_flags``), else None.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from medcoder.edits.findings import finding_json
from medcoder.errors import MedcoderError
from medcoder.records.history import HistoryEvent, HistoryMixin
from medcoder.records.models import ACTIVE_STATUSES, CodeAssignment, Encounter, PhysicianQuery
from medcoder.records.queries import QueriesMixin, QueryView
from medcoder.records.risk_flags import hcc_flags


@dataclass(frozen=True, slots=True)
class ClaimCheck:
    """The claim edits' findings on the active codes, and what they read."""

    encounter: str
    errors: int
    warnings: int
    findings: list[dict[str, Any]]
    releases: dict[str, str]
    skipped: list[str]
    release_notice: str | None = None
    drg: dict[str, Any] | None = None  # the lead's DRG wiring fills this slot
    hcc: dict[str, Any] | None = None  # risk-adjusted payers: ``risk_flags.hcc_flags``

    def to_json(self) -> dict[str, Any]:
        return {
            "encounter": self.encounter,
            "errors": self.errors,
            "warnings": self.warnings,
            "findings": self.findings,
            "releases": self.releases,
            "skipped": self.skipped,
            "release_notice": self.release_notice,
            "drg": self.drg,
            "hcc": self.hcc,
        }


class ClaimPanelMixin(QueriesMixin, HistoryMixin):
    """The live claim panel's check."""

    def claim_check(self, actor: str | None, encounter_id: str) -> ClaimCheck:
        """Run the claim edits on the encounter's active codes (suggested ones included:
        the claim they would make if accepted) without finalizing."""
        with self._reading(actor, encounter_id, "claim_check") as (_session, encounter):
            return self._claim_check(encounter)

    def review_extras(
        self, actor: str | None, encounter_id: str
    ) -> tuple[list[HistoryEvent], ClaimCheck | MedcoderError, list[QueryView]]:
        """The encounter page's history, claim check and physician queries in one
        transaction and one audited read (each audited read commits and anchors the trail:
        one, not three, per page). A claim check that cannot run (no edit tables, say) is
        returned as its error."""
        also = ["claim_check", "queries"]
        with self._reading(actor, encounter_id, "history", also=also) as (session, encounter):
            return self._review_extras(session, encounter)

    def _review_extras(
        self, session: Session, encounter: Encounter
    ) -> tuple[list[HistoryEvent], ClaimCheck | MedcoderError, list[QueryView]]:
        """``review_extras`` unaudited: the caller audits the read."""
        events = self._history(session, encounter)
        queries = [
            self._query_view(row, encounter)
            for row in session.scalars(
                select(PhysicianQuery)
                .where(PhysicianQuery.encounter_id == encounter.id)
                .order_by(PhysicianQuery.id)
            )
        ]
        check: ClaimCheck | MedcoderError
        try:
            check = self._claim_check(encounter)
        except MedcoderError as error:
            check = error
        return events, check, queries

    def _claim_check(self, encounter: Encounter) -> ClaimCheck:
        active = [c for c in encounter.codes if c.status in ACTIVE_STATUSES]
        _release, notice = self.release_choice(encounter)
        report = self._edit_report(encounter, active)
        return ClaimCheck(
            encounter=encounter.external_id,
            errors=len(report.errors),
            warnings=len(report.warnings),
            findings=[finding_json(f) for f in report.findings],
            releases=dict(report.releases),
            skipped=list(report.skipped),
            release_notice=notice,
            hcc=self._hcc_flags(encounter, active),
        )

    def _hcc_flags(
        self, encounter: Encounter, active: list[CodeAssignment]
    ) -> dict[str, Any] | None:
        patient = encounter.patient
        dob = dt.date.fromisoformat(self.cipher.decrypt(patient.dob_enc, field="patients.dob"))
        return hcc_flags(encounter, active, dob, patient.sex)
