"""What the encounter page shows (issue 16, parts 1, 4 and 6): the note under one label
per document with every evidence span marked, the diagnoses (with POA for an inpatient
stay) and the procedure lines (ICD-10-PCS, CPT, HCPCS with units and modifiers) as cards,
the E/M level with its elements, and the engine's reasons from the run that suggested
them; the parts of the page an action can change, each rendered alone as a fragment."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any
from urllib.parse import quote

from medcoder.api.routes_records import encounter_json
from medcoder.errors import MedcoderError
from medcoder.kinds import CodeSystem, PoaIndicator, Setting
from medcoder.records.history import HistoryEvent
from medcoder.records.models import EncounterStatus
from medcoder.records.page import EncounterPage
from medcoder.records.queries import query_templates
from medcoder.web.highlight import by_document, spans_for


class Part(StrEnum):
    """The parts of the encounter page (each a block of ``encounter.html``) that
    ``GET /encounters/{id}/fragment?part=...`` renders alone, for workbench.js to put in
    place of the same part after an action."""

    HEAD = "head"  # status, finalized / re-opened by
    NOTE = "note"  # the documents with their evidence marked
    HISTORY = "history"
    CODES = "codes"  # the diagnosis and procedure cards, the E/M level
    CLAIM = "claim"  # the claim panel
    QUERIES = "queries"
    DECIDED = "decided"  # rejected and changed codes
    DROPPED = "dropped"  # candidates the engine considered and dropped


ACTIVE = ("suggested", "accepted", "added")
SYSTEMS = {
    CodeSystem.ICD10CM.value: "ICD-10-CM",
    CodeSystem.ICD10PCS.value: "ICD-10-PCS",
    CodeSystem.CPT.value: "CPT",
    CodeSystem.HCPCS.value: "HCPCS",
}
POA_VALUES = (
    (PoaIndicator.YES.value, "present at admission"),
    (PoaIndicator.NO.value, "not present"),
    (PoaIndicator.UNKNOWN.value, "documentation insufficient"),
    (PoaIndicator.CLINICALLY_UNDETERMINED.value, "clinically undetermined"),
    (PoaIndicator.EXEMPT.value, "exempt"),
)


def card_key(code: dict[str, Any]) -> str:
    """The id linking a card and its words: ``c:E11.9`` for a diagnosis, ``c:cpt:99213``
    for a procedure line (J1885 HCPCS and J18.85 never meet)."""
    if code.get("system", CodeSystem.ICD10CM.value) == CodeSystem.ICD10CM.value:
        return f"c:{code['code']}"
    return f"c:{code['system']}:{code['code']}"


def add_moves(group: list[dict[str, Any]]) -> None:
    """Each active card's moves as the group's whole new order (``SYSTEM:CODE ...``, what
    PUT /sequence and the page's move buttons without script send): ``first``, ``up``,
    ``down``; empty where the card cannot move so."""
    names = [f"{c['system']}:{c['code']}" for c in group]

    def moved(at: int, to: int) -> str:
        if to < 0 or to >= len(names) or to == at:
            return ""
        order = names[:at] + names[at + 1 :]
        order.insert(to, names[at])
        return " ".join(order)

    for at, card in enumerate(group):
        card["moves"] = {"first": moved(at, 0), "up": moved(at, at - 1), "down": moved(at, at + 1)}


def procedure_systems(setting: str) -> list[str]:
    """What ``Add`` offers by setting: an inpatient stay's procedures are ICD-10-PCS (the
    facility claim) and CPT/HCPCS (professional lines); elsewhere CPT and HCPCS."""
    inpatient = Setting.parse(setting).is_inpatient
    lines = [CodeSystem.CPT.value, CodeSystem.HCPCS.value]
    return [CodeSystem.ICD10PCS.value, *lines] if inpatient else lines


def _stay_days(data: dict[str, Any]) -> int | None:
    admit, discharge = data.get("admit_date"), data.get("discharge_date")
    if not admit or not discharge:
        return None
    return (dt.date.fromisoformat(discharge) - dt.date.fromisoformat(admit)).days


def encounter_context(
    data: dict[str, Any],
    run: dict[str, Any] | None,
    findings: dict[str, list[dict[str, Any]]] | None = None,
) -> dict[str, Any]:
    """The page's context; ``findings``: the claim edits' findings by card key."""
    text = "\n\n".join(d["text"] for d in data["documents"])
    bounds, at = [], 0
    count = len(data["documents"])
    for number, document in enumerate(data["documents"], start=1):
        kind = str(document["kind"]).replace("_", " ")
        label = f"Document {number} of {count}: {kind}" if count > 1 else kind
        bounds.append((label, at, at + len(document["text"])))
        at += len(document["text"]) + 2
    result = run["result"] if run else {"codes": [], "dropped": []}
    engine = {c["code"]: c for c in result.get("codes", [])}
    engine_px = {(p["system"], p["code"]): p for p in result.get("procedures", [])}
    spans: list[tuple[int, int, str]] = []
    findings = findings or {}

    def cards(rows: list[dict[str, Any]], group: str) -> list[dict[str, Any]]:
        out = []
        for code in rows:
            key = card_key(code)
            if code["status"] in ACTIVE:
                spans.extend(spans_for(key, code["evidence"], text))
            found = engine.get(code["code"]) if group == "dx" else None
            if group == "px":
                found = engine_px.get((code["system"], code["code"]))
            out.append({**code, "key": key, "group": group, "engine": found,
                        "findings": findings.get(key, [])})  # fmt: skip
        return out

    codes = cards(data["codes"], "dx")
    procedures = cards(data.get("procedures", []), "px")
    for group in (codes, procedures):
        add_moves([c for c in group if c["status"] in ACTIVE])
    coded = {c["code"] for c in codes + procedures if c["status"] in ACTIVE}
    dropped, seen = [], set()
    for number, item in enumerate(result.get("dropped", [])):
        same = (item.get("text"), item.get("code"), item.get("reason"))
        if same in seen:  # the same words dropped for the same reason: listed once
            continue
        seen.add(same)
        now_coded = item.get("code") in coded  # added since: its words are a code's now
        evidence = [item["evidence"]] if item.get("evidence") and not now_coded else []
        marked = spans_for(f"d:{number}", evidence, text)
        spans += marked
        dropped.append({**item, "key": f"d:{number}", "marked": bool(marked), "coded": now_coded})
    systems = procedure_systems(data["setting"])
    return {
        "encounter": data,
        "documents": by_document(text, spans, bounds),
        "codes": codes,
        "active": [c for c in codes if c["status"] in ACTIVE],
        "proc_active": [c for c in procedures if c["status"] in ACTIVE],
        "decided": [c for c in codes + procedures if c["status"] not in ACTIVE],
        "dropped": dropped,
        "run": run,
        "em": result.get("em_level"),
        "inpatient": Setting.parse(data["setting"]).is_inpatient,
        "stay_days": _stay_days(data),
        "systems": SYSTEMS,
        "procedure_systems": systems,
        "procedure_labels": [SYSTEMS[s] for s in systems],
        "poa_values": POA_VALUES,
        # A claim-edit finding's one-click fixes act on the cards of the codes it names.
        "card_keys": {c["code"]: c["key"] for c in codes + procedures if c["status"] in ACTIVE},
        "release_notice": (run or {}).get("settings", {}).get("release_notice"),
    }


def last_of(history: list[HistoryEvent], action: str) -> HistoryEvent | None:
    """The newest event of ``action`` (who finalized or re-opened, when, why)."""
    return next((event for event in reversed(history) if event.action == action), None)


def findings_by_card(
    data: dict[str, Any], claim: dict[str, Any] | None
) -> dict[str, list[dict[str, Any]]]:
    """Each claim-edit finding under the card of every code it names."""
    keys = {c["code"]: card_key(c) for c in [*data["codes"], *data.get("procedures", [])]}
    found: dict[str, list[dict[str, Any]]] = {}
    for finding in (claim or {}).get("findings", []):
        for code in finding["codes"]:
            if code in keys:
                found.setdefault(keys[code], []).append(finding)
    return found


def page_context(page: EncounterPage) -> dict[str, Any]:
    """The whole page's context (every part's too) from its one read."""
    data = encounter_json(page.view)
    run = None
    if page.run is not None:
        r = page.run
        run = {"id": r.id, "release": r.release, "run_by": r.run_by,
               "created_at": r.created_at, "result": r.result,
               "settings": r.settings}  # fmt: skip
    claim, claim_problem = None, None
    if isinstance(page.check, MedcoderError):
        claim_problem = f"{page.check.message} ({page.check.code})"
    else:
        claim = page.check.to_json()
    history = page.history
    return {
        "e": data,
        "locked": data["status"] == EncounterStatus.FINALIZED.value,
        # Where the page's forms post without script (review_forms.py).
        "review": f"/encounters/{quote(data['encounter'], safe='')}/review",
        "history": history,
        "finalized": last_of(history, "finalize"),
        "reopened": last_of(history, "reopen"),
        "claim": claim,
        "claim_problem": claim_problem,
        "queries": page.queries,
        "query_templates": list(query_templates().values()),
        **encounter_context(data, run, findings_by_card(data, claim)),
    }
