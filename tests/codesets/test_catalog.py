"""Recognizing CMS file names and planning releases with their effective dates."""

from __future__ import annotations

from datetime import date
from itertools import pairwise
from pathlib import Path

import pytest

from medcoder.codesets.catalog import (
    ReleasePlan,
    effective_from,
    file_dating,
    find_files,
    plan_releases,
    release_name,
)
from medcoder.errors import DataNotFoundError

# The shared data folder as CMS and the derived sources name their files.
SHARED_LAYOUT = (
    "icd10cm/fy2026-april/icd10cm-tabular-April-1-2026.xml",
    "icd10cm/fy2026-april/code-list-April-2026.txt",
    "icd10cm/fy2025-april/icd10cm-tabular-April-2025.xml",
    "icd10cm/fy2025-april/icd-10-cm-tabular-2025.xsd",
    "icd10cm/fy2025-april/icd10cm-index-2025.xsd",
    "icd10cm/fy2025-april/derived_wbdill_ICD10CM_2025_Index.csv",
    "icd10cm/fy2025-april/icd-10-cm-neoplasm-2025.xml",
    "icd10cm/fy2025-april/icd-10-cm-drug-2025.xml",
    "icd10cm/fy2025-april/icd-10-cm-eindex-2025.xml",
    "icd10cm/fy2025-april/code-list-April-2025.txt",
    "icd10cm/fy2021/icd10cm-order-Jan-2021.txt",
    "icd10pcs/fy2026/icd10pcs_tables_2026.xml",
    "icd10pcs/fy2026/icd10pcs_index_2026.xml",
    "gems/icd10cmtoicd9gem.csv",
    "README.md",
)


def make_data(root: Path, *relative: str) -> Path:
    for name in relative:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("", encoding="utf-8")
    return root


def names(plans: list[ReleasePlan]) -> list[str]:
    return [p.name for p in plans]


def source(plan: ReleasePlan, role: str) -> str | None:
    found = plan.file(role)
    return found.path.name if found is not None else None


# --- names and dates ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("file_name", "folder", "expected"),
    [
        ("icd10cm-tabular-April-1-2026.xml", "fy2026-april", (2026, 4)),
        ("icd10cm_tabular_2027.xml", "fy2027", (2027, 10)),
        ("icd10cm-order-Jan-2021.txt", "fy2021", (2021, 1)),
        ("derived_wbdill_ICD10CM_2025_Index.csv", "fy2025-april", (2025, 10)),
        ("icd10cm-tabular.xml", "fy2026-april", (2026, 4)),  # dated by its folder
        ("icd10cm-tabular.xml", "latest", None),
    ],
)
def test_file_dating(
    tmp_path: Path, file_name: str, folder: str, expected: tuple[int, int] | None
) -> None:
    assert file_dating(tmp_path / folder / file_name) == expected


@pytest.mark.parametrize(
    ("fiscal_year", "month", "name", "start"),
    [
        (2026, 10, "icd10cm-2026", date(2025, 10, 1)),
        (2026, 4, "icd10cm-2026-04", date(2026, 4, 1)),
        (2021, 1, "icd10cm-2021-01", date(2021, 1, 1)),
        (2027, 10, "icd10cm-2027", date(2026, 10, 1)),
    ],
)
def test_release_name_and_start(fiscal_year: int, month: int, name: str, start: date) -> None:
    assert release_name(fiscal_year, month) == name
    assert effective_from(fiscal_year, month) == start


# --- finding files --------------------------------------------------------------------


def test_find_files_roles(tmp_path: Path) -> None:
    found = find_files(make_data(tmp_path, *SHARED_LAYOUT))
    roles = {(f.role, f.path.name, f.fiscal_year, f.month) for f in found}
    assert roles == {
        ("tabular", "icd10cm-tabular-April-1-2026.xml", 2026, 4),
        ("code_list", "code-list-April-2026.txt", 2026, 4),
        ("tabular", "icd10cm-tabular-April-2025.xml", 2025, 4),
        ("index", "derived_wbdill_ICD10CM_2025_Index.csv", 2025, 10),
        ("neoplasm", "icd-10-cm-neoplasm-2025.xml", 2025, 10),
        ("drug", "icd-10-cm-drug-2025.xml", 2025, 10),
        ("eindex", "icd-10-cm-eindex-2025.xml", 2025, 10),
        ("code_list", "code-list-April-2025.txt", 2025, 4),
        ("order", "icd10cm-order-Jan-2021.txt", 2021, 1),
    }


