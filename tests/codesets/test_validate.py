"""validate(): is a code reportable in a release, and if not, why and what to use instead.

ICD-10-CM Guidelines I.B.1 (highest level of detail), I.A.4 (placeholder X) and I.A.5
(7th characters).
"""

from __future__ import annotations

import itertools

import pytest

from medcoder.codesets.store import Release
from medcoder.codesets.validate import Validation, Validity, validate

pytestmark = pytest.mark.slow


def _suggestions_are_reportable(release: Release, result: Validation) -> None:
    for suggestion in result.suggestions:
        entry = release.get(suggestion)
        assert entry is not None, f"{result.code}: suggests {suggestion}, not in {release.name}"
        assert entry.billable, f"{result.code}: suggests {suggestion}, a header"


def test_code_needing_a_seventh_character(release_2026: Release) -> None:
    result = validate(release_2026, "S72.001")
    assert result.status is Validity.NOT_BILLABLE
    assert not result.valid
    assert result.reason == (
        "S72.001 requires a 7th character: A, B, C, D, E, F, G, H, J, K, M, N, P, Q, R, S"
    )
    assert result.title == "Fracture of unspecified part of neck of right femur"
    assert result.suggestions == ("S72.001A", "S72.001B", "S72.001C")
    assert result.release == "icd10cm-2026-04"


def test_placeholder_code_needing_a_seventh_character(release_2026: Release) -> None:
    result = validate(release_2026, "T36.0X1")
    assert result.status is Validity.NOT_BILLABLE
    assert result.reason == "T36.0X1 requires a 7th character: A, D, S"
    assert result.suggestions == ("T36.0X1A", "T36.0X1D", "T36.0X1S")


@pytest.mark.parametrize("code", ["S72.001A", "s72.001a", "S72001A", " S72.001A "])
def test_code_with_seventh_character_is_valid(release_2026: Release, code: str) -> None:
    result = validate(release_2026, code)
    assert result.status is Validity.VALID
    assert result.valid
    assert result.code == "S72.001A"
    assert result.reason == "valid for reporting"
    assert result.title is not None and result.title.endswith(
        "initial encounter for closed fracture"
    )
    assert result.suggestions == ()


def test_missing_placeholder_x(release_2026: Release) -> None:
    result = validate(release_2026, "S00.00A")
    assert result.status is Validity.INVALID
    assert result.suggestions == ("S00.00XA",)
    assert "placeholder X" in result.reason
    assert result.reason.endswith("use S00.00XA")


def test_missing_placeholders_on_a_four_character_code(release_2025: Release) -> None:
    # S30.1 + A needs two placeholders in FY2025: S30.1XXA.
    result = validate(release_2025, "S30.1A")
    assert result.status is Validity.INVALID
    assert result.suggestions == ("S30.1XXA",)


def test_seventh_character_the_category_does_not_define(release_2026: Release) -> None:
    result = validate(release_2026, "S72.001Z")
    assert result.status is Validity.INVALID
    assert result.reason == (
        "Z is not a 7th character of S72.001: use one of "
        "A, B, C, D, E, F, G, H, J, K, M, N, P, Q, R, S"
    )
    assert result.suggestions == ("S72.001A", "S72.001B", "S72.001C")


def test_wrong_seventh_character_after_placeholder(release_2026: Release) -> None:
    result = validate(release_2026, "T36.0X1Z")
    assert result.status is Validity.INVALID
    assert result.reason == "Z is not a 7th character of T36.0X1: use one of A, D, S"


def test_header_suggests_its_descendants(release_2026: Release) -> None:
    result = validate(release_2026, "E11.2")
    assert result.status is Validity.NOT_BILLABLE
    assert "header" in result.reason
    assert result.suggestions == ("E11.21", "E11.22", "E11.29")
    assert result.title == "Type 2 diabetes mellitus with kidney complications"


@pytest.mark.parametrize(("code", "kind"), [("4", "chapter"), ("E08-E13", "section")])
def test_chapter_and_section_are_not_codes(release_2026: Release, code: str, kind: str) -> None:
    result = validate(release_2026, code)
    assert result.status is Validity.NOT_BILLABLE
    assert result.reason == f"{code} is a {kind}, not a code"
    assert result.suggestions  # billable codes below it


def test_unknown_code_suggests_nearest(release_2026: Release) -> None:
    result = validate(release_2026, "E11.99")
    assert result.status is Validity.INVALID
    assert result.reason == "E11.99 is not a code in icd10cm-2026-04"
    assert "E11.9" in result.suggestions
    assert result.title is None


@pytest.mark.parametrize("code", ["hello", "hello world", "E1", "", "12345", "E11-"])
def test_garbage_is_invalid(release_2026: Release, code: str) -> None:
    result = validate(release_2026, code)
    assert result.status is Validity.INVALID
    assert not result.valid
    assert result.suggestions == ()
    assert result.reason


def test_malformed_code_reason_names_the_input(release_2026: Release) -> None:
    result = validate(release_2026, "hello world")
    assert result.code == "hello world"
    assert result.reason == "'hello world' is not an ICD-10-CM code"


def test_code_subdivided_in_the_newer_release(release_2025: Release, release_2026: Release) -> None:
    assert validate(release_2025, "G35").valid
    newer = validate(release_2026, "G35")
    assert newer.status is Validity.NOT_BILLABLE
    assert {"G35.A", "G35.D"} <= set(newer.suggestions)
    assert not validate(release_2025, "G35.D").valid
    assert validate(release_2026, "G35.D").valid


@pytest.mark.parametrize(
    "code", ["S72.001", "S72.001Z", "S00.00A", "E11.2", "E11.99", "E08-E13", "T36.0X1Z", "I50.99"]
)
def test_suggestions_exist_and_are_billable(release_2026: Release, code: str) -> None:
    _suggestions_are_reportable(release_2026, validate(release_2026, code))


def test_seventh_character_on_a_base_that_became_a_header(release_2026: Release) -> None:
    result = validate(release_2026, "S30.1XXA")
    assert result.status is Validity.INVALID
    assert "is not a 7th character" not in result.reason
    _suggestions_are_reportable(release_2026, result)


def test_validate_agrees_with_the_billable_flag(release_2026: Release) -> None:
    # Every 40th code of the release, expansions included (~2,500 codes).
    for entry in itertools.islice(release_2026.iter_codes(), 0, None, 40):
        result = validate(release_2026, entry.code)
        assert result.valid == entry.billable, entry.code
        assert result.code == entry.code
        assert result.title == entry.title
