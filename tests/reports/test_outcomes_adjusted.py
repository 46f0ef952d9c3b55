"""``outcomes``' risk-adjusted table on a synthetic population of 80 one-stay patients: the
expected counts are those of a logistic model fitted by hand here on the predictors worked
out by hand (AHRQ Elixhauser mortality index, v2026.1: secondary diagnoses, POA rules; age
on admission); too few stays or no event is "not estimable"."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import pytest
from sqlalchemy import insert

from medcoder.records.models import CodeAssignment, Encounter, Patient
from medcoder.records.service import Records
from medcoder.registries.definition import examples
from medcoder.reports.filters import parse_filters
from medcoder.reports.risk_adjust import fit_logistic
from medcoder.reports.runner import run_outcomes

from .conftest import needs_ahrq

pytestmark = needs_ahrq

N = 80


def _stay(i: int) -> dict[str, Any]:
    """Stay i: even i heart failure first-listed (the registry's stays; a principal
    diagnosis is no comorbidity for AHRQ), odd i pneumonia (J18.9); N18.6 (renal failure,
    severe: POA-dependent, mortality weight 7) reported POA N when i % 5 == 0 (not counted)
    else POA Y when i % 7 == 0; F32.9 (depression: POA-neutral, weight -8) reported POA N
    when i % 4 == 1 (counted); died when i % 3 == 0."""
    admit = dt.date(2026, 1, 1) + dt.timedelta(days=i)
    codes = [("I50.9" if i % 2 == 0 else "J18.9", "Y")]
    if i % 5 == 0:
        codes.append(("N18.6", "N"))
    elif i % 7 == 0:
        codes.append(("N18.6", "Y"))
    if i % 4 == 1:
        codes.append(("F32.9", "N"))
    dob = dt.date(1930 + (i * 7) % 60, 1 + i % 12, 1 + i % 28)
    return dict(i=i, admit=admit, discharge=admit + dt.timedelta(days=2), codes=codes, dob=dob,
                died=i % 3 == 0)  # fmt: skip


STAYS = [_stay(i) for i in range(N)]


def _predictors(s: dict[str, Any]) -> tuple[float, float]:
    i, admit, dob = s["i"], s["admit"], s["dob"]
    mortality = 7 * (i % 5 != 0 and i % 7 == 0) - 8 * (i % 4 == 1)
    age = admit.year - dob.year - ((admit.month, admit.day) < (dob.month, dob.day))
    return float(mortality), float(age)


@pytest.fixture
def population(records: Records) -> Records:
    cipher = records.cipher
    with records.engine.begin() as connection:
        for s in STAYS:
            pid = eid = 500 + s["i"]
            connection.execute(
                insert(Patient).values(
                    id=pid, mrn_index=cipher.blind_index(f"A-{pid}", purpose="mrn"),
                    mrn_enc=cipher.encrypt(f"A-{pid}", field="patients.mrn"),
                    name_enc=cipher.encrypt("Synthetic Adjusted", field="patients.name"),
                    dob_enc=cipher.encrypt(s["dob"].isoformat(), field="patients.dob"), sex="F",
                )
            )  # fmt: skip
            connection.execute(
                insert(Encounter).values(
                    id=eid, external_id=f"A-{eid}", patient_id=pid, setting="inpatient",
                    payer="Medicare", admit_date=s["admit"], discharge_date=s["discharge"],
                    status="finalized", finalized_by="cora",
                    discharge_status="20" if s["died"] else "01",
                )
            )  # fmt: skip
            for seq, (code, poa) in enumerate(s["codes"], start=1):
                connection.execute(
                    insert(CodeAssignment).values(
                        encounter_id=eid, system="icd10cm", code=code, title="t", sequence=seq,
                        source="coder", status="accepted", poa=poa, release="icd10cm-2026-04",
                    )
                )  # fmt: skip
    records.define_registry("mia", examples()["heart-failure"])  # the even stays
    return records


def _adjusted(records: Records, **filters: Any) -> tuple[dict[tuple[str, str], Any], list[str]]:
    report = run_outcomes(records, "ann", "heart-failure", parse_filters(**filters), window=30)
    rows = report.table("risk_adjusted").records()
    return {(r["month"], r["measure"]): r for r in rows}, list(report.notes)


def test_mortality_o_e_against_the_fitted_model(population: Records) -> None:
    got, notes = _adjusted(population)
    model = fit_logistic([_predictors(s) for s in STAYS], [int(s["died"]) for s in STAYS])
    cohort = [s for s in STAYS if s["i"] % 2 == 0]
    observed = sum(s["died"] for s in cohort)  # i % 6 == 0: 0, 6, ..., 78
    assert observed == 14
    expected = sum(model.probability(_predictors(s)) for s in cohort)
    whole = got[("all", "mortality")]
    assert (whole["stays"], whole["observed"]) == (40, 14)
    assert whole["expected"] == pytest.approx(expected, abs=1e-3)
    assert whole["o_e"] == pytest.approx(14 / expected, abs=1e-3)
    z = 1.959963984540054
    lower = 14 * (1 - 1 / 126 - z / (3 * math.sqrt(14))) ** 3 / expected
    upper = 15 * (1 - 1 / 135 + z / (3 * math.sqrt(15))) ** 3 / expected
    assert whole["o_e_lower"] == pytest.approx(lower, abs=1e-3)
    assert whole["o_e_upper"] == pytest.approx(upper, abs=1e-3)
    january = [s for s in cohort if s["discharge"].month == 1]
    jan = got[("2026-01", "mortality")]
    assert jan["stays"] == len(january)
    jan_expected = sum(model.probability(_predictors(s)) for s in january)
    assert jan["expected"] == pytest.approx(jan_expected, abs=1e-3)
    # One stay per patient: no readmission anywhere, so no model and no figure.
    assert got[("all", "readmission")]["o_e"] is None
    assert any(n.startswith("readmission: O/E not estimable (no events") for n in notes)


def test_too_few_reference_stays_is_not_estimable(population: Records) -> None:
    # Discharges 2026-01-03 .. 2026-02-10: 39 stays, fewer than 50.
    got, notes = _adjusted(population, start="2026-01-01", end="2026-02-10")
    assert got[("all", "mortality")]["o_e"] is None
    assert got[("all", "mortality")]["expected"] is None
    assert any("mortality: O/E not estimable (39 reference stays" in n for n in notes)