def test_find_files_without_a_data_folder(tmp_path: Path) -> None:
    with pytest.raises(DataNotFoundError, match="does not exist") as caught:
        find_files(tmp_path / "absent")
    assert caught.value.code == "E101"
    assert caught.value.hint is not None and "MEDCODER_DATA" in caught.value.hint


# --- planning -------------------------------------------------------------------------


def test_plan_of_the_shared_layout(tmp_path: Path) -> None:
    plans = plan_releases(make_data(tmp_path, *SHARED_LAYOUT))
    assert names(plans) == ["icd10cm-2021-01", "icd10cm-2025-04", "icd10cm-2026-04"]
    jan21, apr25, apr26 = plans
    assert (jan21.effective_from, jan21.effective_to) == (date(2021, 1, 1), date(2021, 9, 30))
    assert (apr25.effective_from, apr25.effective_to) == (date(2025, 4, 1), date(2025, 9, 30))
    assert (apr26.effective_from, apr26.effective_to) == (date(2026, 4, 1), date(2026, 9, 30))
    assert [p.fiscal_year for p in plans] == [2021, 2025, 2026]

    assert [f.role for f in jan21.files] == ["order"]
    assert source(jan21, "tabular") is None

    assert source(apr25, "tabular") == "icd10cm-tabular-April-2025.xml"
    assert source(apr25, "index") == "derived_wbdill_ICD10CM_2025_Index.csv"
    assert source(apr25, "code_list") == "code-list-April-2025.txt"


def test_tabular_without_index_takes_the_previous_year(tmp_path: Path) -> None:
    apr26 = plan_releases(make_data(tmp_path, *SHARED_LAYOUT))[-1]
    assert source(apr26, "tabular") == "icd10cm-tabular-April-1-2026.xml"
    assert source(apr26, "code_list") == "code-list-April-2026.txt"
    for role, name in [
        ("index", "derived_wbdill_ICD10CM_2025_Index.csv"),
        ("neoplasm", "icd-10-cm-neoplasm-2025.xml"),
        ("drug", "icd-10-cm-drug-2025.xml"),
        ("eindex", "icd-10-cm-eindex-2025.xml"),
    ]:
        found = apr26.file(role)
        assert found is not None and found.path.name == name
        assert found.fiscal_year == 2025
    assert source(apr26, "order") is None


def test_october_release_after_an_april_update(tmp_path: Path) -> None:
    plans = plan_releases(
        make_data(tmp_path, *SHARED_LAYOUT, "icd10cm/fy2027/icd10cm_tabular_2027.xml")
    )
    assert names(plans)[-2:] == ["icd10cm-2026-04", "icd10cm-2027"]
    apr26, fy27 = plans[-2:]
    assert (fy27.effective_from, fy27.effective_to) == (date(2026, 10, 1), date(2027, 9, 30))
    # the April update ends the day before the next release starts
    assert apr26.effective_to == date(2026, 9, 30)
    assert fy27.fiscal_year == 2027
    assert source(fy27, "index") == "derived_wbdill_ICD10CM_2025_Index.csv"


def test_october_release_ends_when_its_april_update_starts(tmp_path: Path) -> None:
    plans = plan_releases(
        make_data(
            tmp_path,
            "fy2026/icd10cm_tabular_2026.xml",
            "fy2026-april/icd10cm-tabular-April-1-2026.xml",
        )
    )
    assert names(plans) == ["icd10cm-2026", "icd10cm-2026-04"]
    assert (plans[0].effective_from, plans[0].effective_to) == (
        date(2025, 10, 1),
        date(2026, 3, 31),
    )
    assert (plans[1].effective_from, plans[1].effective_to) == (date(2026, 4, 1), date(2026, 9, 30))


