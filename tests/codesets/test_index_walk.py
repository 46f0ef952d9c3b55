"""IndexNavigator: the Alphabetic Index walked as a coder walks it (Guidelines I.A, I.B.1)."""

from __future__ import annotations

import pytest

from medcoder.codesets.index_walk import IndexNavigator, split_path
from medcoder.codesets.store import Release

pytestmark = pytest.mark.slow

DIABETES_CKD = "Diabetes, diabetic, type 2, with, chronic kidney disease"


@pytest.fixture(scope="module")
def navigator(release_2026: Release) -> IndexNavigator:
    return IndexNavigator(release_2026)


def test_split_path() -> None:
    assert split_path(" Diabetes,type 2 , with,, ") == ["Diabetes", "type 2", "with"]


def test_walk_with_connector(navigator: IndexNavigator) -> None:
    result = navigator.walk("Diabetes, type 2, with, chronic kidney disease")
    assert result.found
    assert result.code == "E11.22"
    assert result.path == DIABETES_CKD
    titles = [s.title for s in result.steps]
    assert titles == ["Diabetes, diabetic", "type 2", "with", "chronic kidney disease"]
    assert [s.level for s in result.steps] == [0, 1, 2, 3]
    assert result.steps[0].nonessential == ("mellitus", "sugar")
    coded = result.coded_step
    assert coded is not None and (coded.code, coded.resolution) == ("E11.22", "ok")
    assert result.unmatched == ()
    assert result.followed == ()
    assert result.release == "icd10cm-2026-04"
    assert result.book == "index"


@pytest.mark.parametrize(
    "query",
    [
        "Diabetes, type 2, chronic kidney disease",  # connector omitted (I.A.15)
        "Diabetes, type 2, with chronic kidney disease",  # connector inside the segment
        "diabetes, TYPE 2, with, chronic kidney disease",  # any case
        "Diabetes, mellitus, type 2, with, chronic kidney disease",  # nonessential modifier
    ],
)
def test_walk_variants_reach_the_same_code(navigator: IndexNavigator, query: str) -> None:
    result = navigator.walk(query)
    assert result.code == "E11.22"
    assert result.path == DIABETES_CKD
    assert result.unmatched == ()


def test_walk_follows_see(navigator: IndexNavigator) -> None:
    result = navigator.walk("Abdominalgia")
    assert result.found
    assert result.followed == ("Pain, abdominal",)
    assert result.steps[0].title == "Abdominalgia"
    assert result.steps[0].see == "Pain, abdominal"
    assert result.steps[0].code is None
    assert result.code == navigator.walk("Pain, abdominal").code == "R10.9"


def test_index_code_expanded_by_the_newer_tabular(navigator: IndexNavigator) -> None:
    # The FY2025 index prints G35; the FY2026 Tabular subdivided it (G35.D: unspecified).
    result = navigator.walk("Sclerosis, multiple")
    assert result.code == "G35.D"
    coded = result.coded_step
    assert coded is not None
    assert coded.code == "G35"
    assert coded.resolved == "G35.D"
    assert coded.resolution == "expanded_resolved"


def test_same_index_path_in_the_release_of_its_own_year(release_2025: Release) -> None:
    result = IndexNavigator(release_2025).walk("Sclerosis, multiple")
    assert result.code == "G35"
    assert result.coded_step is not None and result.coded_step.resolution == "ok"


def test_inverted_main_term(navigator: IndexNavigator) -> None:
    result = navigator.walk("multiple sclerosis")
    assert result.code == "G35.D"
    assert result.path == "Sclerosis, sclerotic, multiple"


def test_unknown_main_term_suggests_near_ones(navigator: IndexNavigator) -> None:
    result = navigator.walk("Xyzzyplugh")
    assert not result.found
    assert result.code is None
    assert result.coded_step is None
    assert result.steps == ()
    assert result.unmatched == ("Xyzzyplugh",)
    assert 0 < len(result.suggestions) <= 8


def test_unknown_subterm_keeps_the_deepest_match(navigator: IndexNavigator) -> None:
    result = navigator.walk("Diabetes, type 2, banana")
    assert result.found
    assert result.path == "Diabetes, diabetic, type 2"
    assert result.unmatched == ("banana",)
    assert result.code == "E11.9"
    assert "with" in result.suggestions


def test_empty_query(navigator: IndexNavigator) -> None:
    result = navigator.walk(" , ")
    assert not result.found
    assert result.suggestions == ()


def test_release_without_index(release_2021: Release) -> None:
    result = IndexNavigator(release_2021).walk("Diabetes")
    assert not result.found
    assert result.suggestions == ()
