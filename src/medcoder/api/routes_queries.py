"""Physician queries (issue 16, part 7): compose one from a template, list an encounter's
(or all, by status, encounter and provider), record the provider's answer, close one, and
the volume and response-time report. Each calls the ``Records`` method, as the
authenticated user (role checks, audit trail)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request

from medcoder.api.auth import Actor
from medcoder.api.routes_auth import services
from medcoder.api.schemas import AnswerBody, OptionalReason, QueryBody
from medcoder.records.queries import query_templates

router = APIRouter(prefix="/v1", tags=["physician queries"])
QueryId = Annotated[int, Path(ge=1, le=2**31 - 1)]


@router.get("/query-templates")
def templates(_actor: Actor) -> list[dict[str, Any]]:
    """The query templates (kept as data): name, label, question with its placeholders
    ({code}, {title}, {text}) and the options offered to the provider."""
    return [
        {"name": t.name, "label": t.label, "question": t.question, "options": list(t.options)}
        for t in query_templates().values()
    ]


@router.post("/encounters/{encounter_id}/queries", status_code=201)
def ask(encounter_id: str, body: QueryBody, actor: Actor, request: Request) -> dict[str, Any]:
    """Send the provider a query about the encounter (``hold_finalize``: no finalize while
    it is open)."""
    query_id = services(request).records().ask_query(
        actor.name, encounter_id, body.template, code=body.code, text=body.text,
        provider=body.provider, hold_finalize=body.hold_finalize,
    )  # fmt: skip
    return {"ok": True, "encounter": encounter_id, "query": query_id}


@router.get("/encounters/{encounter_id}/queries")
def listed(encounter_id: str, actor: Actor, request: Request) -> list[dict[str, Any]]:
    """The encounter's queries, oldest first, with their answers (PHI: audited)."""
    return [q.to_json() for q in services(request).records().queries(actor.name, encounter_id)]


@router.get("/queries")
def search(
    actor: Actor,
    request: Request,
    status: Literal["open", "answered", "closed"] | None = None,
    encounter: Annotated[str | None, Query(max_length=120)] = None,
    provider: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 100,
) -> list[dict[str, Any]]:
    """Queries across encounters, newest first, by status, encounter and provider (any
    case), with their answers (PHI: audited); ``medcoder query list``."""
    found = (
        services(request)
        .records()
        .query_list(
            actor.name, status=status, encounter_id=encounter, provider=provider, limit=limit
        )
    )
    return [q.to_json() for q in found]


@router.post("/queries/{query_id}/answer")
def answer(query_id: QueryId, body: AnswerBody, actor: Actor, request: Request) -> dict[str, Any]:
    """Record the provider's answer to an open query."""
    services(request).records().answer_query(actor.name, query_id, body.answer)
    return {"ok": True, "query": query_id, "action": "answer"}


@router.post("/queries/{query_id}/close")
def close(
    query_id: QueryId, actor: Actor, request: Request, body: OptionalReason | None = None
) -> dict[str, Any]:
    """Close a query (answered, or withdrawn: a reason is kept when given)."""
    services(request).records().close_query(actor.name, query_id, body.reason if body else None)
    return {"ok": True, "query": query_id, "action": "close"}


@router.get("/queries/report")
def report(actor: Actor, request: Request) -> dict[str, Any]:
    """Query volume by template and status, and the median hours to an answer."""
    return services(request).records().query_report(actor.name)
