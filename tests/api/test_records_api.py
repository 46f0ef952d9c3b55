"""The review workflow over HTTP: the same service, the same rules, the same audit."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from medcoder.records.service import Records
from tests.records.conftest import PATIENT


def test_review_an_encounter_end_to_end(
    client: TestClient, headers: dict[str, dict[str, str]], api_home: Path
) -> None:
    coder = headers["coder"]
    queue = client.get("/v1/queue", headers=coder).json()
    assert [q["encounter"] for q in queue] == ["E-100"]
    view = client.get("/v1/encounters/E-100", headers=coder).json()
    assert view["patient"]["name"] == PATIENT["name"]
    codes = {c["code"]: c for c in view["codes"]}
    assert {"E11.9", "I10"} <= set(codes)
    text = view["documents"][0]["text"]
    span = codes["E11.9"]["evidence"][0]
    assert text[span["start"] : span["end"]] == span["text"]

    runs = client.get("/v1/encounters/E-100/coding-runs", headers=coder).json()
    assert runs[0]["release"] == "icd10cm-2026-04"
    assert {c["code"] for c in runs[0]["result"]["codes"]} >= {"E11.9", "I10"}
    assert runs[0]["result"]["codes"][0]["index_path"]

    url = "/v1/encounters/E-100"
    assert client.post(f"{url}/codes/E11.9/accept", headers=coder).status_code == 200
    change = {"new_code": "I11.9", "reason": "hypertensive heart disease documented"}
    assert client.post(f"{url}/codes/I10/change", json=change, headers=coder).status_code == 200
    for other in set(codes) - {"E11.9", "I10"}:
        rejected = client.post(
            f"{url}/codes/{other}/reject", json={"reason": "not a diagnosis"}, headers=coder
        )
        assert rejected.status_code == 200
    for line in view["procedures"]:  # the E/M level and any other procedure line
        decided = client.post(
            f"{url}/codes/{line['code']}/accept", json={"system": line["system"]}, headers=coder
        )
        assert decided.status_code == 200, decided.text
    added = client.post(f"{url}/codes", json={"code": "Z79.84"}, headers=coder)
    assert added.status_code == 201
    order = {"codes": ["I11.9", "E11.9", "Z79.84"]}
    assert client.put(f"{url}/sequence", json=order, headers=coder).status_code == 200
    assert client.post(f"{url}/finalize", headers=coder).status_code == 200
    locked = client.post(f"{url}/codes/E11.9/reject", json={"reason": "x"}, headers=coder)
    assert locked.status_code == 409
    refused = client.post(f"{url}/reopen", json={"reason": "audit"}, headers=coder)
    assert refused.status_code == 403
    rows = client.get("/v1/export", headers=headers["analyst"]).json()
    lines = [line["code"] for line in view["procedures"]]
    assert [r["code"] for r in rows] == ["I11.9", "E11.9", "Z79.84", *lines]
    assert all("name" not in r and "mrn" not in r for r in rows)
    assert (
        client.get("/v1/export?deidentified=false", headers=headers["analyst"]).status_code == 403
    )
    identified = client.get("/v1/export?deidentified=false", headers=headers["manager"]).json()
    assert identified[0]["mrn"] == PATIENT["mrn"]
    reopened = client.post(f"{url}/reopen", json={"reason": "audit"}, headers=headers["reviewer"])
    assert reopened.status_code == 200
    verified = client.post("/v1/audit/verify", headers=headers["reviewer"]).json()
    assert verified["ok"] is True and verified["events"] > 10

    records = Records.open(api_home)
    try:  # the database holds what the API said
        view_after = records.encounter_view("reviewer", "E-100")
        statuses = {c.code: c.status for c in view_after.codes}
        assert statuses["E11.9"] == "accepted" and statuses["I10"] == "changed"
        assert view_after.status == "review"
    finally:
        records.close()


def test_import_then_code_over_http(client: TestClient, headers: dict[str, dict[str, str]]) -> None:
    document = {
        "mrn": "ZZ-0001", "name": "Quillon Marrowby", "dob": "1950-02-03", "sex": "M",
        "encounter_id": "E-300", "setting": "outpatient", "date": "2026-06-01",
        "kind": "progress", "text": "ASSESSMENT: Essential hypertension.",
    }  # fmt: skip
    refused = client.post("/v1/imports", json={"documents": [document]}, headers=headers["coder"])
    assert refused.status_code == 403
    made = client.post("/v1/imports", json={"documents": [document]}, headers=headers["manager"])
    assert made.status_code == 201, made.text
    assert made.json()["encounters_created"] == 1
    again = client.post("/v1/imports", json={"documents": [document]}, headers=headers["manager"])
    assert again.json()["duplicates"] == 1
    assert "E-300" in client.get("/v1/encounters/pending", headers=headers["coder"]).json()
    run = client.post("/v1/encounters/E-300/coding-runs", headers=headers["coder"])
    assert run.status_code == 201 and run.json()["suggested"] >= 1
    codes = client.get("/v1/encounters/E-300/codes", headers=headers["coder"]).json()
    assert "I10" in [c["code"] for c in codes]
    docs = client.get("/v1/encounters/E-300/documents", headers=headers["coder"]).json()
    assert docs == [{"kind": "progress", "text": document["text"]}]


def test_import_fhir_and_hl7_over_http(
    client: TestClient, headers: dict[str, dict[str, str]]
) -> None:
    import json

    from tests.interop.samples import bundle, changed, mdm, oru

    manager = headers["manager"]
    fhir = {"Content-Type": "application/fhir+json", **manager}
    made = client.post(
        "/v1/imports", content=json.dumps(bundle("FE-1", mrn="QX-550009")), headers=fhir
    )
    assert made.status_code == 201, made.text
    assert made.json()["documents_added"] == 1
    bad = changed(bundle("FE-2"), ["entry", 0, "resource", "gender"], "f")
    refused = client.post("/v1/imports", content=json.dumps(bad), headers=fhir).json()
    assert refused["documents_added"] == 0
    assert refused["errors"] == [
        {
            "line": 1,
            "problem": "Bundle[0].entry[0].resource(Patient).gender: "
            "not male, female, other or unknown",
        }
    ]
    batch = mdm("HV-1") + "\n" + mdm("HV-9", klass="Z") + "\n" + oru("HV-2")
    for media in ("x-application/hl7-v2+er7", "text/plain; charset=utf-8"):
        hl7 = {"Content-Type": media, **manager}
        answer = client.post("/v1/imports", content=batch.encode(), headers=hl7)
        assert answer.status_code == 201, answer.text
        assert [e["problem"][:19] for e in answer.json()["errors"]] == ["message 2 PV1-2: pa"]
    assert answer.json()["duplicates"] == 2  # the second post found both stored
    view = client.get("/v1/encounters/HV-1", headers=headers["coder"]).json()
    assert view["documents"][0]["kind"] == "discharge summary"
    plain = {"Content-Type": "text/plain", **manager}
    wrong = client.post("/v1/imports", content=b"just a note", headers=plain)
    assert wrong.status_code == 422 and wrong.json()["error"]["code"] == "E504"
    shape = client.post("/v1/imports", json={"documents": [{"mrn": 1}]}, headers=manager)
    assert shape.status_code == 422 and "documents.0" in shape.json()["error"]["message"]


def test_procedures_poa_and_discharge_status_over_http(
    client: TestClient, headers: dict[str, dict[str, str]]
) -> None:
    """Issue 12: an inpatient stay imported with its discharge status, its diagnoses'
    POA set by the coder; the encounter JSON keeps its keys and adds the new ones."""
    coder, manager = headers["coder"], headers["manager"]
    stay = {
        **PATIENT, "encounter_id": "IP-5", "setting": "inpatient", "admit_date": "2026-04-28",
        "discharge_date": "2026-05-01", "discharge_status": "01", "kind": "discharge summary",
        "text": "DISCHARGE DIAGNOSES: Type 2 diabetes mellitus. Essential hypertension.",
    }  # fmt: skip
    imported = client.post("/v1/imports", json={"documents": [stay]}, headers=manager)
    assert imported.status_code == 201 and imported.json()["encounters_created"] == 1
    bad = client.post(
        "/v1/imports", json={"documents": [{**stay, "discharge_status": "1"}]}, headers=manager
    )
    assert bad.status_code == 422
    assert client.post("/v1/encounters/IP-5/coding-runs", headers=coder).status_code == 201
    url = "/v1/encounters/IP-5"
    view = client.get(url, headers=coder).json()
    assert view["discharge_status"] == "01" and view["procedures"] == []
    first = view["codes"][0]
    assert {"system", "units", "modifiers", "poa", "poa_source", "evidence"} <= set(first)
    code = first["code"]
    assert (
        client.put(f"{url}/codes/{code}/poa", json={"poa": "Y"}, headers=coder).status_code == 200
    )
    after = {c["code"]: c for c in client.get(url, headers=coder).json()["codes"]}
    assert (after[code]["poa"], after[code]["poa_source"]) == ("Y", "coder")
    refused = client.put(f"{url}/codes/{code}/poa", json={"poa": "X"}, headers=coder)
    assert refused.status_code == 422
    ambiguous = client.post(f"{url}/codes", json={"code": "J1100"}, headers=coder)
    assert ambiguous.status_code == 422, ambiguous.text
    assert ambiguous.json()["error"]["code"] == "E300"
    assert "ambiguous" in ambiguous.json()["error"]["message"]
    no_units = client.put(f"{url}/codes/{code}/line", json={"units": 2}, headers=coder)
    assert no_units.status_code == 422 and "CPT and HCPCS" in no_units.json()["error"]["message"]
