"""A patient-year's risk score from its finalized encounters (``medcoder hcc --patient``).

CMS-HCC is prospective: the payment year's score reads the diagnoses of the year before
(dates of service in the calendar year preceding the payment year), and the age as of
February 1 of the payment year (CMS Rate Announcement, "age as of February 1"). Only
encounters that pass the eligibility filter (``eligibility``) contribute diagnoses; the
others are listed with the reason.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

from medcoder.hcc.eligibility import RiskEncounter, eligible_codes, ineligible_reason
from medcoder.hcc.model import DiagnosisCheck, plain_diagnosis, risk_score
from medcoder.hcc.result import ExcludedEncounter, RiskResult
from medcoder.kinds import Sex


def age_for_payment_year(dob: dt.date, year: int) -> int:
    """Age on February 1 of the payment year."""
    feb1 = dt.date(year, 2, 1)
    return feb1.year - dob.year - ((feb1.month, feb1.day) < (dob.month, dob.day))


def patient_year_score(
    encounters: Sequence[RiskEncounter],
    *,
    age: int,
    sex: Sex | str,
    year: int,
    model: str | None = None,
    dual: str = "NA",
    data: Path | None = None,
    check: DiagnosisCheck = plain_diagnosis,
) -> RiskResult:
    """Score the diagnoses of the eligible encounters; the ineligible ones are named."""
    diagnoses: list[str] = []
    excluded: list[ExcludedEncounter] = []
    for encounter in encounters:
        dos_year = int(encounter.day_of_service[:4]) if encounter.day_of_service else year - 1
        eligible = eligible_codes(dos_year, data)
        reason = ineligible_reason(encounter, eligible)
        if reason is None:
            diagnoses.extend(encounter.diagnoses)
        else:
            excluded.append(ExcludedEncounter(encounter.encounter, reason))
    return risk_score(
        diagnoses,
        age=age,
        sex=sex,
        year=year,
        model=model,
        dual=dual,
        check=check,
        excluded_encounters=tuple(excluded),
    )
