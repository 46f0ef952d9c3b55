"""A claim document as a FHIR R4 Bundle (``fhir.resources.R4B`` models).

The Bundle (type ``collection``) holds Patient, Encounter, Coverage, one Condition per
diagnosis, one Procedure per procedure, and the Claim that ties them: ``diagnosis`` in
sequence (the first ``principal``) with ``onAdmission`` from the POA indicator and the
MS-DRG as the principal's ``packageCode``; ``procedure`` for ICD-10-PCS codes; ``item``
for CPT/HCPCS lines, with quantity, modifiers, the first four diagnoses as pointers and
(institutional claims) the revenue code. fhir.resources checks the resources' shape;
``code_values.check_claim`` checks the code values first, as it does for the 837.

References are ``urn:uuid:`` full URLs, derived from the claim id (uuid5), so one
claim always gives the same Bundle. A de-identified patient (``ClaimPatient.deidentified``)
is written without name, MRN or attending: the caller has already replaced the id and
shifted or dropped the birth date (``records.deid`` rules); nothing here re-identifies.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from medcoder.interop.claim import ClaimDocument, ProcedureLine
from medcoder.interop.code_values import CodeCatalog, bare, check_claim
from medcoder.interop.revenue_codes import revenue_code
from medcoder.kinds import CodeSystem, PoaIndicator, Setting, Sex

if TYPE_CHECKING:
    from fhir.resources.R4B.bundle import Bundle

# Code system URIs (HL7 terminology, terminology.hl7.org/external_terminologies.html).
SYSTEM_URI = {
    CodeSystem.ICD10CM: "http://hl7.org/fhir/sid/icd-10-cm",
    CodeSystem.ICD10PCS: "http://www.cms.gov/Medicare/Coding/ICD10",
    CodeSystem.CPT: "http://www.ama-assn.org/go/cpt",
    CodeSystem.HCPCS: "https://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets",
}
NPI_URI = "http://hl7.org/fhir/sid/us-npi"
MS_DRG_URI = (
    "https://www.cms.gov/Medicare/Medicare-Fee-for-Service-Payment/AcuteInpatientPPS/"
    "MS-DRG-Classifications-and-Software"
)
NUBC_REVENUE_URI = "https://www.nubc.org/CodeSystem/RevenueCodes"
NUBC_DISCHARGE_URI = "https://www.nubc.org/CodeSystem/PatDischargeStatus"
TERMINOLOGY = "http://terminology.hl7.org/CodeSystem/"
ENCOUNTER_CLASS = {Setting.OUTPATIENT: "AMB", Setting.INPATIENT: "IMP", Setting.EMERGENCY: "EMER"}
GENDER = {Sex.FEMALE: "female", Sex.MALE: "male"}
NAMESPACE = uuid.UUID("6f1c2a43-0b6e-4c1e-9a55-2d1f5e0c7a10")  # medcoder's claim URLs


def _coding(system: str, code: str, display: str | None = None) -> dict[str, Any]:
    coding = {"system": system, "code": code}
    if display:
        coding["display"] = display
    return {"coding": [coding]}


def claim_code(system: CodeSystem, code: str) -> str:
    """The code as FHIR writes it: ICD-10-CM with its dot after the category, others bare."""
    value = bare(code)
    if system is CodeSystem.ICD10CM and len(value) > 3:
        return f"{value[:3]}.{value[3:]}"
    return value


def modifier_coding(modifier: str) -> dict[str, Any]:
    """CPT modifiers are two digits; HCPCS Level II modifiers have a letter."""
    system = CodeSystem.CPT if modifier.isdigit() else CodeSystem.HCPCS
    return _coding(SYSTEM_URI[system], modifier)


def build_bundle(
    claim: ClaimDocument,
    *,
    created: dt.datetime | None = None,
    catalog: CodeCatalog | None = None,
    institutional: bool | None = None,
) -> Bundle:
    """The FHIR R4 Bundle of ``claim`` (codes checked first; ClaimCodeValueError).

    ``institutional`` picks the Claim type (and revenue codes on its items); by default
    inpatient and emergency encounters are institutional, outpatient ones professional.
    """
    from fhir.resources.R4B.bundle import Bundle

    check_claim(claim, catalog)
    urls = _Urls(claim.claim_id)
    resources = [
        _patient(claim, urls),
        _encounter(claim, urls),
        _coverage(claim, urls),
        *(_condition(claim, urls, n, d.code) for n, d in enumerate(claim.diagnoses, 1)),
        *(_procedure(claim, urls, n, p) for n, p in enumerate(claim.procedures, 1)),
        _claim(
            claim,
            urls,
            created or dt.datetime.now(dt.UTC),
            claim.encounter.setting is not Setting.OUTPATIENT
            if institutional is None
            else institutional,
        ),
    ]
    entries = [
        {"fullUrl": urls.of(r["resourceType"], r.pop("_n")), "resource": r} for r in resources
    ]
    return Bundle.model_validate(
        {
            "resourceType": "Bundle",
            "id": str(uuid.uuid5(NAMESPACE, f"bundle/{claim.claim_id}")),
            "type": "collection",
            "entry": entries,
        }
    )


def registry_bundle(
    registry: str, claims: Sequence[ClaimDocument], *, catalog: CodeCatalog | None = None
) -> Bundle:
    """One FHIR R4 Bundle (``collection``) of a registry's members (issue 15): for each
    member's claim document, the Patient, the Encounter, one Condition per diagnosis and one
    Procedure per procedure, written by the builders of ``build_bundle`` (no Coverage or
    Claim: a registry extract is clinical data, not a bill); codes checked first."""
    from fhir.resources.R4B.bundle import Bundle

    entries: list[dict[str, Any]] = []
    for claim in claims:
        check_claim(claim, catalog)
        urls = _Urls(claim.claim_id)
        resources = [
            _patient(claim, urls),
            _encounter(claim, urls),
            *(_condition(claim, urls, n, d.code) for n, d in enumerate(claim.diagnoses, 1)),
            *(_procedure(claim, urls, n, p) for n, p in enumerate(claim.procedures, 1)),
        ]
        entries.extend(
            {"fullUrl": urls.of(r["resourceType"], r.pop("_n")), "resource": r} for r in resources
        )
    members = ",".join(c.claim_id for c in claims)
    return Bundle.model_validate(
        {
            "resourceType": "Bundle",
            "id": str(uuid.uuid5(NAMESPACE, f"registry/{registry}/{members}")),
            "type": "collection",
            **({"entry": entries} if entries else {}),
        }
    )


class _Urls:
    def __init__(self, claim_id: str) -> None:
        self.claim_id = claim_id

    def of(self, kind: str, n: int = 0) -> str:
        return f"urn:uuid:{uuid.uuid5(NAMESPACE, f'{self.claim_id}/{kind}/{n}')}"


def _patient(claim: ClaimDocument, urls: _Urls) -> dict[str, Any]:
    patient = claim.patient
    resource: dict[str, Any] = {"resourceType": "Patient", "_n": 0}
    if patient.deidentified:
        resource["identifier"] = [{"system": "urn:medcoder:pseudonym", "value": patient.patient_id}]
    else:
        resource["identifier"] = [
            {"type": _coding(f"{TERMINOLOGY}v2-0203", "MR"), "value": patient.patient_id}
        ]
        if patient.name:
            given = patient.first_name.split()
            resource["name"] = [
                {"family": patient.last_name, **({"given": given} if given else {})}
            ]
    if patient.sex is not None:
        resource["gender"] = GENDER[patient.sex]
    if patient.dob is not None:
        resource["birthDate"] = patient.dob.isoformat()
    return resource


def _encounter(claim: ClaimDocument, urls: _Urls) -> dict[str, Any]:
    encounter = claim.encounter
    resource: dict[str, Any] = {
        "resourceType": "Encounter",
        "_n": 0,
        "status": "finished",
        "class": {
            "system": "http://terminology.hl7.org/CodeSystem/v3-ActCode",
            "code": ENCOUNTER_CLASS[encounter.setting],
        },
        "subject": {"reference": urls.of("Patient")},
    }
    if not claim.patient.deidentified:
        resource["identifier"] = [{"value": encounter.encounter_id}]
        if encounter.attending:
            resource["participant"] = [{"individual": {"display": encounter.attending}}]
    first, last = encounter.first_day, encounter.last_day
    if first and last:
        resource["period"] = {"start": first.isoformat(), "end": last.isoformat()}
    if encounter.discharge_status:
        resource["hospitalization"] = {
            "dischargeDisposition": _coding(NUBC_DISCHARGE_URI, encounter.discharge_status)
        }
    return resource


def _coverage(claim: ClaimDocument, urls: _Urls) -> dict[str, Any]:
    payer = claim.encounter.payer or claim.parties.receiver_name
    return {
        "resourceType": "Coverage",
        "_n": 0,
        "status": "active",
        "beneficiary": {"reference": urls.of("Patient")},
        "payor": [{"display": payer}],
    }


def _condition(claim: ClaimDocument, urls: _Urls, n: int, code: str) -> dict[str, Any]:
    return {
        "resourceType": "Condition",
        "_n": n,
        "category": [_coding(f"{TERMINOLOGY}condition-category", "encounter-diagnosis")],
        "code": _coding(SYSTEM_URI[CodeSystem.ICD10CM], claim_code(CodeSystem.ICD10CM, code)),
        "subject": {"reference": urls.of("Patient")},
        "encounter": {"reference": urls.of("Encounter")},
    }


def _procedure(claim: ClaimDocument, urls: _Urls, n: int, line: ProcedureLine) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "resourceType": "Procedure",
        "_n": n,
        "status": "completed",
        "code": _coding(SYSTEM_URI[line.system], claim_code(line.system, line.code)),
        "subject": {"reference": urls.of("Patient")},
        "encounter": {"reference": urls.of("Encounter")},
    }
    day = line.date or claim.encounter.first_day
    if day is not None:
        resource["performedDateTime"] = day.isoformat()
    return resource


def _claim(
    claim: ClaimDocument, urls: _Urls, created: dt.datetime, institutional: bool
) -> dict[str, Any]:
    encounter, parties = claim.encounter, claim.parties
    diagnoses = []
    for n, diagnosis in enumerate(claim.diagnoses, start=1):
        entry: dict[str, Any] = {
            "sequence": n,
            "diagnosisCodeableConcept": _coding(
                SYSTEM_URI[CodeSystem.ICD10CM], claim_code(CodeSystem.ICD10CM, diagnosis.code)
            ),
        }
        if n == 1:
            entry["type"] = [_coding(f"{TERMINOLOGY}ex-diagnosistype", "principal")]
            if claim.drg and encounter.setting.is_inpatient:
                entry["packageCode"] = _coding(MS_DRG_URI, claim.drg)
        if diagnosis.poa is not None and diagnosis.poa is not PoaIndicator.EXEMPT:
            entry["onAdmission"] = _coding(
                f"{TERMINOLOGY}ex-diagnosis-on-admission", diagnosis.poa.value.lower()
            )
        diagnoses.append(entry)
    pointers = list(range(1, min(4, len(claim.diagnoses)) + 1))
    procedures = []
    for n, pcs in enumerate(claim.pcs_procedures, start=1):
        procedure: dict[str, Any] = {
            "sequence": n,
            "procedureCodeableConcept": _coding(
                SYSTEM_URI[pcs.system], claim_code(pcs.system, pcs.code)
            ),
        }
        if (pcs.date or encounter.first_day) is not None:
            procedure["date"] = (pcs.date or encounter.first_day).isoformat()  # type: ignore[union-attr]
        procedures.append(procedure)
    items = []
    for n, line in enumerate(claim.service_lines, start=1):
        code = claim_code(line.system, line.code)
        item: dict[str, Any] = {
            "sequence": n,
            "productOrService": _coding(SYSTEM_URI[line.system], code),
            "quantity": {"value": line.units},
            "diagnosisSequence": pointers,
        }
        if line.modifiers:
            item["modifier"] = [modifier_coding(m) for m in line.modifiers]
        if institutional:
            item["revenue"] = _coding(NUBC_REVENUE_URI, revenue_code(line.system, code))
        day = line.date or encounter.first_day
        if day is not None:
            item["servicedDate"] = day.isoformat()
        items.append(item)
    resource: dict[str, Any] = {
        "resourceType": "Claim",
        "_n": 0,
        "identifier": [{"value": claim.claim_id}] if not claim.patient.deidentified else [],
        "status": "active",
        "type": _coding(
            f"{TERMINOLOGY}claim-type", "institutional" if institutional else "professional"
        ),
        "use": "claim",
        "patient": {"reference": urls.of("Patient")},
        "created": created.isoformat(),
        "provider": {
            "identifier": {"system": NPI_URI, "value": parties.billing_npi},
            "display": parties.billing_name,
        },
        "priority": _coding(f"{TERMINOLOGY}processpriority", "normal"),
        "insurance": [
            {"sequence": 1, "focal": True, "coverage": {"reference": urls.of("Coverage")}}
        ],
        "diagnosis": diagnoses,
        "procedure": procedures,
        "item": items,
    }
    first, last = encounter.first_day, encounter.last_day
    if first and last:
        resource["billablePeriod"] = {"start": first.isoformat(), "end": last.isoformat()}
    return {k: v for k, v in resource.items() if v != []}
