"""Records routes: import, coding runs, the queue, an encounter (PHI), review actions,
export and audit verification. Each calls the ``Records`` method the CLI calls, as the
authenticated user, so the role checks and the audit trail are the service's."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError

from medcoder.api.auth import Actor
from medcoder.api.routes_auth import services
from medcoder.api.schemas import (
    AddBody,
    ChangeBody,
    FinalizeBody,
    ImportRequest,
    PoaBody,
    ReasonBody,
    RejectBody,
    SequenceBody,
    SetLineBody,
    SystemBody,
)
from medcoder.kinds import ImportFormat, QueueSort
from medcoder.records.importer import detect_format
from medcoder.records.service import EncounterView, Records

router = APIRouter(prefix="/v1", tags=["records"])


def _records(request: Request) -> Records:
    return services(request).records()


def encounter_json(view: EncounterView) -> dict[str, Any]:
    """An encounter for the API and the workbench: the fields of ``review show --format
    json``, with the patient's fields grouped under ``patient``."""
    return view.to_json(patient_apart=True)


def _done(encounter: str, action: str, **extra: Any) -> dict[str, Any]:
    return {"ok": True, "encounter": encounter, "action": action, **extra}


# -- import and coding --------------------------------------------------------------------
# The media types POST /v1/imports reads besides application/json (the JSONL fields).
IMPORT_MEDIA = {
    "application/fhir+json": ImportFormat.FHIR,
    "application/fhir+ndjson": ImportFormat.FHIR,
    "x-application/hl7-v2+er7": ImportFormat.HL7,
    "application/hl7-v2": ImportFormat.HL7,
    "text/plain": ImportFormat.HL7,  # HL7 v2 text (it must start with MSH or a batch header)
}


def _inline(schema: Any, defs: dict[str, Any]) -> Any:
    """A JSON schema with its ``$defs`` references written in place (the body schema of
    a route that reads its body itself is not among the OpenAPI components)."""
    if isinstance(schema, dict):
        if "$ref" in schema:
            return _inline(defs[str(schema["$ref"]).rsplit("/", 1)[-1]], defs)
        return {k: _inline(v, defs) for k, v in schema.items() if k != "$defs"}
    if isinstance(schema, list):
        return [_inline(v, defs) for v in schema]
    return schema


def _import_body() -> dict[str, Any]:
    schema = ImportRequest.model_json_schema()
    text = {"schema": {"type": "string"}}
    return {
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": _inline(schema, schema.get("$defs", {}))},
                "application/fhir+json": {
                    "schema": {"type": "object", "description": "a FHIR R4 Bundle"}
                },
                "x-application/hl7-v2+er7": text,
                "text/plain": text,
            },
        }
    }


async def _raw_body(request: Request) -> bytes:
    return await request.body()


def _media(request: Request) -> str:
    return request.headers.get("content-type", "application/json").split(";")[0].strip().lower()


