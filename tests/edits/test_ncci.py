"""NCCI PTP pairs, add-on codes and MUE units (the I/OCE tables in ../shared/data; a tiny
fixture in the same layout for the index; a made-up MUE file in the CMS layout)."""

from __future__ import annotations

import datetime as dt
import gzip
from pathlib import Path

import pytest

from medcoder.edits.checker import ClaimChecker
from medcoder.edits.findings import Severity
from medcoder.edits.mue_table import load_mue
from medcoder.edits.ncci_tables import load_addons, load_ptp
from medcoder.errors import EditTableError
from tests.edits.conftest import FIXTURES, claim, edits


def line(code: str, *modifiers: str, units: int = 1, system: str = "cpt") -> dict[str, object]:
    return {"system": system, "code": code, "modifiers": list(modifiers), "units": units}


def test_ptp_pair_without_modifier(checker: ClaimChecker) -> None:
    report = checker.check(claim("M23.205", line("29880"), line("29881")))
    (finding,) = [f for f in report.findings if f.edit == "ncci-ptp.v1"]
    assert finding.severity is Severity.ERROR
    assert finding.codes == ("29880", "29881")
    assert "append modifier 59" in finding.fix and "distinct site" in finding.fix
    assert "documented: no" in finding.fix
    assert finding.release == "ioce-27.1.0"


def test_ptp_pair_bypassed_by_distinct_site_modifier(checker: ClaimChecker) -> None:
    report = checker.check(claim("M23.205", line("29880"), line("29881", "XS")))
    (finding,) = [f for f in report.findings if f.edit == "ncci-ptp.v1"]
    assert finding.severity is Severity.WARNING
    report = checker.check(claim("M23.205", line("29880", "RT"), line("29881", "LT")))
    assert all(f.severity is Severity.WARNING for f in report.findings if f.edit == "ncci-ptp.v1")


def test_same_side_anatomic_modifiers_do_not_bypass(checker: ClaimChecker) -> None:
    report = checker.check(claim("M23.205", line("29880", "RT"), line("29881", "RT")))
    assert [f.severity for f in report.findings if f.edit == "ncci-ptp.v1"] == [Severity.ERROR]


def test_modifier_indicator_0_is_never_bypassed(checker: ClaimChecker) -> None:
    report = checker.check(claim("M54.50", line("00530"), line("64469", "59")))
    (finding,) = [f for f in report.findings if f.edit == "ncci-ptp.v1"]
    assert finding.severity is Severity.ERROR
    assert "does not bypass" in finding.message


def test_ptp_by_date_of_service(checker: ClaimChecker) -> None:
    # 00530 / 64469 entered the I/OCE on 2025-07-01.
    early = checker.check(claim("M54.50", line("00530"), line("64469"), day="2025-05-01"))
    assert "ncci-ptp.v1" not in edits(early)


def test_unrelated_procedures_are_clean(checker: ClaimChecker) -> None:
    report = checker.check(claim("I10", line("99213"), line("71046")))
    assert not {"ncci-ptp.v1", "ncci-addon.v1"} & edits(report)


def test_addon_without_primary(checker: ClaimChecker) -> None:
    report = checker.check(claim("L97.412", line("11045")))
    (finding,) = [f for f in report.findings if f.edit == "ncci-addon.v1"]
    assert finding.severity is Severity.ERROR and "11042" in finding.fix
    twin = checker.check(claim("L97.412", line("11042"), line("11045")))
    assert "ncci-addon.v1" not in edits(twin)


def test_mue_units(checker: ClaimChecker) -> None:
    # Made-up MUE file: 96372 at most 4 units a line (MAI 1); 11042 1 a day (MAI 2).
    report = checker.check(claim("I10", line("96372", units=5)))
    (finding,) = [f for f in report.findings if f.edit == "mue.v1"]
    assert "exceed the MUE of 4" in finding.message and finding.release == "mue-2026q2"
    assert "mue.v1" not in edits(checker.check(claim("I10", line("96372", units=4))))
    summed = checker.check(claim("L97.412", line("11042"), line("11042", "59")))
    assert [f.codes for f in summed.findings if f.edit == "mue.v1"] == [("11042",)]


def test_ptp_index_from_a_fixture_with_dates_and_cache(tmp_path: Path) -> None:
    folder = FIXTURES / "ncci"
    index = load_ptp(folder, cache_dir=tmp_path)
    assert len(index) == 4 and list(tmp_path.glob("ptp-*.bin"))
    cached = load_ptp(folder, cache_dir=tmp_path)
    for day, allowed in ((dt.date(2022, 6, 1), False), (dt.date(2026, 5, 1), True)):
        for idx in (index, cached):
            pair = idx.pair("10000", "10002", day)
            assert pair is not None and pair.modifier_allowed is allowed
    assert index.pair("10002", "10000", dt.date(2026, 5, 1)) is None
    assert index.pair("10003", "10000", dt.date(2025, 1, 1)) is None
    assert index.version_on(dt.date(2026, 5, 1)) == "ioce-27.1.0"
    addons = load_addons(folder)
    assert [e.primary for e in addons.on("10009", dt.date(2026, 5, 1))] == ["10000"]


def test_malformed_ptp_and_addon_tables(tmp_path: Path) -> None:
    (tmp_path / "ioce_ncci_ptp_pairs_all_versions.csv.gz").write_bytes(
        gzip.compress(b"a,b,c\n1,2,3\n")
    )
    with pytest.raises(EditTableError, match="expected column1_code"):
        load_ptp(tmp_path)
    with pytest.raises(EditTableError, match="no add-on code table"):
        load_addons(tmp_path)
    with pytest.raises(EditTableError, match="no NCCI folder"):
        load_ptp(tmp_path / "nothing")


def test_mue_loader_reads_the_cms_layout_and_refuses_others(tmp_path: Path) -> None:
    table = load_mue(FIXTURES / "mue_practitioner_madeup_2026q2.csv")
    assert table.limits["11045"].max_units == 12 and table.limits["11045"].mai == 3
    bad = tmp_path / "mue.csv"
    bad.write_text("code,limit\n11042,1\n", encoding="utf-8")
    with pytest.raises(EditTableError, match="no 'HCPCS/CPT Code"):
        load_mue(bad)
    bad.write_text('"HCPCS/CPT Code","X MUE Values","MUE Adjudication Indicator"\n11042,a,1\n',
                   encoding="utf-8")  # fmt: skip
    with pytest.raises(EditTableError, match=r"mue.csv:2"):
        load_mue(bad)
