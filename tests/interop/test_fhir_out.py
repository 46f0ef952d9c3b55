"""FHIR R4 Bundle out: built, written as JSON, parsed back by fhir.resources, same codes."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from fhir.resources.R4B.bundle import Bundle

from medcoder.interop.claim import ClaimPatient
from medcoder.interop.fhir_out import SYSTEM_URI, build_bundle
from medcoder.kinds import CodeSystem
from tests.interop.conftest import CREATED, PATIENT, inpatient_claim, office_claim


def resources(bundle: Bundle, kind: str) -> list[Any]:
    return [e.resource for e in bundle.entry or [] if e.resource.get_resource_type() == kind]


def codes(concept: Any) -> tuple[str, str]:
    (coding,) = concept.coding
    return coding.system, coding.code


def round_trip(bundle: Bundle) -> Bundle:
    text = bundle.model_dump_json()
    assert json.loads(text)["resourceType"] == "Bundle"
    return Bundle.model_validate_json(text)


def test_office_claim_round_trips_with_codes_modifiers_and_quantity() -> None:
    bundle = round_trip(build_bundle(office_claim(), created=CREATED))
    assert bundle.type == "collection"
    kinds = [e.resource.get_resource_type() for e in bundle.entry or []]
    assert kinds[:3] == ["Patient", "Encounter", "Coverage"] and kinds[-1] == "Claim"
    icd = SYSTEM_URI[CodeSystem.ICD10CM]
    assert [codes(c.code) for c in resources(bundle, "Condition")] == [
        (icd, "E11.9"), (icd, "I10"), (icd, "E78.5"), (icd, "Z79.4"), (icd, "M54.50"),
    ]  # fmt: skip
    assert [codes(p.code) for p in resources(bundle, "Procedure")] == [
        ("http://www.ama-assn.org/go/cpt", "99214"),
        ("https://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets", "J1100"),
        ("http://www.ama-assn.org/go/cpt", "96372"),
    ]
    (claim,) = resources(bundle, "Claim")
    assert codes(claim.type)[1] == "professional"
    assert [d.sequence for d in claim.diagnosis] == [1, 2, 3, 4, 5]
    assert codes(claim.diagnosis[0].type[0])[1] == "principal"
    items = claim.item
    assert [codes(i.productOrService)[1] for i in items] == ["99214", "J1100", "96372"]
    assert [i.quantity.value for i in items] == [1, 3, 1]
    assert [[codes(m)[1] for m in i.modifier or []] for i in items] == [["25"], ["JZ"], []]
    assert items[0].diagnosisSequence == [1, 2, 3, 4]
    assert all(i.revenue is None for i in items)
    (patient,) = resources(bundle, "Patient")
    assert patient.name[0].family == "Quillfeather" and patient.identifier[0].value == "ZZ-550012"
    assert claim.provider.identifier.value == "1234567893"


def test_inpatient_claim_carries_poa_drg_and_pcs() -> None:
    bundle = round_trip(build_bundle(inpatient_claim(), created=CREATED))
    (claim,) = resources(bundle, "Claim")
    assert codes(claim.type)[1] == "institutional"
    on_admission = [d.onAdmission and codes(d.onAdmission)[1] for d in claim.diagnosis]
    assert on_admission == ["y", "y", "n", None]  # exempt: no onAdmission
    assert codes(claim.diagnosis[0].packageCode)[1] == "343"
    pcs = SYSTEM_URI[CodeSystem.ICD10PCS]
    assert [(codes(p.procedureCodeableConcept), str(p.date)[:10]) for p in claim.procedure] == [
        ((pcs, "0DTJ4ZZ"), "2026-05-02"),
        ((pcs, "0DJD8ZZ"), "2026-05-03"),
    ]
    (encounter,) = resources(bundle, "Encounter")
    assert encounter.class_fhir.code == "IMP"
    assert codes(encounter.hospitalization.dischargeDisposition)[1] == "01"


def test_the_same_claim_gives_the_same_bundle() -> None:
    first = build_bundle(inpatient_claim(), created=CREATED).model_dump_json()
    assert first == build_bundle(inpatient_claim(), created=CREATED).model_dump_json()


def test_institutional_items_carry_revenue_codes() -> None:
    bundle = build_bundle(office_claim(), created=CREATED, institutional=True)
    (claim,) = resources(bundle, "Claim")
    assert [codes(i.revenue)[1] for i in claim.item] == ["0510", "0636", "0940"]


def test_deidentified_patient_leaves_out_name_mrn_and_attending() -> None:
    hidden = ClaimPatient("P000001", "", None, PATIENT.sex, deidentified=True)
    claim = office_claim(patient=hidden)
    text = build_bundle(claim, created=CREATED).model_dump_json()
    for identifier in ("Quillfeather", "Perpetua", "ZZ-550012", "Oakhollow", "1948", "OFF-1"):
        assert identifier not in text
    (patient,) = resources(round_trip(Bundle.model_validate_json(text)), "Patient")
    assert patient.identifier[0].value == "P000001" and patient.name is None
    identified = build_bundle(dataclasses.replace(claim, patient=PATIENT), created=CREATED)
    assert "Quillfeather" in identified.model_dump_json()
