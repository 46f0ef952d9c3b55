"""The MDM table arithmetic, the time thresholds and the rules file (em_rules.json)."""

from __future__ import annotations

import json
from importlib import resources

import pytest
from hypothesis import given
from hypothesis import strategies as st

from medcoder.errors import EMRulesError
from medcoder.procedures.em_rules import (
    LEVELS,
    data_level,
    default_em_rules,
    level_rank,
    mdm_level,
    rules_from_data,
)

level = st.sampled_from(LEVELS)
# 2024 thresholds, written out here apart from em_rules.json: met or exceeded.
NEW = [(60, "99205"), (45, "99204"), (30, "99203"), (15, "99202")]
ESTABLISHED = [(40, "99215"), (30, "99214"), (20, "99213"), (10, "99212")]


def expected_time_code(table: list[tuple[int, str]], minutes: int) -> str | None:
    return next((code for threshold, code in table if minutes >= threshold), None)


@given(st.integers(min_value=0, max_value=400))
def test_time_thresholds_new(minutes: int) -> None:
    assert default_em_rules().time_code("new", minutes) == expected_time_code(NEW, minutes)


@given(st.integers(min_value=0, max_value=400))
def test_time_thresholds_established(minutes: int) -> None:
    found = default_em_rules().time_code("established", minutes)
    assert found == expected_time_code(ESTABLISHED, minutes)
    assert found != "99211"  # 99211 has no time threshold


@given(st.integers(min_value=0, max_value=399), st.sampled_from(["new", "established"]))
def test_more_time_never_lowers_the_level(minutes: int, status: str) -> None:
    rules = default_em_rules()
    now, later = rules.time_code(status, minutes), rules.time_code(status, minutes + 1)
    assert int(later or 0) >= int(now or 0)


@pytest.mark.parametrize(
    ("status", "minutes", "code"),
    [("new", 14, None), ("new", 15, "99202"), ("new", 29, "99202"), ("new", 30, "99203"),
     ("new", 44, "99203"), ("new", 45, "99204"), ("new", 59, "99204"), ("new", 60, "99205"),
     ("established", 9, None), ("established", 10, "99212"), ("established", 19, "99212"),
     ("established", 20, "99213"), ("established", 30, "99214"), ("established", 39, "99214"),
     ("established", 40, "99215")],
)  # fmt: skip
def test_time_threshold_edges(status: str, minutes: int, code: str | None) -> None:
    assert default_em_rules().time_code(status, minutes) == code


@given(level, level, level)
def test_mdm_is_two_of_three(problems: str, data: str, risk: str) -> None:
    found = level_rank(mdm_level(problems, data, risk))
    ranks = [level_rank(x) for x in (problems, data, risk)]
    # At least two elements meet or exceed the level, and no higher level has two.
    assert sum(r >= found for r in ranks) >= 2
    assert sum(r >= found + 1 for r in ranks) < 2


def test_mdm_examples() -> None:
    assert mdm_level("moderate", "straightforward", "moderate") == "moderate"
    assert mdm_level("high", "straightforward", "moderate") == "moderate"
    assert mdm_level("high", "high", "straightforward") == "high"
    assert mdm_level("low", "straightforward", "straightforward") == "straightforward"


@pytest.mark.parametrize(
    ("tests", "historian", "interpretation", "discussion", "expected"),
    [
        (0, False, False, False, "straightforward"),
        (1, False, False, False, "straightforward"),
        (2, False, False, False, "low"),  # limited: 2 tests/documents
        (0, True, False, False, "low"),  # limited: an independent historian alone
        (2, True, False, False, "moderate"),  # category 1: 3 items with the historian
        (3, False, False, False, "moderate"),
        (0, False, True, False, "moderate"),  # category 2 alone
        (0, False, False, True, "moderate"),  # category 3 alone
        (1, False, True, True, "high"),  # 2 of 3 categories
        (3, False, True, False, "high"),
        (2, True, False, True, "high"),
        (2, False, True, False, "moderate"),  # category 1 needs 3 items for moderate/high
    ],
)
def test_data_categories(
    tests: int, historian: bool, interpretation: bool, discussion: bool, expected: str
) -> None:
    assert data_level(tests, historian, interpretation, discussion) == expected


def test_code_tables_hold_only_cpt_numbers() -> None:
    rules = default_em_rules()
    assert rules.version == "em-2021-ama"
    assert [rules.mdm_code("new", lv) for lv in LEVELS] == ["99202", "99203", "99204", "99205"]
    assert [rules.mdm_code("established", lv) for lv in LEVELS] == [
        "99212", "99213", "99214", "99215"
    ]  # fmt: skip
    assert rules.codes["established"]["minimal"] == "99211"


def _shipped() -> dict[str, object]:
    resource = resources.files("medcoder.procedures") / "data" / "em_rules.json"
    data: dict[str, object] = json.loads(resource.read_text(encoding="utf-8"))
    return data


def test_rules_file_rejects_unknown_keys() -> None:
    data = _shipped()
    data["problemz"] = {}
    with pytest.raises(EMRulesError, match="unknown key") as info:
        rules_from_data(data, "x.json")
    assert info.value.code == "E321"


def test_rules_file_rejects_unknown_nested_keys_and_bad_lists() -> None:
    data = _shipped()
    data["risk"] = {**data["risk"], "otc_drugs": []}  # type: ignore[dict-item]
    with pytest.raises(EMRulesError, match="'risk'"):
        rules_from_data(data, "x.json")
    data = _shipped()
    data["risk"] = {**data["risk"], "otc": "ibuprofen"}  # type: ignore[dict-item]
    with pytest.raises(EMRulesError, match="must be a list"):
        rules_from_data(data, "x.json")


def test_rules_file_needs_every_level_code() -> None:
    data = _shipped()
    data["codes"] = {"new": {"low": "99203"}, "established": {}}
    with pytest.raises(EMRulesError, match="lacks"):
        rules_from_data(data, "x.json")
