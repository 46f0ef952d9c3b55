"""``outcomes`` on a synthetic heart-failure cohort whose figures were worked out by hand."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import insert

from medcoder.cli import main
from medcoder.errors import InvalidInputError, RecordNotFoundError
from medcoder.records.models import CodeAssignment, Encounter
from medcoder.records.service import Records
from medcoder.registries.definition import examples
from medcoder.reports.runner import run_outcomes

from .conftest import PATIENTS, add_patients, needs_ahrq

# outcomes risk-adjusts with AHRQ's indices on every run.
pytestmark = needs_ahrq

D = dt.date
# (id, patient, admit, discharge, discharge status, drg, [(code, poa)])
STAYS = [
    (11, 1, D(2026, 1, 1), D(2026, 1, 5), "01", "291", [("I50.23", "Y"), ("L89.153", "N")]),
    (12, 1, D(2026, 1, 20), D(2026, 1, 23), "01", "291", [("I50.9", "Y")]),  # readmits 11
    (13, 1, D(2026, 3, 10), D(2026, 3, 12), "20", "291", [("I50.23", "Y")]),  # 46 days: died
    (14, 2, D(2026, 1, 10), D(2026, 1, 12), "02", "291", [("I50.21", "Y")]),  # transferred out
    (15, 2, D(2026, 1, 12), D(2026, 1, 18), "01", "291", [("I50.21", "Y")]),  # the transfer in
    (16, 2, D(2026, 2, 1), D(2026, 2, 3), "01", None, [("Z51.11", "Y"), ("I50.22", "Y")]),
    (17, 3, D(2026, 1, 3), D(2026, 1, 5), "01", "193", [("J18.9", "Y")]),  # not a member
]


@pytest.fixture
def cohort(records: Records) -> Records:
    assert {p for p, _d, _s in PATIENTS} >= {1, 2, 3}
    add_patients(records)
    code_id = 100
    with records.engine.begin() as connection:
        for eid, pid, admit, discharge, status, drg, codes in STAYS:
            connection.execute(
                insert(Encounter).values(
                    id=eid, external_id=f"H-{eid}", patient_id=pid, setting="inpatient",
                    payer="Medicare", admit_date=admit, discharge_date=discharge,
                    status="finalized", finalized_by="cora", discharge_status=status, drg=drg,
                    drg_weight=1.0 if drg else None,
                )
            )  # fmt: skip
            for sequence, (code, poa) in enumerate(codes, start=1):
                code_id += 1
                connection.execute(
                    insert(CodeAssignment).values(
                        id=code_id, encounter_id=eid, system="icd10cm", code=code, title="t",
                        sequence=sequence, source="coder", status="accepted", poa=poa,
                        release="icd10cm-2026-04",
                    )
                )  # fmt: skip
    # Enrolls patients 1 (H-11, first-listed I50.23) and 2 (H-14), not 3 (pneumonia).
    records.define_registry("mia", examples()["heart-failure"])
    return records


def _gmlos() -> float:
    from medcoder.drg.tables import TABLE5, load_table5
    from medcoder.settings import find_data_dir

    data = find_data_dir()
    if data is None:
        pytest.skip("no CMS data folder")
    value = load_table5(data / "msdrg" / TABLE5)["291"].gmlos
    assert value is not None
    return value


def test_outcomes_by_month(cohort: Records) -> None:
    gmlos = _gmlos()
    report = run_outcomes(cohort, "ann", "heart-failure", window=30)
    got: dict[str, dict[str, Any]] = {r["month"]: r for r in report.table("by_month").records()}
    # January: H-11, H-12, H-14, H-15. Index: H-11, H-12, H-15 (H-14 is a transfer out;
    # H-15, admitted the day of the transfer, is its continuation). H-11 is readmitted by
    # H-12 (15 days); H-12's next stay is 46 days on; H-15's next (H-16) is a planned
    # chemotherapy stay. HAC: H-11's L89.153 (pressure ulcer stage 3) POA N.
    jan = got["2026-01"]
    assert (jan["stays"], jan["index_stays"], jan["readmitted"], jan["deaths"]) == (4, 3, 1, 0)
    assert jan["readmission_percent"] == 33.33 and jan["hac_stays"] == 1
    # LOS H-11 4 + H-12 3 + H-14 2 + H-15 6 = 15 days over 4 x GMLOS(291).
    assert jan["los_days"] == 15.0
    assert jan["los_o_e"] == pytest.approx(15 / (4 * gmlos), abs=1e-3)
    assert "2026-01" in got and "H-17" not in str(report.to_json())
    feb = got["2026-02"]  # H-16: no DRG, so no LOS figure
    assert (feb["stays"], feb["index_stays"], feb["readmitted"], feb["los_o_e"]) == (1, 1, 0, None)
    mar = got["2026-03"]  # H-13: died
    assert (mar["stays"], mar["index_stays"], mar["deaths"], mar["mortality_percent"]) == (
        1, 0, 1, 100.0
    )  # fmt: skip
    # A 10-day window misses the readmission (15 days).
    short = run_outcomes(cohort, "ann", "heart-failure", window=10).table("by_month").records()
    assert short[0]["readmitted"] == 0


def test_outcomes_errors(cohort: Records) -> None:
    with pytest.raises(RecordNotFoundError):
        run_outcomes(cohort, "ann", "nope")
    with pytest.raises(InvalidInputError, match="--window"):
        run_outcomes(cohort, "ann", "heart-failure", window=0)
    result = CliRunner().invoke(main, ["outcomes", "heart-failure", "--user", "ann",
                                       "--format", "csv", "--window", "30"])  # fmt: skip
    assert result.exit_code == 0 and result.stdout.startswith("month,stays,index_stays")
