"""The code values a claim may carry, checked before any format is written.

Neither pyx12 (it checks X12 syntax, not code values) nor fhir.resources (it checks the
resource shape) knows whether E11 is billable or 0DTJ4ZZ a valid PCS code, so every
writer calls ``check_claim`` first. Two levels:

- the form of each value, always: ICD-10-CM ``A00``-``Z99`` plus up to 4 characters
  (ICD-10-CM Tabular conventions I.A.2-3), ICD-10-PCS 7 characters of 0-9 and A-Z
  without I and O (PCS Guidelines A.1-A.3), CPT 5 characters (4 digits and a digit, F
  for Category II, T for Category III, U for PLA), HCPCS Level II a letter A-V and 4
  digits, modifiers 2 characters (at most 4 a line, X12 SV101-3..6), units a positive
  whole number;
- their standing in the release in force, when a ``CodeCatalog`` is given: an
  ICD-10-CM code must be billable (a leaf; Guidelines I.B.2 "codes ... to the highest
  number of characters available"), a PCS code valid in its table, a CPT/HCPCS code
  valid on the date of service.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Protocol

from medcoder.errors import ClaimCodeValueError, ClaimContentError
from medcoder.interop.claim import ClaimDocument
from medcoder.kinds import CodeSystem

ICD10CM_FORM = re.compile(r"[A-Z][0-9][0-9A-Z](?:[0-9A-Z]{1,4})?")
PCS_FORM = re.compile(r"[0-9A-HJ-NP-Z]{7}")
CPT_FORM = re.compile(r"[0-9]{4}[0-9FTU]")
HCPCS_FORM = re.compile(r"[A-V][0-9]{4}")
MODIFIER_FORM = re.compile(r"[0-9A-Z]{2}")
DRG_FORM = re.compile(r"[0-9]{3}")  # MS-DRG 001-999
DISCHARGE_STATUS_FORM = re.compile(r"[0-9]{2}")  # UB-04 FL 17, NUBC patient status
MAX_MODIFIERS = 4  # SV101-3 .. SV101-6 (837P), SV202-3 .. SV202-6 (837I); FHIR alike

FORMS = {
    CodeSystem.ICD10CM: (
        ICD10CM_FORM,
        "an ICD-10-CM code",
        "a letter, a digit, a digit or letter, then up to 4",
    ),
    CodeSystem.ICD10PCS: (
        PCS_FORM,
        "an ICD-10-PCS code",
        "7 characters of 0-9 and A-Z without I and O",
    ),
    CodeSystem.CPT: (CPT_FORM, "a CPT code", "5 characters: 4 digits and a digit, F, T or U"),
    CodeSystem.HCPCS: (HCPCS_FORM, "a HCPCS Level II code", "a letter A-V and 4 digits"),
}


class CodeCatalog(Protocol):
    """The releases in force: why a code may not be billed on a day, or None if it may."""

    def problem(self, system: CodeSystem, code: str, day: dt.date | None) -> str | None: ...


def bare(code: str) -> str:
    """The code as a claim writes it: upper case, without the ICD-10-CM dot."""
    return code.strip().upper().replace(".", "")


def check_form(system: CodeSystem, code: str, where: str) -> str:
    """``code`` in claim form, or ClaimCodeValueError naming ``where`` and the rule."""
    value = bare(code)
    pattern, name, rule = FORMS[system]
    if not pattern.fullmatch(value):
        raise ClaimCodeValueError(
            f"{where}: {code!r} is not in the form of {name} ({rule})",
            hint="correct the code in review before writing the claim",
        )
    return value


def check_claim(claim: ClaimDocument, catalog: CodeCatalog | None = None) -> None:
    """Every code, modifier, unit of ``claim`` (ClaimCodeValueError naming the first bad
    one, and where it stands), and a principal diagnosis (ClaimContentError)."""
    head = f"claim {claim.claim_id}"
    if not claim.diagnoses:
        raise ClaimContentError(
            f"{head}: no diagnosis; a claim needs a principal or first-listed diagnosis",
            hint="add the diagnosis codes in review, then finalize",
        )
    if claim.drg is not None and not DRG_FORM.fullmatch(claim.drg):
        raise ClaimCodeValueError(f"{head}: MS-DRG {claim.drg!r} is not 3 digits")
    status = claim.encounter.discharge_status
    if status is not None and not DISCHARGE_STATUS_FORM.fullmatch(status):
        raise ClaimCodeValueError(f"{head}: discharge status {status!r} is not 2 digits (UB-04)")
    day = claim.encounter.last_day
    for number, diagnosis in enumerate(claim.diagnoses, start=1):
        where = f"{head} diagnosis {number}"
        check_form(CodeSystem.ICD10CM, diagnosis.code, where)
        _in_catalog(catalog, CodeSystem.ICD10CM, diagnosis.code, day, where)
    for number, line in enumerate(claim.procedures, start=1):
        where = f"{head} procedure {number}"
        if line.system is CodeSystem.ICD10CM:
            raise ClaimCodeValueError(
                f"{where}: {line.code} is a diagnosis code (icd10cm), not a procedure"
            )
        check_form(line.system, line.code, where)
        _in_catalog(catalog, line.system, line.code, line.date or day, where)
        if line.units < 1:
            raise ClaimCodeValueError(f"{where}: {line.units} units; units are 1 or more")
        if len(line.modifiers) > MAX_MODIFIERS:
            raise ClaimCodeValueError(
                f"{where}: {len(line.modifiers)} modifiers; a line carries at most {MAX_MODIFIERS}"
            )
        if line.modifiers and line.system is CodeSystem.ICD10PCS:
            raise ClaimCodeValueError(f"{where}: an ICD-10-PCS code takes no modifiers")
        for place, modifier in enumerate(line.modifiers, start=1):
            if not MODIFIER_FORM.fullmatch(modifier):
                raise ClaimCodeValueError(
                    f"{where} modifier {place}: {modifier!r} is not 2 letters or digits"
                )


def _in_catalog(
    catalog: CodeCatalog | None, system: CodeSystem, code: str, day: dt.date | None, where: str
) -> None:
    if catalog is None:
        return
    problem = catalog.problem(system, code, day)
    if problem is not None:
        raise ClaimCodeValueError(
            f"{where}: {code} {problem}", hint="correct the code in review before writing"
        )
