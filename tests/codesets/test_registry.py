"""Registry: releases built from ../shared/data, chosen by name or by date of service."""

from __future__ import annotations

import hashlib
import json
import sys
from datetime import date
from pathlib import Path

import pytest

from medcoder.codesets.index_walk import IndexNavigator
from medcoder.codesets.registry import EMBEDDED_NOTICE, Registry, embedded_plan
from medcoder.codesets.validate import Validity
from medcoder.errors import NoReleaseForDateError, ReleaseNotFoundError

pytestmark = pytest.mark.slow

RELEASES = ["icd10cm-2021-01", "icd10cm-2025-04", "icd10cm-2026-04"]


def test_installed_lists_every_release_oldest_first(registry: Registry) -> None:
    assert [i.name for i in registry.installed()] == RELEASES


def test_available_is_installed_without_notice_when_built(
    built_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fresh = Registry(built_home)
    assert [i.name for i in fresh.available()] == RELEASES
    assert capsys.readouterr().err == ""
    fresh.close()


def test_setup_again_keeps_existing_builds(registry: Registry, cms_data: Path) -> None:
    before = {i.name: i.built_at for i in registry.installed()}
    again = registry.setup(cms_data)
    assert {i.name: i.built_at for i in again} == before


@pytest.mark.parametrize(
    ("name", "start", "end"),
    [
        ("icd10cm-2021-01", date(2021, 1, 1), date(2021, 9, 30)),
        ("icd10cm-2025-04", date(2025, 4, 1), date(2025, 9, 30)),
        ("icd10cm-2026-04", date(2026, 4, 1), date(2026, 9, 30)),
    ],
)
def test_effective_dates_follow_the_fiscal_year(
    registry: Registry, name: str, start: date, end: date
) -> None:
    info = registry.open(name).info
    assert (info.effective_from, info.effective_to) == (start, end)


def test_release_mixing_years_says_so(registry: Registry) -> None:
    info = registry.open("icd10cm-2026-04").info
    assert info.fiscal_year == 2026
    assert info.index_fiscal_year == 2025
    assert any("FY2025" in note and "FY2026" in note for note in info.notes)
    roles = {s.role for s in info.sources}
    assert {"tabular", "index", "neoplasm", "drug", "eindex"} <= roles


def test_order_file_release_has_no_index(registry: Registry) -> None:
    info = registry.open("icd10cm-2021-01").info
    assert info.index_fiscal_year is None
    assert [s.role for s in info.sources] == ["order"]
    assert any("no Alphabetic Index" in note for note in info.notes)


def test_manifest_records_sha256_of_the_sources(registry: Registry) -> None:
    info = registry.open("icd10cm-2025-04").info
    tabular = next(s for s in info.sources if s.role == "tabular")
    digest = hashlib.sha256(Path(tabular.path).read_bytes()).hexdigest()
    assert tabular.sha256 == digest
    assert tabular.fiscal_year == 2025


@pytest.mark.parametrize(
    ("day", "name"),
    [
        (date(2021, 3, 15), "icd10cm-2021-01"),
        (date(2025, 4, 1), "icd10cm-2025-04"),
        (date(2025, 6, 1), "icd10cm-2025-04"),
        (date(2025, 9, 30), "icd10cm-2025-04"),
        (date(2026, 4, 1), "icd10cm-2026-04"),
        (date(2026, 9, 30), "icd10cm-2026-04"),
    ],
)
def test_release_for_date_of_service(registry: Registry, day: date, name: str) -> None:
    assert registry.release_for(day).name == name
    assert registry.choose(day=day).name == name


@pytest.mark.parametrize("day", [date(2020, 12, 31), date(2025, 10, 1), date(2026, 10, 1)])
def test_date_no_release_covers_is_an_error_naming_the_releases(
    registry: Registry, day: date
) -> None:
    with pytest.raises(NoReleaseForDateError) as caught:
        registry.release_for(day)
    assert caught.value.code == "E202"
    assert day.isoformat() in caught.value.message
    for name in RELEASES:
        assert name in caught.value.message
    assert caught.value.hint


def test_choose_by_name_beats_date(registry: Registry) -> None:
    chosen = registry.choose(name="icd10cm-2025-04", day=date(2026, 5, 1))
    assert chosen.name == "icd10cm-2025-04"


def test_latest_is_the_newest_release(registry: Registry) -> None:
    assert registry.latest().name == "icd10cm-2026-04"
    assert registry.choose().name == "icd10cm-2026-04"


def test_open_returns_the_same_release_object(registry: Registry) -> None:
    assert registry.open("icd10cm-2026-04") is registry.open("icd10cm-2026-04")


def test_open_unknown_name_names_installed_releases(registry: Registry) -> None:
    with pytest.raises(ReleaseNotFoundError) as caught:
        registry.open("icd10cm-1999")
    assert caught.value.code == "E201"
    assert "icd10cm-1999" in caught.value.message
    assert "icd10cm-2026-04" in caught.value.message
    assert caught.value.hint is not None and "codesets list" in caught.value.hint


def test_validate_depends_on_the_date_of_service(registry: Registry) -> None:
    # G35 was billable in FY2025; the FY2026 Tabular subdivided it (G35.A .. G35.D).
    assert registry.validate("G35", date(2025, 6, 1)).status is Validity.VALID
    assert registry.validate("G35", date(2026, 6, 1)).status is Validity.NOT_BILLABLE
    assert registry.validate("G35.D").valid  # newest release without a date


def test_setup_on_a_folder_without_release_files(tmp_path: Path) -> None:
    empty = tmp_path / "data"
    empty.mkdir()
    with pytest.raises(ReleaseNotFoundError) as caught:
        Registry(tmp_path / "home").setup(empty)
    assert caught.value.code == "E201"
    assert str(empty) in caught.value.message


def test_readme_python_example(built_home: Path) -> None:
    import medcoder

    registry = medcoder.Registry(built_home, quiet=True)
    release = registry.release_for(date(2026, 5, 1))
    assert release.lookup("E11.22").title == (
        "Type 2 diabetes mellitus with diabetic chronic kidney disease"
    )
    assert medcoder.validate(release, "S72.001").reason.startswith(
        "S72.001 requires a 7th character"
    )
    registry.close()


# -- the embedded default (simple-icd-10-cm's packaged Tabular XML) ----------------------
def test_embedded_plan_points_into_the_installed_package() -> None:
    imported_before = "simple_icd_10_cm" in sys.modules
    plan = embedded_plan()
    assert plan is not None
    assert plan.name == "icd10cm-2026-04"
    assert (plan.effective_from, plan.effective_to) == (date(2026, 4, 1), date(2026, 9, 30))
    (source,) = plan.files
    assert source.role == "tabular"
    assert source.path.is_file()
    assert "simple_icd_10_cm" in source.path.parts
    if not imported_before:
        # find_spec only: importing the package would parse its XML.
        assert "simple_icd_10_cm" not in sys.modules


def test_empty_home_builds_the_embedded_release_with_one_notice(
    embedded_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    registry = Registry(embedded_home)
    assert registry.installed() == []
    infos = registry.available()
    assert [i.name for i in infos] == ["icd10cm-2026-04"]
    assert infos[0].embedded
    assert infos[0].index_fiscal_year is None
    registry.available()  # a second call: no second notice
    captured = capsys.readouterr()
    assert captured.err.splitlines() == [EMBEDDED_NOTICE]
    assert captured.out == ""
    release = registry.latest()
    assert release.lookup("E11.22").billable
    assert release.info.embedded
    assert release.books() == {}
    assert not IndexNavigator(release).walk("Diabetes").found
    registry.close()


def test_quiet_registry_prints_no_notice(
    embedded_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    registry = Registry(embedded_home, quiet=True)
    assert [i.name for i in registry.available()] == ["icd10cm-2026-04"]
    assert capsys.readouterr().err == ""


def test_a_changed_or_removed_manifest_is_read_again(built_home: Path, tmp_path: Path) -> None:
    # Manifests are kept between calls (every note asks for its release by date) and read
    # again when the file changes.
    source = built_home / "releases" / "icd10cm-2025-04" / "release.json"
    folder = tmp_path / "releases" / "icd10cm-2025-04"
    folder.mkdir(parents=True)
    manifest = folder / "release.json"
    manifest.write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    registry = Registry(tmp_path, quiet=True)
    (info,) = registry.installed()
    data = json.loads(manifest.read_text(encoding="utf-8"))
    data["built_at"] = "rebuilt at another time"
    manifest.write_text(json.dumps(data), encoding="utf-8")
    assert [i.built_at for i in registry.installed()] == ["rebuilt at another time"]
    assert info.built_at != "rebuilt at another time"
    manifest.unlink()
    assert registry.installed() == []
