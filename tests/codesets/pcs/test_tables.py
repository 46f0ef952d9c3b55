"""Loading the official Tables XML, building releases, choosing them by date."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from medcoder.codesets.manifest import sha256_of
from medcoder.codesets.pcs.build import setup_pcs
from medcoder.codesets.pcs.loader import load_definitions, load_tables
from medcoder.codesets.pcs.store import PcsRegistry
from medcoder.errors import NoReleaseForDateError, ReleaseNotFoundError, SourceFormatError


def test_fixture_tables_expand_rows(pcs_fixtures: Path) -> None:
    tables = load_tables(pcs_fixtures / "fy2026" / "icd10pcs_tables_2026.xml")
    assert tables.version == "2026"
    assert [t.prefix for t in tables.tables] == ["0DT", "0DB", "BW0"]
    assert tables.code_count == 12
    resection = tables.tables[0]
    assert resection.definition.startswith("Cutting out or off")
    assert resection.rows[1].codes("0DT") == ["0DTJ4ZG"]
    assert tables.tables[2].axis_title(3) == "Type"


def test_full_fy2026_tables_count(shared_data: Path) -> None:
    folder = shared_data / "icd10pcs" / "fy2026"
    tables = load_tables(folder / "icd10pcs_tables_2026.xml")
    assert len(tables.tables) == 914
    codes = [c for t in tables.tables for c in t.codes()]
    assert len(codes) == len(set(codes)) == tables.code_count == 79_115
    terms = load_definitions(folder / "icd10pcs_definitions_2026.xml")
    hallux = [t for t in terms if "Hallux" in t.includes]
    assert hallux and hallux[0].position == 4


def test_malformed_tables_name_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "icd10pcs_tables_2026.xml"
    bad.write_text("<ICD10PCS.definitions/>", encoding="utf-8")
    with pytest.raises(SourceFormatError, match=r"expected <ICD10PCS\.tabular>"):
        load_tables(bad)
    bad.write_text("<ICD10PCS.tabular><pcsTable>", encoding="utf-8")
    with pytest.raises(SourceFormatError, match="not a readable XML"):
        load_tables(bad)


def test_release_manifest_and_dates(pcs_fixture_registry: PcsRegistry, pcs_fixtures: Path) -> None:
    infos = pcs_fixture_registry.installed()
    assert [i.name for i in infos] == ["icd10pcs-2025", "icd10pcs-2026"]
    new = infos[1]
    assert (new.effective_from, new.effective_to) == (date(2025, 10, 1), date(2026, 9, 30))
    assert new.system == "icd10pcs" and new.stats["codes"] == 12
    roles = {s.role: s for s in new.sources}
    assert set(roles) == {"tables", "definitions", "long_titles"}
    assert roles["tables"].sha256 == sha256_of(pcs_fixtures / "fy2026" / "icd10pcs_tables_2026.xml")
    manifest = json.loads(
        (pcs_fixture_registry.root / "icd10pcs-2026" / "release.json").read_text()
    )
    assert manifest["fiscal_year"] == 2026
    # FY2026 starts October 1, 2025: the day before is FY2025.
    assert pcs_fixture_registry.choose(day=date(2025, 9, 30)).name == "icd10pcs-2025"
    assert pcs_fixture_registry.choose(day=date(2025, 10, 1)).name == "icd10pcs-2026"
    assert pcs_fixture_registry.choose().name == "icd10pcs-2026"
    with pytest.raises(NoReleaseForDateError, match="2027-01-01"):
        pcs_fixture_registry.choose(day=date(2027, 1, 1))
    with pytest.raises(ReleaseNotFoundError, match="icd10pcs-2019"):
        pcs_fixture_registry.open("icd10pcs-2019")


def test_setup_without_pcs_files_builds_nothing(tmp_path: Path) -> None:
    report = setup_pcs(tmp_path, tmp_path / "home", False)
    assert report.built == () and "no ICD-10-PCS tables" in report.message
    with pytest.raises(ReleaseNotFoundError, match="no ICD-10-PCS release"):
        PcsRegistry(tmp_path / "home").choose()


def test_titles_listed_or_composed(pcs_fixture_registry: PcsRegistry) -> None:
    release = pcs_fixture_registry.open("icd10pcs-2026")
    assert release.title("0DTJ0ZZ") == ("Resection of Appendix, Open Approach", False)
    # Not in the title list: written in the phrase of a titled sibling of the same shape.
    assert release.title("0DTN0ZZ") == ("Resection of Sigmoid Colon, Open Approach", True)
    via = "Resection of Sigmoid Colon, Via Natural or Artificial Opening Endoscopic"
    assert release.title("0DTN8ZZ") == (via, True)
    assisted = "Resection of Appendix, Percutaneous Endoscopic Approach, Hand-Assisted"
    assert release.title("0DTJ4ZG") == (assisted, True)
    assert release.title("BW03ZZZ") == ("Plain Radiography of Chest", True)
    assert release.title("0DTJXZZ") is None


def test_full_release_loads_fast(pcs_registry: PcsRegistry) -> None:
    import time

    release = pcs_registry.choose(day=date(2026, 3, 1))
    started = time.perf_counter()
    assert len(release.tables) == 914
    assert time.perf_counter() - started < 2.0  # about 0.07 s on a laptop core
    assert release.info.stats["codes"] == 79_115
    assert release.info.stats["composed_titles"] == 577
