"""MS-DRG fixtures: the FY2026 CMS tables from ../shared/data/msdrg, a grouper checking
codes in the built FY2026 releases, and one that takes every well-formed code (for the
table-wide regression tests, which are about CC/MCC accounting, not code validity)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from medcoder.codesets.codes import normalize
from medcoder.drg.codes import CodeCheck, InstalledCodes
from medcoder.drg.grouper import MsDrgGrouper
from medcoder.drg.tables import DrgTables, tables_at


class AnyWellFormedCode:
    """Every well-formed code is valid (the regression tests group thousands of codes)."""

    def diagnosis(self, code: str, day: dt.date | None) -> CodeCheck:
        return CodeCheck(normalize(code), True, "", "any")

    def procedure(self, code: str, day: dt.date | None) -> CodeCheck:
        return CodeCheck(code, True, "", "any")


@pytest.fixture(scope="session")
def drg_tables(shared_data: Path) -> DrgTables:
    folder = shared_data / "msdrg"
    if not folder.is_dir():
        pytest.skip("no msdrg folder in ../shared/data")
    return tables_at(folder)


@pytest.fixture(scope="session")
def table_grouper(drg_tables: DrgTables) -> MsDrgGrouper:
    return MsDrgGrouper(drg_tables, AnyWellFormedCode())


@pytest.fixture(scope="session")
def grouper(drg_tables: DrgTables, cm_pcs_home: Path) -> Iterator[MsDrgGrouper]:
    codes = InstalledCodes(cm_pcs_home)
    yield MsDrgGrouper(drg_tables, codes)
    codes.close()
