"""Licensed CPT files: the accepted layouts, and refusal of any other (made-up descriptors)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from medcoder.codesets.cpt.build import cpt_year, install_cpt
from medcoder.codesets.cpt.loaders import load_cpt_file
from medcoder.codesets.hcpcs.lookup import ProcedureCodeSets
from medcoder.errors import CptLayoutError, SourceFormatError

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "cpt"


def test_descriptor_csv() -> None:
    layout, entries = load_cpt_file(FIXTURES / "cpt_made_up_2025.csv")
    assert layout == "descriptor-csv" and len(entries) == 5
    assert entries[0].code == "99213" and entries[0].short_descriptor == "Made-up visit three"


def test_pprrvu_layout_skips_modifier_rows_and_level_ii() -> None:
    layout, entries = load_cpt_file(FIXTURES / "PPRRVU25_MADEUP.csv")
    assert layout == "pprrvu"
    assert [(e.code, e.status) for e in entries] == [("20610", "A"), ("11042", "A")]


def test_tab_separated_aliases(tmp_path: Path) -> None:
    path = tmp_path / "cpt.tsv"
    path.write_text("CPT Code\tShort\tDescription\n12001\tInvented\tInvented long\n", "utf-8")
    assert load_cpt_file(path)[1][0].long_descriptor == "Invented long"


def test_unknown_layout_names_missing_columns(tmp_path: Path) -> None:
    path = tmp_path / "odd.csv"
    path.write_text("code,label\n99213,x\n", "utf-8")
    with pytest.raises(
        CptLayoutError, match="missing columns short_descriptor, long_descriptor"
    ) as raised:
        load_cpt_file(path)
    assert raised.value.code == "E220"
    bad = tmp_path / "bad.csv"
    bad.write_text("code,short,long\nABCDE,x,y\n", "utf-8")
    with pytest.raises(SourceFormatError, match=r"bad.csv:2: 'ABCDE' is not a CPT number"):
        load_cpt_file(bad)


def test_year_from_name() -> None:
    assert cpt_year(Path("PPRRVU25_JAN.csv")) == 2025
    assert cpt_year(Path("cpt2024.csv")) == 2024
    assert cpt_year(Path("mine.csv"), default=2023) == 2023


def test_installed_cpt_file_alone_validates_and_describes(tmp_path: Path) -> None:
    release = install_cpt(FIXTURES / "cpt_made_up_2025.csv", tmp_path)
    assert release.name == "cpt-2025" and release.stats == {"codes": 5}
    sets = ProcedureCodeSets(tmp_path)
    status = sets.lookup("11042", date(2025, 3, 1))
    assert (status.valid, status.source) == (True, "cpt-file")
    assert status.title.startswith("Debridement of subcutaneous")
    assert sets.lookup("99999", date(2025, 3, 1)).status == "unknown"
