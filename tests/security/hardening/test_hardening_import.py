"""Issue 17, items 9, 10, 15, 16 and 17 (import side): bad patient data, unreachable
encounter ids, the last admin, what an admin without read access learns or appends, and
note files in UTF-16 or with a byte-order mark. Each test reproduces the attack first."""

from __future__ import annotations

import codecs
import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from medcoder.errors import PermissionDeniedError, WorkflowError
from medcoder.records.models import Document, Patient
from medcoder.records.service import Records
from tests.records.conftest import PATIENT, doc, write_jsonl


def _import(
    records: Records, tmp_path: Path, *rows: dict[str, object], user: str = "mia"
) -> list[str]:
    report = records.import_path(user, write_jsonl(tmp_path / "in.jsonl", list(rows)))
    return [e.problem for e in report.errors]


def _patients(records: Records) -> int:
    with records._sessions() as session:
        return session.scalar(select(func.count()).select_from(Patient)) or 0


def _documents(records: Records) -> int:
    with records._sessions() as session:
        return session.scalar(select(func.count()).select_from(Document)) or 0


# -- item 9: exact values, possible dates, a known MRN that disagrees -----------------
@pytest.mark.parametrize("sex", ["Mujer", "female-ish", "X", "mm", "Fem"])
def test_sex_is_an_exact_value(records: Records, tmp_path: Path, sex: str) -> None:
    problems = _import(records, tmp_path, doc("E-1", sex=sex))
    assert len(problems) == 1 and "sex" in problems[0], problems
    assert _patients(records) == 0


@pytest.mark.parametrize(("written", "stored"), [("f", "F"), ("Male", "M"), ("unknown", "U")])
def test_documented_spellings_of_sex(
    records: Records, tmp_path: Path, written: str, stored: str
) -> None:
    assert _import(records, tmp_path, doc("E-1", sex=written)) == []
    assert records.encounter_view("mia", "E-1").sex == stored


def test_a_dob_after_the_date_of_service_is_refused(records: Records, tmp_path: Path) -> None:
    problems = _import(
        records,
        tmp_path,
        doc("E-1", dob="2090-01-01"),  # after the date of service (age -64)
        doc("E-2", dob="2026-06-01", date=None, admit_date="2026-05-01"),
        doc("E-3", dob="1800-01-01"),  # 226 years old
    )
    assert len(problems) == 3, problems
    assert "dob" in problems[0] and "after" in problems[0]
    assert "dob" in problems[1]
    assert "dob" in problems[2]
    assert _patients(records) == 0


def test_a_known_mrn_with_another_name_or_dob_is_not_merged(
    records: Records, tmp_path: Path
) -> None:
    assert _import(records, tmp_path, doc("E-1")) == []
    problems = _import(
        records,
        tmp_path,
        doc("E-2", name="Somebody Else"),
        doc("E-3", dob="1950-01-01"),
        doc("E-4", name="  ottoline   VANTABLACK "),  # the same name written otherwise
    )
    assert len(problems) == 2, problems
    assert PATIENT["mrn"] in problems[0] and "name" in problems[0]
    assert PATIENT["mrn"] in problems[1] and "dob" in problems[1]
    assert "Somebody" not in problems[0]  # the stored and given values are not echoed
    assert _patients(records) == 1
    with pytest.raises(Exception, match="E-2"):
        records.encounter_view("mia", "E-2")


# -- item 10: encounter ids the API can reach ------------------------------------------
@pytest.mark.parametrize(
    "encounter", ["A/B", ".", "..", ".hidden", "a b", "E?1", "E#1", "x" * 65, "E%2F1", "é-1"]
)
def test_encounter_ids_are_restricted(records: Records, tmp_path: Path, encounter: str) -> None:
    problems = _import(records, tmp_path, doc(encounter))
    assert len(problems) == 1 and "encounter_id" in problems[0], problems


