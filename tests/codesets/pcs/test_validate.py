"""Validating codes against their table row, explaining characters, diffs."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from medcoder.codesets.pcs.diff import diff_pcs
from medcoder.codesets.pcs.store import PcsRegistry, PcsRelease
from medcoder.codesets.pcs.validate import normalize_pcs
from medcoder.errors import InvalidPcsCodeError


def test_invalid_character_names_position_axis_and_allowed(
    pcs_fixture_registry: PcsRegistry,
) -> None:
    release = pcs_fixture_registry.open("icd10pcs-2026")
    check = release.validate("0DTJXZZ")
    assert not check.valid and check.problem is not None
    assert (check.problem.position, check.problem.axis, check.problem.value) == (5, "Approach", "X")
    assert [v.code for v in check.problem.allowed] == ["0", "4", "8"]
    assert check.message() == (
        "0DTJXZZ: character 4 (body part) 'J' is valid (Appendix); character 5 (approach) "
        "'X' is not allowed for 0DT + body part J: allowed 0 (Open), 4 (Percutaneous "
        "Endoscopic), 8 (Via Natural or Artificial Opening Endoscopic)"
    )


def test_qualifier_depends_on_the_row(pcs_fixture_registry: PcsRegistry) -> None:
    release = pcs_fixture_registry.open("icd10pcs-2026")
    assert release.validate("0DTJ4ZG").valid
    check = release.validate("0DTJ0ZG")  # hand-assisted only with approach 4
    assert check.problem is not None and check.problem.position == 7
    assert [v.code for v in check.problem.allowed] == ["Z"]
    assert "0DT + body part J + approach 0 + device Z" in check.message()


def test_table_and_format_errors(pcs_fixture_registry: PcsRegistry) -> None:
    release = pcs_fixture_registry.open("icd10pcs-2026")
    section = release.validate("ZDTJ0ZZ").problem
    assert section is not None and section.position == 1
    assert {v.code for v in section.allowed} == {"0", "B"}
    operation = release.validate("0DXJ0ZZ").problem
    assert operation is not None and operation.position == 3 and operation.axis == "Operation"
    assert {v.label for v in operation.allowed} == {"Resection", "Excision"}
    assert "7 characters" in release.validate("0DT").message()
    assert "I, O" in release.validate("0DTI0ZZ").message()
    assert release.validate(" 0dt.j0zz ").valid


def test_lookup_explains_each_character(pcs_fixture_registry: PcsRegistry) -> None:
    found = pcs_fixture_registry.open("icd10pcs-2026").lookup("0DTJ4ZZ")
    assert found.title == "Resection of Appendix, Percutaneous Endoscopic Approach"
    by_axis = {c.axis: c for c in found.characters}
    assert by_axis["Operation"].label == "Resection"
    assert by_axis["Operation"].definition.startswith("Cutting out or off")
    assert by_axis["Body Part"].includes == ("Vermiform appendix",)
    assert by_axis["Approach"].definition.startswith("Entry, by puncture")
    assert [c.position for c in found.characters] == list(range(1, 8))
    with pytest.raises(InvalidPcsCodeError, match="character 5 \\(approach\\)") as info:
        pcs_fixture_registry.open("icd10pcs-2026").lookup("0DTJXZZ")
    assert info.value.code == "E240" and info.value.hint and "Open" in info.value.hint


def test_diff_between_fiscal_years(pcs_fixture_registry: PcsRegistry) -> None:
    diff = diff_pcs(
        pcs_fixture_registry.open("icd10pcs-2025"), pcs_fixture_registry.open("icd10pcs-2026")
    )
    assert [c for c, _ in diff.added] == ["0DTJ4ZG", "0DTN0ZZ", "0DTN4ZZ", "0DTN8ZZ", "BW03ZZZ"]
    assert [c for c, _ in diff.deleted] == ["0DTK0ZZ", "0DTK4ZZ", "0DTK8ZZ"]
    assert diff.tables_added == ("BW0",) and diff.tables_deleted == ()
    assert diff.retitled == ()


def test_full_release_validates_real_codes(pcs_registry: PcsRegistry) -> None:
    release: PcsRelease = pcs_registry.choose()
    for code in ("0DTJ4ZZ", "0FT44ZZ", "BW03ZZZ", "4A02X4Z", "5A1D70Z", "0DJD8ZZ"):
        assert release.validate(code).valid, code
    check = release.validate("0DTJXZZ")
    assert check.problem is not None and [v.code for v in check.problem.allowed] == [
        "0",
        "4",
        "7",
        "8",
    ]
    hits = release.search("resection appendix")
    assert "0DTJ4ZZ" in [c for c, _ in hits]


@given(st.text(max_size=12))
def test_validate_never_raises_and_normalizes(text: str) -> None:
    from medcoder.codesets.pcs.validate import validate_pcs

    result = validate_pcs(text, {}, "r")
    assert result.code == normalize_pcs(text)
    assert normalize_pcs(result.code) == result.code
    assert not result.valid
