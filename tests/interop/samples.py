"""Synthetic FHIR Bundles and HL7 v2 messages (names, numbers and notes invented here)."""

from __future__ import annotations

import base64
import copy
from typing import Any

NOTE = "ASSESSMENT: Type 2 diabetes mellitus. Essential hypertension."
MR = {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v2-0203", "code": "MR"}]}


def bundle(
    encounter: str = "FE-1",
    *,
    mrn: str = "QX-550001",
    text: str = NOTE,
    base64_data: bool = False,
    klass: str = "AMB",
    start: str = "2026-05-01T09:30:00-05:00",
    end: str | None = None,
    discharge: str | None = None,
) -> dict[str, Any]:
    """A collection Bundle: a Patient, an Encounter and one DocumentReference."""
    attachment: dict[str, Any] = {"contentType": "text/plain; charset=utf-8"}
    if base64_data:
        attachment["data"] = base64.b64encode(text.encode()).decode()
    else:  # plain text in a contained Binary
        attachment["url"] = "#note"
    document: dict[str, Any] = {
        "resourceType": "DocumentReference",
        "status": "current",
        "type": {"coding": [{"system": "http://loinc.org", "code": "11506-3"}], "text": "progress"},
        "subject": {"reference": "urn:uuid:pat-1"},
        "context": {"encounter": [{"reference": f"Encounter/{encounter}"}]},
        "content": [{"attachment": attachment}],
    }
    if not base64_data:
        data = base64.b64encode(text.encode()).decode()
        document["contained"] = [
            {"resourceType": "Binary", "id": "note", "contentType": "text/plain", "data": data}
        ]
    visit: dict[str, Any] = {
        "resourceType": "Encounter",
        "id": encounter,
        "status": "finished",
        "identifier": [{"value": encounter}],
        "class": {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": klass},
        "period": {"start": start, **({"end": end} if end else {})},
        "participant": [
            {
                "type": [{"coding": [{"code": "ATND"}]}],
                "individual": {"display": "Dr Quentin Pargeter"},
            }
        ],
    }
    if discharge:
        visit["hospitalization"] = {"dischargeDisposition": {"coding": [{"code": discharge}]}}
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [
            {
                "fullUrl": "urn:uuid:pat-1",
                "resource": {
                    "resourceType": "Patient",
                    "identifier": [
                        {"system": "urn:oid:1.2.3", "value": "OTHER-9"},
                        {"type": MR, "value": mrn},
                    ],
                    "name": [{"use": "official", "family": "Vantablack", "given": ["Ottoline"]}],
                    "birthDate": "1931-03-09",
                    "gender": "female",
                },
            },
            {"resource": visit},
            {"resource": document},
        ],
    }


def changed(data: dict[str, Any], path: list[str | int], value: Any) -> dict[str, Any]:
    """A deep copy of ``data`` with the value at ``path`` replaced."""
    out = copy.deepcopy(data)
    target: Any = out
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    return out


def _pv1(klass: str, visit: str, admit: str = "", discharge: str = "") -> str:
    fields = [""] * 46
    fields[:3] = ["PV1", "1", klass]
    fields[7] = "D77^Pargeter^Quentin"  # attending
    fields[19], fields[36], fields[44], fields[45] = visit, "01", admit, discharge
    return "|".join(fields)


def mdm(
    visit: str = "HV-1",
    *,
    control: str = "MSG1",
    klass: str = "I",
    text: str = r"HOSPITAL COURSE:\.br\Pneumonia treated \T\ improved; pH 7\S\4 \F\ ok.",
    dob: str = "19310309",
    admit: str = "202604280800",
    discharge: str = "202605011000",
) -> str:
    """An MDM^T02 discharge summary, segments ending in CR (two OBX lines)."""
    segments = [
        f"MSH|^~\\&|EHR|NORTHWING|MEDCODER|NORTHWING|202605011200||MDM^T02|{control}|P|2.5.1",
        "EVN|T02|202605011200",
        f"PID|1||OTHER-9^^^XA^PI~QX-550001^^^NORTHWING^MR||Vantablack^Ottoline^Q||{dob}|F",
        _pv1(klass, visit, admit, discharge),
        "TXA|1|DS|TX|202605011000",
        f"OBX|1|TX|18842-5^Discharge summary^LN||{text}||||||F",
        "OBX|2|FT|18842-5^Discharge summary^LN||"
        "Follow up in \\X6D\\clinic.~Caf\\XC3A9\\ diet.||||||F",
    ]
    return "\r".join(segments) + "\r"


def oru(visit: str = "HV-2", *, control: str = "MSG2", text: str = "Chest film clear.") -> str:
    """An ORU^R01 outpatient radiology report; a numeric OBX that is not note text."""
    segments = [
        f"MSH|^~\\&|RIS|NORTHWING|MEDCODER|NORTHWING|202605021200||ORU^R01|{control}|P|2.5.1",
        "PID|1||QX-550002^^^NORTHWING^MR||Quist^Brunhilde||19800101|F",
        _pv1("O", visit),
        "OBR|1||RAD-1|71046^Chest 2 views^CPT|||20260502093000",
        "OBX|1|NM|8867-4^Heart rate^LN||72|/min|||||F",
        f"OBX|2|TX|18748-4^Report^LN||{text}||||||F",
    ]
    return "\r".join(segments) + "\r"
