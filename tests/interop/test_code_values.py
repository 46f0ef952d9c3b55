"""Code values are checked before any claim is written: form always, release standing
when a catalog is given; each error names the claim and the place in it."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from medcoder.errors import ClaimCodeValueError, ClaimContentError
from medcoder.interop.claim import ClaimDiagnosis, ProcedureLine
from medcoder.interop.code_values import check_form
from medcoder.interop.fhir_out import build_bundle, claim_code
from medcoder.interop.x12_837 import ClaimFormat, build_837
from medcoder.kinds import CodeSystem
from tests.interop.conftest import CREATED, inpatient_claim, office_claim

CPT, HCPCS, PCS = CodeSystem.CPT, CodeSystem.HCPCS, CodeSystem.ICD10PCS


def _dx(code: str) -> Any:
    return office_claim(diagnoses=(ClaimDiagnosis("I10"), ClaimDiagnosis(code)))


def _line(line: ProcedureLine) -> Any:
    return office_claim(procedures=(ProcedureLine(CPT, "99213"), line))


@pytest.mark.parametrize(
    ("claim", "where"),
    [
        (_dx("E11-9"), "claim OFF-1 diagnosis 2: 'E11-9' is not in the form of an ICD-10-CM code"),
        (_dx("1234"), "diagnosis 2"),
        (_dx("E11.99999"), "diagnosis 2"),
        (_line(ProcedureLine(CPT, "9921")), "procedure 2: '9921' is not in the form of a CPT code"),
        (_line(ProcedureLine(CPT, "99213X")), "procedure 2"),
        (
            _line(ProcedureLine(HCPCS, "J11000")),
            "procedure 2: 'J11000' is not in the form of a HCPCS Level II code",
        ),
        (_line(ProcedureLine(HCPCS, "W1234")), "procedure 2"),
        (
            _line(ProcedureLine(PCS, "0DTJ4Z")),
            "procedure 2: '0DTJ4Z' is not in the form of an ICD-10-PCS",
        ),
        (_line(ProcedureLine(PCS, "0DTJ4IZ")), "procedure 2"),  # no I or O in PCS
        (_line(ProcedureLine(CPT, "99213", modifiers=("2",))), "procedure 2 modifier 1"),
        (_line(ProcedureLine(CPT, "99213", modifiers=("25", "-59"))), "procedure 2 modifier 2"),
        (_line(ProcedureLine(CPT, "99213", modifiers=("25", "59", "76", "77", "79"))), "at most 4"),
        (_line(ProcedureLine(CPT, "99213", units=0)), "0 units"),
        (_line(ProcedureLine(PCS, "0DTJ4ZZ", modifiers=("LT",))), "takes no modifiers"),
        (_line(ProcedureLine(CodeSystem.ICD10CM, "I10")), "a diagnosis code"),
        (inpatient_claim(drg="47"), "claim INP-1: MS-DRG '47' is not 3 digits"),
        (
            inpatient_claim(
                encounter=dataclasses.replace(inpatient_claim().encounter, discharge_status="1")
            ),
            "discharge status '1'",
        ),
    ],
)
def test_bad_values_are_refused_by_every_writer(claim: Any, where: str) -> None:
    for write in (
        lambda: build_837([claim], ClaimFormat.PROFESSIONAL, created=CREATED),
        lambda: build_bundle(claim, created=CREATED),
    ):
        with pytest.raises(ClaimCodeValueError, match=where.replace("(", r"\(")) as caught:
            write()
        assert caught.value.code == "E801"


def test_a_claim_without_diagnoses_is_refused() -> None:
    with pytest.raises(ClaimContentError, match="no diagnosis"):
        build_837([office_claim(diagnoses=())], ClaimFormat.PROFESSIONAL, created=CREATED)


def test_good_forms_pass() -> None:
    claim = office_claim(
        diagnoses=(ClaimDiagnosis("U07.1"), ClaimDiagnosis("S52.501A"), ClaimDiagnosis("F32.A")),
        procedures=(
            ProcedureLine(CPT, "0001U"),
            ProcedureLine(CPT, "3074F"),
            ProcedureLine(CPT, "0042T"),
            ProcedureLine(HCPCS, "G0442", modifiers=("GT", "95")),
        ),
    )
    build_837([claim], ClaimFormat.PROFESSIONAL, created=CREATED)


class FakeCatalog:
    """A release that knows E11 as a non-billable category and 0DTJ4ZZ as invalid."""

    def __init__(self) -> None:
        self.asked: list[tuple[CodeSystem, str, dt.date | None]] = []

    def problem(self, system: CodeSystem, code: str, day: dt.date | None) -> str | None:
        self.asked.append((system, code, day))
        if code == "E11":
            return "is not billable in icd10cm-2026-04: code to the highest specificity"
        if code == "0DTJ4ZZ":
            return "is not valid: no such row"
        return None


def test_the_catalog_is_asked_each_code_on_its_day() -> None:
    catalog = FakeCatalog()
    build_837([office_claim()], ClaimFormat.PROFESSIONAL, created=CREATED, catalog=catalog)
    assert catalog.asked[0] == (CodeSystem.ICD10CM, "E11.9", dt.date(2026, 5, 1))
    assert len(catalog.asked) == 5 + 3
    with pytest.raises(ClaimCodeValueError, match="diagnosis 2: E11 is not billable"):
        build_837([_dx("E11")], ClaimFormat.PROFESSIONAL, created=CREATED, catalog=catalog)
    with pytest.raises(ClaimCodeValueError, match="procedure 1: 0DTJ4ZZ is not valid"):
        build_bundle(inpatient_claim(), created=CREATED, catalog=catalog)


@given(
    st.from_regex(r"[A-Z][0-9][0-9A-Z]", fullmatch=True),
    st.from_regex(r"[0-9A-Z]{0,4}", fullmatch=True),
)
def test_icd10cm_codes_keep_their_value_through_both_formats(category: str, rest: str) -> None:
    """Dotted or not, a code is the same code in the 837 (bare) and FHIR (dotted)."""
    dotted = f"{category}.{rest}" if rest else category
    for written in (dotted, dotted.replace(".", ""), dotted.lower()):
        assert check_form(CodeSystem.ICD10CM, written, "here") == category + rest
        assert claim_code(CodeSystem.ICD10CM, written) == dotted
