"""Records routes: import, coding runs, the queue, an encounter (PHI), review actions,
export and audit verification. Each calls the ``Records`` method the CLI calls, as the
authenticated user, so the role checks and the audit trail are the service's."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request

from medcoder.api.auth import Actor
from medcoder.api.routes_auth import services
from medcoder.api.schemas import (
    AddBody,
    ChangeBody,
    FinalizeBody,
    ImportRequest,
    ReasonBody,
    SequenceBody,
)
from medcoder.kinds import QueueSort
from medcoder.records.service import EncounterView, Records

router = APIRouter(prefix="/v1", tags=["records"])


def _records(request: Request) -> Records:
    return services(request).records()


def encounter_json(view: EncounterView) -> dict[str, Any]:
    """An encounter for the API and the workbench: the fields of ``review show --format
    json``, with the patient's fields grouped under ``patient``."""
    return {
        "encounter": view.encounter,
        "status": view.status,
        "setting": view.setting,
        "date_of_service": view.date_of_service.isoformat() if view.date_of_service else None,
        "payer": view.payer,
        "attending": view.attending,
        "patient": {
            "mrn": view.mrn,
            "name": view.name,
            "dob": view.dob.isoformat(),
            "sex": view.sex,
        },
        "documents": [{"kind": k, "text": t} for k, t in view.documents],
        "codes": [c.to_json() for c in view.codes],
    }


def _done(encounter: str, action: str, **extra: Any) -> dict[str, Any]:
    return {"ok": True, "encounter": encounter, "action": action, **extra}


# -- import and coding --------------------------------------------------------------------
@router.post("/imports", status_code=201)
def import_documents(body: ImportRequest, actor: Actor, request: Request) -> dict[str, Any]:
    """Store documents (patients and encounters created as needed); the fields and rules
    of `medcoder import`. Each encounter is one transaction; a duplicate is skipped."""
    with tempfile.TemporaryDirectory(prefix="medcoder-import-") as folder:
        path = Path(folder) / "request.jsonl"
        with path.open("w", encoding="utf-8") as handle:
            for doc in body.documents:
                handle.write(json.dumps(doc.model_dump(mode="json", exclude_none=True)) + "\n")
        report = _records(request).import_path(actor.name, path)
    return {
        "encounters_created": report.encounters_created,
        "documents_added": report.documents_added,
        "duplicates": report.duplicates,
        # The importer names the temporary file; the API client knows only line numbers.
        "errors": [{"line": e.line, "problem": e.problem} for e in report.errors],
    }


@router.get("/encounters/pending")
def pending(actor: Actor, request: Request) -> list[str]:
    """Encounters imported and not yet coded, oldest first."""
    return _records(request).pending(actor.name)


@router.post("/encounters/{encounter_id}/coding-runs", status_code=201)
def run_coding(encounter_id: str, actor: Actor, request: Request) -> dict[str, Any]:
    """Run the coding engine on the encounter and store its suggestions for review."""
    svc = services(request)
    count = svc.with_codesets(lambda _reg: svc.records().run_coding(actor.name, encounter_id))
    return _done(encounter_id, "run_coding", suggested=count)


@router.get("/encounters/{encounter_id}/coding-runs")
def coding_runs(encounter_id: str, actor: Actor, request: Request) -> list[dict[str, Any]]:
    """Every coding run, newest first, with the engine's full result (evidence, index
    path, rules, dropped candidates)."""
    return [
        {
            "id": r.id,
            "release": r.release,
            "engine_version": r.engine_version,
            "run_by": r.run_by,
            "created_at": r.created_at.isoformat(),
            "settings": r.settings,
            "result": r.result,
        }
        for r in _records(request).coding_runs(actor.name, encounter_id)
    ]


# -- queue and encounters -----------------------------------------------------------------
@router.get("/queue")
def queue(
    actor: Actor,
    request: Request,
    setting: Literal["outpatient", "inpatient", "emergency"] | None = None,
    payer: Annotated[str | None, Query(max_length=200)] = None,
    max_confidence: Annotated[float | None, Query(ge=0, le=1)] = None,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 100,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
    sort: QueueSort = QueueSort.AGE,
) -> list[dict[str, Any]]:
    """Encounters awaiting review, a page at a time: longest waiting first, or by ``sort``
    (newest, date of service, payer, least certain suggestion); ``payer`` in any case."""
    items = _records(request).queue(
        actor.name, setting=setting, payer=payer, max_confidence=max_confidence,
        limit=limit, offset=offset, sort=sort,
    )  # fmt: skip
    return [
        {
            "encounter": i.encounter,
            "setting": i.setting,
            "date_of_service": i.date_of_service.isoformat() if i.date_of_service else None,
            "payer": i.payer,
            "suggested": i.suggested,
            "lowest_confidence": i.lowest_confidence,
            "coded_at": i.coded_at.isoformat() if i.coded_at else None,
        }
        for i in items
    ]


