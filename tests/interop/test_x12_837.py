"""X12 5010 837P and 837I built from synthetic claims, validated by pyx12 (issue 12)."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from medcoder.errors import ClaimContentError, ConfigurationError
from medcoder.interop.claim import ClaimDiagnosis, ClaimEncounter, ProcedureLine
from medcoder.interop.x12_837 import ClaimFormat, build_837
from medcoder.kinds import CodeSystem, PoaIndicator, Setting
from medcoder.settings import ClaimParties
from tests.interop.conftest import CREATED, inpatient_claim, office_claim, pyx12_validate


def segments(text: str) -> list[list[str]]:
    return [line.rstrip("~").split("*") for line in text.splitlines() if line]


def only(text: str, segment_id: str) -> list[list[str]]:
    return [s for s in segments(text) if s[0] == segment_id]


def assert_valid(text: str) -> None:
    result = pyx12_validate(text)
    assert result.errors == []
    assert result.valid
    assert "IK5*A~" in result.ack and "AK9*A*1*1*1~" in result.ack


def test_the_validator_refuses_a_broken_file() -> None:
    """The pyx12 check can fail: a wrong SE count and a missing CLM are reported."""
    text = build_837([office_claim()], ClaimFormat.PROFESSIONAL, created=CREATED)
    (se,) = only(text, "SE")
    broken = text.replace(f"SE*{se[1]}*", "SE*99*")
    assert broken != text
    result = pyx12_validate(broken)
    assert result.errors and "IK5*R" in result.ack
    no_claim = "\n".join(line for line in text.splitlines() if not line.startswith("CLM*"))
    assert pyx12_validate(no_claim + "\n").errors


def test_837p_validates_with_envelope_counts_and_control_numbers() -> None:
    text = build_837(
        [office_claim()], ClaimFormat.PROFESSIONAL, created=CREATED, control_number=4321
    )
    assert_valid(text)
    found = segments(text)
    isa, gs, st = found[0], found[1], found[2]
    assert len(isa) == 17 and len("*".join(isa)) == 105  # ISA is fixed width
    assert isa[13] == "000004321" and isa[15] == "T"
    assert gs[6] == "4321" and gs[8] == "005010X222A1" and st[3] == "005010X222A1"
    se, ge, iea = found[-3], found[-2], found[-1]
    assert int(se[1]) == len(found) - 2 - 3 + 1  # ST..SE inclusive
    assert se[2] == st[2] == "0001"
    assert ge == ["GE", "1", "4321"] and iea == ["IEA", "1", "000004321"]


def test_837p_diagnoses_pointers_modifiers_units() -> None:
    text = build_837([office_claim()], ClaimFormat.PROFESSIONAL, created=CREATED)
    (hi,) = only(text, "HI")
    assert hi[1:] == ["ABK:E119", "ABF:I10", "ABF:E785", "ABF:Z794", "ABF:M5450"]
    sv1 = only(text, "SV1")
    assert [s[1] for s in sv1] == ["HC:99214:25", "HC:J1100:JZ", "HC:96372"]
    assert [s[3:5] for s in sv1] == [["UN", "1"], ["UN", "3"], ["UN", "1"]]
    assert {s[7] for s in sv1} == {"1:2:3:4"}  # at most 4 pointers (SV107)
    assert only(text, "CLM")[0][5] == "11:B:1"  # office place of service
    assert only(text, "SBR")[0][9] == "CI"
    assert [s[3] for s in only(text, "DTP")] == ["20260501"] * 3


def test_837p_with_one_diagnosis_points_at_it_only() -> None:
    claim = office_claim(diagnoses=(ClaimDiagnosis("J45.909"),))
    text = build_837([claim], ClaimFormat.PROFESSIONAL, created=CREATED)
    assert_valid(text)
    assert {s[7] for s in only(text, "SV1")} == {"1"}


def test_837i_inpatient_poa_drg_pcs_and_room_and_board() -> None:
    text = build_837([inpatient_claim()], ClaimFormat.INSTITUTIONAL, created=CREATED)
    assert_valid(text)
    assert only(text, "GS")[0][8] == "005010X223A2"
    his = only(text, "HI")
    assert his[0] == ["HI", "ABK:K3580:::::::Y"]
    assert his[1] == ["HI", "DR:343"]
    assert his[2] == ["HI", "ABF:E119:::::::Y", "ABF:N390:::::::N", "ABF:Z794"]  # exempt: blank
    assert his[3] == ["HI", "BBR:0DTJ4ZZ:D8:20260502"]
    assert his[4] == ["HI", "BBQ:0DJD8ZZ:D8:20260503"]
    assert only(text, "CLM")[0][5] == "11:A:1"
    assert only(text, "CL1")[0] == ["CL1", "9", "9", "01"]
    assert only(text, "SBR")[0][9] == "MA"
    assert only(text, "SV2") == [["SV2", "0120", "", "0", "DA", "3"]]
    dtp = {s[1]: s[3] for s in only(text, "DTP")}
    assert dtp == {"434": "20260501-20260504", "435": "20260501"}


def test_837i_outpatient_lines_carry_revenue_codes_and_no_poa() -> None:
    claim = office_claim(
        encounter=ClaimEncounter(
            "ED-1",
            Setting.EMERGENCY,
            service_date=dt.date(2026, 5, 1),
            payer="Acme Health",
            discharge_status="01",
        ),
        diagnoses=(ClaimDiagnosis("S52.501A", PoaIndicator.YES), ClaimDiagnosis("W19.XXXA")),
        procedures=(
            ProcedureLine(CodeSystem.CPT, "99284", modifiers=("25",)),
            ProcedureLine(CodeSystem.CPT, "73110", modifiers=("RT",)),
            ProcedureLine(CodeSystem.CPT, "25600"),
            ProcedureLine(CodeSystem.HCPCS, "J1885", units=2),
        ),
    )
    text = build_837([claim], ClaimFormat.INSTITUTIONAL, created=CREATED)
    assert_valid(text)
    assert [s[1] for s in only(text, "SV2")] == ["0450", "0320", "0360", "0636"]
    assert only(text, "SV2")[3][2:6] == ["HC:J1885", "0", "UN", "2"]
    assert only(text, "HI")[0] == ["HI", "ABK:S52501A"]  # no POA outside an inpatient stay
    assert only(text, "CLM")[0][5] == "13:A:1"
    assert only(text, "CL1") == [["CL1", "", "", "01"]]


def test_837i_many_diagnoses_and_procedures_split_into_hi_segments() -> None:
    codes = ["I10", "E11.9", "E78.5", "N18.30", "I25.10", "J44.9", "K21.9", "F32.A",
             "G47.33", "M17.11", "E66.9", "Z68.30", "R00.0", "D64.9"]  # fmt: skip
    claim = inpatient_claim(
        diagnoses=tuple(ClaimDiagnosis(c, PoaIndicator.YES) for c in codes),
        procedures=tuple(
            ProcedureLine(CodeSystem.ICD10PCS, c)
            for c in ("0DTJ4ZZ", "0DJD8ZZ", "B2111ZZ", "3E0234Z")
        ),
    )
    text = build_837([claim], ClaimFormat.INSTITUTIONAL, created=CREATED)
    assert_valid(text)
    his = only(text, "HI")
    assert [len(h) - 1 for h in his] == [1, 1, 12, 1, 1, 3]
    assert his[5][1] == "BBQ:0DJD8ZZ:D8:20260501"  # no date of its own: the admission day


def test_many_claims_one_interchange_hl_numbers_and_counts() -> None:
    claims = [office_claim(f"OFF-{n}") for n in range(1, 6)]
    text = build_837(claims, ClaimFormat.PROFESSIONAL, created=CREATED)
    assert_valid(text)
    assert [s[1:4] for s in only(text, "HL")] == [["1", "", "20"]] + [
        [str(n), "1", "22"] for n in range(2, 7)
    ]
    assert len(only(text, "CLM")) == 5


def test_transactions_split_at_5000_claims() -> None:
    claims = [office_claim(f"C{n}") for n in range(5001)]
    text = build_837(claims, ClaimFormat.PROFESSIONAL, created=CREATED)
    assert [s[2] for s in only(text, "ST")] == ["0001", "0002"]
    assert only(text, "GE")[0][1] == "2"
    lines = text.splitlines()
    second = lines.index(next(x for x in lines if x.startswith("ST*837*0002")))
    assert only(text, "SE")[1][1] == str(len(lines) - 2 - second)


def test_parties_come_from_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    from medcoder import settings

    monkeypatch.setenv(settings.CLAIM_BILLING_NPI_ENV, "1999999984")
    monkeypatch.setenv(settings.CLAIM_BILLING_ADDRESS_ENV, "9 Elm St|Springfield|IL|627010001")
    parties = settings.claim_parties()
    assert parties.billing_npi == "1999999984" and parties.billing_state == "IL"
    assert parties.submitter_id == ClaimParties().submitter_id
    text = build_837([office_claim(parties=parties)], ClaimFormat.PROFESSIONAL, created=CREATED)
    assert_valid(text)
    assert only(text, "N4")[0] == ["N4", "SPRINGFIELD", "IL", "627010001"]
    monkeypatch.setenv(settings.CLAIM_BILLING_ADDRESS_ENV, "9 Elm St")
    with pytest.raises(ConfigurationError, match=r"street\|city\|state\|zip"):
        settings.claim_parties()


@pytest.mark.parametrize(
    ("claim", "kind", "message"),
    [
        (office_claim(procedures=()), ClaimFormat.PROFESSIONAL, "no CPT or HCPCS line"),
        (
            office_claim(diagnoses=tuple(ClaimDiagnosis("I10") for _ in range(13))),
            ClaimFormat.PROFESSIONAL,
            "at most 12",
        ),
        (
            inpatient_claim(
                encounter=dataclasses.replace(inpatient_claim().encounter, discharge_status=None)
            ),
            ClaimFormat.INSTITUTIONAL,
            "discharge status",
        ),
    ],
)
def test_claims_the_format_cannot_carry_are_refused(
    claim: object, kind: ClaimFormat, message: str
) -> None:
    with pytest.raises(ClaimContentError, match=message) as caught:
        build_837([claim], kind, created=CREATED)  # type: ignore[list-item]
    assert caught.value.code == "E802"


def test_inpatient_stay_with_professional_lines_in_both_formats() -> None:
    claim = inpatient_claim(
        procedures=(
            ProcedureLine(CodeSystem.ICD10PCS, "0DTJ4ZZ"),
            ProcedureLine(CodeSystem.CPT, "99223"),
            ProcedureLine(CodeSystem.CPT, "44970", modifiers=("AS", "59", "RT", "LT")),
        )
    )
    professional = build_837([claim], ClaimFormat.PROFESSIONAL, created=CREATED)
    assert_valid(professional)
    assert only(professional, "CLM")[0][5] == "21:B:1"  # inpatient hospital
    assert ["DTP", "435", "D8", "20260501"] in only(professional, "DTP")
    assert only(professional, "SV1")[1][1] == "HC:44970:AS:59:RT:LT"
    assert "BBR" not in professional  # PCS codes are the facility's, not the 837P's
    institutional = build_837([claim], ClaimFormat.INSTITUTIONAL, created=CREATED)
    assert_valid(institutional)
    assert [s[1] for s in only(institutional, "SV2")] == ["0120", "0960", "0360"]
