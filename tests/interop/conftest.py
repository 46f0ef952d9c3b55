"""Synthetic claims (invented patients, numbers and names) and a pyx12 validator."""

from __future__ import annotations

import datetime as dt
import io
import json
from dataclasses import dataclass
from typing import Any

import pytest

from medcoder.interop.claim import (
    ClaimDiagnosis,
    ClaimDocument,
    ClaimEncounter,
    ClaimPatient,
    ProcedureLine,
)
from medcoder.kinds import CodeSystem, PoaIndicator, Setting, Sex

CREATED = dt.datetime(2026, 5, 5, 9, 30, tzinfo=dt.UTC)
PATIENT = ClaimPatient("ZZ-550012", "Perpetua Quillfeather", dt.date(1948, 2, 29), Sex.FEMALE)


def office_claim(claim_id: str = "OFF-1", **changes: Any) -> ClaimDocument:
    """An office visit: E/M with modifier 25, an injection with units, 5 diagnoses."""
    fields: dict[str, Any] = {
        "claim_id": claim_id,
        "patient": PATIENT,
        "encounter": ClaimEncounter(
            claim_id,
            Setting.OUTPATIENT,
            service_date=dt.date(2026, 5, 1),
            payer="Acme Health",
            attending="Bertram Oakhollow",
        ),
        "diagnoses": tuple(ClaimDiagnosis(c) for c in ("E11.9", "I10", "E78.5", "Z79.4", "M54.50")),
        "procedures": (
            ProcedureLine(CodeSystem.CPT, "99214", modifiers=("25",)),
            ProcedureLine(CodeSystem.HCPCS, "J1100", units=3, modifiers=("JZ",)),
            ProcedureLine(CodeSystem.CPT, "96372"),
        ),
    }
    fields.update(changes)
    return ClaimDocument(**fields)


def inpatient_claim(claim_id: str = "INP-1", **changes: Any) -> ClaimDocument:
    """A 3-day stay: appendectomy (PCS), POA on every diagnosis, MS-DRG 343."""
    fields: dict[str, Any] = {
        "claim_id": claim_id,
        "patient": PATIENT,
        "encounter": ClaimEncounter(
            claim_id,
            Setting.INPATIENT,
            admit_date=dt.date(2026, 5, 1),
            discharge_date=dt.date(2026, 5, 4),
            discharge_status="01",
            payer="Medicare",
            attending="Bertram Oakhollow",
        ),
        "diagnoses": (
            ClaimDiagnosis("K35.80", PoaIndicator.YES),
            ClaimDiagnosis("E11.9", PoaIndicator.YES),
            ClaimDiagnosis("N39.0", PoaIndicator.NO),
            ClaimDiagnosis("Z79.4", PoaIndicator.EXEMPT),
        ),
        "procedures": (
            ProcedureLine(CodeSystem.ICD10PCS, "0DTJ4ZZ", date=dt.date(2026, 5, 2)),
            ProcedureLine(CodeSystem.ICD10PCS, "0DJD8ZZ", date=dt.date(2026, 5, 3)),
        ),
        "drg": "343",
    }
    fields.update(changes)
    return ClaimDocument(**fields)


@dataclass
class Validation:
    valid: bool
    ack: str  # the 999 pyx12 wrote
    errors: list[str]


def pyx12_validate(text: str) -> Validation:
    """pyx12's verdict on an X12 file: its return value, its 999, and every error of its
    JSON error report (interchange, group, transaction and segment levels)."""
    import pyx12.params
    import pyx12.x12n_document

    ack, report = io.StringIO(), io.StringIO()
    valid = pyx12.x12n_document.x12n_document(
        param=pyx12.params.params(),
        src_file=io.StringIO(text),
        fd_997=ack,
        fd_html=None,
        fd_json=report,
    )
    errors: list[str] = []

    def collect(node: Any) -> None:
        if isinstance(node, dict):
            errors.extend(json.dumps(e) for e in node.get("errors", []))
            for value in node.values():
                collect(value)
        elif isinstance(node, list):
            for value in node:
                collect(value)

    collect(json.loads(report.getvalue()))
    return Validation(bool(valid), ack.getvalue(), errors)


@pytest.fixture
def validate() -> Any:
    return pyx12_validate
