"""``Records.risk_inputs`` and ``medcoder hcc --patient``: the reported codes of a
patient's finalized encounters of one year, read with permission and audited (issue 12
part 4). Code rows are inserted directly, as a finalized review would leave them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from medcoder.cli import main
from medcoder.errors import PermissionDeniedError, RecordNotFoundError
from medcoder.hcc.patient import patient_year_score
from medcoder.kinds import Setting
from medcoder.records.models import AuditEvent, CodeAssignment, Encounter, EncounterStatus
from medcoder.records.service import Records
from tests.records.conftest import PATIENT, doc, write_jsonl

ROWS = {  # encounter -> (system, code, status)
    "E-OFFICE": [
        ("icd10cm", "E11.22", "accepted"),
        ("icd10cm", "N18.4", "added"),
        ("cpt", "99214", "accepted"),
        ("icd10cm", "C34.90", "rejected"),
    ],
    "E-LAB": [("icd10cm", "I50.9", "accepted"), ("cpt", "80053", "accepted")],
    "E-STAY": [("icd10cm", "I50.9", "accepted")],
    "E-OPEN": [("icd10cm", "F20.9", "accepted"), ("cpt", "99213", "accepted")],
}


@pytest.fixture
def finalized(records: Records, tmp_path: Path) -> Records:
    source = write_jsonl(
        tmp_path / "in.jsonl",
        [
            doc("E-OFFICE", date="2025-03-04"),
            doc("E-LAB", date="2025-04-05"),
            doc("E-STAY", setting="inpatient", date="2025-06-07"),
            doc("E-OPEN", date="2025-07-08"),  # not finalized: never read
            doc("E-LATER", date="2026-01-09"),  # another year
        ],
    )
    records.import_path("mia", source)
    with records._sessions() as session:
        for encounter in session.scalars(select(Encounter)):
            for sequence, (system, code, status) in enumerate(ROWS.get(encounter.external_id, [])):
                session.add(
                    CodeAssignment(
                        encounter_id=encounter.id,
                        system=system,
                        code=code,
                        title="",
                        sequence=sequence,
                        source="coder",
                        status=status,
                        release="test",
                    )
                )
            if encounter.external_id != "E-OPEN":
                encounter.status = EncounterStatus.FINALIZED
        session.commit()
    return records


def test_reads_reported_codes_of_finalized_encounters(finalized: Records) -> None:
    inputs = finalized.risk_inputs("cora", PATIENT["mrn"], 2025)
    assert str(inputs.dob) == PATIENT["dob"] and inputs.sex == "F"
    by_id = {e.encounter: e for e in inputs.encounters}
    assert set(by_id) == {"E-OFFICE", "E-LAB", "E-STAY"}
    assert by_id["E-OFFICE"].diagnoses == ("E11.22", "N18.4")  # the rejected one is not
    assert by_id["E-OFFICE"].procedures == ("99214",)
    assert by_id["E-STAY"].setting is Setting.INPATIENT
    with finalized._sessions() as session:
        event = session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert event is not None and (event.actor, event.entity) == ("cora", "patient")


def test_the_lab_only_encounter_is_not_counted(finalized: Records, shared_data: Path) -> None:
    inputs = finalized.risk_inputs("cora", PATIENT["mrn"], 2025)
    result = patient_year_score(inputs.encounters, age=70, sex="F", year=2026, data=shared_data)
    assert round(result.risk_score, 3) == 1.723  # E11.22, N18.4 (office) + I50.9 (stay)
    assert [e.encounter for e in result.excluded_encounters] == ["E-LAB"]


def test_permission_and_unknown_patient(finalized: Records) -> None:
    with pytest.raises(PermissionDeniedError):
        finalized.risk_inputs("ann", PATIENT["mrn"], 2025)  # the analyst reads no PHI
    with pytest.raises(RecordNotFoundError):
        finalized.risk_inputs("cora", "NO-SUCH-MRN", 2025)


def test_cli_patient_year(finalized: Records, shared_data: Path) -> None:
    finalized.close()
    result = CliRunner().invoke(
        main,
        [
            "hcc",
            "--patient",
            PATIENT["mrn"],
            "--year",
            "2026",
            "--user",
            "cora",
            "--data",
            str(shared_data),
            "--format",
            "json",
        ],
    )
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert set(data["hccs"]) == {"37", "226", "327"}
    assert data["age"] == 94 and data["risk_score"] > 1  # born 1931-03-09; Feb 1, 2026
    assert data["excluded_encounters"][0]["encounter"] == "E-LAB"
