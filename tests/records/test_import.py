"""Import: one transaction per encounter, idempotent by content hash, bad lines skipped."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import func, select

from medcoder.records.models import AuditEvent, Document, Encounter, Patient
from medcoder.records.service import Records

from .conftest import doc, write_jsonl


def _counts(records: Records) -> tuple[int, int, int]:
    with records._sessions() as s:
        return (
            s.scalar(select(func.count()).select_from(Patient)) or 0,
            s.scalar(select(func.count()).select_from(Encounter)) or 0,
            s.scalar(select(func.count()).select_from(Document)) or 0,
        )


def test_reimport_is_a_no_op(records: Records, tmp_path: Path) -> None:
    source = write_jsonl(tmp_path / "a.jsonl", [doc("E-1"), doc("E-1", "Second note."), doc("E-2")])
    first = records.import_path("mia", source)
    assert (first.encounters_created, first.documents_added, first.duplicates) == (2, 3, 0)
    with records._sessions() as s:
        events = s.scalar(select(func.count()).select_from(AuditEvent))
    second = records.import_path("mia", source)
    assert (second.encounters_created, second.documents_added, second.duplicates) == (0, 0, 3)
    assert _counts(records) == (1, 2, 3)
    with records._sessions() as s:  # a no-op writes nothing, not even an audit event
        assert s.scalar(select(func.count()).select_from(AuditEvent)) == events


def test_bad_lines_are_reported_with_line_numbers_and_skipped(
    records: Records, tmp_path: Path
) -> None:
    source = tmp_path / "b.jsonl"
    lines = [
        json.dumps(doc("E-1")),
        "{not json",
        json.dumps({**doc("E-2"), "dob": "09/03/1931"}),
        json.dumps({**doc("E-3"), "setting": "hospice"}),
        json.dumps({**doc("E-4"), "colour": "blue"}),
        "",
        json.dumps({k: v for k, v in doc("E-5").items() if k != "mrn"}),
        json.dumps(doc("E-6")),
    ]
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = records.import_path("mia", source)
    assert report.encounters_created == 2
    assert [e.line for e in report.errors] == [2, 3, 4, 5, 7]
    messages = [e.problem for e in report.errors]
    assert "not JSON" in messages[0]
    assert "dob" in messages[1]
    assert "hospice" in messages[2]
    assert "unknown field(s) colour" in messages[3]
    assert "missing mrn" in messages[4]
    assert all(e.code == "E406" for e in report.errors)


def test_an_encounter_that_cannot_be_stored_leaves_nothing(
    records: Records, tmp_path: Path
) -> None:
    records.import_path("mia", write_jsonl(tmp_path / "a.jsonl", [doc("E-1")]))
    other = {"mrn": "QX-000002", "name": "Brunhilde Quist", "dob": "1980-01-01"}
    clash = write_jsonl(
        tmp_path / "b.jsonl",
        [doc("E-9", **other), doc("E-1", "Another note.", **other)],
    )
    report = records.import_path("mia", clash)
    assert report.encounters_created == 1  # E-9 went in; E-1 belongs to another patient
    assert [e.line for e in report.errors] == [2]
    assert "another patient" in report.errors[0].problem
    assert _counts(records) == (2, 2, 2)


def test_text_note_with_sidecar(records: Records, tmp_path: Path) -> None:
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "visit.txt").write_text("ASSESSMENT: Asthma.", encoding="utf-8")
    sidecar = {k: v for k, v in doc("E-7").items() if k != "text"}
    (folder / "visit.json").write_text(json.dumps(sidecar), encoding="utf-8")
    (folder / "orphan.txt").write_text("No sidecar.", encoding="utf-8")
    report = records.import_path("mia", folder)
    assert report.documents_added == 1
    assert len(report.errors) == 1 and "no sidecar" in report.errors[0].problem
    view = records.encounter_view("mia", "E-7")
    assert view.documents == (("progress", "ASSESSMENT: Asthma."),)
    assert view.name == "Ottoline Vantablack"


def test_discharge_status_is_stored_and_checked(records: Records, tmp_path: Path) -> None:
    rows = [
        doc(
            "E-1",
            setting="inpatient",
            admit_date="2026-04-28",
            discharge_date="2026-05-01",
            discharge_status="06",
        ),
        doc("E-2", discharge_status="home"),
    ]
    report = records.import_path("mia", write_jsonl(tmp_path / "d.jsonl", rows))
    assert report.encounters_created == 1
    assert [e.line for e in report.errors] == [2]
    assert "discharge_status" in report.errors[0].problem
    with records._sessions() as s:
        assert s.scalar(select(Encounter.discharge_status)) == "06"


def test_discharge_status_is_two_digit_ub04_and_stored(records: Records, tmp_path: Path) -> None:
    stay = {"setting": "inpatient", "admit_date": "2026-04-28", "discharge_date": "2026-05-01"}
    source = write_jsonl(
        tmp_path / "in.jsonl",
        [
            doc("IP-7", **stay, discharge_status="06"),
            doc("IP-8", **stay, discharge_status="6"),  # one digit
            doc("IP-9", **stay, discharge_status="08"),  # not a UB-04 status
            doc("IP-10", **stay, discharge_status=1),
        ],
    )
    report = records.import_path("mia", source)
    assert report.encounters_created == 1
    assert [e.line for e in report.errors] == [2, 3, 4]
    assert all("UB-04 patient discharge status" in e.problem for e in report.errors)
    assert records.encounter_view("cora", "IP-7").discharge_status == "06"
    # A later document may give the status once; another status is refused.
    later = write_jsonl(
        tmp_path / "later.jsonl", [doc("E-1", "A second note."), doc("IP-7", "x", **stay,
                                                                       discharge_status="01")]
    )  # fmt: skip
    again = records.import_path("mia", later)
    assert "stored with discharge_status 06, not 01" in again.errors[0].problem
