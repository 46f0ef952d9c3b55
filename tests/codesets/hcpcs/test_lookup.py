"""Validity on a date of service: quarter file first, then the I/OCE spans."""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path

import pytest

from medcoder.codesets.hcpcs.build import quarter_dates
from medcoder.codesets.hcpcs.ioce import quarter_start
from medcoder.codesets.hcpcs.lookup import ProcedureCodeSets
from medcoder.errors import ProcedureCodeSetMissingError, UnknownModifierError


def test_releases_chosen_by_date(fixture_sets: ProcedureCodeSets) -> None:
    assert [r.name for r in fixture_sets.anweb] == ["hcpcs-2025-07", "hcpcs-2025-10"]
    assert fixture_sets.anweb_for(date(2025, 8, 1)).name == "hcpcs-2025-07"  # type: ignore[union-attr]
    assert fixture_sets.anweb_for(date(2025, 11, 1)).name == "hcpcs-2025-10"  # type: ignore[union-attr]
    assert fixture_sets.anweb_for(None).name == "hcpcs-2025-10"  # type: ignore[union-attr]
    manifest = fixture_sets.anweb[-1]
    assert (manifest.effective_from, manifest.effective_to) == quarter_dates(2025, 10)
    assert len(manifest.sources[0].sha256) == 64 and manifest.sources[0].layout == "txt"


def test_code_added_in_a_later_quarter(fixture_sets: ProcedureCodeSets) -> None:
    assert fixture_sets.lookup("Q9998", date(2025, 10, 2)).status == "active"
    earlier = fixture_sets.lookup("Q9998", date(2025, 8, 1))
    assert earlier.status == "unknown" and not earlier.valid


def test_terminated_code(fixture_sets: ProcedureCodeSets) -> None:
    december = fixture_sets.lookup("G0444", date(2025, 12, 31))
    assert december.valid and december.terminated == date(2025, 12, 31)
    # 2026 is past every quarter file: the I/OCE spans decide, and end at 2025-12-31.
    january = fixture_sets.lookup("G0444", date(2026, 1, 5))
    assert (january.valid, january.status, january.source) == (False, "terminated", "ioce")
    assert january.title == "Annual depression screening, 5 to 15 minutes"


def test_ioce_spans_across_quarters(fixture_sets: ProcedureCodeSets) -> None:
    status = fixture_sets.lookup("C1826", date(2026, 2, 1))
    assert (status.valid, status.status_indicator, status.source) == (True, "N", "ioce")
    assert fixture_sets.lookup("C1826", date(2022, 6, 1)).status == "not_yet_effective"
    assert fixture_sets.lookup("j1100-rt", date(2021, 3, 1)).valid


def test_cpt_numbers_without_descriptors(fixture_sets: ProcedureCodeSets) -> None:
    visit = fixture_sets.lookup("99213", date(2025, 6, 1))
    assert (visit.system, visit.valid, visit.title) == ("cpt", True, "")
    assert fixture_sets.is_valid("0001A", date(2021, 1, 10))
    ended = fixture_sets.lookup("0001A", date(2023, 5, 1))
    assert (ended.status, ended.terminated) == ("terminated", date(2023, 4, 17))
    assert fixture_sets.lookup("20610", date(2022, 6, 1)).status == "not_yet_effective"
    assert fixture_sets.lookup("99999", date(2025, 6, 1)).status == "unknown"
    before = fixture_sets.lookup("99213", date(2018, 1, 1))
    assert before.status == "unknown" and "no installed release dates codes" in before.note


def test_version_calendar() -> None:
    assert quarter_start(76) == date(2019, 7, 1)
    assert quarter_start(101) == date(2025, 10, 1)
    assert quarter_start(102) == date(2026, 1, 1)


def test_modifiers(fixture_sets: ProcedureCodeSets) -> None:
    assert [m.code for m in fixture_sets.modifiers()] == ["LT", "RT", "XS"]
    (xs,) = [m for m in fixture_sets.modifiers() if m.code == "XS"]
    assert xs.long_description.endswith("performed on a separate organ/structure")
    assert fixture_sets.unknown_modifiers(["rt", "59", "XZ", "LT", "Q1"]) == ["XZ", "Q1"]
    with pytest.raises(UnknownModifierError, match="unknown modifiers XZ, Q1") as raised:
        fixture_sets.check_modifiers(["RT", "XZ", "Q1"])
    assert raised.value.code == "E221" and raised.value.modifiers == ("XZ", "Q1")


def test_nothing_installed(tmp_path: Path) -> None:
    sets = ProcedureCodeSets(tmp_path)
    with pytest.raises(ProcedureCodeSetMissingError, match="no HCPCS Level II release"):
        sets.lookup("J1100")
    with pytest.raises(ProcedureCodeSetMissingError, match="no CPT numbers"):
        sets.lookup("99213")


def test_search(fixture_sets: ProcedureCodeSets) -> None:
    assert [r.code for r in fixture_sets.search("walker folding")] == ["E0143"]
    assert fixture_sets.search("   ") == []


def test_full_release_counts_and_speed(full_sets: ProcedureCodeSets) -> None:
    quarter = full_sets.anweb[-1]
    assert quarter.stats["codes"] == 8463 and quarter.stats["modifiers"] == 383
    day = date(2025, 11, 3)
    assert full_sets.lookup("J1100", day).title.startswith("Injection, dexamethasone")
    assert full_sets.is_valid("G0008", date(2026, 5, 1))  # past the quarter: I/OCE decides
    assert full_sets.is_valid("99213", day)
    assert {"RT", "LT", "XS"} <= {m.code for m in full_sets.modifiers(day)}
    start = time.perf_counter()
    for _ in range(1000):
        full_sets.lookup("J1100", day)
    assert time.perf_counter() - start < 1.0  # well under 1 ms a lookup
