"""``medcoder registry extract NAME --format csv|json|parquet|fhir [--deidentified]`` on the
synthetic database: the diabetes registry enrolls patients 1 (E11.22 on S-1) and 3 (E11.65
on S-3). De-identified extracts carry none of the patients' identifiers."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import update

from medcoder.cli import main
from medcoder.records.models import Encounter
from medcoder.records.service import Records
from medcoder.registries.definition import examples

pytestmark = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)

# What the synthetic fixture stores for patients 1 and 3 and their encounters.
IDENTIFIERS = ("MRN-1", "MRN-3", "Synthetic Person", "S-1", "S-3", "1950-06-15", "2000-03-01")
DATES = ("2026-05-08", "2026-05-10")  # the stays moved into the release (in_release)


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def enrolled(synthetic: Records) -> Records:
    assert synthetic.define_registry("mia", examples()["diabetes"]) == 2
    return synthetic


def test_csv_and_json(enrolled: Records) -> None:
    code, out, err = run("registry", "extract", "diabetes", "--user", "mia")
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(out)))
    assert {(r["mrn"], r["code"]) for r in rows} == {
        ("MRN-1", "I50.23"), ("MRN-1", "E11.22"), ("MRN-1", "N18.4"),
        ("MRN-3", "J45.909"), ("MRN-3", "E11.65"),
    }  # fmt: skip
    code, out, _ = run("registry", "extract", "diabetes", "--user", "mia", "--format", "json")
    assert code == 0 and len(json.loads(out)) == 5


def test_deidentified_rows_are_exports_rows(enrolled: Records) -> None:
    """The same Safe Harbor columns as ``export --deidentified``, and no identifier."""
    code, out, err = run("registry", "extract", "diabetes", "--user", "ann", "--deidentified")
    assert code == 0, err
    for needle in IDENTIFIERS:
        assert needle not in out
    rows = list(csv.DictReader(io.StringIO(out)))
    exported = enrolled.export_rows("ann", deidentified=True)
    person = {k for k in exported[0] if k not in ("sequence", "title", "source", "release",
                                                   "units", "modifiers", "poa")}  # fmt: skip
    assert set(rows[0]) == {"registry"} | person
    first = {r["code"]: r for r in rows}["E11.22"]
    assert first["patient"] == "P000001" and first["age"] == "75"  # 1950-06-15 on 2026-01-08
    shift = enrolled._date_shift(1)
    assert first["date_shifted"] == (dt.date(2026, 1, 8) + shift).isoformat()


def test_parquet(enrolled: Records, tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    target = tmp_path / "diabetes.parquet"
    code, _out, err = run("registry", "extract", "diabetes", "--user", "ann", "--deidentified",
                          "--format", "parquet", "--output", str(target))  # fmt: skip
    assert code == 0, err
    table = pq.read_table(target).to_pylist()
    assert {r["code"] for r in table} == {"I50.23", "E11.22", "N18.4", "J45.909", "E11.65"}
    assert "mrn" not in table[0] and not any(needle in json.dumps(table) for needle in IDENTIFIERS)
    code, _out, err = run("registry", "extract", "diabetes", "--user", "ann", "--format",
                          "parquet")  # fmt: skip
    assert code == 2 and "--output" in err


def test_parquet_without_pyarrow_names_the_extra(
    enrolled: Records, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "pyarrow" else real(name, *a)
    )
    code, _out, err = run("registry", "extract", "diabetes", "--user", "ann", "--format",
                          "parquet", "--output", str(tmp_path / "x.parquet"))  # fmt: skip
    assert code == 2 and err.startswith("error[E102]") and "parquet" in err
    assert len(err.strip().splitlines()) <= 2 and "Traceback" not in err


@pytest.fixture
def in_release(enrolled: Records) -> Records:
    """The members' stays moved into the test home's one release (from 2026-04-01): the
    FHIR writer checks every code against the release in force, as ``export`` does."""
    with enrolled.engine.begin() as connection:
        connection.execute(
            update(Encounter)
            .where(Encounter.id == 1)
            .values(admit_date=dt.date(2026, 5, 3), discharge_date=dt.date(2026, 5, 8))
        )
        connection.execute(
            update(Encounter).where(Encounter.id == 3).values(service_date=dt.date(2026, 5, 10))
        )
    return enrolled


def _resources(text: str) -> list[dict[str, object]]:
    bundle = json.loads(text)
    assert bundle["resourceType"] == "Bundle" and bundle["type"] == "collection"
    return [e["resource"] for e in bundle["entry"]]


def test_fhir_bundle(in_release: Records) -> None:
    code, out, err = run("registry", "extract", "diabetes", "--user", "mia", "--format", "fhir")
    assert code == 0, err
    resources = _resources(out)
    kinds = [r["resourceType"] for r in resources]
    assert kinds.count("Patient") == 2 and kinds.count("Encounter") == 2
    assert "Claim" not in kinds and "Coverage" not in kinds
    conditions = {r["code"]["coding"][0]["code"] for r in resources  # type: ignore[index]
                  if r["resourceType"] == "Condition"}  # fmt: skip
    assert conditions == {"I50.23", "E11.22", "N18.4", "J45.909", "E11.65"}
    assert "MRN-1" in out  # identified: the manager's


def test_fhir_bundle_deidentified(in_release: Records, tmp_path: Path) -> None:
    target = tmp_path / "diabetes.json"
    code, _out, err = run("registry", "extract", "diabetes", "--user", "ann", "--deidentified",
                          "--format", "fhir", "--output", str(target))  # fmt: skip
    assert code == 0, err
    text = target.read_text(encoding="utf-8")
    for needle in IDENTIFIERS + DATES * (in_release._date_shift(1).days != 0):
        assert needle not in text
    patients = [r for r in _resources(text) if r["resourceType"] == "Patient"]
    assert all("name" not in p and "birthDate" not in p for p in patients)
    code, _out, err = run("registry", "extract", "diabetes", "--user", "ann", "--format", "fhir")
    assert code == 2 and err.startswith("error[E403]")  # identified: not an analyst's
