"""Second-round E/M rules (issue 13): the same-group 3-year rule for new/established,
one problem under two names, and rules-file validation of the synonyms."""

from __future__ import annotations

import json
from importlib import resources

import pytest

from medcoder.errors import EMRulesError
from medcoder.procedures.em_rules import rules_from_data
from tests.procedures.test_em_elements import problems_of
from tests.procedures.test_em_stage import em

GOUT = (
    "{who} Gout, no flares in a year on allopurinol 300 mg. No tophi. Gout, stable. "
    "Continue allopurinol; refill sent."
)


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("First visit with me; she was followed by Dr. Lee in our group until May.", "established"),
        ("First visit with me; she has never been seen by anyone in our group.", "new"),
        ("First visit with me, new to our practice.", "new"),
    ],
)
def test_a_colleague_of_the_same_group_makes_the_patient_established(who: str, status: str) -> None:
    level = em(GOUT.format(who=who)).em_level
    assert level is not None and level.patient_status == status


def test_one_problem_under_two_names_counts_once() -> None:
    def problems(text: str) -> str:
        level = em("Established patient. " + text).em_level
        assert level is not None
        return next(m.level for m in level.elements if m.element == "problems")

    assert problems("Small verruca on the thumb. Common wart.") == "straightforward"
    assert problems("Small sunburn on the shoulders. Common wart.") == "low"


def test_synonyms_must_map_names_to_names() -> None:
    resource = resources.files("medcoder.procedures") / "data" / "em_rules.json"
    raw = json.loads(resource.read_text(encoding="utf-8"))
    raw["problems"]["synonyms"] = ["wart"]
    with pytest.raises(EMRulesError, match="synonyms"):
        rules_from_data(raw)


@pytest.mark.parametrize(
    "assessment",
    ["Acute on chronic heart failure.", "Atrial fibrillation, supratherapeutic INR."],
)
def test_an_exacerbation_or_a_treatment_side_effect_is_a_worse_chronic_illness(
    assessment: str,
) -> None:
    assert problems_of(assessment).level in ("moderate", "high")
    assert problems_of(assessment.split(",")[0].replace("Acute on c", "C")).level == "low"
