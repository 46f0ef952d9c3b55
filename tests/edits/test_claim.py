"""Reading a claim: JSON in, frozen Claim out; bad input is E601 with a clear message."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from medcoder.edits.claim import claim_json, load_claim, parse_claim
from medcoder.errors import ClaimFormatError
from medcoder.kinds import CodeSystem

GOOD = {
    "id": "CLM-1",
    "date_of_service": "2026-05-01",
    "setting": "inpatient",
    "age": 70,
    "sex": "f",
    "codes": [
        {"system": "cpt", "code": "29881", "modifiers": ["rt"], "units": 2},
        {"system": "icd10cm", "code": "e119", "sequence": 2},
        {"system": "ICD10CM", "code": "I10", "sequence": 1},
    ],
}


def test_claim_is_parsed_and_sorted() -> None:
    claim = parse_claim(GOOD)
    assert [c.code for c in claim.codes] == ["I10", "E11.9", "29881"]
    assert claim.first_listed is not None and claim.first_listed.code == "I10"
    assert claim.lines[0].modifiers == ("RT",) and claim.lines[0].units == 2
    assert claim.sex == "F" and claim.setting == "inpatient"
    assert parse_claim(claim_json(claim)) == claim


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"date_of_service": "2026-13-01"}, "is not a date"),
        ({"date_of_service": 20260501}, "YYYY-MM-DD"),
        ({"setting": "ambulance"}, "unknown setting"),
        ({"sex": "X"}, "not F, M or U"),
        ({"sex": "Mujer"}, "not F, M or U"),
        ({"age": -1}, "age"),
        ({"payer": "x"}, "unknown key(s) payer"),
        ({"codes": [{"system": "snomed", "code": "1"}]}, "unknown code system 'snomed'"),
        ({"codes": [{"code": "I10"}]}, "unknown code system"),
        ({"codes": [{"system": "cpt", "code": "1", "units": 0}]}, "units"),
        ({"codes": [{"system": "cpt", "code": "1", "modifiers": "59"}]}, "modifiers must be"),
        ({"codes": [{"system": "cpt", "code": "1", "modifiers": ["591"]}]}, "not a modifier"),
        ({"codes": "I10"}, "codes must be a list"),
        ({"codes": [{"system": "cpt", "code": ""}]}, "non-empty"),
    ],
)
def test_bad_claims_are_e601(change: dict[str, object], words: str) -> None:
    with pytest.raises(ClaimFormatError) as caught:
        parse_claim({**GOOD, **change})
    assert caught.value.code == "E601"
    assert words in caught.value.message


def test_missing_date_and_non_object() -> None:
    with pytest.raises(ClaimFormatError, match="date_of_service is required"):
        parse_claim({"codes": []})
    with pytest.raises(ClaimFormatError, match="JSON object"):
        parse_claim(["I10"])


def test_malformed_json_file_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "claim.json"
    path.write_text('{"date_of_service": "2026-05-01",\n "codes": [}', encoding="utf-8")
    with pytest.raises(ClaimFormatError, match=r"claim.json:2: not valid JSON"):
        load_claim(path)
    with pytest.raises(ClaimFormatError, match="cannot read claim"):
        load_claim(tmp_path / "missing.json")


_code = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.", min_size=1, max_size=9)


@given(st.lists(st.tuples(st.sampled_from(list(CodeSystem)), _code, st.integers(1, 9)), max_size=8))
def test_claim_json_round_trips(lines: list[tuple[CodeSystem, str, int]]) -> None:
    data = {
        "date_of_service": "2026-05-01",
        "codes": [{"system": s.value, "code": c, "units": u} for s, c, u in lines if c.strip(".")],
    }
    claim = parse_claim(data)
    assert parse_claim(json.loads(json.dumps(claim_json(claim)))) == claim
