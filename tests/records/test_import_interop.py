"""Import of FHIR R4 Bundles and HL7 v2 messages through the records service: the same
rules as a JSONL line, each Bundle or message all or nothing (issue 12)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from medcoder.kinds import ImportFormat
from medcoder.records.importer import detect_format
from medcoder.records.models import Encounter
from medcoder.records.service import Records
from tests.interop.samples import NOTE, bundle, changed, mdm, oru

from .conftest import doc


def _stored(records: Records, encounter: str) -> Encounter:
    with records._sessions() as s:
        found = s.scalar(select(Encounter).where(Encounter.external_id == encounter))
        assert found is not None
        s.expunge(found)
        return found


def test_a_fhir_bundle_with_a_contained_and_a_base64_attachment(
    records: Records, tmp_path: Path
) -> None:
    source = tmp_path / "bundles.ndjson"
    inpatient = bundle("FE-2", base64_data=True, klass="IMP", end="2026-05-03", discharge="06")
    source.write_text(json.dumps(bundle("FE-1")) + "\n" + json.dumps(inpatient) + "\n")
    report = records.import_path("mia", source)
    assert report.errors == []
    assert (report.encounters_created, report.documents_added) == (2, 2)
    view = records.encounter_view("mia", "FE-1")
    assert (view.mrn, view.name, view.dob.isoformat(), view.sex) == (
        "QX-550001",  # the MR identifier, not the first one
        "Ottoline Vantablack",
        "1931-03-09",
        "F",
    )
    assert view.documents == (("progress", NOTE),)
    assert (view.setting, view.attending) == ("outpatient", "Dr Quentin Pargeter")
    stay = _stored(records, "FE-2")
    dates = (str(stay.admit_date), str(stay.discharge_date), stay.service_date)
    assert (stay.setting, *dates, stay.discharge_status) == (
        "inpatient",
        "2026-05-01",
        "2026-05-03",
        None,
        "06",
    )
    again = records.import_path("mia", source)  # idempotent, as JSONL
    assert (again.documents_added, again.duplicates) == (0, 2)


def test_a_pretty_printed_bundle_is_seen_as_fhir(records: Records, tmp_path: Path) -> None:
    source = tmp_path / "one.json"
    source.write_text(json.dumps(bundle("FE-3", klass="EMER"), indent=2))
    assert detect_format(source.read_bytes()) is ImportFormat.FHIR
    report = records.import_path("mia", source)
    assert report.errors == [] and _stored(records, "FE-3").setting == "emergency"


BAD_BUNDLES = [
    (["entry", 0, "resource", "birthDate"], "19x1", "[1].entry[0].resource(Patient).birthDate"),
    (["entry", 0, "resource", "gender"], "f", "Bundle[1].entry[0].resource(Patient).gender"),
    (["entry", 1, "resource", "class", "code"], "HH", "[1].entry[1].resource(Encounter).class"),
    (["entry", 1, "resource", "period", "start"], "1850-01-01", "resource(Encounter).period: date"),
    (["entry", 0, "resource", "birthDate"], "2027-01-01", "(Patient).birthDate: dob is after"),
    (["entry", 1, "resource", "identifier", 0, "value"], "a/b", "(Encounter).identifier: enc"),
    (["entry", 2, "resource", "content", 0, "attachment", "contentType"], "text/html",
     "(DocumentReference).content[0].attachment.contentType: text/html"),
    (["entry", 2, "resource", "subject", "reference"], "Patient/zz",
     "(DocumentReference).subject: reference 'Patient/zz' is not in the Bundle"),
    (["entry", 2, "resource", "contained", 0, "data"], "YQ", "contained[0].data: "),
    (["entry", 2, "resource", "resourceType"], "Nope", "Bundle[1].entry[2].resource: unknown"),
]  # fmt: skip


@pytest.mark.parametrize(("path", "value", "where"), BAD_BUNDLES)
def test_a_bad_bundle_is_refused_whole_and_named(
    records: Records, tmp_path: Path, path: list[str | int], value: str, where: str
) -> None:
    source = tmp_path / "b.ndjson"
    rows = [bundle("FE-1"), changed(bundle("FE-2"), path, value), bundle("FE-3")]
    source.write_text("".join(json.dumps(row) + "\n" for row in rows))
    report = records.import_path("mia", source)
    assert report.encounters_created == 2  # the others go on
    assert [e.line for e in report.errors] == [2]
    assert where in report.errors[0].problem, report.errors[0].problem
    assert report.errors[0].code == "E406"


def test_a_bundle_of_two_documents_with_one_bad_stores_neither(
    records: Records, tmp_path: Path
) -> None:
    two = bundle("FE-1")
    extra = changed(two["entry"][2], ["resource", "content", 0, "attachment", "url"], "#gone")
    two["entry"].append(extra)
    source = tmp_path / "two.json"
    source.write_text(json.dumps(two))
    report = records.import_path("mia", source, ImportFormat.FHIR)
    assert report.documents_added == 0
    assert "Bundle[0].entry[3].resource(DocumentReference).content[0].attachment.url" in (
        report.errors[0].problem
    )


def test_hl7_mdm_and_oru_with_escapes_and_framing(records: Records, tmp_path: Path) -> None:
    source = tmp_path / "feed.hl7"
    framed = "\x0b" + mdm() + "\x1c\r"
    batch = "FHS|^~\\&\nBHS|^~\\&\n" + oru().replace("\r", "\n") + "BTS|1\nFTS|1\n"
    source.write_bytes((framed + batch).encode())
    report = records.import_path("mia", source)
    assert report.errors == [] and report.encounters_created == 2
    summary = records.encounter_view("mia", "HV-1")
    assert summary.documents == (
        (
            "discharge summary",
            "HOSPITAL COURSE:\nPneumonia treated & improved; pH 7^4 | ok.\n"
            "Follow up in mclinic.\nCafé diet.",
        ),
    )
    assert (summary.mrn, summary.name, summary.sex) == ("QX-550001", "Ottoline Q Vantablack", "F")
    stay = _stored(records, "HV-1")
    assert (stay.setting, str(stay.admit_date), str(stay.discharge_date)) == (
        "inpatient",
        "2026-04-28",
        "2026-05-01",
    )
    assert stay.discharge_status == "01" and stay.attending == "Quentin Pargeter"
    report_view = records.encounter_view("mia", "HV-2")
    assert report_view.documents == (("Chest 2 views", "Chest film clear."),)  # NM OBX left out
    assert str(_stored(records, "HV-2").service_date) == "2026-05-02"  # OBR-7


BAD_MESSAGES = [
    (mdm("HV-8", dob="19311309"), "message 2 PID-7: not a date"),
    (mdm("HV-8", dob="20300101"), "message 2 PID-7: dob is after"),
    (mdm("HV-8", klass="P"), "message 2 PV1-2: patient class 'P'"),
    (mdm("HV-8", text="bad \\Zq\\ escape"), "message 2 OBX-5: escape \\Zq\\"),
    (mdm("HV-8/x"), "message 2 PV1-19: encounter_id may hold"),
    (mdm("").replace("|MDM^T02|", "|ADT^A01|"), "message 2 MSH-9: ADT^A01"),
    (mdm("HV-8").replace("PID|", "XID|"), "message 2 PID: missing segment"),
]


@pytest.mark.parametrize(("message", "where"), BAD_MESSAGES)
def test_a_bad_message_in_a_batch_is_named_and_the_others_stored(
    records: Records, tmp_path: Path, message: str, where: str
) -> None:
    source = tmp_path / "batch.hl7"
    source.write_text(mdm("HV-1") + "\n" + message + "\n" + oru("HV-3"))
    report = records.import_path("mia", source, ImportFormat.HL7)
    assert report.encounters_created == 2
    assert len(report.errors) == 1 and where in report.errors[0].problem, report.errors
    assert report.errors[0].line == 8  # the bad message's MSH line


def test_a_folder_of_every_format(records: Records, tmp_path: Path) -> None:
    (tmp_path / "a.jsonl").write_text(json.dumps(doc("E-1")) + "\n")
    (tmp_path / "b.json").write_text(json.dumps(bundle("FE-1", mrn="QX-550009")))
    (tmp_path / "c.hl7").write_text(mdm("HV-1"))
    (tmp_path / "d.txt").write_text(oru("HV-2"))  # HL7 in a .txt without a sidecar
    (tmp_path / "e.txt").write_text("ASSESSMENT: Asthma.")
    (tmp_path / "e.json").write_text(
        json.dumps({k: v for k, v in doc("E-5").items() if k != "text"})
    )
    report = records.import_path("mia", tmp_path)
    assert report.errors == [] and report.encounters_created == 5


def test_cli_import_with_a_format(records: Records, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from medcoder.cli import main

    source = tmp_path / "feed.dat"  # no telling suffix: the content says HL7
    source.write_text(mdm("HV-1") + "\n" + mdm("HV-2", klass="Q"))
    seen = CliRunner().invoke(main, ["import", str(source), "--user", "mia"])
    assert seen.exit_code == 1
    assert "message 2 PV1-2: patient class 'Q'" in seen.output
    assert "1 encounter(s) created" in seen.output
    told = CliRunner().invoke(main, ["import", str(source), "--format", "fhir", "--user", "mia"])
    assert told.exit_code == 1 and "Bundle[0]: not JSON" in told.output
    assert "Traceback" not in seen.output + told.output
