"""CMS-HCC risk scores (issue 12 part 4): V28 PY2026, hierarchies, interactions, the
PY2025 blend, and refused input."""

from __future__ import annotations

import pytest

from medcoder.errors import GroupingInputError
from medcoder.hcc.model import V24, V28, risk_score


def test_diabetes_ckd4_heart_failure_py2026() -> None:
    # Female 70, community non-dual aged, CMS-HCC V28, PY2026 (100% V28).
    result = risk_score(["E11.22", "N184", "I50.9"], age=70, sex="F", year=2026)
    assert round(result.risk_score, 3) == 1.723
    assert set(result.hccs) == {"37", "226", "327"}
    (model,) = result.models
    assert (model.model, model.blend, model.category) == (V28, 1.0, "F70_74")
    assert model.segment == "community, non-dual, aged"
    assert dict(model.interactions) == {"DIABETES_HF_V28": 0.112, "HF_KIDNEY_V28": 0.176}
    assert result.diagnoses == ("E11.22", "N18.4", "I50.9")


def test_diabetes_hierarchy_keeps_the_higher_only() -> None:
    without = risk_score(["E11.9"], age=70, sex="F")
    both = risk_score(["E11.9", "E11.22"], age=70, sex="F")
    assert without.hccs == ("38",)
    assert both.hccs == ("37",)
    flags = {c.code: c for c in both.codes}
    assert flags["E11.9"].hccs == ("38",) and flags["E11.9"].kept == ()
    assert flags["E11.9"].dropped == (("38", "37"),)
    assert flags["E11.22"].kept == ("37",)


def test_heart_failure_and_diabetes_interact() -> None:
    alone = risk_score(["I50.9"], age=70, sex="M")
    both = risk_score(["I50.9", "E11.9"], age=70, sex="M")
    assert "DIABETES_HF_V28" in dict(both.models[0].interactions)
    assert "DIABETES_HF_V28" not in dict(alone.models[0].interactions)
    hccs = {f.hcc: f.coefficient for f in both.models[0].hccs}
    expected = alone.risk_score + hccs["38"] + dict(both.models[0].interactions)["DIABETES_HF_V28"]
    assert both.risk_score == pytest.approx(expected)


def test_py2025_blends_v28_and_v24() -> None:
    result = risk_score(["E11.22", "N18.4", "I50.9"], age=70, sex="F", year=2025)
    v28, v24 = result.models
    assert (v28.model, v28.blend, v24.model, v24.blend) == (V28, 0.67, V24, 0.33)
    assert result.risk_score == pytest.approx(0.67 * v28.risk_score + 0.33 * v24.risk_score)
    alone = risk_score(["E11.22", "N18.4", "I50.9"], age=70, sex="F", year=2025, model="v24")
    assert alone.risk_score == pytest.approx(v24.risk_score)


def test_no_hcc_code_scores_demographics_only() -> None:
    result = risk_score(["J06.9"], age=70, sex="F")
    assert result.hccs == () and result.risk_score == result.models[0].demographic_score


@pytest.mark.parametrize(
    ("kwargs", "named"),
    [
        ({"codes": ["E11.9", "not-a-code"]}, "diagnosis 'not-a-code'"),
        ({"age": -1}, "age -1"),
        ({"age": 200}, "age 200"),
        ({"sex": "U"}, "sex 'U'"),
        ({"year": 2019}, "payment year 2019"),
        ({"model": "v99"}, "model 'v99'"),
        ({"dual": "77"}, "dual status '77'"),
    ],
)
def test_bad_input_names_what(kwargs: dict[str, object], named: str) -> None:
    args: dict[str, object] = {"codes": ["E11.9"], "age": 70, "sex": "F", **kwargs}
    with pytest.raises(GroupingInputError) as error:
        risk_score(**args)  # type: ignore[arg-type]
    assert named in error.value.message and error.value.code == "E702"
