"""The Charlson mapper against the Quan 2005 ICD-10 coding algorithm (Med Care 43:1130,
Table 1) and the Charlson 1987 weights."""

from __future__ import annotations

import pytest

from medcoder.reports.comorbidity_maps import charlson_map

CHARLSON = charlson_map()


@pytest.mark.parametrize(
    ("code", "charlson"),
    [
        ("I21.4", {"mi"}),  # Table 1: I21.x myocardial infarction
        ("I25.2", {"mi"}),  # old MI
        ("I50.9", {"chf"}),
        ("I11.0", {"chf"}),
        ("I10", set()),
        ("E11.9", {"diab"}),
        ("E11.22", {"diabwc"}),
        ("E11.65", {"diab"}),  # E1x.6: Charlson uncomplicated
        ("K70.30", {"mld"}),
        ("K72.00", set()),  # Charlson only K72.1/K72.9 (severe)
        ("K72.10", {"msld"}),
        ("K72.90", {"msld"}),
        ("C34.90", {"canc"}),
        ("C78.00", {"metacanc"}),
        ("C83.30", {"canc"}),
        ("N18.4", {"rend"}),
        ("B20", {"aids"}),
        ("Z94.4", {"mld"}),  # liver transplant status
        ("J45.909", {"copd"}),
        ("M17.11", set()),
    ],
)
def test_quan_2005_categories(code: str, charlson: set[str]) -> None:
    assert set(CHARLSON.categories_of(code)) == charlson


def test_index_weights_and_hierarchies() -> None:
    # Charlson 1987: MI 1, CHF 1, diabetes with complication 2, renal 2, metastatic 6,
    # AIDS 6; a graver condition replaces its milder one.
    assert CHARLSON.index(CHARLSON.flags(["I21.4", "I50.9", "E11.22", "N18.4"])) == 6
    assert CHARLSON.index(CHARLSON.flags(["E11.9", "E11.22"])) == 2  # not 1 + 2
    assert CHARLSON.index(CHARLSON.flags(["C34.90", "C78.00"])) == 6  # not 2 + 6
    assert CHARLSON.index(CHARLSON.flags(["K70.30", "K72.90"])) == 3
    assert len(CHARLSON.categories) == 17
