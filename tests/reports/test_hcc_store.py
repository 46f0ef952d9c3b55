"""Stored patient-year HCC scores (``records.hcc_store``): the ``hcc`` report's stored
path equals scoring afresh; finalize and re-open rewrite a patient-year; a row scored under
another hccinfhir version is rescored."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from sqlalchemy import event, insert, select, update

from medcoder.hcc.model import risk_score
from medcoder.hcc.patient import age_for_payment_year
from medcoder.records import hcc_store
from medcoder.records.models import AuditEvent, CodeAssignment, Encounter, HccPatientYear
from medcoder.records.service import Records
from medcoder.reports.filters import parse_filters
from medcoder.reports.hcc_report import stored_path
from medcoder.reports.options import ReportOptions
from medcoder.reports.runner import run_report
from tests.records.conftest import coded, coding_engine  # noqa: F401 - fixtures


def _tables(records: Records, **filters: Any) -> tuple[list[Any], list[Any]]:
    report = run_report(records, "ann", "hcc", parse_filters(**filters), ReportOptions())
    return (
        report.table("raf_by_payer_year").records(),
        report.table("prevalence").records(),
    )


def _stored(records: Records) -> list[HccPatientYear]:
    with records._sessions() as session:
        return list(session.scalars(select(HccPatientYear).order_by(HccPatientYear.id)))


def test_the_stored_scores_equal_scoring_afresh(synthetic: Records) -> None:
    whole_year = dict(start="2026-01-01", end="2026-12-31")  # stored path
    part_year = dict(start="2026-01-01", end="2026-12-30")  # scored afresh, same encounters
    assert stored_path(parse_filters(**whole_year))
    assert not stored_path(parse_filters(**part_year))
    assert not stored_path(parse_filters(setting="inpatient"))
    stored = _tables(synthetic, **whole_year)
    assert stored == _tables(synthetic, **part_year)
    assert stored == _tables(synthetic)
    rows = {(r.payer, r.patient_id): r for r in _stored(synthetic)}
    assert set(rows) == {("Medicare", 1), ("Acme", 2), ("Acme", 3)}
    one = rows[("Medicare", 1)]  # 2026 -> PY2026 (the newest modelled); 75 on Feb 1 2026
    assert one.diagnoses == "E11.22,I50.23,N18.4" and one.payment_year == 2026
    expected = risk_score(["I50.23", "E11.22", "N18.4"], age=75, sex="F", year=2026)
    assert one.score == pytest.approx(expected.risk_score)
    assert one.model == hcc_store.model_name()


def test_a_row_of_another_model_is_rescored(synthetic: Records) -> None:
    first = _tables(synthetic)
    with synthetic.engine.begin() as connection:
        connection.execute(update(HccPatientYear).values(model="hccinfhir 0.0", score=99.0))
    assert _tables(synthetic) == first
    assert {r.model for r in _stored(synthetic)} == {hcc_store.model_name()}


def test_finalize_and_reopen_rewrite_the_patient_year(coded: Records) -> None:  # noqa: F811
    assert _stored(coded) == []
    view = coded.encounter_view("rex", "E-100")
    codes = [c.code for c in view.codes if c.status == "suggested"]
    assert "E11.9" in codes
    for code in codes:
        coded.accept("cora", "E-100", code)
    coded.finalize("cora", "E-100")
    (row,) = _stored(coded)

    with coded._sessions() as session:
        dob, sex = coded.birth_dates(session, [row.patient_id])[row.patient_id]

    fresh = hcc_store.Scorer().score(int(row.service_year), codes, dob, sex)
    assert row.diagnoses == ",".join(fresh.diagnoses) and "E11.9" in fresh.diagnoses
    assert row.score == pytest.approx(fresh.score)
    age = age_for_payment_year(dob, row.payment_year)
    assert (
        fresh.score
        == risk_score(fresh.diagnoses, age=age, sex=sex, year=row.payment_year).risk_score
    )
    # Re-opened: the patient-year has no finalized encounter left, so no row.
    coded.reopen("rex", "E-100", "diagnosis queried")
    assert _stored(coded) == []
    coded.reject("cora", "E-100", "E11.9", "not supported by the note")
    coded.finalize("cora", "E-100")
    (again,) = _stored(coded)
    assert "E11.9" not in again.diagnoses.split(",")
    assert again.score == pytest.approx(
        hcc_store.Scorer()
        .score(int(again.service_year), [c for c in codes if c != "E11.9"], dob, sex)
        .score
    )
    (report_row,) = _tables(coded)[0]
    assert report_row["mean_raf"] == pytest.approx(again.score, abs=1e-4)


def test_an_encounter_loaded_around_finalize_is_scored(synthetic: Records) -> None:
    """A finalized encounter stored without finalize (a bulk load) in a patient-year that
    has a row: the encounter counts differ, so the report rescores that patient-year."""
    _tables(synthetic)
    with synthetic.engine.begin() as connection:
        connection.execute(
            insert(Encounter).values(
                id=7, external_id="S-7", patient_id=1, setting="outpatient", payer="Medicare",
                service_date=dt.date(2026, 6, 1), status="finalized",
                created_at=dt.datetime(2026, 6, 1, tzinfo=dt.UTC), finalized_by="cora",
            )
        )  # fmt: skip
        connection.execute(
            insert(CodeAssignment).values(
                id=12, encounter_id=7, system="icd10cm", code="C34.90", title="t", sequence=1,
                source="coder", status="added", release="icd10cm-2026-04",
            )
        )  # fmt: skip
    (medicare,) = (r for r in _tables(synthetic)[0] if r["payer"] == "Medicare")
    expected = risk_score(["I50.23", "E11.22", "N18.4", "C34.90"], age=75, sex="F", year=2026)
    assert medicare["mean_raf"] == pytest.approx(expected.risk_score, abs=1e-4)
    (row,) = (r for r in _stored(synthetic) if r.payer == "Medicare")
    assert row.encounters == 2 and "C34.90" in row.diagnoses.split(",")


def test_a_report_run_writes_only_its_audit_event(synthetic: Records) -> None:
    """Issue 15: the report's transaction writes its audit event and nothing else; the
    stored scores a bulk-loaded database lacks are written first, in a transaction of
    their own, audited (``Records.refresh_hcc_store``)."""
    writes: list[str] = []

    def seen(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        write = re.match(r"\s*(INSERT INTO|UPDATE|DELETE FROM)\s+(\w+)", statement, re.I)
        if write:
            writes.append(f"{write[1].split()[0].upper()} {write[2]}")

    def committed(conn: Any) -> None:
        writes.append("COMMIT")

    event.listen(synthetic.engine, "before_cursor_execute", seen)
    event.listen(synthetic.engine, "commit", committed)
    try:
        _tables(synthetic)  # the store is empty: filled, then read
        first = list(writes)
        writes.clear()
        _tables(synthetic)  # complete now: nothing but the report's event
    finally:
        event.remove(synthetic.engine, "before_cursor_execute", seen)
        event.remove(synthetic.engine, "commit", committed)
    fill, report = _transactions(first)
    assert "INSERT hcc_patient_years" in fill and "INSERT audit_events" in fill
    assert set(report) == {"INSERT audit_events", "UPDATE audit_head"}
    assert _transactions(writes) == [report]
    with synthetic._sessions() as session:
        actions = session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions[-3:] == ["hcc_store_fill", "report", "report"]


def _transactions(writes: list[str]) -> list[list[str]]:
    """The writes of each committed transaction that wrote anything."""
    found: list[list[str]] = [[]]
    for write in writes:
        if write == "COMMIT":
            found.append([])
        else:
            found[-1].append(write)
    return [t for t in found if t]
