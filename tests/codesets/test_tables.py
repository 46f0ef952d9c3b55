"""The Neoplasm Table (Guidelines I.C.2) and the Table of Drugs and Chemicals (I.C.19.e)."""

from __future__ import annotations

import pytest

from medcoder.codesets.store import Release
from medcoder.codesets.tables import DRUG_COLUMNS, NEOPLASM_COLUMNS, lookup_table
from medcoder.errors import InvalidInputError, MissingComponentError

pytestmark = pytest.mark.slow


def test_neoplasm_lung_malignant_primary(release_2026: Release) -> None:
    result = lookup_table(release_2026, "neoplasm", "lung", "malignant-primary")
    assert result.printed == "C34.9-"
    assert result.resolution == "incomplete"
    assert result.code == "C34.9"
    assert result.path == "Neoplasm, neoplastic, lung"
    assert result.unmatched == ()
    assert result.row == {
        "Malignant Primary": "C34.9-",
        "Malignant Secondary": "C78.0-",
        "Ca in situ": "D02.2-",
        "Benign": "D14.3-",
        "Uncertain Behavior": "D38.1",
        "Unspecified Behavior": "D49.1",
    }
    assert (result.table, result.column, result.release) == (
        "neoplasm",
        "malignant-primary",
        "icd10cm-2026-04",
    )


@pytest.mark.parametrize(
    ("column", "printed"),
    [("malignant-secondary", "C78.0-"), ("in-situ", "D02.2-"), ("benign", "D14.3-"),
     ("uncertain", "D38.1"), ("unspecified", "D49.1")],
)  # fmt: skip
def test_neoplasm_columns(release_2026: Release, column: str, printed: str) -> None:
    assert lookup_table(release_2026, "neoplasm", "lung", column).printed == printed


def test_neoplasm_query_may_name_the_main_term(release_2026: Release) -> None:
    result = lookup_table(release_2026, "neoplasm", "Neoplasm, lung", "malignant-primary")
    assert result.path == "Neoplasm, neoplastic, lung"


def test_neoplasm_subsite(release_2026: Release) -> None:
    result = lookup_table(release_2026, "neoplasm", "lung, upper lobe", "malignant-secondary")
    assert result.path == "Neoplasm, neoplastic, lung, upper lobe"
    assert result.printed == "C78.0-"


def test_drug_acetaminophen_poisoning_accidental(release_2026: Release) -> None:
    result = lookup_table(release_2026, "drug", "acetaminophen", "poisoning-accidental")
    assert result.printed == "T39.1X1"
    assert result.code == "T39.1X1"
    assert result.resolution == "needs_7th"
    assert result.path == "Acetaminophen"
    assert result.see is None


@pytest.mark.parametrize(("column", "col"), sorted(DRUG_COLUMNS.items()))
def test_drug_intent_columns(release_2026: Release, column: str, col: int) -> None:
    # T39.1X1 .. T39.1X6: the sixth character is the intent, in column order.
    result = lookup_table(release_2026, "drug", "Acetaminophen", column)
    assert result.printed == f"T39.1X{col - 1}"
    assert result.resolution == "needs_7th"


def test_drug_substance_not_in_table(release_2026: Release) -> None:
    result = lookup_table(release_2026, "drug", "xyzzy", "underdosing")
    assert result.steps == ()
    assert result.code is None and result.printed is None
    assert result.unmatched == ("xyzzy",)


@pytest.mark.parametrize(
    ("table", "columns"), [("neoplasm", NEOPLASM_COLUMNS), ("drug", DRUG_COLUMNS)]
)
def test_unknown_column(release_2026: Release, table: str, columns: dict[str, int]) -> None:
    with pytest.raises(InvalidInputError) as caught:
        lookup_table(release_2026, table, "lung", "bogus")
    assert caught.value.code == "E300"
    assert "'bogus'" in caught.value.message
    assert caught.value.hint is not None
    for column in columns:
        assert column in caught.value.hint


def test_release_without_tables(release_2021: Release) -> None:
    with pytest.raises(MissingComponentError) as caught:
        lookup_table(release_2021, "neoplasm", "lung", "malignant-primary")
    assert caught.value.code == "E206"
    assert "icd10cm-2021-01" in caught.value.message


@pytest.mark.parametrize(
    ("site", "path", "printed"),
    [
        ("brain", "Neoplasm, neoplastic, brain NEC", "C71.9"),
        ("skin", "Neoplasm, neoplastic, skin NOS", "C44.90"),
        ("connective tissue", "Neoplasm, neoplastic, connective tissue NEC", "C49.9"),
    ],
)
def test_neoplasm_site_printed_with_nec_or_nos(
    release_2026: Release, site: str, path: str, printed: str
) -> None:
    result = lookup_table(release_2026, "neoplasm", site, "malignant-primary")
    assert (result.path, result.printed) == (path, printed)
