"""Diffs between two quarter releases, on the JUL / OCT fixtures."""

from __future__ import annotations

import pytest

from medcoder.codesets.hcpcs.diff import diff_hcpcs
from medcoder.codesets.hcpcs.lookup import ProcedureCodeSets
from medcoder.errors import ReleaseNotFoundError


def test_added_terminated_and_redescribed(fixture_sets: ProcedureCodeSets) -> None:
    diff = diff_hcpcs(fixture_sets, "hcpcs-2025-07", "hcpcs-2025-10")
    assert [c.code for c in diff.of("added")] == ["Q9998"]
    assert [(c.code, c.detail) for c in diff.of("terminated")] == [("G0444", "last day 2025-12-31")]
    (changed,) = diff.of("descriptor")
    assert changed.code == "Q9999"
    assert "revised" in changed.title and "revised" not in changed.old_title
    assert "Made-up temp code rev" in changed.detail
    assert diff.of("removed") == ()


def test_removed_when_reversed(fixture_sets: ProcedureCodeSets) -> None:
    diff = diff_hcpcs(fixture_sets, "hcpcs-2025-10", "hcpcs-2025-07")
    assert [c.code for c in diff.of("removed")] == ["Q9998"]


def test_unknown_release(fixture_sets: ProcedureCodeSets) -> None:
    with pytest.raises(ReleaseNotFoundError, match="hcpcs-1999-01"):
        diff_hcpcs(fixture_sets, "hcpcs-1999-01", "hcpcs-2025-10")
