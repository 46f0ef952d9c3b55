"""Registries: definitions (the shipped four, bad files), and enrollment through the
review workflow: finalize enrolls, a re-finalize without a qualifying code removes with the
reason, each change an audit event; and its cost per finalize."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from medcoder.errors import PermissionDeniedError, RegistryDefinitionError
from medcoder.records.models import AuditEvent, RegistryMember
from medcoder.records.service import Records
from medcoder.registries.definition import examples, load, parse
from tests.records.conftest import coded, coding_engine  # noqa: F401 - fixtures


def test_the_shipped_registries() -> None:
    shipped = examples()
    assert set(shipped) == {"diabetes", "heart-failure", "cancer", "stroke"}
    diabetes, cancer = shipped["diabetes"], shipped["cancer"]
    hf, stroke = shipped["heart-failure"], shipped["stroke"]
    dx = "icd10cm"
    assert diabetes.qualifies("outpatient", 50, [(dx, "E11.9")])
    assert diabetes.qualifies("outpatient", 50, [(dx, "E08.00")])  # range E08-E13
    assert not diabetes.qualifies("outpatient", 17, [(dx, "E11.9")])  # age
    assert not diabetes.qualifies("outpatient", 30, [(dx, "E11.9"), (dx, "O24.410")])
    assert not diabetes.qualifies("outpatient", 50, [(dx, "E14.9")])  # not ICD-10-CM
    assert cancer.qualifies("outpatient", 60, [(dx, "C34.90")])
    assert cancer.qualifies("outpatient", 60, [(dx, "D33.2")])  # benign brain: reportable
    assert not cancer.qualifies("outpatient", 60, [(dx, "C44.91")])  # skin BCC/SCC
    assert not cancer.qualifies("outpatient", 60, [(dx, "D06.9")])  # cervix in situ
    assert cancer.qualifies("outpatient", 60, [(dx, "D06.9"), (dx, "C50.911")])
    assert hf.qualifies("inpatient", 70, [(dx, "I50.23"), (dx, "E11.9")])
    assert not hf.qualifies("inpatient", 70, [(dx, "E11.9"), (dx, "I50.23")])  # not first
    assert not hf.qualifies("outpatient", 70, [(dx, "I50.23")])
    assert stroke.qualifies("emergency", 70, [(dx, "G45.9")])
    assert not stroke.qualifies("inpatient", 70, [(dx, "I69.351")])  # sequela


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"name": "Bad Name", "include": {"icd10cm": ["E11"]}}, "name"),
        ({"name": "x", "include": {}}, "include"),
        ({"name": "x", "include": {"icd9": ["250"]}}, "include.icd9"),
        ({"name": "x", "include": {"icd10cm": ["E13-E08"]}}, "range"),
        ({"name": "x", "include": {"icd10cm": ["E11"]}, "age": {"min": 80, "max": 20}}, "age"),
        ({"name": "x", "include": {"icd10cm": ["E11"]}, "settings": ["ward"]}, "settings"),
        ({"name": "x", "include": {"icd10cm": ["E11"]}, "colour": "red"}, "colour"),
    ],
)
def test_bad_definitions_name_the_field(data: dict[str, Any], field: str) -> None:
    with pytest.raises(RegistryDefinitionError, match=field):
        parse(data, "test.json")


def test_a_file_that_is_not_json_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "r.json"
    path.write_text('{\n "name": "x",\n oops\n}', encoding="utf-8")
    with pytest.raises(RegistryDefinitionError, match=r"r\.json:3"):
        load(path)


def _active(records: Records) -> list[str]:
    return [c.code for c in records.encounter_view("rex", "E-100").codes if c.status == "suggested"]


def _events(records: Records, action: str) -> list[dict[str, Any]]:
    with records.engine.connect() as connection:
        return [
            json.loads(d)
            for d in connection.scalars(
                select(AuditEvent.detail).where(AuditEvent.action == action)
            )
        ]


def _member(records: Records) -> RegistryMember | None:
    with records._sessions() as session:
        return session.scalar(select(RegistryMember))


def test_enrollment_follows_finalize_and_reopen(coded: Records) -> None:  # noqa: F811
    assert coded.define_registry("mia", examples()["diabetes"]) == 0
    with pytest.raises(PermissionDeniedError):
        coded.define_registry("ann", examples()["diabetes"])
    codes = _active(coded)
    assert "E11.9" in codes
    for code in codes:
        coded.accept("cora", "E-100", code)
    coded.finalize("cora", "E-100")
    member = _member(coded)
    assert member is not None and member.removed_at is None
    assert _events(coded, "registry_enroll") == [
        {"encounter": "E-100", "patient": member.patient_id}
    ]
    # Re-opened: still a member while under review; finalized without the diabetes code:
    # removed, with the reason, audited.
    coded.reopen("rex", "E-100", "diagnosis queried")
    assert _member(coded).removed_at is None  # type: ignore[union-attr]
    coded.reject("cora", "E-100", "E11.9", "not supported by the note")
    coded.finalize("cora", "E-100")
    gone = _member(coded)
    assert gone is not None and gone.removed_at is not None
    assert "E-100" in (gone.removed_reason or "")
    removed = _events(coded, "registry_remove")
    assert len(removed) == 1 and removed[0]["removal"] == gone.removed_reason
    assert coded.registry_members("mia", "diabetes") == []
    assert coded.registry_members("mia", "diabetes", removed=True)[0]["mrn"] == "QX-774411"
    assert [s.removed for s in coded.list_registries("ann")] == [1]
    # Added back and finalized: enrolled again.
    coded.reopen("rex", "E-100", "query answered")
    coded.add("cora", "E-100", "E11.9", "documented after query")
    coded.finalize("cora", "E-100")
    assert _member(coded).removed_at is None  # type: ignore[union-attr]
    assert len(_events(coded, "registry_enroll")) == 2
    rows = coded.registry_extract("ann", "diabetes", deidentified=True)
    assert {r["code"] for r in rows} >= {"E11.9"} and all("mrn" not in r for r in rows)
    assert rows[0]["age"] == "90+"  # born 1931: Safe Harbor pools ages over 89


def test_a_redefinition_applies_at_the_next_finalize(coded: Records) -> None:  # noqa: F811
    """Issue 15: finalize reads each registry's version with the patient's memberships
    (one statement), so a registry defined again is judged by its new definition, and an
    encounter qualifying for two registries enrolls in both, one audit event each."""
    diabetes = examples()["diabetes"]
    coded.define_registry("mia", diabetes)
    coded.define_registry("mia", parse({**diabetes.source, "name": "diabetes2"}))
    for code in _active(coded):
        coded.accept("cora", "E-100", code)
    coded.finalize("cora", "E-100")
    assert [e["encounter"] for e in _events(coded, "registry_enroll")] == ["E-100", "E-100"]
    coded.reopen("rex", "E-100", "diagnosis queried")
    narrower = {**diabetes.source, "include": {"icd10cm": ["E10"]}}  # type 1 only
    coded.define_registry("mia", parse(narrower))
    coded.finalize("cora", "E-100")
    (removed,) = _events(coded, "registry_remove")
    assert removed["encounter"] == "E-100"
    with coded._sessions() as session:
        members = session.execute(select(RegistryMember.registry_id, RegistryMember.removed_at))
        assert sorted(r is None for _id, r in members) == [False, True]
