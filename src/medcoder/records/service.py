"""The records service: every action checks the acting user's role and is audited.

The CLI and the API only parse input and print; permissions, validation, the workflow
(suggested -> accepted / rejected / changed / added -> finalized, locked until re-opened
with a reason), encryption of PHI and the audit trail all live in the records package.
``Records`` composes one mixin per concern, each passing through the one gate
(``RecordsGate._acting`` in ``gate``):

- ``users``: users and roles, deactivation;
- ``credentials``: passwords, the credential version tokens carry, API keys;
- ``intake``: import of documents, coding runs and the stored runs; ``failures``: the
  encounters a run over the pending ones could not code, and why;
- ``queue``: the review queue and an encounter as a reviewer reads it;
- ``assignment``: who works which encounter: assign, take (the next), release; the work
  lock every review action holds is ``locks``;
- ``review``: accept / reject / change / add / resequence; ``finalize``: finalize /
  reopen (the claim edits' gate before finalize is ``claim_gate``);
- ``queries``: physician queries (templates as data), open / answered / closed;
- ``claim_panel``: the claim edits on the active codes, without finalizing;
- ``history``: an encounter's timeline, read from the audit trail;
- ``page``: the workbench's encounter page (encounter, run, history, claim check,
  queries) as one audited read;
- ``line_review``: units and modifiers of a CPT/HCPCS line, POA of an inpatient diagnosis;
- ``export``: identified and de-identified export;
- ``claim_out``: a finalized encounter as a claim document (837P/837I, FHIR);
- ``registry_service``: registries (issue 15; enrollment at finalize is ``enrollment``);
- ``reporting``: the door the reports (``medcoder.reports``) read the database through;
- ``admin``: the audit chain's check and key rotation;
- ``autonomy``: the autonomous-coding policy a manager sets (``auto_finalize`` applies it
  in each coding run) and the audit of what it finalized.
"""

from __future__ import annotations

from medcoder.records.admin import AdminMixin
from medcoder.records.assignment import AssignmentMixin, LockView
from medcoder.records.autonomy import AutonomyMixin
from medcoder.records.claim_out import ClaimOutMixin
from medcoder.records.claim_panel import ClaimCheck, ClaimPanelMixin
from medcoder.records.coding_runs import CodingRunsMixin, RunView
from medcoder.records.credentials import CredentialsMixin
from medcoder.records.export import ExportMixin
from medcoder.records.failures import FailedItem, FailuresMixin
from medcoder.records.gate import RecordsGate
from medcoder.records.history import HistoryEvent, HistoryMixin
from medcoder.records.intake import ImportReport, IntakeMixin
from medcoder.records.line_review import LineReviewMixin
from medcoder.records.page import EncounterPage, EncounterPageMixin
from medcoder.records.queries import QueriesMixin, QueryView
from medcoder.records.queue import CodeView, EncounterView, QueueItem, QueueMixin
from medcoder.records.registry_service import RegistryMixin, RegistrySummary
from medcoder.records.reporting import ReportingMixin
from medcoder.records.review import ReviewMixin
from medcoder.records.risk import RiskMixin
from medcoder.records.users import UsersMixin

__all__ = [
    "ClaimCheck",
    "CodeView",
    "EncounterPage",
    "EncounterView",
    "FailedItem",
    "HistoryEvent",
    "ImportReport",
    "LockView",
    "QueryView",
    "QueueItem",
    "Records",
    "RegistrySummary",
    "RunView",
]


class Records(
    EncounterPageMixin,
    UsersMixin,
    CredentialsMixin,
    FailuresMixin,
    IntakeMixin,
    CodingRunsMixin,
    QueueMixin,
    AssignmentMixin,
    ClaimPanelMixin,
    QueriesMixin,
    ReviewMixin,
    HistoryMixin,
    LineReviewMixin,
    RegistryMixin,
    ReportingMixin,
    ExportMixin,
    RiskMixin,
    ClaimOutMixin,
    AdminMixin,
    AutonomyMixin,
    RecordsGate,
):
    """The coded-records service over one database and one key ring."""
