"""The workbench's review routes (issue 16): an encounter's history from the audit trail,
the claim edits on its codes as they stand, and the encounters that failed to code. Each
calls the ``Records`` method the CLI calls, as the authenticated user (the same role
checks and audit trail)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from medcoder.api.auth import Actor
from medcoder.api.routes_auth import services

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
    return [
        {
            "encounter": i.encounter,
            "setting": i.setting,
            "date_of_service": i.date_of_service.isoformat() if i.date_of_service else None,
            "payer": i.payer,
            "failed_at": i.failed_at.isoformat(),
            "failed_by": i.failed_by,
            "error": i.code,
            "message": i.message,
            "attempts": i.attempts,
        }
        for i in services(request).records().failed(actor.name, limit=limit)
    ]
