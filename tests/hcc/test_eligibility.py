"""Only risk-adjustment-eligible encounters contribute diagnoses."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from medcoder.errors import GroupingTableError
from medcoder.hcc.eligibility import RiskEncounter, eligible_list_path, load_eligible
from medcoder.hcc.patient import age_for_payment_year, patient_year_score
from medcoder.kinds import Setting


def visit(
    name: str,
    *procedures: str,
    setting: Setting = Setting.OUTPATIENT,
    codes: tuple[str, ...] = ("I50.9",),
) -> RiskEncounter:
    return RiskEncounter(name, setting, "2025-06-01", codes, procedures)


def test_the_list_comes_from_the_data_folder(shared_data: Path) -> None:
    path = eligible_list_path(2026, shared_data)
    assert path == shared_data / "hcc" / "ra_eligible_cpt_hcpcs_2026.csv"
    codes = load_eligible(path)
    assert "99213" in codes and "80053" not in codes


def test_a_malformed_list_is_named(tmp_path: Path) -> None:
    (tmp_path / "hcc").mkdir()
    bad = tmp_path / "hcc" / "ra_eligible_cpt_hcpcs_2026.csv"
    bad.write_text("code\n99213\n", encoding="utf-8")
    with pytest.raises(GroupingTableError, match="cpt_hcpcs_code"):
        load_eligible(eligible_list_path(2026, tmp_path))


def test_ineligible_encounter_contributes_nothing(shared_data: Path) -> None:
    encounters = [
        visit("office", "99213", codes=("E11.9",)),
        visit("lab only", "80053", codes=("I50.9",)),  # a lab panel: not face to face
        visit("nothing billed", codes=("N18.4",)),
    ]
    result = patient_year_score(encounters, age=70, sex="F", year=2026, data=shared_data)
    assert result.hccs == ("38",)
    excluded = {e.encounter: e.reason for e in result.excluded_encounters}
    assert set(excluded) == {"lab only", "nothing billed"}
    assert "80053" in excluded["lab only"]


def test_inpatient_stay_counts_without_a_procedure(shared_data: Path) -> None:
    stay = visit("stay", setting=Setting.INPATIENT, codes=("I50.9", "E11.22", "N18.4"))
    result = patient_year_score([stay], age=70, sex="F", year=2026, data=shared_data)
    assert round(result.risk_score, 3) == 1.723 and result.excluded_encounters == ()


def test_age_on_february_first() -> None:
    assert age_for_payment_year(dt.date(1955, 2, 1), 2026) == 71
    assert age_for_payment_year(dt.date(1955, 2, 2), 2026) == 70
