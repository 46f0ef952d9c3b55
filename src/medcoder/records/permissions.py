"""Who may do what: the one table the service layer checks every action against."""

from __future__ import annotations

from enum import StrEnum

from medcoder.records.models import Role


class Action(StrEnum):
    IMPORT = "import"
    RUN_CODING = "run_coding"
    VIEW_QUEUE = "view_queue"
    VIEW_ENCOUNTER = "view_encounter"  # PHI: name, MRN, DOB, note text, evidence
    REVIEW = "review"  # accept, reject, change, add, resequence
    FINALIZE = "finalize"
    REOPEN = "reopen"
    EXPORT_IDENTIFIED = "export_identified"
    EXPORT_DEIDENTIFIED = "export_deidentified"
    VERIFY_AUDIT = "verify_audit"
    MANAGE_USERS = "manage_users"
    ROTATE_KEYS = "rotate_keys"
    OWN_CREDENTIALS = "own_credentials"  # log out everywhere; make and revoke one's own keys
    VIEW_REPORTS = "view_reports"  # aggregate reports on de-identified data (issue 15)
    MANAGE_REGISTRIES = "manage_registries"  # define a registry (issue 15)
    SET_AUTONOMY = "set_autonomy"  # the autonomous-coding policy (issue 14 part 3)
    VIEW_AUTONOMY = "view_autonomy"
    ASSIGN = "assign"  # assign an encounter to a coder; release another's lock (issue 16)


C, R, M, A, N = Role.CODER, Role.REVIEWER, Role.MANAGER, Role.ADMIN, Role.ANALYST

# Least privilege: the admin runs the system but reads no PHI; the analyst sees
# de-identified exports only; a reviewer (the auditor) can reopen a finalized encounter.
PERMISSIONS: dict[Action, frozenset[Role]] = {
    Action.IMPORT: frozenset({M, A}),
    Action.RUN_CODING: frozenset({C, R, M}),
    Action.VIEW_QUEUE: frozenset({C, R, M}),
    Action.VIEW_ENCOUNTER: frozenset({C, R, M}),
    Action.REVIEW: frozenset({C, R}),
    Action.FINALIZE: frozenset({C, R}),
    Action.REOPEN: frozenset({R, M}),
    Action.EXPORT_IDENTIFIED: frozenset({M}),
    Action.EXPORT_DEIDENTIFIED: frozenset({R, M, N}),
    Action.VERIFY_AUDIT: frozenset({R, M, A}),
    Action.MANAGE_USERS: frozenset({A}),
    Action.ROTATE_KEYS: frozenset({A}),
    Action.OWN_CREDENTIALS: frozenset(Role),
    # Reports are aggregates of de-identified rows (no PHI column is read into them): the
    # analyst's work, and the manager's and admin's; coders and reviewers work the queue.
    Action.VIEW_REPORTS: frozenset({M, A, N}),
    Action.MANAGE_REGISTRIES: frozenset({M, A}),
    # Letting encounters skip review is a business decision: the manager's alone.
    Action.SET_AUTONOMY: frozenset({M}),
    Action.VIEW_AUTONOMY: frozenset({C, R, M, A}),
    # Who works what is the manager's call; a coder takes the next one with REVIEW.
    Action.ASSIGN: frozenset({M}),
}


def allowed(role: Role, action: Action) -> bool:
    return role in PERMISSIONS[action]


class KeyActor(str):
    """The name of a user acting through API key ``key_id``.

    A ``str``, so it passes as ``actor`` to every service method unchanged; ``_acting``
    reads ``key_id`` and every audit event of the transaction records it as ``api_key``.
    """

    __slots__ = ("key_id",)
    key_id: int

    def __new__(cls, name: str, key_id: int) -> KeyActor:
        actor = super().__new__(cls, name)
        actor.key_id = key_id
        return actor
