"""The Alpha-Numeric loaders: fixed-width txt fixture, and the full xlsx / CSV agree."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from medcoder.codesets.hcpcs.anweb import anweb_quarter, load_anweb, parse_yyyymmdd
from medcoder.codesets.hcpcs.build import quarter_dates
from medcoder.errors import SourceFormatError


def test_fixed_width_records_join_continuations(hcpcs_fixtures: Path) -> None:
    records = {r.code: r for r in load_anweb(hcpcs_fixtures / "HCPC2025_JUL_ANWEB_v2.txt")}
    assert set(records) == {"RT", "LT", "XS", "E0143", "J1100", "G0444", "Q9999"}
    assert records["RT"].is_modifier and not records["J1100"].is_modifier
    assert records["J1100"].long_description == "Injection, dexamethasone sodium phosphate, 1 mg"
    assert records["J1100"].added == date(1982, 1, 1)
    assert records["J1100"].betos == "O1E"
    assert records["Q9999"].long_description.endswith("that runs over onto a continuation record")
    assert records["G0444"].terminated is None


def test_termination_and_action_codes(hcpcs_fixtures: Path) -> None:
    records = {r.code: r for r in load_anweb(hcpcs_fixtures / "HCPC2025_OCT_ANWEB_v2.txt")}
    assert records["G0444"].terminated == date(2025, 12, 31)
    assert records["G0444"].action_code == "D"
    assert records["Q9998"].action_code == "A"


@pytest.mark.parametrize(
    ("name", "quarter"),
    [
        ("HCPC2025_OCT_ANWEB.xlsx", (2025, 10)),
        ("HCPC2024_JAN_ANWEB_v3.txt", (2024, 1)),
        ("HCPC2023_ANWEB.csv", (2023, 1)),
        ("hcpcs.csv", None),
        ("HCPC2025_FEB_ANWEB.csv", None),
    ],
)
def test_quarter_from_file_name(name: str, quarter: tuple[int, int] | None) -> None:
    assert anweb_quarter(Path(name)) == quarter


def test_quarter_dates() -> None:
    assert quarter_dates(2025, 10) == (date(2025, 10, 1), date(2025, 12, 31))
    assert quarter_dates(2026, 1) == (date(2026, 1, 1), date(2026, 3, 31))


def test_bad_records_name_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "HCPC2025_OCT_ANWEB.txt"
    bad.write_text("J1100 0010 9" + " " * 300 + "\n", encoding="cp1252")
    with pytest.raises(SourceFormatError, match=r"ANWEB.txt:1: J1100: unknown RECID"):
        load_anweb(bad)
    csv_file = tmp_path / "HCPC2025_OCT_ANWEB.csv"
    csv_file.write_text("CODE,TEXT\nJ1100,x\n", encoding="utf-8")
    with pytest.raises(SourceFormatError, match="no column HCPC"):
        load_anweb(csv_file)
    with pytest.raises(SourceFormatError, match="bad date '2025013X'"):
        parse_yyyymmdd("2025013X", path="f.txt", line=3)


@pytest.mark.slow
def test_full_xlsx_and_csv_agree(shared_data: Path) -> None:
    folder = shared_data / "hcpcs"
    xlsx = load_anweb(folder / "HCPC2025_OCT_ANWEB.xlsx")
    csv_records = load_anweb(folder / "HCPC2025_OCT_ANWEB.csv")
    assert sum(1 for r in xlsx if not r.is_modifier) == 8463
    assert sum(1 for r in xlsx if r.is_modifier) == 383
    assert {r.code: r for r in xlsx} == {r.code: r for r in csv_records}
