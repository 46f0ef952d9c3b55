"""HCPCS (issue 13): units from the dose given, never the container; JW/JZ on
single-dose containers; vaccine administration paired with its product; screening
G-codes chosen by the history; supplies counted by the box. Synthetic statements."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from medcoder.errors import SourceFormatError
from medcoder.nlp.document import ClinicalDocument
from medcoder.procedures.hcpcs import HcpcsCoder
from medcoder.procedures.hints import HintBook
from medcoder.procedures.units import container_kind, discarded_dose, documented_dose
from medcoder.results import ProcedureAssignment
from tests.procedures.runner import StageRunner


@pytest.fixture(scope="module")
def coder(hcpcs_home: Path) -> StageRunner:
    return StageRunner(HcpcsCoder(), hcpcs_home)


def lines(runner: StageRunner, text: str, day: str = "2025-11-04") -> list[ProcedureAssignment]:
    found = runner(ClinicalDocument(text, date_of_service=date.fromisoformat(day)))
    return sorted(found.procedures, key=lambda p: (p.code, p.modifiers))


def summary(found: list[ProcedureAssignment]) -> list[tuple[str, int, tuple[str, ...]]]:
    return [(p.code, p.units, p.modifiers) for p in found]


def test_the_dose_not_the_container_sets_the_units() -> None:
    assert documented_dose("from a 2 mL vial of 40 mg/mL, 60 mg injected", "mass").written == (
        "60 mg"
    )
    assert documented_dose("a 1 g single-dose vial; 750 mg given", "mass").written == "750 mg"
    # the container is what was given when it is the only amount
    assert documented_dose("one 40 mg vial injected", "mass").written == "40 mg"
    assert documented_dose("30 mg given; the other 30 mg wasted", "mass").written == "30 mg"
    assert discarded_dose("30 mg given; the other 30 mg wasted", "mass").written == "30 mg"
    assert container_kind("from a multi-dose vial") == "multi"
    assert container_kind("prefilled syringe") == "single"
    assert container_kind("from the vial") is None


def test_penicillin_in_millions_of_units() -> None:
    assert documented_dose("1.2 million units IM", "units").amount == 1_200_000


def test_jz_when_a_single_dose_container_is_used_up(coder: StageRunner) -> None:
    found = lines(coder, "Dexamethasone 6 mg IM given from a single-dose 1 mL vial.")
    assert summary(found) == [("J1100", 6, ("JZ",))]
    assert any(r.rule == "hcpcs-jw-jz.v1" for r in found[0].rules)
    assert "modifier JZ valid on the date of service" in found[0].checks


def test_jw_line_for_the_amount_discarded(coder: StageRunner) -> None:
    found = lines(
        coder,
        "Ketorolac 15 mg IV given from a single-dose vial of 30 mg; 15 mg was discarded.",
    )
    assert summary(found) == [("J1885", 1, ()), ("J1885", 1, ("JW",))]
    assert "discarded" in found[1].path


def test_no_jw_or_jz_on_multi_dose_or_unnamed_containers(coder: StageRunner) -> None:
    multi = "Triamcinolone 30 mg injected into the left knee from a 5 mL multi-dose vial."
    assert summary(lines(coder, multi)) == [("J3301", 3, ())]
    assert summary(lines(coder, "Ondansetron 4 mg IV given.")) == [("J2405", 4, ())]


def test_no_jz_before_july_2023(coder: StageRunner) -> None:
    text = "Dexamethasone 6 mg IM given from a single-dose 1 mL vial."
    assert summary(lines(coder, text, "2023-03-01")) == [("J1100", 6, ())]


def test_methylprednisolone_units_per_mg_after_april_2024(coder: StageRunner) -> None:
    text = "Depo-Medrol 60 mg injected into the right shoulder from a 1 mL vial of 80 mg/mL."
    assert summary(lines(coder, text)) == [("J1010", 60, ())]


def test_vaccine_administration_names_its_product(coder: StageRunner) -> None:
    (flu,) = lines(coder, "Flublok given IM in the right deltoid today.")
    assert flu.code == "G0008"
    pair = next(r for r in flu.rules if r.rule == "hcpcs-vaccine-admin.v1")
    assert "CPT 90682" in pair.detail
    (hep,) = lines(coder, "Hepatitis B vaccine given IM, second dose.")
    assert "product not named" in next(r.detail for r in hep.rules if r.rule.startswith("hcpcs-v"))


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Screening colonoscopy performed; his sister had colorectal cancer at 48.", "G0105"),
        ("Screening colonoscopy performed; personal history of adenomatous polyps.", "G0105"),
        ("Screening colonoscopy performed at average risk.", "G0121"),
        ("Screening colonoscopy performed; no family history of colon cancer.", "G0121"),
    ],
)
def test_screening_colonoscopy_by_risk(coder: StageRunner, text: str, code: str) -> None:
    (found,) = lines(coder, text)
    assert found.code == code
    assert any(r.rule == "hcpcs-screening-risk.v1" for r in found.rules)


def test_pap_and_pelvic_screening(coder: StageRunner) -> None:
    text = "Pelvic and breast exam performed for screening. Pap smear collected."
    assert [p.code for p in lines(coder, text)] == ["G0101", "Q0091"]
    assert lines(coder, "Her last pap smear was normal in 2022.") == []


def test_supplies_by_the_box_and_each(coder: StageRunner) -> None:
    text = "Dispensed three boxes of 100 exam gloves and 20 insulin syringes."
    assert summary(lines(coder, text)) == [("A4206", 20, ()), ("A4927", 3, ())]


def test_alternates_are_checked(tmp_path: Path) -> None:
    bad = (
        '{"cues": {"performed": ["done"]}, "hints": [{"kind": "service", "names": ["x"], '
        '"codes": ["G0121"], "cue": "performed", "alternates": [{"cues": ["("], '
        '"codes": ["G0105"]}]}]}'
    )
    with pytest.raises(SourceFormatError, match="bad alternate cue"):
        HintBook.from_json(tmp_path / "h.json", bad)