def test_releases_every_day_covered_once(tmp_path: Path) -> None:
    plans = plan_releases(
        make_data(
            tmp_path,
            "fy2025/icd10cm_tabular_2025.xml",
            "fy2025-april/icd10cm-tabular-April-2025.xml",
            "fy2026/icd10cm_tabular_2026.xml",
            "fy2027/icd10cm_tabular_2027.xml",
        )
    )
    assert names(plans) == ["icd10cm-2025", "icd10cm-2025-04", "icd10cm-2026", "icd10cm-2027"]
    for earlier, later in pairwise(plans):
        assert (later.effective_from - earlier.effective_to).days == 1


def test_order_file_beside_a_tabular_is_a_companion(tmp_path: Path) -> None:
    plans = plan_releases(
        make_data(
            tmp_path,
            "fy2026/icd10cm_tabular_2026.xml",
            "fy2026/icd10cm_order_2026.txt",
        )
    )
    assert names(plans) == ["icd10cm-2026"]
    assert source(plans[0], "tabular") == "icd10cm_tabular_2026.xml"
    assert source(plans[0], "order") == "icd10cm_order_2026.txt"


def test_official_xml_index_beats_the_flattened_csv(tmp_path: Path) -> None:
    plans = plan_releases(
        make_data(
            tmp_path,
            "fy2025-april/icd10cm-tabular-April-2025.xml",
            "fy2025-april/derived_wbdill_ICD10CM_2025_Index.csv",
            "fy2025-april/icd10cm-index-April-2025.xml",
        )
    )
    assert source(plans[0], "index") == "icd10cm-index-April-2025.xml"


def test_same_folder_companion_first(tmp_path: Path) -> None:
    plans = plan_releases(
        make_data(
            tmp_path,
            "fy2026-april/icd10cm-tabular-April-1-2026.xml",
            "fy2026-april/icd10cm_index_2025.xml",
            "fy2026-extra/icd10cm_index_2026.xml",
        )
    )
    assert source(plans[0], "index") == "icd10cm_index_2025.xml"


def test_no_companion_from_a_later_year(tmp_path: Path) -> None:
    plans = plan_releases(
        make_data(
            tmp_path,
            "fy2025/icd10cm_tabular_2025.xml",
            "fy2026/icd10cm_tabular_2026.xml",
            "fy2026/icd10cm_index_2026.xml",
        )
    )
    assert source(plans[0], "index") is None
    assert source(plans[1], "index") == "icd10cm_index_2026.xml"


def test_october_release_prefers_the_october_index(tmp_path: Path) -> None:
    plans = plan_releases(
        make_data(
            tmp_path,
            "fy2026/icd10cm_tabular_2026.xml",
            "fy2026-april/icd10cm-tabular-April-1-2026.xml",
            "fy2026-april/icd10cm-index-April-1-2026.xml",
            "fy2026-october/icd10cm_index_2026.xml",
        )
    )
    assert names(plans) == ["icd10cm-2026", "icd10cm-2026-04"]
    assert source(plans[0], "index") == "icd10cm_index_2026.xml"


def test_empty_data_folder_plans_nothing(tmp_path: Path) -> None:
    assert plan_releases(tmp_path) == []


# --- the real shared data -------------------------------------------------------------


def test_plan_of_the_shared_data(shared_data: Path) -> None:
    plans = plan_releases(shared_data)
    assert names(plans) == ["icd10cm-2021-01", "icd10cm-2025-04", "icd10cm-2026-04"]
    assert [(p.effective_from, p.effective_to) for p in plans] == [
        (date(2021, 1, 1), date(2021, 9, 30)),
        (date(2025, 4, 1), date(2025, 9, 30)),
        (date(2026, 4, 1), date(2026, 9, 30)),
    ]
    apr26 = plans[-1]
    index = apr26.file("index")
    assert index is not None and index.fiscal_year == 2025
    assert source(apr26, "tabular") == "icd10cm-tabular-April-1-2026.xml"