@router.post("/imports", status_code=201, openapi_extra=_import_body())
def import_documents(
    actor: Actor, request: Request, body: Annotated[bytes, Depends(_raw_body)]
) -> dict[str, Any]:
    """Store documents (patients and encounters created as needed); the fields and rules
    of `medcoder import`: JSON ``{"documents": [...]}`` (the JSONL fields), a FHIR R4
    Bundle (application/fhir+json; NDJSON of Bundles as application/fhir+ndjson) or HL7
    v2 messages (x-application/hl7-v2+er7, or text/plain starting with MSH). Each
    encounter is one transaction; a duplicate is skipped; a bad line, Bundle or message is
    reported in ``errors`` (its place in ``problem``) and the others go on."""
    media = _media(request)
    fmt = IMPORT_MEDIA.get(media)
    if media == "text/plain" and detect_format(body[:4096]) is not ImportFormat.HL7:
        fmt = None
    if fmt is None and media != "application/json":
        problem = f"content type {media[:60]!r}: send application/json, " + ", ".join(
            m for m in IMPORT_MEDIA if m != "text/plain"
        )
        raise RequestValidationError(
            [{"type": "content_type", "loc": ("body",), "msg": problem + " or HL7 as text/plain"}]
        )
    with tempfile.TemporaryDirectory(prefix="medcoder-import-") as folder:
        if fmt is None:
            try:
                request_body = ImportRequest.model_validate_json(body)
            except ValidationError as exc:
                raise RequestValidationError(
                    [{**e, "loc": ("body", *e["loc"])} for e in exc.errors(include_input=False)]
                ) from None
            path = Path(folder) / "request.jsonl"
            with path.open("w", encoding="utf-8") as handle:
                for doc in request_body.documents:
                    row = doc.model_dump(mode="json", exclude_none=True)
                    handle.write(json.dumps(row) + "\n")
        else:
            path = Path(folder) / f"request.{fmt.value}"
            path.write_bytes(body)
        report = _records(request).import_path(actor.name, path, fmt or ImportFormat.JSONL)
    return {
        "encounters_created": report.encounters_created,
        "documents_added": report.documents_added,
        "duplicates": report.duplicates,
        # The importer names the temporary file; the API client knows only line numbers
        # (and, for FHIR and HL7, the Bundle path or message segment in the problem).
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
    audit: bool = False,
    mine: bool = False,
) -> list[dict[str, Any]]:
    """Encounters awaiting review, a page at a time: longest waiting first, or by ``sort``
    (newest, date of service, payer, least certain suggestion); ``payer`` in any case
    (``audit``: the auto-finalized encounters sampled for audit instead; ``mine``: those
    assigned to or held by the caller). Each names its assignee and its holder."""
    items = _records(request).queue(
        actor.name, setting=setting, payer=payer, max_confidence=max_confidence,
        limit=limit, offset=offset, sort=sort, audit=audit, mine=mine,
    )  # fmt: skip
    return [
        {**i.to_json(), "coded_at": i.coded_at.isoformat() if i.coded_at else None} for i in items
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
def accept(
    encounter_id: str, code: str, actor: Actor, request: Request, body: SystemBody | None = None
) -> dict[str, Any]:
    """Accept a suggested code (``system`` where the code's shape does not say it)."""
    _records(request).accept(actor.name, encounter_id, code, system=body.system if body else None)
    return _done(encounter_id, "accept", code=code)


@router.post("/encounters/{encounter_id}/codes/{code}/reject")
def reject(
    encounter_id: str, code: str, body: RejectBody, actor: Actor, request: Request
) -> dict[str, Any]:
    """Reject a code; a reason is required."""
    _records(request).reject(actor.name, encounter_id, code, body.reason, system=body.system)
    return _done(encounter_id, "reject", code=code)


@router.post("/encounters/{encounter_id}/codes/{code}/change")
def change(
    encounter_id: str, code: str, body: ChangeBody, actor: Actor, request: Request
) -> dict[str, Any]:
    """Replace a code by ``new_code`` (of ``new_system``, default the code's), validated in
    its system's release in force on the date; ``units``, ``modifiers`` for a CPT/HCPCS
    line, ``poa`` for an inpatient diagnosis."""
    svc = services(request)
    svc.with_codesets(
        lambda _reg: svc.records().change(
            actor.name,
            encounter_id,
            code,
            body.new_code,
            body.reason,
            system=body.system,
            new_system=body.new_system,
            units=body.units,
            modifiers=body.modifiers,
            poa=body.poa,
        )
    )
    return _done(encounter_id, "change", code=code, new_code=body.new_code)


@router.post("/encounters/{encounter_id}/codes", status_code=201)
def add(encounter_id: str, body: AddBody, actor: Actor, request: Request) -> dict[str, Any]:
    """Add a code the engine did not suggest (validated in its system's release in force);
    ``units``, ``modifiers`` for a CPT/HCPCS line, ``poa`` for an inpatient diagnosis."""
    svc = services(request)
    svc.with_codesets(
        lambda _reg: svc.records().add(
            actor.name,
            encounter_id,
            body.code,
            body.reason,
            system=body.system,
            units=body.units,
            modifiers=body.modifiers,
            poa=body.poa,
        )
    )
    return _done(encounter_id, "add", code=body.code)


@router.put("/encounters/{encounter_id}/sequence")
def resequence(
    encounter_id: str, body: SequenceBody, actor: Actor, request: Request
) -> dict[str, Any]:
    """Order one group's active codes: the diagnoses (first-listed or principal first), or
    the procedures; list each of the group exactly once."""
    _records(request).resequence(actor.name, encounter_id, body.codes, system=body.system)
    return _done(encounter_id, "sequence", codes=body.codes)


@router.put("/encounters/{encounter_id}/codes/{code}/line")
def set_line(
    encounter_id: str, code: str, body: SetLineBody, actor: Actor, request: Request
) -> dict[str, Any]:
    """Set the units and/or modifiers of a CPT/HCPCS line (modifiers checked against the
    HCPCS modifier list on the date of service; ``[]`` removes them)."""
    svc = services(request)
    svc.with_codesets(
        lambda _reg: svc.records().set_line(
            actor.name,
            encounter_id,
            code,
            units=body.units,
            modifiers=body.modifiers,
            system=body.system,
        )
    )
    return _done(encounter_id, "set_line", code=code)


@router.put("/encounters/{encounter_id}/codes/{code}/poa")
def set_poa(
    encounter_id: str, code: str, body: PoaBody, actor: Actor, request: Request
) -> dict[str, Any]:
    """Set the present-on-admission indicator of an inpatient diagnosis (1: exempt)."""
    _records(request).set_poa(actor.name, encounter_id, code, body.poa)
    return _done(encounter_id, "set_poa", code=code, poa=body.poa)


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
