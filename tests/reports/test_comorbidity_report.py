"""The ``comorbidity`` report's AHRQ rules on stored codes: the principal diagnosis, the
POA indicators of inpatient codes, outpatient records without POA (synthetic rows)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import insert

from medcoder.records.models import CodeAssignment, Encounter
from medcoder.records.service import Records
from medcoder.reports.runner import run_report

from .conftest import R26, add_patients, needs_ahrq

pytestmark = needs_ahrq

# (encounter, setting, [(code, POA)] in sequence order: the first is the principal).
STAYS = [
    (31, "inpatient", [("I50.9", "Y"), ("N18.6", "Y"), ("I63.9", "N"), ("E11.22", "N")]),
    (32, "inpatient", [("J18.9", "Y"), ("I50.9", "N"), ("I69.351", None), ("N18.6", "W")]),
    (33, "outpatient", [("J45.909", None), ("I50.9", None), ("E11.9", None), ("F32.9", None)]),
]


@pytest.fixture
def stays(records: Records) -> Records:
    add_patients(records)
    with records.engine.begin() as connection:
        for eid, setting, codes in STAYS:
            day = dt.date(2026, 3, 10)
            connection.execute(
                insert(Encounter).values(
                    id=eid, external_id=f"C-{eid}", patient_id=1, setting=setting,
                    payer="Medicare", status="finalized", finalized_by="cora",
                    admit_date=day if setting == "inpatient" else None,
                    discharge_date=day + dt.timedelta(days=3) if setting == "inpatient" else None,
                    service_date=None if setting == "inpatient" else day,
                )
            )  # fmt: skip
            for seq, (code, poa) in enumerate(codes, start=1):
                connection.execute(
                    insert(CodeAssignment).values(
                        encounter_id=eid, system="icd10cm", code=code, title="t",
                        sequence=seq, source="coder", status="added", poa=poa, release=R26,
                    )
                )  # fmt: skip
    return records


def test_ahrq_rules_on_stored_codes(stays: Records) -> None:
    report = run_report(stays, "ann", "comorbidity")
    got = {
        r["category"]: r["encounters"]
        for r in report.table("prevalence").records()
        if r["index"] == "elixhauser_ahrq" and r["encounters"]
    }
    # 31: principal I50.9 skipped; N18.6 POA Y RENLFL_SEV; I63.9 POA N (CBVD_NPOA only);
    #     E11.22 DIAB_CX (POA-neutral). 32: I50.9 POA N not counted; I69.351 exempt:
    #     CBVD (sequela) + PARALYSIS; N18.6 POA W RENLFL_SEV. 33 (outpatient, no POA):
    #     J45.909 principal skipped; I50.9 POA-dependent not assigned; E11.9 DIAB_UNCX;
    #     F32.9 DEPRESS.
    assert got == {
        "CMR_RENLFL_SEV": 2, "CMR_DIAB_CX": 1, "CMR_CBVD": 1, "CMR_PARALYSIS": 1,
        "CMR_DIAB_UNCX": 1, "CMR_DEPRESS": 1,
    }  # fmt: skip
    # Mortality: 31 RENLFL_SEV 7 + DIAB_CX -2 = 5; 32 CBVD 5 + PARALYSIS 4 + RENLFL_SEV 7
    # = 16; 33 DIAB_UNCX 0 + DEPRESS -8 = -8: mean 13 / 3. Readmission: 31 8 + 4 = 12;
    # 32 0 + 3 + 8 = 11; 33 0 + 2 = 2: mean 25 / 3.
    (month,) = report.table("index_by_month").records()
    assert month["month"] == "2026-03" and month["encounters"] == 3
    assert month["mean_ahrq_mortality"] == pytest.approx(13 / 3, abs=1e-3)
    assert month["mean_ahrq_readmission"] == pytest.approx(25 / 3, abs=1e-3)
    assert any("AHRQ Comorbidity Software Refined v2026.1" in n for n in report.notes)
