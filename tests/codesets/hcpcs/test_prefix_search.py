"""HCPCS Level II type-ahead (issue 16, part 1): a code or its first characters first."""

from __future__ import annotations

import datetime as dt

from medcoder.codesets.hcpcs.lookup import ProcedureCodeSets


def test_hcpcs_prefix(fixture_sets: ProcedureCodeSets) -> None:
    day = dt.date(2025, 11, 1)
    hits = fixture_sets.with_prefix("e01", day, 5)
    assert hits and all(r.code.startswith("E01") for r in hits)
    assert [r.code for r in hits] == sorted(r.code for r in hits)
    assert fixture_sets.with_prefix("E0143", day)[0].code == "E0143"
    assert fixture_sets.with_prefix("not a code!", day) == []