@pytest.mark.parametrize("encounter", ["E-1", "enc_2026.05:17", "A1", "x" * 64])
def test_ordinary_encounter_ids_import(records: Records, tmp_path: Path, encounter: str) -> None:
    assert _import(records, tmp_path, doc(encounter)) == []


# -- item 15: the last admin ------------------------------------------------------------
def test_the_last_admin_cannot_demote_itself(records: Records) -> None:
    with pytest.raises(WorkflowError, match="last admin"):
        records.set_role("root", "root", "coder")
    assert ("root", "admin", True) in records.list_users("root")


def test_an_admin_may_be_demoted_while_another_remains(records: Records) -> None:
    records.add_user("root", "ada", "admin")
    records.set_role("root", "root", "coder")  # ada is still an admin
    with pytest.raises(WorkflowError, match="last admin"):
        records.set_role("ada", "ada", "manager")
    records.set_role("ada", "ada", "admin")  # no change of role is always fine


# -- item 16: an admin (no read access) and an existing encounter ------------------------
def test_an_admin_learns_no_mrn_from_an_import_error(records: Records, tmp_path: Path) -> None:
    assert _import(records, tmp_path, doc("E-1")) == []
    other = {"mrn": "QX-000002", "name": "Brunhilde Quist", "dob": "1980-01-01"}
    wrong = _import(records, tmp_path, doc("E-1", "A probe.", **other), user="root")
    right = _import(records, tmp_path, doc("E-1", "A probe."), user="root")
    assert len(wrong) == 1 and wrong == right  # the same answer whichever MRN was tried
    assert "another patient" not in wrong[0] and "QX" not in wrong[0]
    assert "may view" in wrong[0]


def test_an_admin_cannot_append_to_an_existing_encounter(records: Records, tmp_path: Path) -> None:
    assert _import(records, tmp_path, doc("E-1")) == []
    before = _documents(records)
    problems = _import(records, tmp_path, doc("E-1", "Appended by an admin."), user="root")
    assert len(problems) == 1
    assert _documents(records) == before
    # A new encounter is still the admin's to import, and a manager may append.
    assert _import(records, tmp_path, doc("E-2"), user="root") == []
    assert _import(records, tmp_path, doc("E-1", "Appended by a manager.")) == []
    assert _documents(records) == before + 2


def test_a_refused_import_is_still_refused(records: Records, tmp_path: Path) -> None:
    with pytest.raises(PermissionDeniedError):
        records.import_path("cora", write_jsonl(tmp_path / "in.jsonl", [doc("E-1")]))


# -- item 17 (import): note files with a byte-order mark ----------------------------------
@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-32", "utf-8-sig"])
def test_a_note_file_with_a_byte_order_mark(
    records: Records, tmp_path: Path, encoding: str
) -> None:
    folder = tmp_path / "notes"
    folder.mkdir()
    text = "ASSESSMENT: Asthma. Café au lait spots."
    raw = text.encode(encoding)
    if encoding == "utf-16-be":
        raw = codecs.BOM_UTF16_BE + raw
    (folder / "visit.txt").write_bytes(raw)
    sidecar = {k: v for k, v in doc("E-7").items() if k != "text"}
    (folder / "visit.json").write_bytes(json.dumps(sidecar).encode("utf-8-sig"))
    report = records.import_path("mia", folder)
    assert report.errors == [] and report.documents_added == 1
    assert records.encounter_view("mia", "E-7").documents == (("progress", text),)


@pytest.mark.parametrize("encoding", ["utf-16", "utf-8-sig"])
def test_a_jsonl_file_with_a_byte_order_mark(
    records: Records, tmp_path: Path, encoding: str
) -> None:
    source = tmp_path / "in.jsonl"
    lines = [json.dumps(doc("E-1")), json.dumps(doc("E-2"))]
    source.write_bytes(("\n".join(lines) + "\n").encode(encoding))
    report = records.import_path("mia", source)
    assert report.errors == [] and report.encounters_created == 2
