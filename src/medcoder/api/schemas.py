"""Request bodies of the API (pydantic); responses are the service's JSON forms."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

MAX_NOTE = 5_000_000


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LoginRequest(Strict):
    username: str = Field(min_length=1, max_length=80)
    password: str = Field(min_length=1, max_length=1024)


class CodeRequest(Strict):
    """A note to code, with what picks the guidelines and the release."""

    text: str = Field(max_length=MAX_NOTE)
    setting: Literal["outpatient", "inpatient"] = "outpatient"
    date: dt.date | None = Field(default=None, description="Date of service: picks the release")
    age: int | None = Field(default=None, ge=0, le=130)
    sex: Literal["F", "M"] | None = None
    release: str | None = Field(default=None, max_length=40)
    external_causes: bool = Field(
        default=True, description="External cause codes (V00-Y38, Y93) with injuries"
    )
    patient_status: Literal["new", "established"] | None = Field(
        default=None, description="For the office E/M level; default: read from the note"
    )
    id: str | None = Field(default=None, max_length=120)


class ImportDocumentBody(Strict):
    """One document to import (the fields of a `medcoder import` JSONL line)."""

    mrn: str = Field(min_length=1, max_length=120)
    name: str = Field(min_length=1, max_length=200)
    dob: dt.date
    sex: Literal["F", "M"] | None = None
    encounter_id: str = Field(min_length=1, max_length=120)
    setting: Literal["outpatient", "inpatient", "emergency"]
    date: dt.date | None = None
    kind: str = Field(default="note", min_length=1, max_length=80)
    text: str = Field(max_length=MAX_NOTE)
    payer: str | None = Field(default=None, max_length=200)
    attending: str | None = Field(default=None, max_length=200)
    admit_date: dt.date | None = None
    discharge_date: dt.date | None = None
    discharge_status: str | None = Field(
        default=None, pattern=r"^[0-9]{2}$", description="UB-04 patient discharge status, e.g. 01"
    )


class ImportRequest(Strict):
    documents: list[ImportDocumentBody] = Field(min_length=1, max_length=1000)


class ReasonBody(Strict):
    reason: str = Field(min_length=1, max_length=2000)


class AssignBody(Strict):
    user: str | None = Field(
        max_length=80, description="The coder or reviewer to assign to; null unassigns"
    )


class OptionalReason(Strict):
    reason: str | None = Field(default=None, max_length=2000)


SystemName = Literal["icd10cm", "icd10pcs", "cpt", "hcpcs"]
SYSTEM_DOC = "The code's system, where its shape does not say it (J1885 HCPCS vs J18.85)"
Modifier = Annotated[str, Field(pattern=r"^[0-9A-Za-z]{2}$")]
PoaValue = Literal["Y", "N", "U", "W", "1"]


class SystemBody(Strict):
    system: SystemName | None = Field(default=None, description=SYSTEM_DOC)


class RejectBody(Strict):
    reason: str = Field(min_length=1, max_length=2000)
    system: SystemName | None = Field(default=None, description=SYSTEM_DOC)


class LineFields(Strict):
    """Units and modifiers of a CPT/HCPCS line; the POA of an inpatient diagnosis."""

    units: int | None = Field(default=None, ge=1, le=100_000)
    modifiers: list[Modifier] | None = Field(default=None, max_length=4)
    poa: PoaValue | None = None


class ChangeBody(LineFields):
    new_code: str = Field(min_length=1, max_length=20)
    reason: str | None = Field(default=None, max_length=2000)
    system: SystemName | None = Field(default=None, description=SYSTEM_DOC)
    new_system: SystemName | None = Field(default=None, description="Default: the code's")


class AddBody(LineFields):
    code: str = Field(min_length=1, max_length=20)
    reason: str | None = Field(default=None, max_length=2000)
    system: SystemName | None = Field(default=None, description=SYSTEM_DOC)


class SequenceBody(Strict):
    codes: list[str] = Field(
        min_length=1, max_length=200, description="One group: every active diagnosis, or "
        "every active procedure; SYSTEM:CODE names one code's system"
    )  # fmt: skip
    system: SystemName | None = Field(default=None, description=SYSTEM_DOC)


class SetLineBody(Strict):
    units: int | None = Field(default=None, ge=1, le=100_000)
    modifiers: list[Modifier] | None = Field(default=None, max_length=4, description="[]: none")
    system: SystemName | None = Field(default=None, description=SYSTEM_DOC)


class PoaBody(Strict):
    poa: PoaValue


class UserBody(Strict):
    name: str = Field(min_length=1, max_length=80)
    role: Literal["coder", "reviewer", "auditor", "manager", "admin", "analyst"]
    service_account: bool = False  # a system calling with API keys: no password, no login


class PasswordBody(Strict):
    password: str = Field(min_length=1, max_length=1024)


class ApiKeyBody(Strict):
    user: str | None = Field(default=None, min_length=1, max_length=80)  # None: the caller
    label: str = Field(default="api key", min_length=1, max_length=120)


class FinalizeBody(Strict):
    acknowledge: str | None = Field(
        default=None,
        max_length=2000,
        description="Reason for reporting despite claim-edit warnings (audited)",
    )


class QueryBody(Strict):
    """A physician query from a template (``GET /v1/query-templates``)."""

    template: str = Field(min_length=1, max_length=40)
    text: str = Field(min_length=1, max_length=2000, description="The record's words quoted")
    code: str | None = Field(default=None, max_length=20)
    provider: str | None = Field(default=None, max_length=200)
    hold_finalize: bool = False


class AnswerBody(Strict):
    answer: str = Field(min_length=1, max_length=2000)
