"""Reading the CMS MS-DRG tables: the FY2026 files' shape, and errors that name the file."""

from __future__ import annotations

from pathlib import Path

import pytest

from medcoder.drg.tables import TABLE5, DrgTables, load_table5, load_tables
from medcoder.errors import GroupingTableError


def test_fy2026_tables(drg_tables: DrgTables) -> None:
    assert len(drg_tables.drgs) > 700
    assert drg_tables.drgs["521"].weight is not None and drg_tables.drgs["999"].weight is None
    assert len(drg_tables.mcc) > 3000 and len(drg_tables.cc) > 15000
    assert not drg_tables.mcc & drg_tables.cc
    assert drg_tables.level("J1282") == "MCC" and "J1282" not in drg_tables.pdx_collection
    assert "R570" in drg_tables.alive_only
    assert {("082", "083", "084"), ("974", "975", "976")} <= {
        s.drgs for s in drg_tables.severity_exclusions
    }


def test_a_missing_table_is_named(tmp_path: Path) -> None:
    with pytest.raises(GroupingTableError) as error:
        load_tables(tmp_path)
    assert str(tmp_path / TABLE5) in error.value.message and error.value.code == "E701"


def test_a_short_row_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / TABLE5
    path.write_text("title\nMS-DRG\tx\n001\tNo\tNo\tPRE\tSURG\tHEART\n", encoding="cp1252")
    with pytest.raises(GroupingTableError, match=f"{path}:3: expected 10"):
        load_table5(path)
