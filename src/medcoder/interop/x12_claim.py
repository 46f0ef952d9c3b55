"""One claim of an 837: subscriber 2000B/2010BA, payer 2010BB, claim 2300, lines 2400.

837P (005010X222A1): CLM05 is the place of service; diagnoses in one HI of up to 12
(ABK principal, ABF other; TR3 2300 HI); each SV1 points at up to 4 of them (SV107).
837I (005010X223A2): CLM05 is the type of bill; HI ABK principal, HI DR the MS-DRG,
HI ABF other diagnoses (12 a segment, 24 in all), each with its present-on-admission
indicator in component 9 on inpatient claims; ICD-10-PCS procedures in HI BBR
(principal) and BBQ (other) with their dates; SV2 lines carry a revenue code
(``revenue_codes``). The records do not link service lines to diagnoses, so every
837P line points at the first four diagnoses in claim order.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TypeVar

from medcoder.errors import ClaimContentError
from medcoder.interop.claim import ClaimDiagnosis, ClaimDocument, ProcedureLine
from medcoder.interop.code_values import bare
from medcoder.interop.revenue_codes import ROOM_AND_BOARD, revenue_code
from medcoder.interop.x12_segments import Segments, clean, composite, d8, rd8
from medcoder.kinds import PoaIndicator, Setting

MAX_DIAGNOSES_837P = 12  # one HI segment, HI01..HI12
MAX_OTHER_DIAGNOSES_837I = 24  # two HI ABF segments
MAX_PCS_837I = 25  # BBR + two HI BBQ segments of 12
MAX_POINTERS = 4  # SV107-1..SV107-4
HI_SIZE = 12

# CLM05-1 of an 837P: CMS place-of-service codes.
PLACE_OF_SERVICE = {Setting.OUTPATIENT: "11", Setting.EMERGENCY: "23", Setting.INPATIENT: "21"}
# CLM05-1 of an 837I: the first two digits of the UB-04 type of bill (hospital inpatient
# 11x; hospital outpatient 13x, the emergency department included).
FACILITY_TYPE = {Setting.INPATIENT: "11", Setting.OUTPATIENT: "13", Setting.EMERGENCY: "13"}


def filing_indicator(payer: str | None, institutional: bool) -> str:
    """SBR09 claim filing indicator from the payer's name: Medicare Part A (837I) or B
    (837P), Medicaid, else commercial insurance (CI)."""
    name = (payer or "").lower()
    if "medicare" in name:
        return "MA" if institutional else "MB"
    if "medicaid" in name:
        return "MC"
    return "CI"


def poa_value(poa: PoaIndicator | None) -> str:
    """HI0n-9: Y, N, U or W; blank for an exempt code (5010 dropped 4010's "1")."""
    if poa is None or poa is PoaIndicator.EXEMPT:
        return ""
    return poa.value


def write_claim(out: Segments, claim: ClaimDocument, *, institutional: bool, hl: int) -> None:
    """The subscriber level ``hl`` (child of billing provider HL 1) and its one claim."""
    encounter, patient = claim.encounter, claim.patient
    first, last = encounter.first_day, encounter.last_day
    if first is None or last is None:
        raise ClaimContentError(f"claim {claim.claim_id}: no date of service")
    if patient.dob is None or patient.sex is None:
        raise ClaimContentError(f"claim {claim.claim_id}: the patient's birth date and sex")
    inpatient = encounter.setting.is_inpatient
    out.add("HL", str(hl), "1", "22", "0")
    # SBR01 P primary; SBR02 18 self (the patient is the subscriber).
    out.add("SBR", "P", "18", "", "", "", "", "", "",
            filing_indicator(encounter.payer, institutional))  # fmt: skip
    # 2010BA subscriber: member id is the MRN (the records hold no insurance member id).
    last_name = clean(patient.last_name, 60) or "UNKNOWN"
    member_id = clean(patient.patient_id, 80)
    out.add("NM1", "IL", "1", last_name, clean(patient.first_name, 35), "", "", "", "MI", member_id)
    out.add("DMG", "D8", d8(patient.dob), patient.sex.value)
    # 2010BB payer: the receiver is the payer these claims go to.
    parties = claim.parties
    out.add("NM1", "PR", "2", clean(encounter.payer or parties.receiver_name, 60), "", "", "",
            "", "PI", clean(parties.receiver_id, 80))  # fmt: skip
    total = f"{claim.total_charge:.2f}".rstrip("0").rstrip(".") or "0"
    if institutional:
        _clm_837i(out, claim, total, first, last, inpatient)
    else:
        _clm_837p(out, claim, total, first, inpatient)


def _clm_837p(
    out: Segments, claim: ClaimDocument, total: str, first: dt.date, inpatient: bool
) -> None:
    if len(claim.diagnoses) > MAX_DIAGNOSES_837P:
        raise ClaimContentError(
            f"claim {claim.claim_id}: {len(claim.diagnoses)} diagnoses; an 837P carries at "
            f"most {MAX_DIAGNOSES_837P}"
        )
    if not claim.service_lines:
        raise ClaimContentError(
            f"claim {claim.claim_id}: no CPT or HCPCS line; an 837P bills service lines",
            hint="add the procedure codes in review",
        )
    place = PLACE_OF_SERVICE[claim.encounter.setting]
    # CLM06 Y signature on file; CLM07 A assigned; CLM08 Y benefits assigned; CLM09 Y release.
    out.add("CLM", clean(claim.claim_id, 38), total, "", "", composite(place, "B", "1"),
            "Y", "A", "Y", "Y")  # fmt: skip
    if inpatient and claim.encounter.admit_date:
        out.add("DTP", "435", "D8", d8(claim.encounter.admit_date))
    qualifiers = ["ABK"] + ["ABF"] * (len(claim.diagnoses) - 1)
    out.add(
        "HI",
        *(composite(q, bare(d.code)) for q, d in zip(qualifiers, claim.diagnoses, strict=True)),
    )
    pointers = composite(*(str(n) for n in range(1, min(MAX_POINTERS, len(claim.diagnoses)) + 1)))
    for number, line in enumerate(claim.service_lines, start=1):
        out.add("LX", str(number))
        out.add("SV1", composite("HC", bare(line.code), *line.modifiers), _money(line),
                "UN", str(line.units), "", "", pointers)  # fmt: skip
        out.add("DTP", "472", "D8", d8(line.date or first))


def _clm_837i(
    out: Segments,
    claim: ClaimDocument,
    total: str,
    first: dt.date,
    last: dt.date,
    inpatient: bool,
) -> None:
    encounter = claim.encounter
    others = claim.diagnoses[1:]
    if len(others) > MAX_OTHER_DIAGNOSES_837I:
        raise ClaimContentError(
            f"claim {claim.claim_id}: {len(claim.diagnoses)} diagnoses; an 837I carries a "
            f"principal and at most {MAX_OTHER_DIAGNOSES_837I} others"
        )
    pcs = claim.pcs_procedures
    if len(pcs) > MAX_PCS_837I:
        raise ClaimContentError(f"claim {claim.claim_id}: more than {MAX_PCS_837I} procedures")
    if encounter.discharge_status is None or (inpatient and encounter.admit_date is None):
        raise ClaimContentError(
            f"claim {claim.claim_id}: an 837I needs the patient discharge status (CL1-03)"
            + (" and the admission date" if inpatient else ""),
            hint="set the encounter's discharge status (UB-04, e.g. 01 home) before finalizing",
        )
    if not inpatient and not claim.service_lines:
        raise ClaimContentError(
            f"claim {claim.claim_id}: no CPT or HCPCS line; an outpatient 837I bills them"
        )
    bill_type = composite(FACILITY_TYPE[encounter.setting], "A", "1")  # 1: admit through discharge
    out.add("CLM", clean(claim.claim_id, 38), total, "", "", bill_type, "", "A", "Y", "Y")
    out.add("DTP", "434", "RD8", rd8(first, last))  # statement covers period
    if inpatient:
        assert encounter.admit_date is not None
        out.add("DTP", "435", "D8", d8(encounter.admit_date))
    # CL1: admission type and point of origin (inpatient only) 9, information not available
    # (the records hold neither); CL1-03 the UB-04 patient discharge status, every claim.
    admission = "9" if inpatient else ""
    out.add("CL1", admission, admission, encounter.discharge_status)
    out.add("HI", _diagnosis("ABK", claim.diagnoses[0], inpatient))
    if claim.drg and inpatient:
        out.add("HI", composite("DR", claim.drg))
    for chunk in _chunks(others):
        out.add("HI", *(_diagnosis("ABF", d, inpatient) for d in chunk))
    if pcs:
        out.add("HI", _procedure("BBR", pcs[0], first))
        for pcs_chunk in _chunks(pcs[1:]):
            out.add("HI", *(_procedure("BBQ", p, first) for p in pcs_chunk))
    if encounter.attending:
        name = clean(encounter.attending, 60).split()
        out.add("NM1", "71", "1", name[-1] if name else "UNKNOWN", " ".join(name[:-1])[:35])
    number = 0
    if inpatient:
        number += 1
        days = max(1, (last - first).days)  # the day of discharge is not a room day
        out.add("LX", str(number))
        out.add("SV2", ROOM_AND_BOARD, "", "0", "DA", str(days))
    for line in claim.service_lines:
        number += 1
        code = bare(line.code)
        out.add("LX", str(number))
        service = composite("HC", code, *line.modifiers)
        revenue = revenue_code(line.system, code)
        out.add("SV2", revenue, service, _money(line), "UN", str(line.units))
        out.add("DTP", "472", "D8", d8(line.date or first))


def _diagnosis(qualifier: str, diagnosis: ClaimDiagnosis, inpatient: bool) -> str:
    """HI0n: qualifier, code, and (inpatient) the POA indicator in component 9."""
    poa = poa_value(diagnosis.poa) if inpatient else ""
    return composite(qualifier, bare(diagnosis.code), "", "", "", "", "", "", poa)


def _procedure(qualifier: str, line: ProcedureLine, default: dt.date) -> str:
    return composite(qualifier, bare(line.code), "D8", d8(line.date or default))


def _money(line: ProcedureLine) -> str:
    return f"{line.charge:.2f}".rstrip("0").rstrip(".") or "0"


T = TypeVar("T")


def _chunks(items: Sequence[T]) -> list[Sequence[T]]:
    return [items[i : i + HI_SIZE] for i in range(0, len(items), HI_SIZE)]