@router.get("/encounters/{encounter_id}")
def encounter(encounter_id: str, actor: Actor, request: Request) -> dict[str, Any]:
    """The encounter with its patient, documents and codes (PHI: reading it is audited)."""
    return encounter_json(_records(request).encounter_view(actor.name, encounter_id))


@router.get("/encounters/{encounter_id}/documents")
def documents(encounter_id: str, actor: Actor, request: Request) -> list[dict[str, Any]]:
    """The encounter's documents (PHI: audited)."""
    view = _records(request).encounter_view(actor.name, encounter_id)
    return [{"kind": k, "text": t} for k, t in view.documents]


@router.get("/encounters/{encounter_id}/codes")
def codes(encounter_id: str, actor: Actor, request: Request) -> list[dict[str, Any]]:
    """Every code assignment, decided or not, active ones first (evidence is PHI: audited)."""
    view = _records(request).encounter_view(actor.name, encounter_id)
    return [c.to_json() for c in view.codes]


# -- review actions -----------------------------------------------------------------------
@router.post("/encounters/{encounter_id}/codes/{code}/accept")
def accept(encounter_id: str, code: str, actor: Actor, request: Request) -> dict[str, Any]:
    """Accept a suggested code."""
    _records(request).accept(actor.name, encounter_id, code)
    return _done(encounter_id, "accept", code=code)


@router.post("/encounters/{encounter_id}/codes/{code}/reject")
def reject(
    encounter_id: str, code: str, body: ReasonBody, actor: Actor, request: Request
) -> dict[str, Any]:
    """Reject a code; a reason is required."""
    _records(request).reject(actor.name, encounter_id, code, body.reason)
    return _done(encounter_id, "reject", code=code)


@router.post("/encounters/{encounter_id}/codes/{code}/change")
def change(
    encounter_id: str, code: str, body: ChangeBody, actor: Actor, request: Request
) -> dict[str, Any]:
    """Replace a code by ``new_code``, validated in the release in force on the date."""
    svc = services(request)
    svc.with_codesets(
        lambda _reg: svc.records().change(
            actor.name, encounter_id, code, body.new_code, body.reason
        )
    )
    return _done(encounter_id, "change", code=code, new_code=body.new_code)


@router.post("/encounters/{encounter_id}/codes", status_code=201)
def add(encounter_id: str, body: AddBody, actor: Actor, request: Request) -> dict[str, Any]:
    """Add a code the engine did not suggest (validated in the release in force)."""
    svc = services(request)
    svc.with_codesets(
        lambda _reg: svc.records().add(actor.name, encounter_id, body.code, body.reason)
    )
    return _done(encounter_id, "add", code=body.code)


@router.put("/encounters/{encounter_id}/sequence")
def resequence(
    encounter_id: str, body: SequenceBody, actor: Actor, request: Request
) -> dict[str, Any]:
    """Order the active codes, first-listed (or principal) first; list each exactly once."""
    _records(request).resequence(actor.name, encounter_id, body.codes)
    return _done(encounter_id, "sequence", codes=body.codes)


@router.post("/encounters/{encounter_id}/finalize")
def finalize(
    encounter_id: str, actor: Actor, request: Request, body: FinalizeBody | None = None
) -> dict[str, Any]:
    """Lock the encounter: every suggestion decided, and the claim edits pass (errors
    block, E603; warnings need ``acknowledge``, a reason that the audit event keeps)."""
    svc = services(request)
    acknowledge = body.acknowledge if body else None
    svc.with_codesets(lambda _reg: svc.records().finalize(actor.name, encounter_id, acknowledge))
    return _done(encounter_id, "finalize")


@router.post("/encounters/{encounter_id}/reopen")
def reopen(encounter_id: str, body: ReasonBody, actor: Actor, request: Request) -> dict[str, Any]:
    """Re-open a finalized encounter (reviewers and managers; a reason is required)."""
    _records(request).reopen(actor.name, encounter_id, body.reason)
    return _done(encounter_id, "reopen")


# -- export and audit ---------------------------------------------------------------------
@router.get("/export")
def export(
    actor: Actor,
    request: Request,
    deidentified: bool = True,
    with_text: bool = False,
) -> list[dict[str, Any]]:
    """Reported codes of finalized encounters, one row per code: de-identified (HIPAA Safe
    Harbor) by default; ``deidentified=false`` is for managers only."""
    return _records(request).export_rows(actor.name, deidentified=deidentified, with_text=with_text)


@router.post("/audit/verify")
def verify_audit(actor: Actor, request: Request) -> dict[str, Any]:
    """Check every link of the audit chain and its anchor; ``ok`` is false at the first
    broken link (``status`` broken) or when the newest events are not anchored."""
    report = _records(request).verify_audit(actor.name)
    return {
        "ok": report.ok,
        "status": report.status.value,
        "events": report.events,
        "broken_at": report.broken_at,
        "problem": report.problem,
    }
