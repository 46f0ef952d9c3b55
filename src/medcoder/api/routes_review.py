"""The workbench's review routes (issue 16): an encounter's history from the audit trail,
the claim edits on its codes as they stand, the encounters that failed to code, and who
works which encounter (assignment and the work lock, part 4). Each
calls the ``Records`` method the CLI calls, as the authenticated user (the same role
checks and audit trail)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from medcoder.api.auth import Actor
from medcoder.api.routes_auth import services
from medcoder.api.schemas import AssignBody, ReasonBody

router = APIRouter(prefix="/v1", tags=["review"])


@router.get("/encounters/{encounter_id}/history")
def history(encounter_id: str, actor: Actor, request: Request) -> list[dict[str, Any]]:
    """Who imported, coded, accepted, rejected, changed, added, re-sequenced, finalized and
    re-opened the encounter, when, and why (the audit trail, oldest first)."""
    events = services(request).records().history(actor.name, encounter_id)
    return [event.to_json() for event in events]


@router.get("/encounters/{encounter_id}/claim-check")
def claim_check(encounter_id: str, actor: Actor, request: Request) -> dict[str, Any]:
    """The claim edits on the encounter's active codes, run now without finalizing (the
    workbench's claim panel): each finding with its codes and fix, the releases read,
    and a notice when no installed release covers the date of service."""
    svc = services(request)
    check = svc.with_codesets(lambda _reg: svc.records().claim_check(actor.name, encounter_id))
    return check.to_json()


@router.get("/queue/failed")
def failed(
    actor: Actor,
    request: Request,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 100,
) -> list[dict[str, Any]]:
    """Pending encounters whose last coding attempt failed, with the error and how often
    (``medcoder queue --failed``), most recent failure first."""
    return [i.to_json() for i in services(request).records().failed(actor.name, limit=limit)]


# -- who works the encounter (issue 16, part 4) ------------------------------------------
@router.get("/encounters/{encounter_id}/lock")
def lock_state(encounter_id: str, actor: Actor, request: Request) -> dict[str, Any]:
    """Whom the encounter is assigned to, and who holds it for work until when."""
    return services(request).records().lock_state(actor.name, encounter_id).to_json()


@router.post("/encounters/{encounter_id}/lock")
def take(encounter_id: str, actor: Actor, request: Request) -> dict[str, Any]:
    """Hold the encounter for work, or renew one's hold (every review action renews it
    too); 409 E408 naming the holder and until when while another user holds it."""
    return services(request).records().take(actor.name, encounter_id).to_json()


@router.delete("/encounters/{encounter_id}/lock")
def release(encounter_id: str, actor: Actor, request: Request) -> dict[str, Any]:
    """Give up one's own hold on the encounter."""
    return services(request).records().release(actor.name, encounter_id).to_json()


@router.post("/encounters/{encounter_id}/lock/release")
def force_release(
    encounter_id: str, body: ReasonBody, actor: Actor, request: Request
) -> dict[str, Any]:
    """A manager ends another user's hold (audited with the holder and the reason)."""
    records = services(request).records()
    return records.force_release(actor.name, encounter_id, body.reason).to_json()


@router.put("/encounters/{encounter_id}/assignment")
def assign(encounter_id: str, body: AssignBody, actor: Actor, request: Request) -> dict[str, Any]:
    """Assign the encounter to a coder or reviewer, or unassign it (``user`` null); a
    manager's act. Another user's hold on it ends."""
    return services(request).records().assign(actor.name, encounter_id, body.user).to_json()


@router.post("/queue/next")
def take_next(actor: Actor, request: Request) -> dict[str, Any]:
    """Take the longest-waiting unassigned encounter no one holds: assigned to the caller
    and held (``encounter`` null when there is none)."""
    taken = services(request).records().take_next(actor.name)
    return taken.to_json() if taken else {"encounter": None}
