"""The Charlson and Elixhauser mappers against the Quan 2005 ICD-10 coding algorithms
(Med Care 43:1130, Tables 1 and 2) and the published weights (Charlson 1987; van
Walraven 2009)."""

from __future__ import annotations

import pytest

from medcoder.reports.comorbidity_maps import maps

CHARLSON, ELIX = maps()["charlson"], maps()["elixhauser"]


@pytest.mark.parametrize(
    ("code", "charlson", "elixhauser"),
    [
        ("I21.4", {"mi"}, set()),  # Table 1: I21.x myocardial infarction
        ("I25.2", {"mi"}, set()),  # old MI
        ("I50.9", {"chf"}, {"chf"}),
        ("I11.0", {"chf"}, {"chf", "hypc"}),  # one code, two Elixhauser conditions
        ("I10", set(), {"hypunc"}),
        ("E11.9", {"diab"}, {"diabunc"}),
        ("E11.22", {"diabwc"}, {"diabc"}),
        ("E11.65", {"diab"}, {"diabc"}),  # E1x.6: Charlson uncomplicated, Elixhauser not
        ("K70.30", {"mld"}, {"ld", "alcohol"}),
        ("K72.00", set(), {"ld"}),  # Elixhauser K72.x; Charlson only K72.1/K72.9 (severe)
        ("K72.10", {"msld"}, {"ld"}),
        ("K72.90", {"msld"}, {"ld"}),
        ("C34.90", {"canc"}, {"solidtum"}),
        ("C78.00", {"metacanc"}, {"metacanc"}),
        ("C83.30", {"canc"}, {"lymph"}),
        ("N18.4", {"rend"}, {"rf"}),
        ("F32.9", set(), {"depre"}),
        ("B20", {"aids"}, {"aids"}),
        ("Z94.4", {"mld"}, {"ld"}),  # liver transplant status
        ("J45.909", {"copd"}, {"cpd"}),
        ("M17.11", set(), set()),
    ],
)
def test_quan_2005_categories(code: str, charlson: set[str], elixhauser: set[str]) -> None:
    assert set(CHARLSON.categories_of(code)) == charlson
    assert set(ELIX.categories_of(code)) == elixhauser


def test_index_weights_and_hierarchies() -> None:
    # Charlson 1987: MI 1, CHF 1, diabetes with complication 2, renal 2, metastatic 6,
    # AIDS 6; a graver condition replaces its milder one.
    assert CHARLSON.index(CHARLSON.flags(["I21.4", "I50.9", "E11.22", "N18.4"])) == 6
    assert CHARLSON.index(CHARLSON.flags(["E11.9", "E11.22"])) == 2  # not 1 + 2
    assert CHARLSON.index(CHARLSON.flags(["C34.90", "C78.00"])) == 6  # not 2 + 6
    assert CHARLSON.index(CHARLSON.flags(["K70.30", "K72.90"])) == 3
    # van Walraven: CHF 7, arrhythmia 5, renal 5, metastatic 12 (solid tumour 4 dropped),
    # obesity -4, drug abuse -7, depression -3.
    assert ELIX.index(ELIX.flags(["I50.9", "I48.91", "N18.4"])) == 17
    assert ELIX.index(ELIX.flags(["C34.90", "C78.00"])) == 12
    assert ELIX.index(ELIX.flags(["E66.9", "F11.20", "F32.9"])) == -14
    assert len(CHARLSON.categories) == 17 and len(ELIX.categories) == 31
