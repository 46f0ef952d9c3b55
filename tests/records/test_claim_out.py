"""`medcoder claim`: a finalized encounter as an 837P, 837I or FHIR Bundle, checked against
the releases in force, permission-checked and audited as an identified export."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from medcoder.cli import main
from medcoder.errors import PermissionDeniedError, WorkflowError
from medcoder.records.models import AuditEvent, CodeAssignment, Encounter, EncounterStatus
from medcoder.records.service import Records
from tests.interop.conftest import pyx12_validate
from tests.records.conftest import doc, write_jsonl

# (system, code, units, modifiers, poa) in sequence; synthetic.
OFFICE = [
    ("icd10cm", "E11.9", 1, None, None),
    ("icd10cm", "I10", 1, None, None),
    ("cpt", "99214", 1, ["25"], None),
    ("hcpcs", "J1100", 2, None, None),
]
STAY = [
    ("icd10cm", "K35.80", 1, None, "Y"),
    ("icd10cm", "N39.0", 1, None, "N"),
    ("icd10pcs", "0DTJ4ZZ", 1, None, None),
]


def _store(records: Records, encounter_id: str, rows: list[tuple], finalize: bool = True) -> None:  # type: ignore[type-arg]
    with records._sessions.begin() as session:
        encounter = session.scalars(
            select(Encounter).where(Encounter.external_id == encounter_id)
        ).one()
        for sequence, (system, code, units, modifiers, poa) in enumerate(rows, start=1):
            session.add(
                CodeAssignment(
                    encounter_id=encounter.id, system=system, code=code, title="",
                    sequence=sequence, source="coder", status="added",
                    release="icd10cm-2026-04", units=units, modifiers=modifiers, poa=poa,
                )
            )  # fmt: skip
        # A stale rejected code never reaches the claim.
        session.add(
            CodeAssignment(
                encounter_id=encounter.id, system="icd10cm", code="R51.9", title="", sequence=99,
                source="engine", status="rejected", release="icd10cm-2026-04",
            )
        )  # fmt: skip
        if encounter.setting == "inpatient":
            encounter.admit_date = dt.date(2026, 5, 1)
            encounter.discharge_date = dt.date(2026, 5, 3)
            encounter.discharge_status = "01"
            encounter.drg = "343"
        if finalize:
            encounter.status = EncounterStatus.FINALIZED


@pytest.fixture
def claims(records: Records, records_home: Path, built_home: Path, tmp_path: Path) -> Records:
    """E-100 (office) and E-300 (inpatient) finalized, E-200 in review; the home sees the
    ICD-10-CM releases built from ../shared/data."""
    (records_home / "releases").symlink_to(built_home / "releases", target_is_directory=True)
    source = write_jsonl(
        tmp_path / "in.jsonl",
        [
            doc("E-100"),
            doc("E-200", date="2026-05-02"),
            doc("E-300", setting="inpatient", date="2026-05-03", payer="Medicare"),
        ],
    )
    records.import_path("mia", source)
    _store(records, "E-100", OFFICE)
    _store(records, "E-200", OFFICE, finalize=False)
    _store(records, "E-300", STAY)
    return records


def _claim(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["claim", *args, "--user", "mia"])
    return result.exit_code, result.stdout, result.stderr


def test_837p_of_a_finalized_encounter_validates_and_is_audited(claims: Records) -> None:
    code, out, err = _claim("E-100", "--format", "837p")
    assert code == 0, err
    check = pyx12_validate(out)
    assert check.valid and check.errors == []
    assert "HI*ABK:E119*ABF:I10~" in out
    assert "SV1*HC:99214:25*0*UN*1***1:2~" in out and "SV1*HC:J1100*0*UN*2***1:2~" in out
    assert "R519" not in out
    assert "NM1*IL*1*VANTABLACK*OTTOLINE****MI*QX-774411~" in out
    with claims._sessions() as session:
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "export")).one()
    assert (event.actor, event.entity_id) == ("mia", "E-100")
    assert json.loads(event.detail)["format"] == "837p"


def test_837i_and_fhir_of_an_inpatient_stay(claims: Records, tmp_path: Path) -> None:
    target = tmp_path / "E-300.837"
    code, _, err = _claim("E-300", "--format", "837i", "--output", str(target))
    assert code == 0, err
    text = target.read_text(encoding="utf-8")
    assert pyx12_validate(text).errors == []
    assert "HI*ABK:K3580:::::::Y~" in text and "HI*DR:343~" in text
    assert "HI*ABF:N390:::::::N~" in text and "HI*BBR:0DTJ4ZZ:D8:20260501~" in text
    code, out, err = _claim("E-300", "--format", "fhir")
    assert code == 0, err
    from fhir.resources.R4B.bundle import Bundle

    bundle = Bundle.model_validate_json(out)
    claim = next(
        e.resource for e in bundle.entry or [] if e.resource.get_resource_type() == "Claim"
    )
    assert [d.diagnosisCodeableConcept.coding[0].code for d in claim.diagnosis] == [
        "K35.80",
        "N39.0",
    ]
    assert claim.procedure[0].procedureCodeableConcept.coding[0].code == "0DTJ4ZZ"


def test_unfinalized_encounter_and_wrong_role_are_refused(claims: Records) -> None:
    code, _, err = _claim("E-200", "--format", "837p")
    assert code == 2 and "error[E405]" in err and "not finalized" in err
    with pytest.raises(WorkflowError):
        claims.claim_document("mia", "E-200", fmt="837p")
    with pytest.raises(PermissionDeniedError):
        claims.claim_document("cora", "E-100", fmt="837p")
    result = CliRunner().invoke(main, ["claim", "E-100", "--format", "fhir", "--user", "ann"])
    assert result.exit_code == 2 and "error[E403]" in result.stderr


def test_a_code_the_release_does_not_bill_is_refused(claims: Records) -> None:
    with claims._sessions.begin() as session:
        row = session.scalars(select(CodeAssignment).where(CodeAssignment.code == "E11.9")).first()
        assert row is not None
        row.code = "E11"  # a category, not billable
    code, out, err = _claim("E-100", "--format", "837p")
    assert code == 2 and out == ""
    assert "error[E801]" in err and "diagnosis 1: E11 is not billable" in err


def _bundles(text: str) -> list[Any]:
    from fhir.resources.R4B.bundle import Bundle

    return [Bundle.model_validate_json(line) for line in text.splitlines()]


def test_export_fhir_identified_and_deidentified(claims: Records) -> None:
    result = CliRunner().invoke(main, ["export", "--format", "fhir", "--user", "mia"])
    assert result.exit_code == 0, result.stderr
    bundles = _bundles(result.stdout)
    assert len(bundles) == 2  # E-100 and E-300; E-200 is not finalized
    assert "Vantablack" in result.stdout and "QX-774411" in result.stdout
    result = CliRunner().invoke(
        main, ["export", "--format", "fhir", "--deidentified", "--user", "ann"]
    )
    assert result.exit_code == 0, result.stderr
    text = result.stdout
    for identifier in ("Vantablack", "Ottoline", "QX-774411", "1931", "E-100", "E-300"):
        assert identifier not in text
    first, second = (
        {e.resource.get_resource_type(): e.resource for e in b.entry or []} for b in _bundles(text)
    )
    kinds = first
    assert kinds["Patient"].identifier[0].value == "P000001"
    assert second["Patient"].identifier[0].value == "P000001"  # one patient, one pseudonym
    assert kinds["Patient"].birthDate is None
    assert str(kinds["Encounter"].period.start) != "2026-05-01"  # shifted
    codes = [d.diagnosisCodeableConcept.coding[0].code for d in kinds["Claim"].diagnosis]
    assert codes == ["E11.9", "I10"]
    with claims._sessions() as session:
        event = session.scalars(
            select(AuditEvent).where(AuditEvent.actor == "ann", AuditEvent.action == "export")
        ).one()
    assert json.loads(event.detail)["deidentified"] is True
    refused = CliRunner().invoke(main, ["export", "--format", "fhir", "--user", "ann"])
    assert refused.exit_code == 2 and "error[E403]" in refused.stderr


def test_export_fhir_deidentified_checks_codes_on_the_real_dates(claims: Records) -> None:
    """Issue 15: a de-identified export checks the codes against the release in force on
    the REAL dates of service (as ``registry extract`` does), not the shifted ones: here
    the stays sit on the edge of the 2026-04 release (2026-04-01..2026-09-30) and the
    patient's shift moves them past it, where no installed release is in force (E202)."""
    with claims._sessions.begin() as session:
        finalized = session.scalars(
            select(Encounter).where(Encounter.status == EncounterStatus.FINALIZED)
        ).all()
        shift = claims._date_shift(finalized[0].patient_id)
        day = dt.date(2026, 4, 1) if shift.days < 0 else dt.date(2026, 9, 30)
        for encounter in finalized:
            if encounter.setting == "inpatient":
                encounter.admit_date = encounter.discharge_date = day
            else:
                encounter.service_date = day
    identified = CliRunner().invoke(main, ["export", "--format", "fhir", "--user", "mia"])
    assert identified.exit_code == 0, identified.stderr
    result = CliRunner().invoke(
        main, ["export", "--format", "fhir", "--deidentified", "--user", "ann"]
    )
    assert result.exit_code == 0, result.stderr
    bundles = _bundles(result.stdout)
    assert len(bundles) == 2
    shifted = (day + shift).isoformat()
    assert shifted in result.stdout and day.isoformat() not in result.stdout
